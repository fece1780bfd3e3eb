package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BatchFillClockTest {

  @Test
  void aTrickleWaitsWallClockTime() {
    BatchFillClock clock = new BatchFillClock();
    BatchFillClock.Stamp first = clock.stamp(1_000);
    assertEquals(250, clock.waitedMs(first, 1_250));
  }

  @Test
  void inferenceOfEarlierBatchesDoesNotCountAsWaitingToFill() {
    BatchFillClock clock = new BatchFillClock();
    BatchFillClock.Stamp queued = clock.stamp(1_000);
    clock.inferred(200); // the batch ahead of it, 1_005..1_205
    assertEquals(10, clock.waitedMs(queued, 1_210));
    BatchFillClock.Stamp later = clock.stamp(1_210);
    clock.inferred(180); // the next batch, 1_215..1_395
    assertEquals(30, clock.waitedMs(queued, 1_410));
    assertEquals(20, clock.waitedMs(later, 1_410));
  }
}
