package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Points.PointStruct;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.junit.jupiter.api.Test;

/**
 * Builder defaults and validation, the retry policy, the failure reasons, the connection and the
 * state format.
 */
class SinkConfigTest {
  private static final String ID1 = "00000000-0000-5000-8000-000000000001";
  private static final String ID2 = "00000000-0000-5000-8000-000000000002";

  @Test
  void defaultsAreTheDocumentedOnes() {
    QdrantSink<PointStruct> sink = QdrantSink.builder().collection("lesions").build();
    AsyncSinkWriterConfiguration c = sink.writerConfiguration();
    assertEquals(1000, c.getMaxBatchSize());
    assertEquals(200, c.getMaxTimeInBufferMS());
    assertEquals(2, c.getMaxInFlightRequests());
    assertEquals(10_000, c.getMaxBufferedRequests());
    assertEquals(16L << 20, c.getMaxBatchSizeInBytes());
    assertEquals(1L << 20, c.getMaxRecordSizeInBytes());
    assertFalse(c.isFailOnTimeout());
    // Flink's request timer must outlast our RPC deadline plus the longest backoff.
    assertTrue(c.getRequestTimeoutMS() > 30_000 + 10_000);
    assertEquals(1000, c.getRateLimitingStrategy().getMaxBatchSize());
    assertEquals(QdrantConnection.defaults(), sink.connection());
    assertEquals("127.0.0.1", sink.connection().host());
    assertEquals(6334, sink.connection().port());
    RetryPolicy r = sink.retryPolicy();
    assertEquals(200, r.backoff().initialMs());
    assertEquals(10_000, r.maxBackoffMs());
    assertEquals(300_000, r.maxRetryDurationMs());
  }

  @Test
  void builderRefusesBadArgumentsWithClearMessages() {
    expect("collection name must be set", () -> QdrantSink.builder().build());
    expect(
        "maxBatchSize must be > 0",
        () -> QdrantSink.builder().collection("c").maxBatchSize(0).build());
    expect(
        "maxBufferedRequests (1000) must be greater than maxBatchSize (1000)",
        () -> QdrantSink.builder().collection("c").maxBufferedRequests(1000).build());
    expect(
        "maxInFlightRequests must be > 0",
        () -> QdrantSink.builder().collection("c").maxInFlightRequests(0).build());
    expect(
        "maxTimeInBufferMs must be > 0",
        () -> QdrantSink.builder().collection("c").maxTimeInBufferMs(-1).build());
    expect(
        "must not exceed maxBatchSizeInBytes",
        () ->
            QdrantSink.builder()
                .collection("c")
                .maxRecordSizeInBytes(2 << 20)
                .maxBatchSizeInBytes(1 << 20)
                .build());
    expect(
        "maxBackoff (PT0.1S) must be >= initialBackoff (PT1S)",
        () ->
            new RetryPolicy(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMinutes(1)));
    expect(
        "maxRetryDuration must be > 0",
        () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO));
    expect("port must be 1-65535", () -> QdrantConnection.defaults().withPort(0));
    expect("vector size must be > 0", () -> QdrantSink.builder().ensureCollection(0, Map.of()));
  }

  private static void expect(String fragment, Supplier<?> action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::get);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void backoffGrowsExponentiallyWithJitterAndIsCapped() {
    RetryPolicy r =
        new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(5));
    Backoff b = r.backoff();
    assertEquals(200, b.delayMs(1, 0));
    assertEquals(160, b.delayMs(1, -1));
    assertEquals(240, b.delayMs(1, 1));
    assertEquals(800, b.delayMs(3, 0));
    assertEquals(960, b.delayMs(3, 1));
    assertEquals(10_000, b.delayMs(40, 0));
    assertEquals(8000, b.delayMs(40, -1));
    assertEquals(12_000, b.delayMs(40, 5), "jitter beyond 1 counts as 1");
    assertFalse(r.givesUp(300_000));
    assertTrue(r.givesUp(300_001));
  }

  @Test
  void onlyTransientStatusesAreRetriedByWrites() {
    for (Status.Code c : Status.Code.values()) {
      boolean expected =
          c == Status.Code.UNAVAILABLE
              || c == Status.Code.DEADLINE_EXCEEDED
              || c == Status.Code.RESOURCE_EXHAUSTED
              || c == Status.Code.ABORTED;
      assertEquals(
          expected, QdrantFailure.of(c.toStatus().asRuntimeException()).retryWrite(), c.name());
    }
  }

  @Test
  void failuresAreToldApartByStatusAndTypedCauseOnly() {
    assertEquals(
        QdrantFailure.ACCESS_DENIED,
        QdrantFailure.of(Status.PERMISSION_DENIED.asRuntimeException()));
    assertEquals(
        QdrantFailure.ACCESS_DENIED, QdrantFailure.of(Status.UNAUTHENTICATED.asRuntimeException()));
    assertEquals(
        QdrantFailure.OVERLOADED,
        QdrantFailure.of(
            Status.RESOURCE_EXHAUSTED
                .withDescription("gRPC message exceeds maximum size 4")
                .asRuntimeException()),
        "the text alone does not make it the client's own limit");
    assertEquals(
        QdrantFailure.ANSWER_TOO_LARGE,
        QdrantFailure.of(
            new java.util.concurrent.CompletionException(
                Status.RESOURCE_EXHAUSTED
                    .withCause(new AnswerTooLargeException(4))
                    .asRuntimeException())));
    assertEquals(QdrantFailure.CLIENT_FAULT, QdrantFailure.of(new IllegalStateException("boom")));
    assertEquals(QdrantFailure.OTHER, QdrantFailure.of(Status.INTERNAL.asRuntimeException()));
    assertFalse(QdrantFailure.OVERLOADED.retrySearch());
    assertTrue(QdrantFailure.UNAVAILABLE.retrySearch());
  }

  @Test
  void indexesToEnsureAreTheCallersAndTravelWithTheSink() throws Exception {
    QdrantSink<PointStruct> sink =
        QdrantSink.builder()
            .collection("c")
            .ensureCollection(8, Map.of("colour", PayloadSchemaType.Keyword))
            .build();
    QdrantSink<?> back = org.apache.flink.util.InstantiationUtil.clone(sink);
    assertEquals(Map.of("colour", PayloadSchemaType.Keyword), back.payloadIndexes());
    assertEquals(8, back.ensureVectorSize());
  }

  @Test
  void connectionNeverPrintsItsKey() {
    QdrantConnection c =
        QdrantConnection.of("qdrant.example", 6334)
            .withTls(true)
            .withApiKey("s3cr3t-key")
            .withRequestTimeout(Duration.ofSeconds(5));
    assertFalse(c.toString().contains("s3cr3t"), c.toString());
    assertTrue(c.toString().contains("qdrant.example:6334"));
    assertTrue(c.hasApiKey());
    assertFalse(c.withApiKey("").hasApiKey());
  }

  @Test
  void stateSerializerRoundTripsBufferedPoints() throws Exception {
    PointStruct a =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.fromString(ID1)))
            .setVectors(VectorsFactory.vectors(0.5f, -1.25f, Float.MIN_VALUE, 3e38f))
            .putPayload("dx", ValueFactory.value("nv"))
            .putPayload("localization", ValueFactory.value("h\u00e9ad"))
            .putPayload("age", ValueFactory.value(75))
            .build();
    PointStruct b =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.fromString(ID2)))
            .setVectors(VectorsFactory.vectors(new float[384]))
            .build();
    BufferedRequestState<PointOp> state =
        new BufferedRequestState<>(
            List.of(
                new RequestEntryWrapper<>(PointOp.upsert(a), a.getSerializedSize()),
                new RequestEntryWrapper<>(PointOp.upsert(b), b.getSerializedSize())));
    PointStateSerializer ser = new PointStateSerializer();
    byte[] bytes = ser.serialize(state);
    BufferedRequestState<PointOp> back = ser.deserialize(ser.getVersion(), bytes);
    List<RequestEntryWrapper<PointOp>> entries = back.getBufferedRequestEntries();
    assertEquals(2, entries.size());
    assertEquals(PointOp.upsert(a), entries.get(0).getRequestEntry());
    assertEquals(PointOp.upsert(b), entries.get(1).getRequestEntry());
    assertEquals(a.getSerializedSize(), entries.get(0).getSize());
    assertEquals(b.getSerializedSize(), entries.get(1).getSize());
    assertEquals(state.getStateSize(), back.getStateSize());
    // Compact: the floats and bytes plus a little framing, no Java serialization overhead.
    assertTrue(bytes.length < 4 * 388 + 200, "state bytes " + bytes.length);

    BufferedRequestState<PointOp> empty =
        ser.deserialize(ser.getVersion(), ser.serialize(BufferedRequestState.emptyState()));
    assertTrue(empty.getBufferedRequestEntries().isEmpty());
  }

  @Test
  void stateKeepsTheOrderOfUpsertsAndDeletions() throws Exception {
    PointStruct a =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.fromString(ID1)))
            .setVectors(VectorsFactory.vectors(0.5f))
            .build();
    PointOp.Delete byId = PointOp.delete(List.of(a.getId()), "image_id=a");
    PointOp.Delete byFilter =
        PointOp.deleteMatching(
            io.qdrant.client.grpc.Common.Filter.newBuilder()
                .addMust(io.qdrant.client.ConditionFactory.matchKeyword("lesion_id", "L"))
                .build(),
            "filter={...}");
    List<PointOp> ops = List.of(PointOp.upsert(a), byId, byFilter, PointOp.upsert(a));
    BufferedRequestState<PointOp> state =
        new BufferedRequestState<>(
            ops.stream().map(op -> new RequestEntryWrapper<>(op, op.sizeInBytes())).toList());
    PointStateSerializer ser = new PointStateSerializer();
    BufferedRequestState<PointOp> back = ser.deserialize(ser.getVersion(), ser.serialize(state));
    assertEquals(
        ops,
        back.getBufferedRequestEntries().stream()
            .map(RequestEntryWrapper::getRequestEntry)
            .toList());
  }

  @Test
  void stateOfTheVersionBeforeDeletionsIsReadAsUpserts() throws Exception {
    PointStruct a =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.fromString(ID1)))
            .setVectors(VectorsFactory.vectors(0.5f, 1f))
            .putPayload("dx", ValueFactory.value("nv"))
            .build();
    PointStruct b =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.fromString(ID2)))
            .setVectors(VectorsFactory.vectors(2f))
            .build();
    PointStateSerializer.PointsOnly v2 = new PointStateSerializer.PointsOnly();
    assertEquals(2, v2.getVersion());
    byte[] old =
        v2.serialize(
            new BufferedRequestState<>(
                List.of(
                    new RequestEntryWrapper<>(a, a.getSerializedSize()),
                    new RequestEntryWrapper<>(b, b.getSerializedSize()))));
    PointStateSerializer ser = new PointStateSerializer();
    assertEquals(3, ser.getVersion());
    List<RequestEntryWrapper<PointOp>> back = ser.deserialize(2, old).getBufferedRequestEntries();
    assertEquals(
        List.of(PointOp.upsert(a), PointOp.upsert(b)),
        back.stream().map(RequestEntryWrapper::getRequestEntry).toList());
    assertEquals(a.getSerializedSize(), back.get(0).getSize());
    assertThrows(java.io.IOException.class, () -> ser.deserialize(1, old));
  }

  @Test
  void operationsTravelBetweenOperatorsAndCopyAsThemselves() throws Exception {
    PointOp op = PointOp.delete(List.of(PointIdFactory.id(UUID.fromString(ID1))), "image_id=a");
    PointOpSerializer ser = PointOpSerializer.INSTANCE;
    org.apache.flink.core.memory.DataOutputSerializer out =
        new org.apache.flink.core.memory.DataOutputSerializer(64);
    ser.serialize(op, out);
    assertEquals(
        op,
        ser.deserialize(
            new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer())));
    assertSame(op, ser.copy(op));
  }

  @Test
  void pointsTravelBetweenOperatorsAsTheirProtobufBytes() throws Exception {
    PointStruct p =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.fromString(ID1)))
            .setVectors(VectorsFactory.vectors(1f, 2f))
            .putPayload("dx", ValueFactory.value("mel"))
            .build();
    PointStructSerializer ser = PointStructSerializer.INSTANCE;
    org.apache.flink.core.memory.DataOutputSerializer out =
        new org.apache.flink.core.memory.DataOutputSerializer(64);
    ser.serialize(p, out);
    assertEquals(4 + p.getSerializedSize(), out.length());
    assertEquals(
        p,
        ser.deserialize(
            new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer())));
    assertSame(p, ser.copy(p), "an immutable message is its own copy");
    assertEquals(
        ser,
        PointStructTypeInfo.INSTANCE.createSerializer(
            new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
  }
}
