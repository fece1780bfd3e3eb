package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.assertFails;
import static io.lesionsearch.qdrantlocal.QdrantFixture.failure;
import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.nested;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.IntegerIndexParams;
import io.qdrant.client.grpc.Collections.KeywordIndexParams;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.MinShould;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryBatchPoints;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchBatchPoints;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpdateStatus;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Error codes and messages for the mistakes the jobs can make, as Qdrant sends them; runs against
 * the Qdrant under test (the local endpoint's refusals of features Qdrant has are in
 * LocalOnlyRefusalsTest).
 */
class QdrantErrorsTest {
  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();
  String c;

  @BeforeEach
  void seed() throws Exception {
    c = q.create("errors", 384, Distance.Cosine);
    float[] v = new float[384];
    v[0] = 1f;
    q.client.upsertAsync(c, List.of(point(1, "{'a': 'x'}", v))).get();
  }

  private SearchPoints.Builder search(int dim, long limit) {
    SearchPoints.Builder b = SearchPoints.newBuilder().setCollectionName(c).setLimit(limit);
    for (int i = 0; i < dim; i++) {
      b.addVector(1f);
    }
    return b;
  }

  @Test
  @DisplayName(
      "wrong vector size: INVALID_ARGUMENT 'Vector dimension error: expected dim: 384,"
          + " got N' on upsert, search and query; nothing of the batch is written")
  void dimensionError() throws Exception {
    float[] ok = new float[384];
    ok[1] = 1f;
    Status s =
        failure(q.client.upsertAsync(c, List.of(point(2, null, ok), point(3, null, 1f, 2f, 3f))));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Wrong input: Vector dimension error: expected dim: 384, got 3", s.getDescription());
    assertEquals(1L, q.client.countAsync(c).get(), "the valid point of the batch is not written");

    s = failure(q.client.searchAsync(search(5, 1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Wrong input: Vector dimension error: expected dim: 384, got 5", s.getDescription());
    s =
        failure(
            q.client.queryAsync(
                QueryPoints.newBuilder().setCollectionName(c).setQuery(nearest(1f, 2f)).build()));
    assertEquals(
        "Wrong input: Vector dimension error: expected dim: 384, got 2", s.getDescription());
    // In a batch, the first inner request with the wrong size fails the whole call.
    s =
        failure(
            q.client.searchBatchAsync(
                c, List.of(search(384, 1).build(), search(7, 1).build()), null));
    assertEquals(
        "Wrong input: Vector dimension error: expected dim: 384, got 7", s.getDescription());
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
    assertFails(
        Status.Code.NOT_FOUND,
        q.client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(nope).build()));
    assertFails(Status.Code.NOT_FOUND, q.client.deleteAsync(nope, List.of(id(1))));
    assertFails(Status.Code.NOT_FOUND, q.client.retrieveAsync(nope, id(1), null));
    assertFails(Status.Code.NOT_FOUND, q.client.getCollectionInfoAsync(nope));
    assertFails(
        Status.Code.NOT_FOUND,
        q.client.queryAsync(
            QueryPoints.newBuilder().setCollectionName(nope).setQuery(nearest(42)).build()));
    // A batch names its collection on the outer message.
    assertFails(
        Status.Code.NOT_FOUND,
        q.client.searchBatchAsync(nope, List.of(search(384, 1).build()), null));
  }

  @Test
  @DisplayName("limit 0: INVALID_ARGUMENT on search, query and scroll")
  void limitZero() {
    Status s = failure(q.client.searchAsync(search(384, 0).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Validation error in body: [limit: value 0 invalid, must be 1 or larger]",
        s.getDescription());
    assertFails(
        Status.Code.INVALID_ARGUMENT,
        q.client.queryAsync(QueryPoints.newBuilder().setCollectionName(c).setLimit(0).build()));
    assertFails(
        Status.Code.INVALID_ARGUMENT,
        q.client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(c).setLimit(0).build()));
  }

  @Test
  @DisplayName(
      "ids: a malformed UUID or a missing id is INVALID_ARGUMENT; query by a missing id"
          + " is NOT_FOUND")
  void badIds() {
    float[] v = new float[384];
    Status s =
        failure(
            q.client.upsertAsync(
                c, List.of(point(PointId.newBuilder().setUuid("not-a-uuid").build(), null, v))));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("Unable to parse UUID: not-a-uuid", s.getDescription());
    assertFails(
        Status.Code.INVALID_ARGUMENT,
        q.client.upsertAsync(
            c, List.of(PointStruct.newBuilder().setVectors(VectorsFactory.vectors(v)).build())));
    s =
        failure(
            q.client.queryAsync(
                QueryPoints.newBuilder().setCollectionName(c).setQuery(nearest(42)).build()));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("Not found: No point with id 42 found", s.getDescription());
  }

  // ------------------------------------------------------------------ validation comes first

  @Test
  @DisplayName(
      "Qdrant validates a request before it looks the collection up: limit 0, timeout 0"
          + " and a key-only condition are INVALID_ARGUMENT even for a missing collection")
  void validationBeforeLookup() {
    String nope = q.collection("nope");
    Status s = failure(q.client.searchAsync(search(2, 0).setCollectionName(nope).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Validation error in body: [limit: value 0 invalid, must be 1 or larger]",
        s.getDescription());
    s = failure(q.client.searchAsync(search(2, 1).setCollectionName(nope).setTimeout(0).build()));
    assertEquals(
        "Validation error in body: [timeout: value 0 invalid, must be 1 or larger]",
        s.getDescription());
    s = failure(q.client.countAsync(nope, keyOnly("a"), true));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(KEY_ONLY_MUST0, s.getDescription());
    // Conversion errors (key paths, UUIDs) come before the lookup as well.
    s =
        failure(
            q.client.countAsync(
                nope, Filter.newBuilder().addMust(matchKeyword("a[", "x")).build(), true));
    assertEquals("Invalid json path: 'a['", s.getDescription());
    s = failure(q.client.retrieveAsync(nope, PointId.newBuilder().setUuid("nope").build(), null));
    assertEquals("Unable to parse UUID: nope", s.getDescription());
    // The vector size needs the collection: NOT_FOUND first.
    assertFails(Status.Code.NOT_FOUND, q.client.upsertAsync(nope, List.of(point(1, null, 1f, 2f))));
  }

  @Test
  @DisplayName(
      "collection names: empty or longer than 255 characters is a validation error in"
          + " every request; '/' is refused, ':' only when creating")
  void collectionNameValidation() throws Exception {
    // The client refuses an empty name itself; the stub under it sends it.
    Status s =
        failure(
            q.client.grpcClient().points().search(search(384, 1).setCollectionName("").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Validation error in body: [collection_name: value \"\" invalid, must be from 1"
            + " to 255 characters]",
        s.getDescription());
    String tooLong = "x".repeat(256);
    s = failure(q.client.countAsync(tooLong));
    assertEquals(
        "Validation error in body: [collection_name: value \""
            + tooLong
            + "\" invalid,"
            + " must be from 1 to 255 characters]",
        s.getDescription());
    // Not one of the fixture's names: no request can name it, dropping it included.
    s = failure(q.client.countAsync("a/b-" + java.util.UUID.randomUUID()));
    assertEquals(
        "Validation error in body: [collection_name: collection name cannot contain"
            + " \"/\" char]",
        s.getDescription());
    // Existing collections may have ':' (older Qdrant allowed it): just NOT_FOUND here ...
    String colon = q.collection("a:b<c");
    assertFails(Status.Code.NOT_FOUND, q.client.countAsync(colon));
    // ... but no new one may, and Qdrant names the first character of its own list.
    s =
        failure(
            q.client.createCollectionAsync(
                colon, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build()));
    assertEquals(
        "Validation error in body: [collection_name: collection name cannot contain"
            + " \"<\" char]",
        s.getDescription());
    assertFalse(q.client.collectionExistsAsync(colon).get());
  }

  private static final String KEY_ONLY_MUST0 =
      "Validation error in body: [filter.must[0]"
          + ".condition_one_of.match: Validation error: At least one field condition must be"
          + " specified [{}]]";

  private static Filter keyOnly(String key) {
    return Filter.newBuilder()
        .addMust(Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(key)))
        .build();
  }

  @Test
  @DisplayName(
      "a field condition with only a key is a validation error on search, query, count"
          + " and scroll, with the validator's path (condition_one_of, nested filter, min_should)")
  void keyOnlyConditionIsAValidationError() {
    Filter f = keyOnly("a");
    Status s = failure(q.client.searchAsync(search(384, 1).setFilter(f).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(KEY_ONLY_MUST0, s.getDescription());
    assertEquals(
        KEY_ONLY_MUST0,
        failure(
                q.client.queryAsync(
                    QueryPoints.newBuilder().setCollectionName(c).setFilter(f).build()))
            .getDescription());
    assertEquals(
        KEY_ONLY_MUST0,
        failure(
                q.client.scrollAsync(
                    ScrollPoints.newBuilder().setCollectionName(c).setFilter(f).build()))
            .getDescription());
    assertEquals(KEY_ONLY_MUST0, failure(q.client.countAsync(c, f, true)).getDescription());

    String tail =
        ".condition_one_of.match: Validation error: At least one field condition must"
            + " be specified [{}]]";
    s =
        failure(
            q.client.countAsync(
                c,
                Filter.newBuilder()
                    .addShould(
                        filter(
                            Filter.newBuilder()
                                .addMustNot(matchKeyword("a", "x"))
                                .addMustNot(keyOnly("b").getMust(0))
                                .build()))
                    .build(),
                true));
    assertEquals(
        "Validation error in body: [filter.should[0].condition_one_of.must_not[1]" + tail,
        s.getDescription());
    s =
        failure(
            q.client.countAsync(
                c, Filter.newBuilder().addMust(nested("o", keyOnly("b"))).build(), true));
    assertEquals(
        "Validation error in body: [filter.must[0].condition_one_of.filter.must[0]" + tail,
        s.getDescription());
    s =
        failure(
            q.client.countAsync(
                c,
                Filter.newBuilder()
                    .setMinShould(
                        MinShould.newBuilder()
                            .addConditions(keyOnly("b").getMust(0))
                            .setMinCount(1))
                    .build(),
                true));
    assertEquals(
        "Validation error in body: [filter.min_should.conditions[0]" + tail, s.getDescription());
    s = failure(q.client.searchBatchAsync(c, List.of(search(384, 1).setFilter(f).build()), null));
    assertEquals(
        "Validation error in body: [search_points[0].filter.must[0]" + tail, s.getDescription());
  }

  @Test
  @DisplayName(
      "Delete by filter is not validated: a key-only condition matches no point (so"
          + " must deletes nothing and must_not deletes everything)")
  void deleteByKeyOnlyFilter() throws Exception {
    assertEquals(UpdateStatus.Completed, q.client.deleteAsync(c, keyOnly("a")).get().getStatus());
    assertEquals(1L, q.client.countAsync(c).get(), "a key-only condition matched nothing");
    q.client.deleteAsync(c, Filter.newBuilder().addMustNot(keyOnly("a").getMust(0)).build()).get();
    assertEquals(0L, q.client.countAsync(c).get(), "its negation matched every point");
    // Its key path is still converted: a bad one fails as anywhere else.
    assertEquals(
        "Invalid json path: 'a['",
        failure(q.client.deleteAsync(c, keyOnly("a["))).getDescription());
  }

  // ------------------------------------------------------------------ batches

  @Test
  @DisplayName(
      "SearchBatch and QueryBatch validate every inner request as a whole request: each"
          + " needs its own collection_name (searchBatchAsync fills it in, queryBatchAsync does not);"
          + " the outer name is the one searched")
  void batchInnerCollectionNames() throws Exception {
    SearchPoints inner = search(384, 1).clearCollectionName().build();
    Status s =
        failure(
            q.client
                .grpcClient()
                .points()
                .searchBatch(
                    SearchBatchPoints.newBuilder()
                        .setCollectionName(c)
                        .addSearchPoints(inner)
                        .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Validation error in body: [search_points[0].collection_name: value \"\""
            + " invalid, must be from 1 to 255 characters]",
        s.getDescription());
    // The client's searchBatchAsync sets the outer name on each inner request.
    assertEquals(1, q.client.searchBatchAsync(c, List.of(inner), null).get().size());

    QueryPoints query =
        QueryPoints.newBuilder()
            .setQuery(nearest(search(384, 1).getVectorList()))
            .setLimit(1)
            .build();
    s = failure(q.client.queryBatchAsync(c, List.of(query)));
    assertEquals(
        "Validation error in body: [query_points[0].collection_name: value \"\""
            + " invalid, must be from 1 to 255 characters]",
        s.getDescription());
    // Several failures are listed in one answer (in Qdrant's hash order: compare as a set).
    s = failure(q.client.queryBatchAsync(c, List.of(query, query)));
    assertTrue(s.getDescription().startsWith("Validation error in body: ["), s.getDescription());
    assertTrue(
        s.getDescription().contains("query_points[0].collection_name: value \"\" invalid"),
        s.getDescription());
    assertTrue(
        s.getDescription().contains("query_points[1].collection_name: value \"\" invalid"),
        s.getDescription());

    // An inner name that differs from the outer one is not looked at.
    String other = q.collection("other"); // never created
    List<BatchResult> r =
        q.client
            .grpcClient()
            .points()
            .queryBatch(
                QueryBatchPoints.newBuilder()
                    .setCollectionName(c)
                    .addQueryPoints(query.toBuilder().setCollectionName(other))
                    .build())
            .get()
            .getResultList();
    assertEquals(1, r.size());
    assertEquals(id(1), r.get(0).getResult(0).getId());
    r =
        q.client
            .grpcClient()
            .points()
            .searchBatch(
                SearchBatchPoints.newBuilder()
                    .setCollectionName(c)
                    .addSearchPoints(inner.toBuilder().setCollectionName(other))
                    .build())
            .get()
            .getResultList();
    assertEquals(id(1), r.get(0).getResult(0).getId());
    // An empty batch is a valid one.
    assertEquals(0, q.client.queryBatchAsync(c, List.of()).get().size());
  }

  // ------------------------------------------------------------------ writes

  @Test
  @DisplayName(
      "an upsert of no points, or a delete of no ids, is 'Bad request: Empty update"
          + " request'; a delete without a selector is 'PointSelector is missing'")
  void emptyWrites() {
    Status s = failure(q.client.upsertAsync(c, List.of()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("Bad request: Empty update request", s.getDescription());
    s = failure(q.client.deleteAsync(c, List.of()));
    assertEquals("Bad request: Empty update request", s.getDescription());
    s = failure(q.client.deleteAsync(DeletePoints.newBuilder().setCollectionName(c).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("PointSelector is missing", s.getDescription());
    // On a missing collection the lookup fails first.
    assertFails(Status.Code.NOT_FOUND, q.client.upsertAsync(q.collection("nope"), List.of()));
  }

  @Test
  @DisplayName(
      "payload index errors: a missing collection is NOT_FOUND; an empty field name, a"
          + " missing field_type, params of another type and a bad key path are INVALID_ARGUMENT")
  void payloadIndexErrors() throws Exception {
    String nope = q.collection("nope");
    Status s =
        failure(
            q.client.createPayloadIndexAsync(
                nope, "a", PayloadSchemaType.Keyword, null, true, null, null));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("Not found: Collection `" + nope + "` doesn't exist!", s.getDescription());
    assertFails(
        Status.Code.NOT_FOUND, q.client.deletePayloadIndexAsync(nope, "a", true, null, null));

    s =
        failure(
            q.client.createPayloadIndexAsync(
                c, "", PayloadSchemaType.Keyword, null, true, null, null));
    assertEquals(
        "Validation error in body: [field_name: value \"\" invalid, must be at least 1"
            + " characters]",
        s.getDescription());
    s =
        failure(
            q.client
                .grpcClient()
                .points()
                .createFieldIndex(
                    CreateFieldIndexCollection.newBuilder()
                        .setCollectionName(c)
                        .setFieldName("a")
                        .setWait(true)
                        .build()));
    assertEquals("cannot convert field_type", s.getDescription());
    s =
        failure(
            q.client
                .grpcClient()
                .points()
                .createFieldIndex(
                    CreateFieldIndexCollection.newBuilder()
                        .setCollectionName(c)
                        .setFieldName("a")
                        .setWait(true)
                        .setFieldIndexParams(
                            PayloadIndexParams.newBuilder()
                                .setKeywordIndexParams(KeywordIndexParams.getDefaultInstance()))
                        .build()));
    assertEquals("cannot convert field_type", s.getDescription(), "params alone do not do");
    s =
        failure(
            q.client
                .grpcClient()
                .points()
                .createFieldIndex(
                    CreateFieldIndexCollection.newBuilder()
                        .setCollectionName(c)
                        .setFieldName("a")
                        .setWait(true)
                        .setFieldType(FieldType.FieldTypeKeyword)
                        .setFieldIndexParams(
                            PayloadIndexParams.newBuilder()
                                .setIntegerIndexParams(
                                    IntegerIndexParams.newBuilder().setLookup(true).setRange(true)))
                        .build()));
    assertEquals("field_type (Keyword) and field_index_params do not match", s.getDescription());
    s =
        failure(
            q.client.createPayloadIndexAsync(
                c, "a[", PayloadSchemaType.Keyword, null, true, null, null));
    assertEquals("Invalid json path: 'a['", s.getDescription());
    assertTrue(q.client.getCollectionInfoAsync(c).get().getPayloadSchemaMap().isEmpty());
    // Dropping an index that does not exist is no error.
    assertEquals(
        UpdateStatus.Completed,
        q.client.deletePayloadIndexAsync(c, "zz", true, null, null).get().getStatus());
  }

  @Test
  @DisplayName(
      "creating a collection: size out of 1..65536 and an unknown distance are"
          + " INVALID_ARGUMENT with Qdrant's words; an existing name is ALREADY_EXISTS")
  void createCollectionErrors() throws Exception {
    String name = q.collection("create");
    Status s =
        failure(
            q.client.createCollectionAsync(
                name, VectorParams.newBuilder().setSize(0).setDistance(Distance.Cosine).build()));
    assertEquals(
        "Validation error in body: [vectors_config.config.size: value 0 invalid, must be"
            + " from 1 to 65536]",
        s.getDescription());
    s =
        failure(
            q.client.createCollectionAsync(
                name,
                VectorParams.newBuilder().setSize(70_000).setDistance(Distance.Cosine).build()));
    assertEquals(
        "Validation error in body: [vectors_config.config.size: value 70000 invalid,"
            + " must be from 1 to 65536]",
        s.getDescription());
    s =
        failure(
            q.client.createCollectionAsync(
                name,
                VectorParams.newBuilder()
                    .setSize(4)
                    .setDistance(Distance.UnknownDistance)
                    .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("Malformed distance parameter: UnknownDistance", s.getDescription());
    assertFalse(q.client.collectionExistsAsync(name).get(), "nothing was created");
    s =
        failure(
            q.client.createCollectionAsync(
                c, VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()));
    assertEquals(Status.Code.ALREADY_EXISTS, s.getCode());
    assertEquals("Wrong input: Collection `" + c + "` already exists!", s.getDescription());
  }

  @Test
  @DisplayName(
      "the aliases of a missing collection are an empty list, not NOT_FOUND; deleting a"
          + " missing collection answers result=false")
  void missingCollectionAliasesAndDelete() throws Exception {
    String nope = q.collection("nope");
    assertTrue(q.client.listCollectionAliasesAsync(nope).get().isEmpty());
    assertFalse(
        q.client
            .grpcClient()
            .collections()
            .delete(DeleteCollection.newBuilder().setCollectionName(nope).build())
            .get()
            .getResult());
  }

  @Test
  @DisplayName(
      "a query without a query cannot take a score_threshold: 'Bad request: A query is"
          + " needed to use the score_threshold ...'")
  void scoreThresholdNeedsAQuery() {
    Status s =
        failure(
            q.client.queryAsync(
                QueryPoints.newBuilder().setCollectionName(c).setScoreThreshold(0.5f).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Bad request: A query is needed to use the score_threshold. Can't have"
            + " score_threshold without defining a query.",
        s.getDescription());
  }
}
