package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.LocalQdrant.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.VectorParams;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * API keys over a real loopback TCP port, as qdrant/java-client ApiKeyTest does against a
 * container started with QDRANT__SERVICE__API_KEY.
 */
class ApiKeyTest {
  static QdrantLocalServer server;

  @BeforeAll
  static void start() throws Exception {
    server = QdrantLocalServer.builder().port(0).apiKey("password!").readOnlyApiKey("reader")
        .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static QdrantClient client(String key, Map<String, String> headers) {
    ManagedChannel channel = server.newChannel();
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(channel, true);
    if (key != null) {
      b.withApiKey(key);
    }
    if (headers != null) {
      b.withHeaders(headers);
    }
    return new QdrantClient(b.build());
  }

  @Test
  @DisplayName("qdrant/java-client ApiKeyTest::client_with_api_key_can_connect")
  void withKey() throws Exception {
    try (QdrantClient c = client("password!", null)) {
      assertNotNull(c.listCollectionsAsync().get());
    }
    try (QdrantClient c = server.newClient()) {
      c.createCollectionAsync("k", VectorParams.newBuilder().setSize(2)
          .setDistance(Distance.Dot).build()).get();
      assertEquals(1, c.listCollectionsAsync().get().size());
      c.deleteCollectionAsync("k").get();
    }
  }

  @Test
  @DisplayName("qdrant/java-client ApiKeyTest::client_without_api_key_cannot_connect")
  void withoutKey() throws Exception {
    try (QdrantGrpcClient grpc = QdrantGrpcClient.newBuilder(server.newChannel(), true).build()) {
      Status s = failure(grpc.collections().list(ListCollectionsRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, s.getCode());
      assertEquals("Must provide an API key or an Authorization bearer token", s.getDescription());
    }
  }

  @Test
  @DisplayName("a wrong key is UNAUTHENTICATED; a bearer token works; the health check is open")
  void wrongKeyBearerAndHealth() throws Exception {
    try (QdrantClient c = client("wrong", null)) {
      assertEquals(Status.Code.UNAUTHENTICATED, failure(c.listCollectionsAsync()).getCode());
    }
    try (QdrantClient c = client(null, Map.of("authorization", "Bearer password!"))) {
      assertNotNull(c.listCollectionsAsync().get());
    }
    try (QdrantClient c = client(null, null)) {
      assertEquals(HealthService.VERSION, c.healthCheckAsync().get().getVersion());
    }
  }

  @Test
  @DisplayName("a read-only key may read but not write (PERMISSION_DENIED)")
  void readOnlyKey() throws Exception {
    try (QdrantClient c = client("reader", null)) {
      assertNotNull(c.listCollectionsAsync().get());
      assertEquals(Status.Code.PERMISSION_DENIED, failure(c.createCollectionAsync("ro",
          VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build())).getCode());
    }
  }
}
