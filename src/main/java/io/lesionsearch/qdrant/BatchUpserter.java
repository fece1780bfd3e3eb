package io.lesionsearch.qdrant;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.flink.connector.base.sink.throwable.FatalExceptionClassifier;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink writer's calls: each batch, in order, as one {@code upsert(wait=true)} per run of
 * consecutive upserts and one {@code delete(wait=true)} per deletion, each call started only once
 * the one before it is acknowledged, so a deletion never overtakes an upsert or the other way
 * round. A transient failure is retried, from the operation that failed on, after a backoff until
 * failures have lasted {@code maxRetryDuration}; anything else is fatal. Results arrive on gRPC
 * threads; the {@link ResultHandler} hands them back to the task's mailbox thread. Time, jitter,
 * the schedule and the calls themselves come from outside, so tests drive it with fakes.
 */
final class BatchUpserter {
  private static final Logger LOG = LoggerFactory.getLogger(BatchUpserter.class);

  /** Runs a retry later; throws {@link RejectedExecutionException} once the writer is closing. */
  interface Scheduler {
    void schedule(Runnable task, long delayMs);
  }

  /** The writer's metrics: Flink's standard send-error counter and the sink's own. */
  record Metrics(
      Counter sendErrors,
      Counter retries,
      Counter pointsWritten,
      Counter deletions,
      Histogram batchSizes,
      Histogram latenciesMs) {}

  private final String collection;
  private final String address;
  private final RetryPolicy retry;
  private final Function<UpsertPoints, ListenableFuture<UpdateResult>> upsert;
  private final Function<DeletePoints, ListenableFuture<UpdateResult>> delete;
  private final DeletionListener deletions;
  private final Runnable resetConnectBackoff;
  private final LongSupplier clockMs;
  private final DoubleSupplier jitter;
  private final Scheduler scheduler;
  private final Metrics metrics;
  private volatile long lastLatencyMs;

  /** Start of the current run of failures (-1 when the last call succeeded); guarded by this. */
  private long failingSinceMs = -1;

  private int consecutiveFailures;

  /**
   * @param deletions told of each deletion once Qdrant has applied it
   * @param resetConnectBackoff makes gRPC reconnect now rather than after its own backoff
   * @param jitter from -1 to 1 (see {@link Backoff#delayMs})
   */
  BatchUpserter(
      String collection,
      String address,
      RetryPolicy retry,
      Function<UpsertPoints, ListenableFuture<UpdateResult>> upsert,
      Function<DeletePoints, ListenableFuture<UpdateResult>> delete,
      DeletionListener deletions,
      Runnable resetConnectBackoff,
      LongSupplier clockMs,
      DoubleSupplier jitter,
      Scheduler scheduler,
      Metrics metrics) {
    this.collection = collection;
    this.address = address;
    this.retry = retry;
    this.upsert = upsert;
    this.delete = delete;
    this.deletions = deletions;
    this.resetConnectBackoff = resetConnectBackoff;
    this.clockMs = clockMs;
    this.jitter = jitter;
    this.scheduler = scheduler;
    this.metrics = metrics;
  }

  /** Applies the batch's operations in order; the handler hears once, when all are applied. */
  void apply(List<PointOp> batch, ResultHandler<PointOp> handler) {
    applyFrom(List.copyOf(batch), 0, handler);
  }

  private void applyFrom(List<PointOp> batch, int from, ResultHandler<PointOp> handler) {
    if (from == batch.size()) {
      handler.complete();
      return;
    }
    long start = clockMs.getAsLong();
    if (batch.get(from) instanceof PointOp.Delete d) {
      DeletePoints request =
          DeletePoints.newBuilder()
              .setCollectionName(collection)
              .setWait(true) // acknowledged means applied: no search finds the point any more
              .setPoints(d.selector())
              .build();
      call(
          delete.apply(request),
          "delete",
          batch,
          from,
          handler,
          () -> {
            synchronized (this) {
              failingSinceMs = -1;
              consecutiveFailures = 0;
            }
            metrics.deletions().inc();
            try {
              deletions.deleted(d, clockMs.getAsLong() - start);
            } catch (RuntimeException e) {
              // Unheard, the deletion would be unaudited: fail, and the replay deletes (a no-op)
              // and tells the listener again.
              handler.completeExceptionally(
                  new QdrantSinkException(
                      "the deletion listener failed after a delete in collection '"
                          + collection
                          + "'",
                      e));
              return;
            }
            applyFrom(batch, from + 1, handler);
          });
      return;
    }
    int end = from;
    List<PointStruct> points = new ArrayList<>();
    while (end < batch.size() && batch.get(end) instanceof PointOp.Upsert u) {
      points.add(u.point());
      end++;
    }
    UpsertPoints request =
        UpsertPoints.newBuilder()
            .setCollectionName(collection)
            .setWait(true) // acknowledged means applied, so a completed checkpoint means searchable
            .addAllPoints(points)
            .build();
    int next = end;
    call(
        upsert.apply(request),
        "upsert",
        batch,
        from,
        handler,
        () -> {
          succeeded(points.size(), clockMs.getAsLong() - start);
          applyFrom(batch, next, handler);
        });
  }

  private void call(
      ListenableFuture<UpdateResult> future,
      String what,
      List<PointOp> batch,
      int from,
      ResultHandler<PointOp> handler,
      Runnable onSuccess) {
    Futures.addCallback(
        future,
        new FutureCallback<UpdateResult>() {
          @Override
          public void onSuccess(UpdateResult result) {
            onSuccess.run();
          }

          @Override
          public void onFailure(Throwable t) {
            // What went before is applied; a retry starts with the operation that failed.
            failed(what, new ArrayList<>(batch.subList(from, batch.size())), handler, t);
          }
        },
        MoreExecutors.directExecutor());
  }

  long lastLatencyMs() {
    return lastLatencyMs;
  }

  private void succeeded(int points, long ms) {
    synchronized (this) {
      failingSinceMs = -1;
      consecutiveFailures = 0;
    }
    lastLatencyMs = ms;
    metrics.latenciesMs().update(ms);
    metrics.batchSizes().update(points);
    metrics.pointsWritten().inc(points);
  }

  private void failed(
      String what, List<PointOp> remaining, ResultHandler<PointOp> handler, Throwable t) {
    metrics.sendErrors().inc(remaining.size());
    FatalExceptionClassifier fatal =
        new FatalExceptionClassifier(
            e -> !QdrantFailure.of(e).retryWrite(),
            e ->
                new QdrantSinkException(
                    "Qdrant at "
                        + address
                        + " rejected "
                        + article(what)
                        + " to collection '"
                        + collection
                        + "': "
                        + QdrantFailure.describe(e)
                        + ". Not retried: "
                        + hint(QdrantFailure.of(e)),
                    e));
    if (!fatal.isFatal(t, handler::completeExceptionally)) {
      return; // the classifier has failed the writer
    }
    long now = clockMs.getAsLong();
    int attempt;
    long failingForMs;
    synchronized (this) {
      if (failingSinceMs < 0) {
        failingSinceMs = now;
      }
      attempt = ++consecutiveFailures;
      failingForMs = now - failingSinceMs;
    }
    if (retry.givesUp(failingForMs)) {
      handler.completeExceptionally(
          new QdrantSinkException(
              "Qdrant at "
                  + address
                  + " has not accepted "
                  + article(what)
                  + " to collection '"
                  + collection
                  + "' for "
                  + failingForMs
                  + " ms ("
                  + attempt
                  + " failed attempts, last: "
                  + QdrantFailure.describe(t)
                  + "); giving up after maxRetryDuration="
                  + retry.maxRetryDurationMs()
                  + " ms",
              t));
      return;
    }
    long delayMs = retry.backoff().delayMs(attempt, jitter.getAsDouble());
    metrics.retries().inc();
    LOG.warn(
        "{} of {} operations to Qdrant collection '{}' at {} failed ({}), attempt {}; retrying in {} ms",
        what,
        remaining.size(),
        collection,
        address,
        QdrantFailure.describe(t),
        attempt,
        delayMs);
    boolean unavailable = QdrantFailure.of(t) == QdrantFailure.UNAVAILABLE;
    try {
      scheduler.schedule(
          () -> {
            if (unavailable) {
              // Otherwise gRPC may still be waiting out its own reconnect backoff (up to 2 min).
              resetConnectBackoff.run();
            }
            handler.retryForEntries(remaining);
          },
          delayMs);
    } catch (RejectedExecutionException closing) {
      // Only after close(): the task is going away and restarts from its last checkpoint.
      handler.completeExceptionally(
          new QdrantSinkException(
              "Qdrant sink for collection '" + collection + "' closed while retrying", t));
    }
  }

  private static String article(String what) {
    return (what.equals("upsert") ? "an " : "a ") + what;
  }

  private static String hint(QdrantFailure failure) {
    return switch (failure) {
      case INVALID_ARGUMENT ->
          "the request does not fit the collection; for upserts check its vector size and "
              + "distance against the model's embedding size, for deletes the filter's fields.";
      case NOT_FOUND ->
          "the collection does not exist; create it (CollectionBootstrap) or fix the name.";
      case ACCESS_DENIED -> "check the API key (a read-only key cannot write).";
      default -> "only an unavailable, overloaded, slow or aborting Qdrant is retried.";
    };
  }
}
