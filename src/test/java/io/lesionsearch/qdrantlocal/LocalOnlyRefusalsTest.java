package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.assertFails;
import static io.lesionsearch.qdrantlocal.QdrantFixture.failure;
import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static io.qdrant.client.ConditionFactory.datetimeRange;
import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.geoRadius;
import static io.qdrant.client.ConditionFactory.matchText;
import static io.qdrant.client.ConditionFactory.matchTextAny;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RecommendPoints;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SparseVector;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What only the local endpoint does: it refuses, with a message naming itself, the features Qdrant
 * has and it does not implement, rather than answering differently. Qdrant serves all of these, so
 * these tests always run on a local endpoint, whatever -Dlesion.test.qdrant says.
 */
class LocalOnlyRefusalsTest {
  static QdrantFixture q;
  String c;

  @BeforeAll
  static void start() {
    q = QdrantFixture.localOnly();
  }

  @AfterAll
  static void stop() {
    q.close();
  }

  @BeforeEach
  void seed() throws Exception {
    c = q.create("refusals", 384, Distance.Cosine);
    float[] v = new float[384];
    v[0] = 1f;
    q.client.upsertAsync(c, List.of(point(1, "{'a': 'x', 'bar': 1}", v))).get();
  }

  @AfterEach
  void drop() throws Exception {
    q.dropCollections();
  }

  private SearchPoints.Builder search() {
    SearchPoints.Builder b = SearchPoints.newBuilder().setCollectionName(c).setLimit(1);
    for (int i = 0; i < 384; i++) {
      b.addVector(1f);
    }
    return b;
  }

  private static void assertRefused(
      Status.Code code, String start, java.util.concurrent.Future<?> call) {
    Status s = failure(call);
    assertEquals(code, s.getCode(), s.toString());
    assertTrue(s.getDescription().startsWith(start), s.getDescription());
  }

  @Test
  @DisplayName(
      "unsupported collection configs are refused: named, sparse and multi vectors,"
          + " custom sharding, no dense vector")
  void unsupportedCollections() {
    String named = q.collection("named");
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support named vectors",
        q.client.createCollectionAsync(
            named,
            Map.of(
                "image", VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot).build())));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support sparse vectors",
        q.client.createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(q.collection("sparse"))
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot)))
                .setSparseVectorsConfig(
                    SparseVectorConfig.newBuilder()
                        .putMap("text", SparseVectorParams.getDefaultInstance()))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support multivectors",
        q.client.createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(q.collection("multi"))
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(
                            VectorParams.newBuilder()
                                .setSize(4)
                                .setDistance(Distance.Dot)
                                .setMultivectorConfig(
                                    io.qdrant.client.grpc.Collections.MultiVectorConfig
                                        .getDefaultInstance())))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support custom sharding",
        q.client.createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(q.collection("sharded"))
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot)))
                .setShardingMethod(io.qdrant.client.grpc.Collections.ShardingMethod.Custom)
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support collections without",
        q.client.createCollectionAsync(
            CreateCollection.newBuilder().setCollectionName(q.collection("empty")).build()));
  }

  @Test
  @DisplayName(
      "unsupported points features are refused: named/sparse vectors, geo and"
          + " datetime_range filters, vector_name")
  void unsupportedPoints() {
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support named vectors",
        q.client.upsertAsync(
            UpsertPoints.newBuilder()
                .setCollectionName(c)
                .addPoints(
                    PointStruct.newBuilder()
                        .setId(id(5))
                        .setVectors(
                            VectorsFactory.namedVectors(
                                Map.of(
                                    "image",
                                    Vector.newBuilder()
                                        .setDense(
                                            io.qdrant.client.grpc.Points.DenseVector.newBuilder()
                                                .addData(1f))
                                        .build()))))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support sparse vectors",
        q.client.upsertAsync(
            UpsertPoints.newBuilder()
                .setCollectionName(c)
                .addPoints(
                    PointStruct.newBuilder()
                        .setId(id(6))
                        .setVectors(
                            VectorsFactory.vectors(
                                Vector.newBuilder()
                                    .setSparse(
                                        SparseVector.newBuilder().addIndices(1).addValues(1f))
                                    .build())))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support",
        q.client.searchAsync(
            search().setFilter(Filter.newBuilder().addMust(geoRadius("loc", 1, 2, 3f))).build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support datetime_range",
        q.client.searchAsync(
            search()
                .setFilter(
                    Filter.newBuilder()
                        .addMust(
                            datetimeRange(
                                "a",
                                io.qdrant.client.grpc.Common.DatetimeRange.getDefaultInstance())))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support named vectors",
        q.client.searchAsync(search().setVectorName("image").build()));
  }

  @Test
  @DisplayName(
      "full-text conditions on a key with a text index are refused (Qdrant then matches"
          + " tokens, not substrings), in every read and in Delete by filter")
  void fullTextOnATextIndex() throws Exception {
    Filter text = Filter.newBuilder().addMust(matchText("a", "x")).build();
    assertEquals(1L, q.client.countAsync(c, text, true).get(), "no text index: a substring");
    q.client.createPayloadIndexAsync(c, "a", PayloadSchemaType.Text, null, true, null, null).get();
    String refusal =
        "qdrant-local does not support full-text match conditions on a key with a" + " text index";
    assertRefused(Status.Code.INVALID_ARGUMENT, refusal, q.client.countAsync(c, text, true));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        refusal,
        q.client.searchAsync(search().setFilter(text).build()));
    assertRefused(Status.Code.INVALID_ARGUMENT, refusal, q.client.deleteAsync(c, text));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        refusal,
        q.client.scrollAsync(
            ScrollPoints.newBuilder()
                .setCollectionName(c)
                .setFilter(
                    Filter.newBuilder()
                        .addShould(
                            filter(
                                Filter.newBuilder().addMustNot(matchTextAny("a", "x y")).build())))
                .build()));
    assertEquals(1L, q.client.countAsync(c).get(), "nothing was deleted");
  }

  @Test
  @DisplayName(
      "qdrant/java-client PointsTest::scrollWithOrdering, queryOrderBy, queryWithPrefetch*,"
          + " queryWithSampling: refused")
  void unsupportedQueries() {
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support scroll with order_by",
        q.client.scrollAsync(
            ScrollPoints.newBuilder()
                .setCollectionName(c)
                .setLimit(1)
                .setOrderBy(
                    Points.OrderBy.newBuilder().setKey("bar").setDirection(Points.Direction.Desc))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support the query type",
        q.client.queryAsync(
            Points.QueryPoints.newBuilder()
                .setCollectionName(c)
                .setQuery(io.qdrant.client.QueryFactory.orderBy("bar"))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support prefetch",
        q.client.queryAsync(
            Points.QueryPoints.newBuilder()
                .setCollectionName(c)
                .addPrefetch(
                    Points.PrefetchQuery.newBuilder().setQuery(nearest(1f, 2f)).setLimit(1))
                .setQuery(io.qdrant.client.QueryFactory.fusion(Points.Fusion.RRF))
                .build()));
    assertRefused(
        Status.Code.INVALID_ARGUMENT,
        "qdrant-local does not support the query type",
        q.client.queryAsync(
            Points.QueryPoints.newBuilder()
                .setCollectionName(c)
                .setQuery(io.qdrant.client.QueryFactory.sample(Points.Sample.Random))
                .build()));
  }

  @Test
  @DisplayName(
      "RPCs outside the supported set answer UNIMPLEMENTED 'qdrant-local does not"
          + " implement ...': UpdateCollection, payload edits, groups, recommend, facets,"
          + " matrices, discover, batch updates, snapshots")
  void unimplementedRpcs() {
    String rpc = "qdrant-local does not implement ";
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Points/ClearPayload",
        q.client.clearPayloadAsync(c, List.of(id(1)), true, null, null));
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Collections/Update",
        q.client.updateCollectionAsync(UpdateCollection.newBuilder().setCollectionName(c).build()));
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Points/Recommend",
        q.client.recommendAsync(
            RecommendPoints.newBuilder()
                .setCollectionName(c)
                .addPositive(id(1))
                .setLimit(3)
                .build()));
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Points/SetPayload",
        q.client.setPayloadAsync(c, Map.of("x", value(1)), id(1), null, null, null));
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Points/UpdateBatch",
        q.client.batchUpdateAsync(c, List.of()));
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Points/Facet",
        q.client.facetAsync(
            Points.FacetCounts.newBuilder().setCollectionName(c).setKey("a").build()));
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Points/SearchMatrixPairs",
        q.client.searchMatrixPairsAsync(
            Points.SearchMatrixPoints.newBuilder().setCollectionName(c).build()));
    assertRefused(
        Status.Code.UNIMPLEMENTED,
        rpc + "Points/Discover",
        q.client.discoverAsync(
            Points.DiscoverPoints.newBuilder().setCollectionName(c).setLimit(1).build()));
    // No Snapshots service at all: gRPC's own answer for an unknown service.
    assertFails(Status.Code.UNIMPLEMENTED, q.client.createSnapshotAsync(c));
  }
}
