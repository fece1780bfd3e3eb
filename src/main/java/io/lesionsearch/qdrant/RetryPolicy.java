package io.lesionsearch.qdrant;

import io.grpc.Status;
import java.io.Serializable;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When the sink retries a failed upsert and when it gives up. Flink's AsyncSinkWriter re-queues
 * failed entries immediately, so without this a Qdrant outage becomes a hot resubmit loop.
 *
 * <p>Give-up rule: a writer fails the job once its upserts have kept failing, with no success in
 * between, for longer than {@code maxRetryDuration}. A duration rather than an attempt count
 * because several requests are in flight at once and the buffer re-batches retried entries, so
 * "attempts of one batch" is not well defined, while "Qdrant has not accepted anything for 5
 * minutes" is.
 */
public final class RetryPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
  /** Long enough to ride out a Qdrant restart or a rolling upgrade, short enough to page someone. */
  public static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofMinutes(5);

  /** Statuses a healthy server can answer with while restarting, overloaded or unreachable. */
  private static final Set<Status.Code> RETRYABLE = EnumSet.of(
      Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.ABORTED);

  private final long initialBackoffMs;
  private final long maxBackoffMs;
  private final long maxRetryDurationMs;

  public RetryPolicy(Duration initialBackoff, Duration maxBackoff, Duration maxRetryDuration) {
    this.initialBackoffMs = positive("initialBackoff", initialBackoff);
    this.maxBackoffMs = positive("maxBackoff", maxBackoff);
    this.maxRetryDurationMs = positive("maxRetryDuration", maxRetryDuration);
    if (maxBackoffMs < initialBackoffMs) {
      throw new IllegalArgumentException("maxBackoff (" + maxBackoff
          + ") must be >= initialBackoff (" + initialBackoff + ")");
    }
  }

  public static RetryPolicy defaults() {
    return new RetryPolicy(DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
        DEFAULT_MAX_RETRY_DURATION);
  }

  private static long positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, got " + d);
    }
    return d.toMillis();
  }

  public static boolean isRetryable(Status.Code code) {
    return RETRYABLE.contains(code);
  }

  /**
   * Delay before attempt {@code failures + 1}: initial * 2^(failures-1), capped, with +-20%
   * jitter so that the parallel writers of a job do not hit a recovering server in lockstep.
   */
  public long backoffMs(int failures) {
    int shift = Math.min(Math.max(failures - 1, 0), 30);
    long base = Math.min(maxBackoffMs, initialBackoffMs << shift);
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Math.max(1, Math.round(base * jitter));
  }

  public boolean givesUp(long failingForMs) {
    return failingForMs > maxRetryDurationMs;
  }

  public long initialBackoffMs() {
    return initialBackoffMs;
  }

  public long maxBackoffMs() {
    return maxBackoffMs;
  }

  public long maxRetryDurationMs() {
    return maxRetryDurationMs;
  }

  @Override
  public String toString() {
    return "RetryPolicy{initialBackoff=" + initialBackoffMs + "ms, maxBackoff=" + maxBackoffMs
        + "ms, maxRetryDuration=" + maxRetryDurationMs + "ms}";
  }
}
