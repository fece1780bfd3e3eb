package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.assertFails;
import static io.lesionsearch.qdrantlocal.QdrantFixture.failure;
import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static io.qdrant.client.ConditionFactory.geoRadius;
import static io.qdrant.client.ConditionFactory.matchText;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.SparseVector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Error codes and messages for the mistakes the jobs can make, as Qdrant sends them; runs against
 * the Qdrant under test (the local endpoint's refusals of features Qdrant has are in
 * LocalOnlyRefusalsTest).
 */
class QdrantErrorsTest {
  static QdrantFixture q;
  String c;

  @BeforeAll
  static void start() {
    q = QdrantFixture.start();
  }

  @AfterAll
  static void stop() {
    q.close();
  }

  @BeforeEach
  void seed() throws Exception {
    c = q.create("errors", 384, Distance.Cosine);
    float[] v = new float[384];
    v[0] = 1f;
    q.client.upsertAsync(c, List.of(point(1, "{'a': 'x'}", v))).get();
  }

  @AfterEach
  void drop() throws Exception {
    q.dropCollections();
  }

  private SearchPoints.Builder search(int dim, long limit) {
    SearchPoints.Builder b = SearchPoints.newBuilder().setCollectionName(c).setLimit(limit);
    for (int i = 0; i < dim; i++) {
      b.addVector(1f);
    }
    return b;
  }

  @Test
  @DisplayName("wrong vector size: INVALID_ARGUMENT 'Vector dimension error: expected dim: 384,"
      + " got N' on upsert, search and query; nothing of the batch is written")
  void dimensionError() throws Exception {
    float[] ok = new float[384];
    ok[1] = 1f;
    Status s = failure(q.client.upsertAsync(c, List.of(point(2, null, ok),
        point(3, null, 1f, 2f, 3f))));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertTrue(s.getDescription().contains("Vector dimension error: expected dim: 384, got 3"),
        s.getDescription());
    assertEquals(1L, q.client.countAsync(c).get(), "the valid point of the batch is not written");

    s = failure(q.client.searchAsync(search(5, 1).build()));
    assertTrue(s.getDescription().contains("expected dim: 384, got 5"), s.getDescription());
    s = failure(q.client.queryAsync(QueryPoints.newBuilder().setCollectionName(c)
        .setQuery(nearest(1f, 2f)).build()));
    assertTrue(s.getDescription().contains("expected dim: 384, got 2"), s.getDescription());
  }

  @Test
  @DisplayName("missing collection: NOT_FOUND for every points call")
  void missingCollection() {
    String nope = q.collection("nope"); // named, never created
    String msg = "Not found: Collection `" + nope + "` doesn't exist!";
    Status s = failure(q.client.searchAsync(search(384, 1).setCollectionName(nope).build()));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals(msg, s.getDescription());
    assertFails(Status.Code.NOT_FOUND, q.client.upsertAsync(nope, List.of(point(1, null, 1f))));
    assertFails(Status.Code.NOT_FOUND, q.client.countAsync(nope));
    assertFails(Status.Code.NOT_FOUND, q.client.scrollAsync(ScrollPoints.newBuilder()
        .setCollectionName(nope).build()));
    assertFails(Status.Code.NOT_FOUND, q.client.deleteAsync(nope, List.of(id(1))));
    assertFails(Status.Code.NOT_FOUND, q.client.retrieveAsync(nope, id(1), null));
  }

  @Test
  @DisplayName("limit 0: INVALID_ARGUMENT on search, query and scroll")
  void limitZero() {
    Status s = failure(q.client.searchAsync(search(384, 0).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("Validation error in body: [limit: value 0 invalid, must be 1 or larger]",
        s.getDescription());
    assertFails(Status.Code.INVALID_ARGUMENT, q.client.queryAsync(QueryPoints.newBuilder()
        .setCollectionName(c).setLimit(0).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, q.client.scrollAsync(ScrollPoints.newBuilder()
        .setCollectionName(c).setLimit(0).build()));
  }

  @Test
  @DisplayName("ids: a malformed UUID or a missing id is INVALID_ARGUMENT; query by a missing id"
      + " is NOT_FOUND")
  void badIds() {
    float[] v = new float[384];
    Status s = failure(q.client.upsertAsync(c, List.of(point(
        PointId.newBuilder().setUuid("not-a-uuid").build(), null, v))));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("Unable to parse UUID: not-a-uuid", s.getDescription());
    assertFails(Status.Code.INVALID_ARGUMENT, q.client.upsertAsync(c, List.of(
        PointStruct.newBuilder().setVectors(VectorsFactory.vectors(v)).build())));
    assertFails(Status.Code.NOT_FOUND, q.client.queryAsync(QueryPoints.newBuilder()
        .setCollectionName(c).setQuery(nearest(42)).build()));
  }
}
