package io.lesionsearch.qdrantlocal;

import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qdrant.client.VectorsFactory;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.VectorsOutput;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scenarios of qdrant/java-client src/test/java/io/qdrant/client/PointsTest.java that use what
 * qdrant-local supports, on the same two-point cosine collection (the local endpoint's refusals of
 * the others are in LocalOnlyRefusalsTest).
 */
class JavaClientPointsTest {
  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();

  /** points_test in the original; unique here because the server may be shared. */
  String c;

  @BeforeEach
  void createAndSeedCollection() throws Exception {
    c = q.collection("points_test");
    q.client
        .createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(c)
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(
                            VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(2)))
                .build())
        .get();
    UpdateResult r =
        q.client
            .upsertAsync(
                c,
                List.of(
                    PointStruct.newBuilder()
                        .setId(id(8))
                        .setVectors(VectorsFactory.vectors(3.5f, 4.5f))
                        .putAllPayload(
                            Map.of(
                                "foo",
                                value("hello"),
                                "bar",
                                value(1),
                                "date",
                                value("2021-01-01T00:00:00Z")))
                        .build(),
                    PointStruct.newBuilder()
                        .setId(id(9))
                        .setVectors(VectorsFactory.vectors(10.5f, 11.5f))
                        .putAllPayload(
                            Map.of(
                                "foo",
                                value("goodbye"),
                                "bar",
                                value(2),
                                "date",
                                value("2024-01-02T00:00:00Z")))
                        .build()))
            .get();
    assertEquals(UpdateStatus.Completed, r.getStatus());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::retrieve")
  void retrieve() throws Exception {
    List<RetrievedPoint> points = q.client.retrieveAsync(c, id(9), null).get();
    assertEquals(1, points.size());
    RetrievedPoint p = points.get(0);
    assertEquals(id(9), p.getId());
    assertEquals(Set.of("foo", "bar", "date"), p.getPayloadMap().keySet());
    assertEquals(value("goodbye"), p.getPayloadMap().get("foo"));
    assertEquals(value(2), p.getPayloadMap().get("bar"));
    assertEquals(VectorsOutput.getDefaultInstance(), p.getVectors());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::retrieve_with_vector_without_payload")
  void retrieveWithVector() throws Exception {
    List<RetrievedPoint> points = q.client.retrieveAsync(c, id(8), false, true, null).get();
    assertEquals(1, points.size());
    assertTrue(points.get(0).getPayloadMap().isEmpty());
    assertEquals(
        VectorsOutput.VectorsOptionsCase.VECTOR,
        points.get(0).getVectors().getVectorsOptionsCase());
    // Cosine returns the stored, normalised vector.
    List<Float> v = points.get(0).getVectors().getVector().getDense().getDataList();
    double norm = Math.hypot(3.5, 4.5);
    assertEquals(3.5 / norm, v.get(0), 1e-6);
    assertEquals(4.5 / norm, v.get(1), 1e-6);
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::createFieldIndex")
  void createFieldIndex() throws Exception {
    assertEquals(
        UpdateStatus.Completed,
        q.client
            .createPayloadIndexAsync(c, "foo", PayloadSchemaType.Keyword, null, null, null, null)
            .get()
            .getStatus());
    assertEquals(
        UpdateStatus.Completed,
        q.client
            .createPayloadIndexAsync(c, "bar", PayloadSchemaType.Integer, null, null, null, null)
            .get()
            .getStatus());
    CollectionInfo info = q.client.getCollectionInfoAsync(c).get();
    assertEquals(Set.of("foo", "bar"), info.getPayloadSchemaMap().keySet());
    assertEquals(PayloadSchemaType.Keyword, info.getPayloadSchemaMap().get("foo").getDataType());
    assertEquals(PayloadSchemaType.Integer, info.getPayloadSchemaMap().get("bar").getDataType());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::createDatetimeFieldIndex")
  void createDatetimeFieldIndex() throws Exception {
    assertEquals(
        UpdateStatus.Completed,
        q.client
            .createPayloadIndexAsync(c, "date", PayloadSchemaType.Datetime, null, null, null, null)
            .get()
            .getStatus());
    CollectionInfo info = q.client.getCollectionInfoAsync(c).get();
    assertEquals(Set.of("date"), info.getPayloadSchemaMap().keySet());
    assertEquals(PayloadSchemaType.Datetime, info.getPayloadSchemaMap().get("date").getDataType());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::deleteFieldIndex")
  void deleteFieldIndex() throws Exception {
    q.client
        .createPayloadIndexAsync(c, "foo", PayloadSchemaType.Keyword, null, null, null, null)
        .get();
    assertEquals(
        UpdateStatus.Completed,
        q.client.deletePayloadIndexAsync(c, "foo", null, null, null).get().getStatus());
    assertTrue(q.client.getCollectionInfoAsync(c).get().getPayloadSchemaMap().isEmpty());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::search")
  void search() throws Exception {
    List<ScoredPoint> points =
        q.client
            .searchAsync(
                SearchPoints.newBuilder()
                    .setCollectionName(c)
                    .setWithPayload(WithPayloadSelectorFactory.enable(true))
                    .addAllVector(List.of(10.4f, 11.4f))
                    .setLimit(1)
                    .build())
            .get();
    assertEquals(1, points.size());
    ScoredPoint p = points.get(0);
    assertEquals(id(9), p.getId());
    assertEquals(Set.of("foo", "bar", "date"), p.getPayloadMap().keySet());
    assertEquals(value("goodbye"), p.getPayloadMap().get("foo"));
    assertEquals(value(2), p.getPayloadMap().get("bar"));
    assertFalse(p.getVectors().hasVector());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::searchBatch")
  void searchBatch() throws Exception {
    List<BatchResult> r =
        q.client
            .searchBatchAsync(
                c,
                List.of(
                    SearchPoints.newBuilder()
                        .addAllVector(List.of(10.4f, 11.4f))
                        .setLimit(1)
                        .build(),
                    SearchPoints.newBuilder()
                        .addAllVector(List.of(3.4f, 4.4f))
                        .setLimit(1)
                        .build()),
                null)
            .get();
    assertEquals(2, r.size());
    assertEquals(List.of(id(9)), List.of(r.get(0).getResult(0).getId()));
    assertEquals(1, r.get(1).getResultCount());
    assertEquals(id(8), r.get(1).getResult(0).getId());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::scroll")
  void scroll() throws Exception {
    ScrollResponse r =
        q.client
            .scrollAsync(ScrollPoints.newBuilder().setCollectionName(c).setLimit(1).build())
            .get();
    assertEquals(1, r.getResultCount());
    assertEquals(id(8), r.getResult(0).getId());
    assertTrue(r.hasNextPageOffset());
    assertEquals(id(9), r.getNextPageOffset());
    r =
        q.client
            .scrollAsync(
                ScrollPoints.newBuilder()
                    .setCollectionName(c)
                    .setLimit(1)
                    .setOffset(r.getNextPageOffset())
                    .build())
            .get();
    assertEquals(1, r.getResultCount());
    assertEquals(id(9), r.getResult(0).getId());
    assertFalse(r.hasNextPageOffset());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::count")
  void count() throws Exception {
    assertEquals(2L, q.client.countAsync(c).get());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::count_with_filter")
  void countWithFilter() throws Exception {
    assertEquals(
        1L,
        q.client
            .countAsync(
                c,
                Filter.newBuilder()
                    .addMust(hasId(id(9)))
                    .addMust(matchKeyword("foo", "goodbye"))
                    .build(),
                null)
            .get());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::delete_by_id")
  void deleteById() throws Exception {
    assertEquals(1, q.client.retrieveAsync(c, id(8), false, false, null).get().size());
    q.client.deleteAsync(c, List.of(id(8))).get();
    assertEquals(0, q.client.retrieveAsync(c, id(8), false, false, null).get().size());
    assertEquals(1L, q.client.countAsync(c).get());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::delete_by_filter")
  void deleteByFilter() throws Exception {
    q.client
        .deleteAsync(c, Filter.newBuilder().addMust(matchKeyword("foo", "hello")).build())
        .get();
    assertEquals(0, q.client.retrieveAsync(c, id(8), false, false, null).get().size());
    assertEquals(1, q.client.retrieveAsync(c, id(9), false, false, null).get().size());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::query")
  void query() throws Exception {
    List<ScoredPoint> points =
        q.client.queryAsync(QueryPoints.newBuilder().setCollectionName(c).build()).get();
    assertEquals(List.of(id(8), id(9)), List.of(points.get(0).getId(), points.get(1).getId()));
    points =
        q.client
            .queryAsync(QueryPoints.newBuilder().setCollectionName(c).setLimit(1).build())
            .get();
    assertEquals(1, points.size());
    assertEquals(id(8), points.get(0).getId());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::queryWithFilter")
  void queryWithFilter() throws Exception {
    List<ScoredPoint> points =
        q.client
            .queryAsync(
                QueryPoints.newBuilder()
                    .setCollectionName(c)
                    .setFilter(Filter.newBuilder().addMust(matchKeyword("foo", "hello")))
                    .build())
            .get();
    assertEquals(1, points.size());
    assertEquals(id(8), points.get(0).getId());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::queryNearestWithID")
  void queryNearestWithId() throws Exception {
    List<ScoredPoint> points =
        q.client
            .queryAsync(QueryPoints.newBuilder().setCollectionName(c).setQuery(nearest(8)).build())
            .get();
    assertEquals(1, points.size(), "the example point itself is not returned");
    assertEquals(id(9), points.get(0).getId());
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::queryNearestWithVector")
  void queryNearestWithVector() throws Exception {
    List<ScoredPoint> points =
        q.client
            .queryAsync(
                QueryPoints.newBuilder()
                    .setCollectionName(c)
                    .setQuery(nearest(10.5f, 11.5f))
                    .build())
            .get();
    assertEquals(2, points.size());
    assertEquals(id(9), points.get(0).getId());
    assertEquals(1.0f, points.get(0).getScore(), 1e-5f);
  }

  @Test
  @DisplayName("qdrant/java-client PointsTest::queryBatch (nearest by vector and by id)")
  void queryBatch() throws Exception {
    // Unlike searchBatchAsync, queryBatchAsync sends the inner requests as given, and Qdrant
    // validates each as a whole request: each names the collection (QdrantErrorsTest).
    List<BatchResult> r =
        q.client
            .queryBatchAsync(
                c,
                List.of(
                    QueryPoints.newBuilder()
                        .setCollectionName(c)
                        .setQuery(nearest(3.4f, 4.4f))
                        .setLimit(1)
                        .build(),
                    QueryPoints.newBuilder().setCollectionName(c).setQuery(nearest(9)).build()))
            .get();
    assertEquals(id(8), r.get(0).getResult(0).getId());
    assertEquals(List.of(id(8)), List.of(r.get(1).getResult(0).getId()));
    assertEquals(1, r.get(1).getResultCount());
  }
}
