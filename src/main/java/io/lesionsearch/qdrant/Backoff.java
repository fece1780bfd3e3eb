package io.lesionsearch.qdrant;

import java.io.Serializable;
import java.time.Duration;

/**
 * Exponential pauses between tries of a failed call: initial * 2^(failures-1), capped, with up to
 * +-20% jitter so that parallel callers do not hit a recovering server in lockstep.
 */
public final class Backoff implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final double MAX_JITTER = 0.2;

  private final long initialMs;
  private final long maxMs;

  public Backoff(Duration initial, Duration max) {
    this.initialMs = positive("initialBackoff", initial);
    this.maxMs = positive("maxBackoff", max);
    if (maxMs < initialMs) {
      throw new IllegalArgumentException(
          "maxBackoff (" + max + ") must be >= initialBackoff (" + initial + ")");
    }
  }

  static long positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, got " + d);
    }
    return d.toMillis();
  }

  /**
   * The pause before try {@code failures + 1}.
   *
   * @param jitter from -1 to 1: how far, in units of the largest jitter, to move off the base pause
   */
  public long delayMs(int failures, double jitter) {
    int shift = Math.min(Math.max(failures - 1, 0), 30);
    long base = Math.min(maxMs, initialMs << shift);
    return Math.max(1, Math.round(base * (1 + MAX_JITTER * Math.max(-1, Math.min(1, jitter)))));
  }

  public long initialMs() {
    return initialMs;
  }

  public long maxMs() {
    return maxMs;
  }

  @Override
  public String toString() {
    return "initialBackoff=" + initialMs + "ms, maxBackoff=" + maxMs + "ms";
  }
}
