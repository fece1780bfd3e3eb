package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.failure;
import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Status;
import io.lesionsearch.testing.QdrantUnderTest;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * API keys over a real loopback TCP port, as qdrant/java-client ApiKeyTest does against a container
 * started with QDRANT__SERVICE__API_KEY; against the real server when it was given with both keys
 * (-Dlesion.test.qdrant.api-key and -Dlesion.test.qdrant.read-only-api-key), else against a local
 * endpoint with these keys.
 */
class ApiKeyTest {
  static QdrantUnderTest server;
  static String key;
  static String readOnlyKey;

  /** A collection with one point, made with the writing key, for the read-only key's tests. */
  static String existing;

  @BeforeAll
  static void start() throws Exception {
    server = QdrantUnderTest.startWithKeys("password!", "reader");
    key = server.apiKey();
    readOnlyKey = server.readOnlyApiKey();
    existing = server.collection("api_key");
    try (QdrantClient c = client(key, null)) {
      c.createCollectionAsync(
              existing, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build())
          .get();
      c.upsertAsync(existing, List.of(point(1, "{'a': 'x'}", 1f, 0f))).get();
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static QdrantClient client(String key, Map<String, String> headers) {
    return new QdrantClient(grpc(key, headers));
  }

  private static QdrantGrpcClient grpc(String key, Map<String, String> headers) {
    QdrantGrpcClient.Builder b =
        QdrantGrpcClient.newBuilder(
            Grpc.newChannelBuilderForAddress(
                    server.host(), server.port(), InsecureChannelCredentials.create())
                .build(),
            true);
    if (key != null) {
      b.withApiKey(key);
    }
    if (headers != null) {
      b.withHeaders(headers);
    }
    return b.build();
  }

  @Test
  @DisplayName("qdrant/java-client ApiKeyTest::client_with_api_key_can_connect")
  void withKey() throws Exception {
    try (QdrantClient c = client(key, null)) {
      assertNotNull(c.listCollectionsAsync().get());
      String name = server.collection("k");
      c.createCollectionAsync(
              name, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build())
          .get();
      assertTrue(c.listCollectionsAsync().get().contains(name));
      c.deleteCollectionAsync(name).get();
      assertFalse(c.collectionExistsAsync(name).get());
    }
  }

  @Test
  @DisplayName("qdrant/java-client ApiKeyTest::client_without_api_key_cannot_connect")
  void withoutKey() throws Exception {
    try (QdrantGrpcClient grpc = grpc(null, null)) {
      Status s = failure(grpc.collections().list(ListCollectionsRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, s.getCode());
      assertEquals("Must provide an API key or an Authorization bearer token", s.getDescription());
    }
  }

  @Test
  @DisplayName("a wrong key is UNAUTHENTICATED 'Invalid API key or JWT'; a bearer token works")
  void wrongKeyAndBearer() throws Exception {
    try (QdrantClient c = client("wrong", null)) {
      Status s = failure(c.listCollectionsAsync());
      assertEquals(Status.Code.UNAUTHENTICATED, s.getCode());
      assertEquals("Invalid API key or JWT", s.getDescription());
      // The mistake a job can make: the wrong key on its first write.
      assertEquals(
          Status.Code.UNAUTHENTICATED,
          failure(c.upsertAsync(existing, List.of(point(2, null, 0f, 1f)))).getCode());
    }
    try (QdrantClient c = client(null, Map.of("authorization", "Bearer " + key))) {
      assertNotNull(c.listCollectionsAsync().get());
    }
  }

  @Test
  @DisplayName("the health checks need no key: they answer without one and with a wrong one")
  void healthCheckIsOpen() throws Exception {
    try (QdrantClient c = client(null, null)) {
      assertFalse(c.healthCheckAsync().get().getVersion().isEmpty());
    }
    try (QdrantClient c = client("wrong", null)) {
      assertFalse(c.healthCheckAsync().get().getVersion().isEmpty());
    }
    // The standard gRPC health check is open too (src/tonic/auth.rs lets both through).
    assertArrayEquals(
        new byte[] {0x08, 0x01}, HealthCheckTest.grpcHealthCheck(server.host(), server.port()));
  }

  private static final String FORBIDDEN = "Forbidden: Global manage access is required";

  @Test
  @DisplayName(
      "Qdrant refuses a read-only key's write where the operation checks access: after"
          + " validation, after the lookup of the collection for point writes and index creation,"
          + " after the vector size check for upserts")
  void readOnlyRefusalOrder() throws Exception {
    String missing = server.collection("missing"); // never created
    try (QdrantClient c = client(readOnlyKey, null)) {
      // Validation first: INVALID_ARGUMENT whatever the key.
      Status s =
          failure(
              c.createCollectionAsync(
                  missing, VectorParams.newBuilder().setSize(0).setDistance(Distance.Dot).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
      s =
          failure(
              c.grpcClient()
                  .points()
                  .upsert(UpsertPoints.newBuilder().addPoints(point(2, null, 0f, 1f)).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
      // Point writes and index creation look the collection up before checking the key.
      assertEquals(
          Status.Code.NOT_FOUND,
          failure(c.upsertAsync(missing, List.of(point(2, null, 0f, 1f)))).getCode());
      assertEquals(
          Status.Code.NOT_FOUND,
          failure(c.deleteAsync(missing, List.of(PointIdFactory.id(1)))).getCode());
      assertEquals(
          Status.Code.NOT_FOUND,
          failure(
                  c.createPayloadIndexAsync(
                      missing, "a", PayloadSchemaType.Keyword, null, true, null, null))
              .getCode());
      // An upsert checks the vector size before the key, and the key before emptiness.
      s = failure(c.upsertAsync(existing, List.of(point(2, null, 0f, 1f, 2f))));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
      assertEquals(
          "Wrong input: Vector dimension error: expected dim: 2, got 3", s.getDescription());
      s = failure(c.upsertAsync(existing, List.of()));
      assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), s.toString());
      assertEquals(FORBIDDEN, s.getDescription());
      // Dropping an index or a collection checks the key first.
      s = failure(c.deletePayloadIndexAsync(missing, "a", true, null, null));
      assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), s.toString());
      s =
          failure(
              c.grpcClient()
                  .collections()
                  .delete(DeleteCollection.newBuilder().setCollectionName(missing).build()));
      assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), s.toString());
      assertEquals(FORBIDDEN, s.getDescription());
      // Reads of a missing collection are NOT_FOUND as with any key.
      assertEquals(Status.Code.NOT_FOUND, failure(c.countAsync(missing)).getCode());
    }
  }

  @Test
  @DisplayName(
      "a read-only key may read (list, count, search, scroll) but every write is"
          + " PERMISSION_DENIED, the collection untouched")
  void readOnlyKey() throws Exception {
    try (QdrantClient c = client(readOnlyKey, null)) {
      assertTrue(c.listCollectionsAsync().get().contains(existing));
      assertEquals(1L, c.countAsync(existing).get());
      assertEquals(
          1,
          c.searchAsync(
                  SearchPoints.newBuilder()
                      .setCollectionName(existing)
                      .addAllVector(List.of(1f, 0f))
                      .setLimit(5)
                      .build())
              .get()
              .size());

      String ro = server.collection("ro");
      Status s =
          failure(
              c.createCollectionAsync(
                  ro, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build()));
      assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), s.toString());
      // A read-only key has global read access; every write needs more (lib/storage/src/rbac).
      assertEquals(FORBIDDEN, s.getDescription());
      for (Status denied :
          List.of(
              failure(c.upsertAsync(existing, List.of(point(2, null, 0f, 1f)))),
              failure(c.deleteAsync(existing, List.of(PointIdFactory.id(1)))),
              failure(
                  c.createPayloadIndexAsync(
                      existing, "a", PayloadSchemaType.Keyword, null, true, null, null)),
              failure(c.deletePayloadIndexAsync(existing, "a", true, null, null)),
              failure(c.deleteCollectionAsync(existing)))) {
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getCode(), denied.toString());
        assertEquals(FORBIDDEN, denied.getDescription());
      }
      // A bearer token carrying the read-only key is the read-only key.
      try (QdrantClient bearer = client(null, Map.of("authorization", "Bearer " + readOnlyKey))) {
        assertEquals(1L, bearer.countAsync(existing).get());
        assertEquals(
            FORBIDDEN,
            failure(bearer.upsertAsync(existing, List.of(point(2, null, 0f, 1f))))
                .getDescription());
      }
    }
    try (QdrantClient c = client(key, null)) {
      assertEquals(1L, c.countAsync(existing).get(), "nothing was written or deleted");
      assertTrue(c.getCollectionInfoAsync(existing).get().getPayloadSchemaMap().isEmpty());
    }
  }
}
