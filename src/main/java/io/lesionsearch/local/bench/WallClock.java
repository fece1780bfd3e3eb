package io.lesionsearch.local.bench;

/**
 * Converts {@link System#nanoTime()} readings to epoch milliseconds, with a fraction, so they can
 * be set against Kafka's record timestamps (epoch milliseconds from the same machine's clock).
 *
 * @param epochMillis a millisecond that had just begun at {@code nanos}
 */
record WallClock(long epochMillis, long nanos) {

  /** Taken on the tick of the millisecond clock, so the offset is good to microseconds. */
  static WallClock now() {
    long before = System.currentTimeMillis();
    long millis;
    long nanos;
    do {
      nanos = System.nanoTime();
      millis = System.currentTimeMillis();
    } while (millis == before);
    return new WallClock(millis, nanos);
  }

  double millis(long nanoTime) {
    return epochMillis + (nanoTime - nanos) / 1e6;
  }
}
