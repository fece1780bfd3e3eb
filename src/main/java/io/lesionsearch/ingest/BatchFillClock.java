package io.lesionsearch.ingest;

/**
 * How long an image has waited for its batch to fill: the time since it arrived, less the time the
 * operator spent inferring earlier batches meanwhile. Under full load every image waits about one
 * inference behind the batch ahead of it; that wait is throughput, not a batch failing to fill, and
 * must not trigger the partial-batch flush.
 */
final class BatchFillClock {

  /** When an image arrived, and how much inference time had been spent by then. */
  record Stamp(long arrivedMs, long inferringMsAtArrival) {}

  private long inferringMs;

  Stamp stamp(long nowMs) {
    return new Stamp(nowMs, inferringMs);
  }

  void inferred(long durationMs) {
    inferringMs += durationMs;
  }

  long waitedMs(Stamp stamp, long nowMs) {
    return (nowMs - stamp.arrivedMs()) - (inferringMs - stamp.inferringMsAtArrival());
  }
}
