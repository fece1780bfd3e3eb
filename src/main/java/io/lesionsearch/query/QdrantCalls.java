package io.lesionsearch.query;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.lesionsearch.qdrant.Backoff;
import io.lesionsearch.qdrant.QdrantFailure;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a Qdrant call until it succeeds, fails for good, or the request's time is up. Each attempt
 * gets the time that is left as its gRPC deadline, and the failures {@link
 * QdrantFailure#retrySearch()} names are retried with backoff while time remains, so a Qdrant
 * restart costs a slower reply, not an error. The request's deadline, not a retry limit, ends the
 * tries.
 */
final class QdrantCalls {

  /** Short first pauses: a search is worth retrying quickly, unlike a 1,000-point upsert. */
  static final Backoff BACKOFF = new Backoff(Duration.ofMillis(20), Duration.ofMillis(500));

  private final ScheduledExecutorService timer;
  private final ManagedChannel channel;

  QdrantCalls(ScheduledExecutorService timer, ManagedChannel channel) {
    this.timer = timer;
    this.channel = channel;
  }

  /**
   * @param call one attempt, given its deadline
   */
  <T> CompletableFuture<T> call(Function<Duration, ListenableFuture<T>> call, long deadlineNanos) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(call, deadlineNanos, 1, result);
    return result;
  }

  private <T> void attempt(
      Function<Duration, ListenableFuture<T>> call,
      long deadlineNanos,
      int attempt,
      CompletableFuture<T> result) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      result.completeExceptionally(
          new QueryException(
              ErrorCode.TIMEOUT, "the request's time ran out before Qdrant answered"));
      return;
    }
    ListenableFuture<T> future;
    try {
      future = call.apply(Duration.ofNanos(left));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    Futures.addCallback(
        future,
        new FutureCallback<>() {
          @Override
          public void onSuccess(T value) {
            result.complete(value);
          }

          @Override
          public void onFailure(Throwable error) {
            QdrantFailure failure = QdrantFailure.of(error);
            long backoffMs =
                BACKOFF.delayMs(attempt, ThreadLocalRandom.current().nextDouble(-1, 1));
            if (!failure.retrySearch()) {
              result.completeExceptionally(error);
            } else if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs)
                < deadlineNanos) {
              if (failure == QdrantFailure.UNAVAILABLE) {
                // Otherwise gRPC may still be waiting out its own reconnect backoff (up to 2 min),
                // and every retry within this request's time would fail without trying.
                channel.resetConnectBackoff();
              }
              // attempt() completes result however it ends, so the schedule's own future has
              // nothing to add.
              var unused =
                  timer.schedule(
                      () -> attempt(call, deadlineNanos, attempt + 1, result),
                      backoffMs,
                      TimeUnit.MILLISECONDS);
            } else {
              result.completeExceptionally(
                  new QueryException(
                      ErrorCode.QDRANT_UNAVAILABLE,
                      "Qdrant still "
                          + QdrantFailure.describe(error)
                          + " after "
                          + attempt
                          + " attempt(s) within the request timeout"));
            }
          }
        },
        MoreExecutors.directExecutor());
  }

  /**
   * The reply's code for a failed Qdrant call. The calls are searches and retrievals by id in the
   * job's collection, so a NOT_FOUND can only mean the collection; a vector of the wrong size is
   * refused before the call (see {@link SearchFunction}).
   */
  static QueryException classify(Throwable error) {
    Throwable e = QdrantFailure.unwrap(error);
    if (e instanceof QueryException q) {
      return q;
    }
    return switch (QdrantFailure.of(e)) {
      case NOT_FOUND ->
          new QueryException(ErrorCode.COLLECTION_NOT_FOUND, QdrantFailure.describe(e));
      case DEADLINE_EXCEEDED ->
          new QueryException(ErrorCode.TIMEOUT, "Qdrant did not answer within the request timeout");
      case UNAVAILABLE ->
          new QueryException(ErrorCode.QDRANT_UNAVAILABLE, QdrantFailure.describe(e));
      // The channel's interceptor has added which option sets the limit.
      case ANSWER_TOO_LARGE ->
          new QueryException(ErrorCode.REPLY_TOO_LARGE, QdrantFailure.describe(e));
      case CLIENT_FAULT ->
          new QueryException(
              ErrorCode.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage());
      default ->
          new QueryException(
              ErrorCode.QDRANT_ERROR, "Qdrant answered " + QdrantFailure.describe(e));
    };
  }
}
