package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static io.lesionsearch.qdrantlocal.QdrantFixture.retrievedIds;
import static io.lesionsearch.qdrantlocal.QdrantFixture.setOf;
import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.isNull;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchExceptKeywords;
import static io.qdrant.client.ConditionFactory.matchExceptValues;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.matchPhrase;
import static io.qdrant.client.ConditionFactory.matchText;
import static io.qdrant.client.ConditionFactory.matchTextAny;
import static io.qdrant.client.ConditionFactory.nested;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.ConditionFactory.valuesCount;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The behaviours listed in QDRANT-SEMANTICS.md, each against the Qdrant source it names:
 * payload_storage/condition_checker.rs and query_checker.rs (filters), spaces/simple.rs and
 * tools.rs (scoring), types.rs check_threshold, json_path (key paths), id handling.
 */
class QdrantSemanticsTest {
  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();

  /** One point per payload shape the checkers distinguish. */
  private static void shapes() throws Exception {
    q.create("shapes", 2, Distance.Dot);
    String[] payloads = {
      null,
      "{'v': 'a'}", // 1
      "{'v': ['a', 'b']}", // 2
      "{'v': [['a']]}", // 3 nested arrays are not flattened
      "{'v': null}", // 4
      "{'v': []}", // 5
      "{'v': [null]}", // 6
      "{}", // 7 missing
      "{'v': 10}", // 8
      "{'v': 10.0}", // 9 a double, even if integral
      "{'v': '10'}", // 10
      "{'v': true}", // 11
      "{'v': {'a': 1}}", // 12
      "{'v': [10, 'a']}", // 13
      "{'v': 10.5}", // 14
    };
    List<io.qdrant.client.grpc.Points.PointStruct> points = new ArrayList<>();
    for (int i = 1; i < payloads.length; i++) {
      points.add(point(i, payloads[i], 1f, i));
    }
    q.client.upsertAsync(q.name("shapes"), points).get();
  }

  private static Set<Long> matching(String collection, Filter f) throws Exception {
    return retrievedIds(
        q.client
            .scrollAsync(
                ScrollPoints.newBuilder()
                    .setCollectionName(collection)
                    .setFilter(f)
                    .setLimit(100)
                    .build())
            .get()
            .getResultList());
  }

  private static Set<Long> must(Condition c) throws Exception {
    return matching(q.name("shapes"), Filter.newBuilder().addMust(c).build());
  }

  private static Condition field(FieldCondition.Builder b) {
    return Condition.newBuilder().setField(b).build();
  }

  @Test
  @DisplayName("match value/any: arrays match on any element, missing keys and nested arrays never")
  void matchValueAndAny() throws Exception {
    shapes();
    assertEquals(setOf(1, 2, 13), must(matchKeyword("v", "a")));
    assertEquals(setOf(1, 2, 13), must(matchKeywords("v", List.of("a", "zz"))));
    assertEquals(setOf(11), must(match("v", true)));
    assertEquals(
        setOf(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14).size() - 3,
        matching(q.name("shapes"), Filter.newBuilder().addMustNot(matchKeyword("v", "a")).build())
            .size(),
        "must_not keeps points without the key");
  }

  @Test
  @DisplayName("type strictness: an integer match needs an integral value, not 10.0 or '10'")
  void typeStrictness() throws Exception {
    shapes();
    assertEquals(setOf(8, 13), must(match("v", 10)));
    assertEquals(setOf(10), must(matchKeyword("v", "10")));
    assertEquals(Set.of(), must(matchKeyword("v", "true")));
  }

  @Test
  @DisplayName("match except: false for null, missing, [] and [null]; true for other types")
  void matchExcept() throws Exception {
    shapes();
    assertEquals(
        setOf(2, 3, 8, 9, 10, 11, 12, 13, 14), must(matchExceptKeywords("v", List.of("a"))));
    assertEquals(setOf(1, 2, 3, 9, 10, 11, 12, 13, 14), must(matchExceptValues("v", List.of(10L))));
  }

  @Test
  @DisplayName("range compares numbers as doubles; strings, bools, null and objects never match")
  void rangeCondition() throws Exception {
    shapes();
    assertEquals(
        setOf(8, 9, 13), must(range("v", Range.newBuilder().setGte(10).setLte(10).build())));
    assertEquals(setOf(14), must(range("v", Range.newBuilder().setGt(10).build())));
    assertEquals(
        setOf(8, 9, 13, 14), must(range("v", Range.newBuilder().setGt(9.99).setLt(11).build())));
  }

  @Test
  @DisplayName("is_empty: missing, null or []; [null] is not empty")
  void isEmptyCondition() throws Exception {
    shapes();
    assertEquals(setOf(4, 5, 7), must(isEmpty("v")));
    assertEquals(
        setOf(4, 5, 7), must(field(FieldCondition.newBuilder().setKey("v").setIsEmpty(true))));
  }

  @Test
  @DisplayName("is_null: only null itself (Qdrant 1.19); the FieldCondition form also takes [null]")
  void isNullCondition() throws Exception {
    shapes();
    assertEquals(setOf(4), must(isNull("v")));
    // condition_checker.rs check_is_null: an array counts as null when it holds a null.
    assertEquals(setOf(4, 6), must(field(FieldCondition.newBuilder().setKey("v").setIsNull(true))));
  }

  @Test
  @DisplayName(
      "key paths: a.b walks objects only; a[].b and a[0].b enter arrays; nested checks"
          + " each element on its own")
  void keyPathsAndNested() throws Exception {
    q.create("paths", 2, Distance.Dot);
    q.client
        .upsertAsync(
            q.name("paths"),
            List.of(
                point(20, "{'o': {'b': 'x'}}", 1f, 0f),
                point(21, "{'o': [{'b': 'x'}, {'b': 'y'}]}", 1f, 0f),
                point(22, "{'o': [{'b': 'y'}]}", 1f, 0f),
                point(23, "{'o': [{'b': 'x', 'c': 2}, {'b': 'y', 'c': 1}]}", 1f, 0f)))
        .get();
    assertEquals(
        setOf(20),
        matching(q.name("paths"), Filter.newBuilder().addMust(matchKeyword("o.b", "x")).build()));
    assertEquals(
        setOf(21, 23),
        matching(q.name("paths"), Filter.newBuilder().addMust(matchKeyword("o[].b", "x")).build()));
    assertEquals(
        setOf(21, 23),
        matching(
            q.name("paths"), Filter.newBuilder().addMust(matchKeyword("o[1].b", "y")).build()));
    assertEquals(
        setOf(22),
        matching(
            q.name("paths"), Filter.newBuilder().addMust(matchKeyword("o[0].b", "y")).build()));
    // Flat conditions may be satisfied by different elements; nested needs one element for both.
    assertEquals(
        setOf(23),
        matching(
            q.name("paths"),
            Filter.newBuilder()
                .addMust(matchKeyword("o[].b", "x"))
                .addMust(match("o[].c", 1))
                .build()));
    assertEquals(
        Set.of(),
        matching(
            q.name("paths"),
            Filter.newBuilder()
                .addMust(
                    nested(
                        "o",
                        Filter.newBuilder()
                            .addMust(matchKeyword("b", "x"))
                            .addMust(match("c", 1))
                            .build()))
                .build()));
    assertEquals(
        setOf(21, 23),
        matching(
            q.name("paths"),
            Filter.newBuilder().addMust(nested("o", matchKeyword("b", "x"))).build()));
  }

  @Test
  @DisplayName(
      "values_count: null counts 0, an array its length, any other value 1; a missing"
          + " key matches no count")
  void valuesCountCondition() throws Exception {
    shapes();
    assertEquals(setOf(2, 13), must(valuesCount("v", ValuesCount.newBuilder().setGte(2).build())));
    assertEquals(
        setOf(1, 3, 6, 8, 9, 10, 11, 12, 14),
        must(valuesCount("v", ValuesCount.newBuilder().setGte(1).setLte(1).build())));
    assertEquals(
        setOf(4, 5),
        must(valuesCount("v", ValuesCount.newBuilder().setLt(1).build())),
        "null and [] count 0; the missing key (7) does not match");
    assertEquals(
        setOf(1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14),
        must(valuesCount("v", ValuesCount.getDefaultInstance())),
        "no bounds: any point with the key");
  }

  @Test
  @DisplayName(
      "full-text conditions without a text index match a substring, case-sensitive;"
          + " text_any matches any whitespace-separated token and nothing when there is none")
  void fullTextWithoutIndex() throws Exception {
    q.create("text", 2, Distance.Dot);
    q.client
        .upsertAsync(
            q.name("text"),
            List.of(
                point(1, "{'t': 'The quick brown fox'}", 1f, 0f),
                point(2, "{'t': 'quick, brown'}", 1f, 0f),
                point(3, "{'t': ['lazy dog', 'brown cow']}", 1f, 0f),
                point(4, "{'t': 'Quick Fox'}", 1f, 0f),
                point(5, "{'t': 'quickly'}", 1f, 0f),
                point(6, "{'t': 7}", 1f, 0f),
                point(7, "{}", 1f, 0f)))
        .get();
    String c = q.name("text");
    assertEquals(
        setOf(1, 2, 5), matching(c, Filter.newBuilder().addMust(matchText("t", "quick")).build()));
    assertEquals(
        setOf(1), matching(c, Filter.newBuilder().addMust(matchText("t", "quick brown")).build()));
    assertEquals(
        setOf(1, 2, 3),
        matching(c, Filter.newBuilder().addMust(matchText("t", "brown")).build()),
        "an array matches on any element");
    assertEquals(
        setOf(1, 2, 3, 4, 5),
        matching(c, Filter.newBuilder().addMust(matchText("t", "")).build()),
        "every string contains the empty string");
    assertEquals(
        setOf(1), matching(c, Filter.newBuilder().addMust(matchPhrase("t", "brown fox")).build()));
    assertEquals(
        setOf(1, 3),
        matching(c, Filter.newBuilder().addMust(matchTextAny("t", "lazy  fox")).build()));
    assertEquals(
        Set.of(), matching(c, Filter.newBuilder().addMust(matchTextAny("t", " ")).build()));
    // A keyword index does not change full-text answers.
    q.client
        .createPayloadIndexAsync(c, "t", PayloadSchemaType.Keyword, null, true, null, null)
        .get();
    assertEquals(
        setOf(1, 2, 5), matching(c, Filter.newBuilder().addMust(matchText("t", "quick")).build()));
  }

  @Test
  @DisplayName("should/must/must_not combine; has_id matches ids; an empty should is absent")
  void booleanCombination() throws Exception {
    shapes();
    Filter f =
        Filter.newBuilder()
            .addShould(matchKeyword("v", "a"))
            .addShould(match("v", 10))
            .addMustNot(hasId(id(13)))
            .build();
    assertEquals(setOf(1, 2, 8), matching(q.name("shapes"), f));
    assertEquals(
        14,
        matching(
                q.name("shapes"),
                Filter.newBuilder().addShould(Condition.getDefaultInstance()).build())
            .size(),
        "untyped conditions are dropped");
  }

  @Test
  @DisplayName(
      "min_should without conditions: dropped from a request's filter and its filter conditions, false inside nested")
  void emptyMinShould() throws Exception {
    q.create("minshould", 2, Distance.Dot);
    q.client
        .upsertAsync(
            q.name("minshould"),
            List.of(point(1, "{'items': [{'a': 1}]}", 1f, 1f), point(2, "{}", 1f, 2f)))
        .get();
    Filter empty =
        Filter.newBuilder()
            .setMinShould(io.qdrant.client.grpc.Common.MinShould.newBuilder().setMinCount(1))
            .build();
    // Qdrant's optimised filter (optimizer.rs) leaves an empty min_should out ...
    assertEquals(setOf(1, 2), matching(q.name("minshould"), empty));
    assertEquals(
        setOf(1, 2),
        matching(
            q.name("minshould"),
            Filter.newBuilder().addMust(io.qdrant.client.ConditionFactory.filter(empty)).build()));
    // ... but a nested condition's filter is checked directly (query_checker.rs): 0 of 0 < 1.
    assertEquals(
        Set.of(),
        matching(
            q.name("minshould"),
            Filter.newBuilder()
                .addMust(io.qdrant.client.ConditionFactory.nested("items", empty))
                .build()));
  }

  // ------------------------------------------------------------------ scoring

  private static List<ScoredPoint> search(
      String c, float[] query, Float threshold, long offset, boolean withVectors) throws Exception {
    SearchPoints.Builder b =
        SearchPoints.newBuilder()
            .setCollectionName(c)
            .setLimit(10)
            .setOffset(offset)
            .setWithVectors(WithVectorsSelectorFactory.enable(withVectors));
    for (float f : query) {
      b.addVector(f);
    }
    if (threshold != null) {
      b.setScoreThreshold(threshold);
    }
    return q.client.searchAsync(b.build()).get();
  }

  private static List<Long> order(List<ScoredPoint> r) {
    List<Long> out = new ArrayList<>();
    r.forEach(p -> out.add(p.getId().getNum()));
    return out;
  }

  @Test
  @DisplayName("cosine: vectors normalised at upsert (zero stays zero), score is their dot product")
  void cosineNormalisation() throws Exception {
    q.create("cos", 2, Distance.Cosine);
    q.client
        .upsertAsync(
            q.name("cos"),
            List.of(point(1, null, 6f, 8f), point(2, null, 0f, 0f), point(3, null, 0f, 1f)))
        .get();
    List<ScoredPoint> r = search(q.name("cos"), new float[] {3f, 4f}, null, 0, true);
    assertEquals(List.of(1L, 3L, 2L), order(r));
    assertEquals(1.0f, r.get(0).getScore(), 1e-6f);
    assertEquals(0.8f, r.get(1).getScore(), 1e-6f);
    assertEquals(0.0f, r.get(2).getScore(), 0f);
    assertEquals(List.of(0.6f, 0.8f), r.get(0).getVectors().getVector().getDense().getDataList());
    assertEquals(List.of(0f, 0f), r.get(2).getVectors().getVector().getDense().getDataList());
  }

  @Test
  @DisplayName("euclid and manhattan return distances, smaller first; thresholds are strict")
  void distancesAndStrictThresholds() throws Exception {
    for (Distance d : new Distance[] {Distance.Euclid, Distance.Manhattan}) {
      String c = q.name("dist_" + d);
      q.create(c, 2, d);
      q.client
          .upsertAsync(
              c, List.of(point(1, null, 3f, 4f), point(2, null, 1f, 0f), point(3, null, 0f, 2f)))
          .get();
      List<ScoredPoint> r = search(c, new float[] {0f, 0f}, null, 0, false);
      assertEquals(List.of(2L, 3L, 1L), order(r), d.toString());
      assertEquals(d == Distance.Euclid ? 5f : 7f, r.get(2).getScore(), 1e-6f);
      assertEquals(
          List.of(2L),
          order(search(c, new float[] {0f, 0f}, 2f, 0, false)),
          d + ": a score equal to the threshold is dropped");
    }
    q.create("dot", 2, Distance.Dot);
    q.client
        .upsertAsync(q.name("dot"), List.of(point(1, null, 2f, 0f), point(2, null, 1f, 0f)))
        .get();
    assertEquals(List.of(1L), order(search(q.name("dot"), new float[] {1f, 0f}, 1f, 0, false)));
  }

  @Test
  @DisplayName("score_threshold is applied before offset is skipped")
  void thresholdThenOffset() throws Exception {
    q.create("ranked", 2, Distance.Dot);
    List<io.qdrant.client.grpc.Points.PointStruct> points = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      points.add(point(i, null, i, 0f));
    }
    q.client.upsertAsync(q.name("ranked"), points).get();
    assertEquals(
        List.of(4L, 3L), order(search(q.name("ranked"), new float[] {1f, 0f}, 2.5f, 1, false)));
    List<ScoredPoint> viaQuery =
        q.client
            .queryAsync(
                QueryPoints.newBuilder()
                    .setCollectionName(q.name("ranked"))
                    .setQuery(nearest(1f, 0f))
                    .setScoreThreshold(2.5f)
                    .setOffset(1)
                    .setLimit(10)
                    .build())
            .get();
    assertEquals(List.of(4L, 3L), order(viaQuery));

    // limit and offset are unsigned on the wire: the largest limit returns everything.
    List<ScoredPoint> all =
        q.client
            .searchAsync(
                SearchPoints.newBuilder()
                    .setCollectionName(q.name("ranked"))
                    .addAllVector(List.of(1f, 0f))
                    .setLimit(-1L)
                    .build())
            .get();
    assertEquals(List.of(5L, 4L, 3L, 2L, 1L), order(all));
    assertTrue(search(q.name("ranked"), new float[] {1f, 0f}, null, -1L, false).isEmpty());
  }

  // ------------------------------------------------------------------ points

  @Test
  @DisplayName(
      "ids: numbers (unsigned) before UUIDs, UUIDs by unsigned bytes; scroll pages by"
          + " next_page_offset")
  void idOrder() throws Exception {
    q.create("ids", 2, Distance.Dot);
    PointId[] expected = {
      id(1),
      id(Long.MAX_VALUE),
      id(Long.MIN_VALUE),
      id(-1L),
      id(UUID.fromString("00000000-0000-0000-0000-000000000001")),
      id(UUID.fromString("7fffffff-ffff-ffff-ffff-ffffffffffff")),
      id(UUID.fromString("80000000-0000-0000-0000-000000000000")),
      id(UUID.fromString("ffffffff-ffff-ffff-ffff-ffffffffffff")),
    };
    List<io.qdrant.client.grpc.Points.PointStruct> points = new ArrayList<>();
    for (int i = expected.length - 1; i >= 0; i--) {
      points.add(point(expected[i], null, 1f, 1f));
    }
    q.client.upsertAsync(q.name("ids"), points).get();
    List<PointId> seen = new ArrayList<>();
    PointId offset = null;
    do {
      ScrollPoints.Builder b =
          ScrollPoints.newBuilder().setCollectionName(q.name("ids")).setLimit(3);
      if (offset != null) {
        b.setOffset(offset);
      }
      ScrollResponse r = q.client.scrollAsync(b.build()).get();
      r.getResultList().forEach(p -> seen.add(p.getId()));
      offset = r.hasNextPageOffset() ? r.getNextPageOffset() : null;
    } while (offset != null);
    assertEquals(List.of(expected), seen);
  }

  @Test
  @DisplayName(
      "get returns request order, skips missing ids, drops duplicates, no payload by"
          + " default; upsert replaces the whole point")
  void getAndReplace() throws Exception {
    q.create("get", 2, Distance.Dot);
    q.client
        .upsertAsync(
            q.name("get"), List.of(point(1, "{'a': 1}", 1f, 0f), point(3, "{'a': 3}", 0f, 1f)))
        .get();
    List<RetrievedPoint> got =
        q.client
            .retrieveAsync(
                GetPoints.newBuilder()
                    .setCollectionName(q.name("get"))
                    .addIds(id(3))
                    .addIds(id(99))
                    .addIds(id(1))
                    .addIds(id(3))
                    .build(),
                null)
            .get();
    assertEquals(List.of(3L, 1L), QdrantFixture.orderedIds(got));
    assertTrue(got.get(0).getPayloadMap().isEmpty());

    q.client.upsertAsync(q.name("get"), List.of(point(1, "{'b': 2}", 0f, 5f))).get();
    RetrievedPoint p =
        q.client
            .retrieveAsync(
                q.name("get"),
                List.of(id(1)),
                WithPayloadSelectorFactory.enable(true),
                WithVectorsSelectorFactory.enable(true),
                null)
            .get()
            .get(0);
    assertEquals(Set.of("b"), p.getPayloadMap().keySet());
    assertEquals(List.of(0f, 5f), p.getVectors().getVector().getDense().getDataList());
  }

  @Test
  @DisplayName("payload defaults: scroll returns payload, search and query do not unless asked")
  void payloadDefaults() throws Exception {
    q.create("defaults", 2, Distance.Dot);
    q.client.upsertAsync(q.name("defaults"), List.of(point(1, "{'a': 1}", 1f, 0f))).get();
    assertEquals(
        Set.of("a"),
        q.client
            .scrollAsync(ScrollPoints.newBuilder().setCollectionName(q.name("defaults")).build())
            .get()
            .getResult(0)
            .getPayloadMap()
            .keySet());
    assertTrue(
        search(q.name("defaults"), new float[] {1f, 0f}, null, 0, false)
            .get(0)
            .getPayloadMap()
            .isEmpty());
    assertTrue(
        q.client
            .queryAsync(
                QueryPoints.newBuilder()
                    .setCollectionName(q.name("defaults"))
                    .setQuery(nearest(1f, 0f))
                    .build())
            .get()
            .get(0)
            .getPayloadMap()
            .isEmpty());
    assertEquals(
        Set.of("a"),
        q.client
            .queryAsync(
                QueryPoints.newBuilder()
                    .setCollectionName(q.name("defaults"))
                    .setQuery(nearest(1f, 0f))
                    .setWithPayload(WithPayloadSelectorFactory.enable(true))
                    .build())
            .get()
            .get(0)
            .getPayloadMap()
            .keySet());
  }
}
