package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Points.PointStruct;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes to one Qdrant collection: upserts points, the client's {@link PointStruct}s built once
 * upstream, and, as a {@link PointOp} stream ({@link Builder#buildForOperations()}), deletions by
 * id or filter in the stream's order. Upserts go in batches of up to {@code maxBatchSize} points or
 * whatever has waited {@code maxTimeInBufferMs}, with {@code wait=true}, a bounded number of
 * requests in flight, backoff retries for transient errors and a job failure for everything else.
 * Buffered points are flushed before each checkpoint completes, and any still buffered are kept in
 * checkpoint state, so nothing is lost on failure; upserts are idempotent by point id and deleting
 * a missing point is no error, so a replay only overwrites. Operations keep their order per writer
 * as long as one request is in flight ({@code maxInFlightRequests(1)}); with more, a retried batch
 * may land after a later one.
 *
 * <pre>{@code
 * stream.sinkTo(QdrantSink.builder()
 *     .connection(QdrantConnection.of("qdrant", 6334).withApiKey(key))
 *     .collection("lesions")
 *     .build()).name("qdrant").uid("qdrant-sink");
 * }</pre>
 */
public final class QdrantSink<T> extends AsyncSinkBase<T, PointOp> {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MAX_BATCH_SIZE = 1000;
  public static final long DEFAULT_MAX_TIME_IN_BUFFER_MS = 200;
  public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 2;
  public static final int DEFAULT_MAX_BUFFERED_REQUESTS = 10_000;

  /**
   * 16 MiB: 1,000 points of 384 floats with a few hundred bytes of payload are about 2 MB, so
   * batches are cut by count, never by bytes, while the protobuf request stays well under Qdrant's
   * default 32 MB gRPC limit (service.max_request_size_mb).
   */
  public static final long DEFAULT_MAX_BATCH_SIZE_BYTES = 16L * 1024 * 1024;

  /** 1 MiB per point: far above any embedding plus metadata; a bigger point fails the job. */
  public static final long DEFAULT_MAX_RECORD_SIZE_BYTES = 1024L * 1024;

  private final QdrantConnection connection;
  private final String collection;
  private final RetryPolicy retryPolicy;
  private final int ensureVectorSize;
  private final LinkedHashMap<String, PayloadSchemaType> payloadIndexes;

  private final DeletionListener deletionListener;

  private QdrantSink(Builder b, ElementConverter<T, PointOp> converter, long requestTimeoutMs) {
    super(
        converter,
        b.maxBatchSize,
        b.maxInFlightRequests,
        b.maxBufferedRequests,
        b.maxBatchSizeInBytes,
        b.maxTimeInBufferMs,
        b.maxRecordSizeInBytes,
        requestTimeoutMs,
        false);
    this.connection = b.connection;
    this.collection = b.collection;
    this.retryPolicy = b.retryPolicy;
    this.ensureVectorSize = b.ensureVectorSize;
    this.payloadIndexes = b.payloadIndexes;
    this.deletionListener = b.deletionListener;
  }

  public static Builder builder() {
    return new Builder();
  }

  QdrantConnection connection() {
    return connection;
  }

  String collection() {
    return collection;
  }

  RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  int ensureVectorSize() {
    return ensureVectorSize;
  }

  Map<String, PayloadSchemaType> payloadIndexes() {
    return payloadIndexes;
  }

  DeletionListener deletionListener() {
    return deletionListener;
  }

  ElementConverter<T, PointOp> converter() {
    return getElementConverter();
  }

  AsyncSinkWriterConfiguration writerConfiguration() {
    return AsyncSinkWriterConfiguration.builder()
        .setMaxBatchSize(getMaxBatchSize())
        .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
        .setMaxInFlightRequests(getMaxInFlightRequests())
        .setMaxBufferedRequests(getMaxBufferedRequests())
        .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
        .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
        .setRequestTimeoutMS(getRequestTimeoutMS())
        .setFailOnTimeout(getFailOnTimeout())
        .setRateLimitingStrategy(
            new FixedInFlightStrategy(getMaxInFlightRequests(), getMaxBatchSize()))
        .build();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    return restoreWriter(context, Collections.emptyList());
  }

  @Override
  public StatefulSinkWriter<T, BufferedRequestState<PointOp>> restoreWriter(
      WriterInitContext context, Collection<BufferedRequestState<PointOp>> recovered)
      throws IOException {
    return new QdrantSinkWriter<>(this, context, recovered);
  }

  @Override
  public SimpleVersionedSerializer<BufferedRequestState<PointOp>> getWriterStateSerializer() {
    return new PointStateSerializer();
  }

  /** Each point is an upsert. */
  private static final class Upserts implements ElementConverter<PointStruct, PointOp> {
    private static final long serialVersionUID = 1L;

    @Override
    public PointOp apply(PointStruct element, SinkWriter.Context context) {
      return PointOp.upsert(element);
    }
  }

  /** The operations are already request entries. */
  private static final class Operations implements ElementConverter<PointOp, PointOp> {
    private static final long serialVersionUID = 1L;

    @Override
    public PointOp apply(PointOp element, SinkWriter.Context context) {
      return element;
    }
  }

  /** Every option has a default except the collection name. */
  public static final class Builder {
    private QdrantConnection connection = QdrantConnection.defaults();
    private String collection;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private long maxTimeInBufferMs = DEFAULT_MAX_TIME_IN_BUFFER_MS;
    private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
    private int maxBufferedRequests = DEFAULT_MAX_BUFFERED_REQUESTS;
    private long maxBatchSizeInBytes = DEFAULT_MAX_BATCH_SIZE_BYTES;
    private long maxRecordSizeInBytes = DEFAULT_MAX_RECORD_SIZE_BYTES;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private int ensureVectorSize;
    private LinkedHashMap<String, PayloadSchemaType> payloadIndexes = new LinkedHashMap<>();
    private DeletionListener deletionListener = DeletionListener.NONE;

    private Builder() {}

    public Builder connection(QdrantConnection connection) {
      this.connection = Objects.requireNonNull(connection, "connection");
      return this;
    }

    public Builder collection(String collection) {
      this.collection = collection;
      return this;
    }

    /** Operations per batch, and so points per upsert request (default 1,000). */
    public Builder maxBatchSize(int points) {
      this.maxBatchSize = points;
      return this;
    }

    /** Longest a point waits in the buffer before a partial batch is sent (default 200 ms). */
    public Builder maxTimeInBufferMs(long ms) {
      this.maxTimeInBufferMs = ms;
      return this;
    }

    /** Upsert requests one writer has outstanding at once (default 2). */
    public Builder maxInFlightRequests(int requests) {
      this.maxInFlightRequests = requests;
      return this;
    }

    /** Points a writer buffers before it back-pressures its input (default 10,000). */
    public Builder maxBufferedRequests(int points) {
      this.maxBufferedRequests = points;
      return this;
    }

    public Builder maxBatchSizeInBytes(long bytes) {
      this.maxBatchSizeInBytes = bytes;
      return this;
    }

    public Builder maxRecordSizeInBytes(long bytes) {
      this.maxRecordSizeInBytes = bytes;
      return this;
    }

    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    public Builder retry(Duration initialBackoff, Duration maxBackoff, Duration maxRetryDuration) {
      return retryPolicy(new RetryPolicy(initialBackoff, maxBackoff, maxRetryDuration));
    }

    /**
     * Have each writer run {@link CollectionBootstrap#ensure} for this vector size and these
     * payload indexes when it starts (off by default: the job may prefer to do it once, before
     * submitting).
     */
    public Builder ensureCollection(int vectorSize, Map<String, PayloadSchemaType> payloadIndexes) {
      if (vectorSize <= 0) {
        throw new IllegalArgumentException("vector size must be > 0, got " + vectorSize);
      }
      this.ensureVectorSize = vectorSize;
      this.payloadIndexes = new LinkedHashMap<>(payloadIndexes);
      return this;
    }

    /** Told of each deletion once Qdrant has applied it (default: nobody). */
    public Builder onDeleted(DeletionListener listener) {
      this.deletionListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** A sink of points, each upserted. */
    public QdrantSink<PointStruct> build() {
      return build(new Upserts());
    }

    /**
     * A sink of operations, upserts and deletions, applied in order (with {@code
     * maxInFlightRequests(1)}).
     */
    public QdrantSink<PointOp> buildForOperations() {
      return build(new Operations());
    }

    private <T> QdrantSink<T> build(ElementConverter<T, PointOp> converter) {
      if (collection == null || collection.isBlank()) {
        throw new IllegalArgumentException("Qdrant collection name must be set");
      }
      positive("maxBatchSize", maxBatchSize);
      positive("maxTimeInBufferMs", maxTimeInBufferMs);
      positive("maxInFlightRequests", maxInFlightRequests);
      positive("maxBufferedRequests", maxBufferedRequests);
      positive("maxBatchSizeInBytes", maxBatchSizeInBytes);
      positive("maxRecordSizeInBytes", maxRecordSizeInBytes);
      if (maxBufferedRequests <= maxBatchSize) {
        throw new IllegalArgumentException(
            "maxBufferedRequests ("
                + maxBufferedRequests
                + ") must be greater than maxBatchSize ("
                + maxBatchSize
                + ")");
      }
      if (maxRecordSizeInBytes > maxBatchSizeInBytes) {
        throw new IllegalArgumentException(
            "maxRecordSizeInBytes ("
                + maxRecordSizeInBytes
                + ") must not exceed maxBatchSizeInBytes ("
                + maxBatchSizeInBytes
                + ")");
      }
      // Flink's per-request timer must never beat our own RPC deadline plus the backoff wait
      // that precedes the retry; when it does fire anyway the batch is resent (upserts are
      // idempotent), not failed.
      long requestTimeoutMs =
          connection.requestTimeout().toMillis() + retryPolicy.maxBackoffMs() + 60_000;
      return new QdrantSink<>(this, converter, requestTimeoutMs);
    }

    private static void positive(String name, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be > 0, got " + value);
      }
    }
  }
}
