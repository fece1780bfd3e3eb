package io.lesionsearch.produce;

import java.util.function.LongSupplier;

/**
 * Spaces sends at a steady rate from a fixed start, so a slow send is caught up on rather than
 * lowering the average (a token bucket of one message per 1/rate seconds, never bursting above).
 */
final class Pacer {

  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final double ratePerSecond;
  private final LongSupplier clock;
  private final Sleeper sleeper;
  private long start = Long.MIN_VALUE;

  /** {@code ratePerSecond} 0 means no limit. */
  Pacer(double ratePerSecond, LongSupplier clock, Sleeper sleeper) {
    if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate must be 0 (no limit) or positive, got " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  static Pacer systemClock(double ratePerSecond) {
    return new Pacer(
        ratePerSecond,
        System::nanoTime,
        nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  /** Waits until message number {@code index} (from 0) is due. */
  void awaitTurn(long index) throws InterruptedException {
    long now = clock.getAsLong();
    if (start == Long.MIN_VALUE) {
      start = now;
    }
    if (ratePerSecond == 0) {
      return;
    }
    long due = start + (long) (index * 1e9 / ratePerSecond);
    if (due > now) {
      sleeper.sleepNanos(due - now);
    }
  }
}
