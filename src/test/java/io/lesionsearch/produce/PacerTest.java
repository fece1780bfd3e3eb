package io.lesionsearch.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacing arithmetic on a hand-driven clock: no sleeping, no timing in the assertions. */
class PacerTest {

  private long now;
  private final List<Long> sleeps = new ArrayList<>();

  private Pacer pacer(double rate) {
    return new Pacer(
        rate,
        () -> now,
        nanos -> {
          sleeps.add(nanos);
          now += nanos;
        });
  }

  @Test
  void spacesMessagesAtTheRateAndCatchesUpAfterASlowSend() throws Exception {
    Pacer p = pacer(10);
    now = 1_000;
    p.awaitTurn(0);
    p.awaitTurn(1);
    assertEquals(List.of(100_000_000L), sleeps, "the second message is due 100 ms after the first");
    now = 1_000 + 250_000_000L; // a send that took long: messages 2 is overdue, so no wait
    p.awaitTurn(2);
    assertEquals(1, sleeps.size());
    p.awaitTurn(5);
    assertEquals(250_000_000L, sleeps.get(1), "message 5 is due at 500 ms, it is 250 ms now");
  }

  @Test
  void rateZeroNeverWaitsAndANegativeRateIsRefused() throws Exception {
    Pacer p = pacer(0);
    for (int i = 0; i < 1000; i++) {
      p.awaitTurn(i);
    }
    assertEquals(List.of(), sleeps);
    assertThrows(IllegalArgumentException.class, () -> pacer(-1));
  }
}
