package io.lesionsearch.qdrant;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * One subtask's writer: buffering and batching are Flink's, each batch goes to {@link
 * BatchUpserter}. An operation's size is its protobuf size, which is what the request carries.
 */
final class QdrantSinkWriter<T> extends AsyncSinkWriter<T, PointOp> {
  static final String METRIC_POINTS_WRITTEN = "qdrantPointsWritten";
  static final String METRIC_DELETIONS = "qdrantDeletions";
  static final String METRIC_RETRIES = "qdrantRetries";
  static final String METRIC_BATCH_SIZE = "qdrantUpsertBatchSize";
  static final String METRIC_LATENCY = "qdrantUpsertLatencyMs";
  static final String METRIC_LAST_LATENCY = "qdrantLastUpsertLatencyMs";
  private static final int HISTOGRAM_WINDOW = 500;

  private final QdrantClient client;
  private final ScheduledThreadPoolExecutor scheduler;
  private final BatchUpserter upserter;

  QdrantSinkWriter(
      QdrantSink<T> sink,
      WriterInitContext context,
      Collection<BufferedRequestState<PointOp>> recovered) {
    super(sink.converter(), context, sink.writerConfiguration(), recovered);
    String collection = sink.collection();
    QdrantGrpcClient grpc = sink.connection().openGrpc();
    this.client = new QdrantClient(grpc);
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "qdrant-sink-retry-" + collection);
              t.setDaemon(true);
              return t;
            });
    scheduler.setRemoveOnCancelPolicy(true);
    SinkWriterMetricGroup metrics = context.metricGroup();
    this.upserter =
        new BatchUpserter(
            collection,
            sink.connection().host() + ":" + sink.connection().port(),
            sink.retryPolicy(),
            client::upsertAsync,
            client::deleteAsync,
            sink.deletionListener(),
            () -> grpc.channel().resetConnectBackoff(),
            System::currentTimeMillis,
            () -> ThreadLocalRandom.current().nextDouble(-1, 1),
            (task, delayMs) -> {
              var unused = scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
            },
            metrics(metrics));
    metrics.gauge(METRIC_LAST_LATENCY, upserter::lastLatencyMs);
    if (sink.ensureVectorSize() > 0) {
      try {
        CollectionBootstrap.ensure(
            client, collection, sink.ensureVectorSize(), sink.payloadIndexes());
      } catch (RuntimeException e) {
        // Flink never calls close() on a writer whose constructor threw.
        scheduler.shutdownNow();
        client.close();
        // A collection of the wrong shape stays wrong: stop the job instead of restarting forever.
        throw e instanceof CollectionMismatchException ? new SuppressRestartsException(e) : e;
      }
    }
  }

  private static BatchUpserter.Metrics metrics(SinkWriterMetricGroup group) {
    MetricGroup g = group;
    return new BatchUpserter.Metrics(
        group.getNumRecordsSendErrorsCounter(),
        g.counter(METRIC_RETRIES, new ThreadSafeSimpleCounter()),
        g.counter(METRIC_POINTS_WRITTEN, new ThreadSafeSimpleCounter()),
        g.counter(METRIC_DELETIONS, new ThreadSafeSimpleCounter()),
        g.histogram(METRIC_BATCH_SIZE, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)),
        g.histogram(METRIC_LATENCY, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
  }

  @Override
  protected void submitRequestEntries(List<PointOp> batch, ResultHandler<PointOp> handler) {
    upserter.apply(batch, handler);
  }

  @Override
  protected long getSizeInBytes(PointOp op) {
    return op.sizeInBytes();
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
