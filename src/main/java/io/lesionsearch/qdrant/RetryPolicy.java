package io.lesionsearch.qdrant;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the sink retries a failed upsert and when it gives up. Flink's AsyncSinkWriter re-queues
 * failed entries immediately, so without the backoff a Qdrant outage becomes a hot resubmit loop.
 * Which failures are retried at all is {@link QdrantFailure#retryWrite()}.
 *
 * <p>Give-up rule: a writer fails the job once its upserts have kept failing, with no success in
 * between, for longer than {@code maxRetryDuration}. A duration rather than an attempt count
 * because several requests are in flight at once and the buffer re-batches retried entries, so
 * "attempts of one batch" is not well defined, while "Qdrant has not accepted anything for 5
 * minutes" is.
 */
public final class RetryPolicy implements Serializable {
  private static final long serialVersionUID = 2L;

  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

  /**
   * Long enough to ride out a Qdrant restart or a rolling upgrade, short enough to page someone.
   */
  public static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofMinutes(5);

  private final Backoff backoff;
  private final long maxRetryDurationMs;

  public RetryPolicy(Duration initialBackoff, Duration maxBackoff, Duration maxRetryDuration) {
    this.backoff = new Backoff(initialBackoff, maxBackoff);
    this.maxRetryDurationMs = Backoff.positive("maxRetryDuration", maxRetryDuration);
  }

  public static RetryPolicy defaults() {
    return new RetryPolicy(
        DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRY_DURATION);
  }

  public Backoff backoff() {
    return backoff;
  }

  public boolean givesUp(long failingForMs) {
    return failingForMs > maxRetryDurationMs;
  }

  public long maxBackoffMs() {
    return backoff.maxMs();
  }

  public long maxRetryDurationMs() {
    return maxRetryDurationMs;
  }

  @Override
  public String toString() {
    return "RetryPolicy{" + backoff + ", maxRetryDuration=" + maxRetryDurationMs + "ms}";
  }
}
