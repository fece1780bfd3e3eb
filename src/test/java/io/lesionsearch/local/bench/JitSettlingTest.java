package io.lesionsearch.local.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitSettlingTest {

  @Test
  void reportsTheCompileTimeOfEachRoundOnly() {
    AtomicLong total = new AtomicLong(4_000);
    JitSettling jit = new JitSettling(total::get);
    total.addAndGet(1_200);
    assertEquals(1_200, jit.compiledSinceLast());
    total.addAndGet(90);
    assertEquals(90, jit.compiledSinceLast());
    assertEquals(0, jit.compiledSinceLast());
  }

  @Test
  void settledBelowThirtyPercentOfTheRound() {
    assertFalse(JitSettling.settled(7_800, 5_000));
    assertFalse(JitSettling.settled(1_500, 5_000));
    assertTrue(JitSettling.settled(1_499, 5_000));
    assertTrue(JitSettling.settled(0, 5_000));
  }

  /**
   * The JVMs this project runs on (HotSpot, JDK 17) report it; without it the warm-up is one round.
   */
  @Test
  void thisJvmReportsItsCompileTime() {
    JitSettling jit = JitSettling.ofThisJvm();
    assertNotNull(jit, "this JVM does not report its JIT compile time");
    assertTrue(jit.compiledSinceLast() >= 0);
  }
}
