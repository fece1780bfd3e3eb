package io.lesionsearch.query;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.lesionsearch.qdrant.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a Qdrant call until it succeeds, fails for good, or the request's time is up. Each attempt
 * gets the time that is left as its gRPC deadline, and "unavailable"-like answers are retried with
 * backoff while time remains, so a Qdrant restart costs a slower reply, not an error.
 */
final class QdrantCalls {

  /** Short first pauses: a search is worth retrying quickly, unlike a 1,000-point upsert. */
  static final RetryPolicy RETRIES = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(500), Duration.ofDays(1));

  private final ScheduledExecutorService timer;
  private final ManagedChannel channel;

  QdrantCalls(ScheduledExecutorService timer, ManagedChannel channel) {
    this.timer = timer;
    this.channel = channel;
  }

  /** @param call one attempt, given its deadline */
  <T> CompletableFuture<T> call(Function<Duration, ListenableFuture<T>> call, long deadlineNanos) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(call, deadlineNanos, 1, result);
    return result;
  }

  private <T> void attempt(
      Function<Duration, ListenableFuture<T>> call, long deadlineNanos, int attempt, CompletableFuture<T> result) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      result.completeExceptionally(new QueryException(ErrorCode.TIMEOUT, "the request's time ran out before Qdrant answered"));
      return;
    }
    ListenableFuture<T> future;
    try {
      future = call.apply(Duration.ofNanos(left));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    Futures.addCallback(future, new FutureCallback<>() {
      @Override
      public void onSuccess(T value) {
        result.complete(value);
      }

      @Override
      public void onFailure(Throwable error) {
        Status status = Status.fromThrowable(error);
        long backoffMs = RETRIES.backoffMs(attempt);
        // Not RESOURCE_EXHAUSTED: an answer over the channel's inbound limit is as large on every try,
        // and Qdrant's own rate limit would not lift within a search's time. Not DEADLINE_EXCEEDED:
        // the deadline is the request's own.
        boolean retryable = status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.ABORTED;
        if (!retryable) {
          result.completeExceptionally(error);
        } else if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) < deadlineNanos) {
          if (status.getCode() == Status.Code.UNAVAILABLE) {
            // Otherwise gRPC may still be waiting out its own reconnect backoff (up to 2 min),
            // and every retry within this request's time would fail without trying.
            channel.resetConnectBackoff();
          }
          timer.schedule(() -> attempt(call, deadlineNanos, attempt + 1, result), backoffMs, TimeUnit.MILLISECONDS);
        } else {
          result.completeExceptionally(new QueryException(ErrorCode.QDRANT_UNAVAILABLE,
              "Qdrant still " + status.getCode() + " after " + attempt + " attempt(s) within the request timeout: "
                  + status.getDescription()));
        }
      }
    }, MoreExecutors.directExecutor());
  }

  /** The reply's code for a failed Qdrant call. */
  static QueryException classify(Throwable error) {
    Throwable e = error;
    while ((e instanceof java.util.concurrent.CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof QueryException q) {
      return q;
    }
    Status status = Status.fromThrowable(e);
    String description = status.getDescription() == null ? "" : status.getDescription();
    switch (status.getCode()) {
      case NOT_FOUND:
        if (description.contains("ollection")) {
          return new QueryException(ErrorCode.COLLECTION_NOT_FOUND, description);
        }
        break;
      case INVALID_ARGUMENT:
        if (description.contains("dimension")) {
          return new QueryException(ErrorCode.VECTOR_SIZE_MISMATCH, description);
        }
        break;
      case DEADLINE_EXCEEDED:
        return new QueryException(ErrorCode.TIMEOUT, "Qdrant did not answer within the request timeout");
      case UNAVAILABLE:
        return new QueryException(ErrorCode.QDRANT_UNAVAILABLE, description);
      case RESOURCE_EXHAUSTED:
        // gRPC says so only in its description: "gRPC message exceeds maximum size N: M".
        if (description.contains("exceeds maximum size")) {
          // The channel's interceptor has added which option sets the limit.
          return new QueryException(ErrorCode.REPLY_TOO_LARGE, description);
        }
        break;
      case UNKNOWN:
        if (status.getCause() != null) {
          return new QueryException(ErrorCode.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        break;
      default:
        break;
    }
    return new QueryException(ErrorCode.QDRANT_ERROR, "Qdrant answered " + status.getCode() + ": " + description);
  }
}
