package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.junit.jupiter.api.Test;

/** Builder defaults and validation, the retry policy, the connection and the state format. */
class SinkConfigTest {
  private static final String ID1 = "00000000-0000-5000-8000-000000000001";
  private static final String ID2 = "00000000-0000-5000-8000-000000000002";

  @Test
  void defaultsAreTheDocumentedOnes() {
    QdrantSink sink = QdrantSink.builder().collection("lesions").build();
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
    assertEquals(200, r.initialBackoffMs());
    assertEquals(10_000, r.maxBackoffMs());
    assertEquals(300_000, r.maxRetryDurationMs());
  }

  @Test
  void builderRefusesBadArgumentsWithClearMessages() {
    expect("collection name must be set", () -> QdrantSink.builder().build());
    expect("maxBatchSize must be > 0",
        () -> QdrantSink.builder().collection("c").maxBatchSize(0).build());
    expect("maxBufferedRequests (1000) must be greater than maxBatchSize (1000)",
        () -> QdrantSink.builder().collection("c").maxBufferedRequests(1000).build());
    expect("maxInFlightRequests must be > 0",
        () -> QdrantSink.builder().collection("c").maxInFlightRequests(0).build());
    expect("maxTimeInBufferMs must be > 0",
        () -> QdrantSink.builder().collection("c").maxTimeInBufferMs(-1).build());
    expect("must not exceed maxBatchSizeInBytes",
        () -> QdrantSink.builder().collection("c").maxRecordSizeInBytes(2 << 20)
            .maxBatchSizeInBytes(1 << 20).build());
    expect("maxBackoff (PT0.1S) must be >= initialBackoff (PT1S)",
        () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMinutes(1)));
    expect("maxRetryDuration must be > 0",
        () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO));
    expect("port must be 1-65535", () -> QdrantConnection.defaults().withPort(0));
    expect("vector size must be > 0", () -> QdrantSink.builder().ensureCollection(0));
  }

  private static void expect(String fragment, Supplier<?> action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::get);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void backoffGrowsExponentiallyWithJitterAndIsCapped() {
    RetryPolicy r = new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(10),
        Duration.ofMinutes(5));
    for (int i = 0; i < 50; i++) {
      long b1 = r.backoffMs(1);
      assertTrue(b1 >= 160 && b1 <= 240, "attempt 1: " + b1);
      long b3 = r.backoffMs(3);
      assertTrue(b3 >= 640 && b3 <= 960, "attempt 3: " + b3);
      long b40 = r.backoffMs(40);
      assertTrue(b40 >= 8000 && b40 <= 12000, "attempt 40: " + b40);
    }
    assertFalse(r.givesUp(300_000));
    assertTrue(r.givesUp(300_001));
  }

  @Test
  void onlyTransientStatusesAreRetried() {
    for (Status.Code c : Status.Code.values()) {
      boolean expected = c == Status.Code.UNAVAILABLE || c == Status.Code.DEADLINE_EXCEEDED
          || c == Status.Code.RESOURCE_EXHAUSTED || c == Status.Code.ABORTED;
      assertEquals(expected, RetryPolicy.isRetryable(c), c.name());
    }
  }

  @Test
  void connectionNeverPrintsItsKey() {
    QdrantConnection c = QdrantConnection.of("qdrant.example", 6334).withTls(true)
        .withApiKey("s3cr3t-key").withRequestTimeout(Duration.ofSeconds(5));
    assertFalse(c.toString().contains("s3cr3t"), c.toString());
    assertTrue(c.toString().contains("qdrant.example:6334"));
    assertTrue(c.hasApiKey());
    assertFalse(c.withApiKey("").hasApiKey());
  }

  @Test
  void stateSerializerRoundTripsBufferedPoints() throws Exception {
    LesionPoint a = LesionPoint.of(ID1, new float[] {0.5f, -1.25f, Float.MIN_VALUE, 3e38f},
        "{\"dx\":\"nv\",\"localization\":\"h\u00e9ad\"}");
    LesionPoint b = new LesionPoint(ID2, new float[384], null);
    BufferedRequestState<LesionPoint> state = new BufferedRequestState<>(List.of(
        new RequestEntryWrapper<>(a, a.sizeInBytes()),
        new RequestEntryWrapper<>(b, b.sizeInBytes())));
    LesionPointStateSerializer ser = new LesionPointStateSerializer();
    byte[] bytes = ser.serialize(state);
    BufferedRequestState<LesionPoint> back = ser.deserialize(ser.getVersion(), bytes);
    List<RequestEntryWrapper<LesionPoint>> entries = back.getBufferedRequestEntries();
    assertEquals(2, entries.size());
    assertEquals(a, entries.get(0).getRequestEntry());
    assertEquals(b, entries.get(1).getRequestEntry());
    assertEquals(a.sizeInBytes(), entries.get(0).getSize());
    assertEquals(b.sizeInBytes(), entries.get(1).getSize());
    assertEquals(state.getStateSize(), back.getStateSize());
    // Compact: the floats and bytes plus a little framing, no Java serialization overhead.
    assertTrue(bytes.length < 4 * 388 + 200, "state bytes " + bytes.length);

    BufferedRequestState<LesionPoint> empty = ser.deserialize(ser.getVersion(),
        ser.serialize(BufferedRequestState.emptyState()));
    assertTrue(empty.getBufferedRequestEntries().isEmpty());
  }
}
