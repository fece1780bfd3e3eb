package io.lesionsearch.qdrant;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpsertPoints;
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
 * The sink writer's calls: each batch as one {@code upsert(wait=true)}, a transient failure retried
 * after a backoff until failures have lasted {@code maxRetryDuration}, anything else fatal. Results
 * arrive on gRPC threads; the {@link ResultHandler} hands them back to the task's mailbox thread.
 * Time, jitter, the schedule and the call itself come from outside, so tests drive it with fakes.
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
      Histogram batchSizes,
      Histogram latenciesMs) {}

  private final String collection;
  private final String address;
  private final RetryPolicy retry;
  private final Function<UpsertPoints, ListenableFuture<UpdateResult>> upsert;
  private final Runnable resetConnectBackoff;
  private final LongSupplier clockMs;
  private final DoubleSupplier jitter;
  private final Scheduler scheduler;
  private final Metrics metrics;
  private final FatalExceptionClassifier fatal;
  private volatile long lastLatencyMs;

  /** Start of the current run of failures (-1 when the last upsert succeeded); guarded by this. */
  private long failingSinceMs = -1;

  private int consecutiveFailures;

  /**
   * @param resetConnectBackoff makes gRPC reconnect now rather than after its own backoff
   * @param jitter from -1 to 1 (see {@link Backoff#delayMs})
   */
  BatchUpserter(
      String collection,
      String address,
      RetryPolicy retry,
      Function<UpsertPoints, ListenableFuture<UpdateResult>> upsert,
      Runnable resetConnectBackoff,
      LongSupplier clockMs,
      DoubleSupplier jitter,
      Scheduler scheduler,
      Metrics metrics) {
    this.collection = collection;
    this.address = address;
    this.retry = retry;
    this.upsert = upsert;
    this.resetConnectBackoff = resetConnectBackoff;
    this.clockMs = clockMs;
    this.jitter = jitter;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.fatal =
        FatalExceptionClassifier.createChain(
            new FatalExceptionClassifier(
                t -> !QdrantFailure.of(t).retryWrite(),
                t ->
                    new QdrantSinkException(
                        "Qdrant at "
                            + address
                            + " rejected an upsert to collection '"
                            + collection
                            + "': "
                            + QdrantFailure.describe(t)
                            + ". Not retried: "
                            + hint(QdrantFailure.of(t)),
                        t)));
  }

  void upsert(List<PointStruct> batch, ResultHandler<PointStruct> handler) {
    UpsertPoints request =
        UpsertPoints.newBuilder()
            .setCollectionName(collection)
            .setWait(true) // acknowledged means applied, so a completed checkpoint means searchable
            .addAllPoints(batch)
            .build();
    long start = clockMs.getAsLong();
    Futures.addCallback(
        upsert.apply(request),
        new FutureCallback<UpdateResult>() {
          @Override
          public void onSuccess(UpdateResult result) {
            succeeded(batch.size(), clockMs.getAsLong() - start);
            handler.complete();
          }

          @Override
          public void onFailure(Throwable t) {
            failed(batch, handler, t);
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

  private void failed(List<PointStruct> batch, ResultHandler<PointStruct> handler, Throwable t) {
    metrics.sendErrors().inc(batch.size());
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
                  + " has not accepted an upsert to collection '"
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
        "Upsert of {} points to Qdrant collection '{}' at {} failed ({}), attempt {}; retrying in {} ms",
        batch.size(),
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
            handler.retryForEntries(batch);
          },
          delayMs);
    } catch (RejectedExecutionException closing) {
      // Only after close(): the task is going away and restarts from its last checkpoint.
      handler.completeExceptionally(
          new QdrantSinkException(
              "Qdrant sink for collection '" + collection + "' closed while retrying", t));
    }
  }

  private static String hint(QdrantFailure failure) {
    return switch (failure) {
      case INVALID_ARGUMENT ->
          "the points do not fit the collection; check its vector size and distance "
              + "against the model's embedding size.";
      case NOT_FOUND ->
          "the collection does not exist; create it (CollectionBootstrap) or fix the name.";
      case ACCESS_DENIED -> "check the API key (a read-only key cannot write).";
      default -> "only an unavailable, overloaded, slow or aborting Qdrant is retried.";
    };
  }
}
