package io.lesionsearch.qdrant;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask's writer: sends each batch as one {@code upsert(wait=true)}, retries transient
 * failures after a backoff and fails the job on anything else. Results arrive on gRPC threads;
 * the {@link ResultHandler} hands them back to the task's mailbox thread itself.
 */
final class QdrantSinkWriter extends AsyncSinkWriter<LesionPoint, LesionPoint> {
  private static final Logger LOG = LoggerFactory.getLogger(QdrantSinkWriter.class);

  static final String METRIC_POINTS_WRITTEN = "qdrantPointsWritten";
  static final String METRIC_RETRIES = "qdrantRetries";
  static final String METRIC_BATCH_SIZE = "qdrantUpsertBatchSize";
  static final String METRIC_LATENCY = "qdrantUpsertLatencyMs";
  static final String METRIC_LAST_LATENCY = "qdrantLastUpsertLatencyMs";
  private static final int HISTOGRAM_WINDOW = 500;

  private final String collection;
  private final String address;
  private final RetryPolicy retry;
  private final QdrantGrpcClient grpc;
  private final QdrantClient client;
  private final ScheduledExecutorService scheduler;

  private final Counter pointsWritten;
  private final Counter retries;
  private final Histogram batchSizes;
  private final Histogram latencies;
  private volatile long lastLatencyMs;

  /** Start of the current run of failures (0 when the last upsert succeeded); guarded by this. */
  private long failingSinceMs;
  private int consecutiveFailures;

  QdrantSinkWriter(QdrantSink sink, WriterInitContext context,
      Collection<BufferedRequestState<LesionPoint>> recovered) {
    super(sink.converter(), context, sink.writerConfiguration(), recovered);
    this.collection = sink.collection();
    this.address = sink.connection().host() + ":" + sink.connection().port();
    this.retry = sink.retryPolicy();

    MetricGroup metrics = context.metricGroup();
    this.pointsWritten = metrics.counter(METRIC_POINTS_WRITTEN, new ThreadSafeSimpleCounter());
    this.retries = metrics.counter(METRIC_RETRIES, new ThreadSafeSimpleCounter());
    this.batchSizes = metrics.histogram(METRIC_BATCH_SIZE,
        new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    this.latencies = metrics.histogram(METRIC_LATENCY,
        new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    metrics.gauge(METRIC_LAST_LATENCY, () -> lastLatencyMs);

    this.grpc = sink.connection().openGrpc();
    this.client = new QdrantClient(grpc);
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "qdrant-sink-retry-" + collection);
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
    if (sink.ensureVectorSize() > 0) {
      try {
        CollectionBootstrap.ensure(client, collection, sink.ensureVectorSize());
      } catch (RuntimeException e) {
        // Flink never calls close() on a writer whose constructor threw.
        scheduler.shutdownNow();
        client.close();
        // A collection of the wrong shape stays wrong: stop the job instead of restarting forever.
        throw e instanceof CollectionMismatchException ? new SuppressRestartsException(e) : e;
      }
    }
  }

  @Override
  protected void submitRequestEntries(List<LesionPoint> batch,
      ResultHandler<LesionPoint> resultHandler) {
    List<PointStruct> points = new ArrayList<>(batch.size());
    try {
      for (LesionPoint p : batch) {
        points.add(PointConversion.toPointStruct(p));
      }
    } catch (IllegalArgumentException e) {
      // A malformed point would fail every retry too; stop rather than skip it silently.
      resultHandler.completeExceptionally(new QdrantSinkException(
          "Cannot write to Qdrant collection '" + collection + "': " + e.getMessage(), e));
      return;
    }
    UpsertPoints request = UpsertPoints.newBuilder()
        .setCollectionName(collection)
        .setWait(true) // acknowledged means applied, so a completed checkpoint means searchable
        .addAllPoints(points)
        .build();
    long start = System.nanoTime();
    Futures.addCallback(client.upsertAsync(request), new FutureCallback<UpdateResult>() {
      @Override
      public void onSuccess(UpdateResult result) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        recordSuccess(batch.size(), ms);
        resultHandler.complete();
      }

      @Override
      public void onFailure(Throwable t) {
        onUpsertFailure(batch, resultHandler, t);
      }
    }, MoreExecutors.directExecutor());
  }

  private void recordSuccess(int points, long ms) {
    synchronized (this) {
      failingSinceMs = 0;
      consecutiveFailures = 0;
    }
    lastLatencyMs = ms;
    latencies.update(ms);
    batchSizes.update(points);
    pointsWritten.inc(points);
  }

  private void onUpsertFailure(List<LesionPoint> batch, ResultHandler<LesionPoint> handler,
      Throwable t) {
    Status status = Status.fromThrowable(t);
    String what = status.getCode() + (status.getDescription() != null
        ? ": " + status.getDescription() : "");
    if (!RetryPolicy.isRetryable(status.getCode())) {
      handler.completeExceptionally(new QdrantSinkException("Qdrant at " + address
          + " rejected an upsert of " + batch.size() + " points to collection '" + collection
          + "': " + what + ". Not retried: " + hint(status.getCode()), t));
      return;
    }
    long now = System.currentTimeMillis();
    int attempt;
    long failingForMs;
    synchronized (this) {
      if (failingSinceMs == 0) {
        failingSinceMs = now;
      }
      attempt = ++consecutiveFailures;
      failingForMs = now - failingSinceMs;
    }
    if (retry.givesUp(failingForMs)) {
      handler.completeExceptionally(new QdrantSinkException("Qdrant at " + address
          + " has not accepted an upsert to collection '" + collection + "' for "
          + failingForMs + " ms (" + attempt + " failed attempts, last: " + what
          + "); giving up after maxRetryDuration=" + retry.maxRetryDurationMs() + " ms", t));
      return;
    }
    long delayMs = retry.backoffMs(attempt);
    retries.inc();
    LOG.warn("Upsert of {} points to Qdrant collection '{}' at {} failed ({}), attempt {}; "
        + "retrying in {} ms", batch.size(), collection, address, what, attempt, delayMs);
    try {
      scheduler.schedule(() -> {
        if (status.getCode() == Status.Code.UNAVAILABLE) {
          // Otherwise gRPC may still be waiting out its own reconnect backoff (up to 2 min).
          grpc.channel().resetConnectBackoff();
        }
        handler.retryForEntries(batch);
      }, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // Only after close(): the task is going away and restarts from its last checkpoint.
      handler.completeExceptionally(new QdrantSinkException(
          "Qdrant sink for collection '" + collection + "' closed while retrying", t));
    }
  }

  private static String hint(Status.Code code) {
    switch (code) {
      case INVALID_ARGUMENT:
        return "the points do not fit the collection; check its vector size and distance "
            + "against the model's embedding size.";
      case NOT_FOUND:
        return "the collection does not exist; create it (CollectionBootstrap) or fix the name.";
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return "check the API key (a read-only key cannot write).";
      default:
        return "only UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED and ABORTED are retried.";
    }
  }

  @Override
  protected long getSizeInBytes(LesionPoint point) {
    return point.sizeInBytes();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      client.close();
    } finally {
      super.close();
    }
  }
}
