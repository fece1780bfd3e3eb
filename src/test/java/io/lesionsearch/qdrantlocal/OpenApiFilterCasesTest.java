package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.ids;
import static io.lesionsearch.qdrantlocal.QdrantFixture.json;
import static io.lesionsearch.qdrantlocal.QdrantFixture.parse;
import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static io.lesionsearch.qdrantlocal.QdrantFixture.retrievedIds;
import static io.lesionsearch.qdrantlocal.QdrantFixture.setOf;
import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchExceptKeywords;
import static io.qdrant.client.ConditionFactory.matchExceptValues;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.matchValues;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.PointIdFactory.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.MinShould;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cases of qdrant/qdrant tests/openapi test_filter_min_should.py, test_match_except_empty.py,
 * test_match_any_empty.py and test_payload_selector.py, each on its own seeded collection.
 */
class OpenApiFilterCasesTest {
  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();

  // ------------------------------------------------------------------ test_filter_min_should.py

  /** helpers/collection_setup.py::multipayload_collection_setup (without the sparse vector). */
  private static void multipayloadSetup() throws Exception {
    q.create("mp", 4, Distance.Dot);
    q.client
        .upsertAsync(
            q.name("mp"),
            List.of(
                point(1, "{'city': 'Berlin', 'color': 'red'}", 0.05f, 0.61f, 0.76f, 0.74f),
                point(
                    2,
                    "{'city': ['Berlin', 'London'], 'color': 'green'}",
                    0.19f,
                    0.81f,
                    0.75f,
                    0.11f),
                point(
                    3,
                    "{'city': ['Berlin', 'Moscow'], 'color': 'blue'}",
                    0.36f,
                    0.55f,
                    0.47f,
                    0.94f),
                point(
                    4,
                    "{'city': ['London', 'Moscow'], 'color': 'red'}",
                    0.18f,
                    0.01f,
                    0.85f,
                    0.80f),
                point(
                    5, "{'city': 'Seoul', 'color': 'red', 'count': 0}", 0.24f, 0.18f, 0.22f, 0.44f),
                point(
                    6,
                    "{'city': 'Berlin', 'color': 'red', 'count': 1, 'price': 10.0}",
                    0.35f,
                    0.08f,
                    0.11f,
                    0.44f),
                point(
                    7,
                    "{'city': 'London', 'color': 'red', 'count': 0, 'price': 50.0}",
                    0.25f,
                    0.98f,
                    0.14f,
                    0.43f),
                point(
                    8,
                    "{'city': 'Moscow', 'color': 'red', 'count': 1, 'price': 100.0}",
                    0.19f,
                    0.53f,
                    0.72f,
                    0.15f)))
        .get();
  }

  private static MinShould twoOfThree() {
    return MinShould.newBuilder()
        .addConditions(matchKeywords("city", List.of("Berlin", "Moscow")))
        .addConditions(matchKeyword("color", "red"))
        .addConditions(match("count", 0))
        .setMinCount(2)
        .build();
  }

  private static List<ScoredPoint> searchMp(int limit, Filter f) throws Exception {
    return q.client
        .searchAsync(
            SearchPoints.newBuilder()
                .setCollectionName(q.name("mp"))
                .addAllVector(List.of(0.2f, 0.1f, 0.9f, 0.7f))
                .setLimit(limit)
                .setFilter(f)
                .setWithPayload(
                    WithPayloadSelectorFactory.include(List.of("city", "color", "count", "price")))
                .build())
        .get();
  }

  @Test
  @DisplayName("qdrant tests/openapi/test_filter_min_should.py::test_min_should_never")
  void minShouldNever() throws Exception {
    multipayloadSetup();
    Filter f =
        Filter.newBuilder()
            .setMinShould(
                MinShould.newBuilder()
                    .addConditions(hasId(List.of(id(1), id(2))))
                    .addConditions(hasId(List.of(id(4), id(5), id(6))))
                    .addConditions(hasId(List.of(id(7), id(8), id(9), id(10))))
                    .setMinCount(2))
            .build();
    List<ScoredPoint> r =
        q.client
            .queryAsync(
                QueryPoints.newBuilder()
                    .setCollectionName(q.name("mp"))
                    .setFilter(f)
                    .setLimit(100)
                    .build())
            .get();
    assertTrue(r.isEmpty());
  }

  @Test
  @DisplayName("qdrant tests/openapi/test_filter_min_should.py::test_min_should")
  void minShould() throws Exception {
    multipayloadSetup();
    List<ScoredPoint> r = searchMp(6, Filter.newBuilder().setMinShould(twoOfThree()).build());
    assertEquals(setOf(1, 4, 5, 6, 7, 8), ids(r));
  }

  @Test
  @DisplayName("qdrant tests/openapi/test_filter_min_should.py::test_min_should_combined_with_must")
  void minShouldCombinedWithMust() throws Exception {
    multipayloadSetup();
    Filter f =
        Filter.newBuilder()
            .setMinShould(twoOfThree())
            .addMust(range("price", Range.newBuilder().setGte(50.0).setLte(200.0).build()))
            .build();
    assertEquals(setOf(7, 8), ids(searchMp(2, f)));
  }

  @Test
  @DisplayName("qdrant tests/openapi/test_filter_min_should.py::test_nested_min_should")
  void nestedMinShould() throws Exception {
    multipayloadSetup();
    Filter f =
        Filter.newBuilder()
            .addMustNot(filter(Filter.newBuilder().setMinShould(twoOfThree()).build()))
            .build();
    assertEquals(setOf(2, 3), ids(searchMp(2, f)));
  }

  @Test
  @DisplayName(
      "qdrant tests/openapi/test_filter_min_should.py::test_missing_min_count"
          + " (gRPC has no missing min_count: 0 lets every point through)")
  void minCountZero() throws Exception {
    multipayloadSetup();
    Filter f =
        Filter.newBuilder()
            .setMinShould(
                MinShould.newBuilder()
                    .addConditions(matchKeywords("city", List.of("London", "Moscow"))))
            .build();
    assertEquals(8, searchMp(10, f).size());
  }

  // ------------------------------------------------------------------ test_match_except_empty.py

  private static void threePoints(String name, boolean withUid) throws Exception {
    q.create(name, 2, Distance.Dot);
    q.client
        .upsertAsync(
            name,
            List.of(
                point(
                    1,
                    "{'n': 1, 'tag': 'a'"
                        + (withUid ? ", 'uid': '550e8400-e29b-41d4-a716-446655440001'}" : "}"),
                    1f,
                    0f),
                point(
                    2,
                    "{'n': 2, 'tag': 'b'"
                        + (withUid ? ", 'uid': '550e8400-e29b-41d4-a716-446655440002'}" : "}"),
                    0f,
                    1f),
                point(
                    3,
                    "{'n': 3, 'tag': 'c'"
                        + (withUid ? ", 'uid': '550e8400-e29b-41d4-a716-446655440003'}" : "}"),
                    1f,
                    1f)))
        .get();
  }

  private static Set<Long> scrollIds(String name, Filter f) throws Exception {
    return retrievedIds(
        q.client
            .scrollAsync(
                ScrollPoints.newBuilder()
                    .setCollectionName(name)
                    .setFilter(f)
                    .setLimit(10)
                    .setWithPayload(WithPayloadSelectorFactory.enable(true))
                    .build())
            .get()
            .getResultList());
  }

  private static Filter must(Condition c) {
    return Filter.newBuilder().addMust(c).build();
  }

  private static void index(String name, String field, PayloadSchemaType type) throws Exception {
    assertEquals(
        UpdateStatus.Completed,
        q.client
            .createPayloadIndexAsync(name, field, type, null, true, null, null)
            .get()
            .getStatus());
  }

  @Test
  @DisplayName("qdrant tests/openapi/test_match_except_empty.py (all four cases)")
  void matchExceptEmpty() throws Exception {
    threePoints(q.name("except_empty"), false);
    // except: [] excludes nothing: every point that has the field matches, with or without index
    assertEquals(
        setOf(1, 2, 3), scrollIds(q.name("except_empty"), must(matchExceptValues("n", List.of()))));
    assertEquals(
        setOf(1, 2, 3),
        scrollIds(q.name("except_empty"), must(matchExceptKeywords("tag", List.of()))));
    index(q.name("except_empty"), "n", PayloadSchemaType.Integer);
    assertEquals(
        setOf(1, 2, 3), scrollIds(q.name("except_empty"), must(matchExceptValues("n", List.of()))));
    index(q.name("except_empty"), "tag", PayloadSchemaType.Keyword);
    assertEquals(
        setOf(1, 2, 3),
        scrollIds(q.name("except_empty"), must(matchExceptKeywords("tag", List.of()))));
    // ... but not points without it
    assertEquals(
        Set.of(), scrollIds(q.name("except_empty"), must(matchExceptKeywords("nope", List.of()))));
  }

  // ------------------------------------------------------------------ test_match_any_empty.py

  @Test
  @DisplayName("qdrant tests/openapi/test_match_any_empty.py (no-index, index and must_not cases)")
  void matchAnyEmpty() throws Exception {
    String c = q.name("any_empty");
    threePoints(c, true);
    for (int pass = 0; pass < 2; pass++) {
      // any: [] matches nothing
      assertEquals(Set.of(), scrollIds(c, must(matchValues("n", List.of()))), "pass " + pass);
      assertEquals(Set.of(), scrollIds(c, must(matchKeywords("tag", List.of()))), "pass " + pass);
      assertEquals(Set.of(), scrollIds(c, must(matchKeywords("uid", List.of()))), "pass " + pass);
      if (pass == 0) {
        assertEquals(setOf(1), scrollIds(c, must(matchValues("n", List.of(1L)))));
        assertEquals(setOf(1), scrollIds(c, must(matchKeywords("tag", List.of("a")))));
        index(c, "n", PayloadSchemaType.Integer);
        index(c, "tag", PayloadSchemaType.Keyword);
        index(c, "uid", PayloadSchemaType.Uuid);
      } else {
        assertEquals(setOf(1, 2), scrollIds(c, must(matchValues("n", List.of(1L, 2L)))));
        assertEquals(setOf(1, 2), scrollIds(c, must(matchKeywords("tag", List.of("a", "b")))));
      }
    }
    // test_match_any_empty_with_strict_mode_in_must_not: must_not over a no-op keeps everything
    assertEquals(
        setOf(1, 2, 3),
        scrollIds(c, Filter.newBuilder().addMustNot(matchValues("n", List.of())).build()));
    assertEquals(
        Set.of("n", "tag", "uid"),
        q.client.getCollectionInfoAsync(c).get().getPayloadSchemaMap().keySet());
  }

  // ------------------------------------------------------------------ test_payload_selector.py

  private static final String GERMANY =
      "{'country': {'name': 'Germany', 'capital': 'Berlin',"
          + " 'cities': ["
          + "{'name': 'Berlin', 'population': 3.7, 'location': {'lon': 13.76116, 'lat': 52.33826},"
          + " 'sightseeing': ['Brandenburg Gate', 'Reichstag']},"
          + "{'name': 'Munich', 'population': 1.5, 'location': {'lon': 11.57549, 'lat': 48.13743},"
          + " 'sightseeing': ['Marienplatz', 'Olympiapark']},"
          + "{'name': 'Hamburg', 'population': 1.8, 'location': {'lon': 9.99368, 'lat': 53.55108},"
          + " 'sightseeing': ['Reeperbahn', 'Elbphilharmonie']}]}}";

  private static final String ENGLAND =
      "{'country': {'name': 'England', 'capital': 'London',"
          + " 'cities': ["
          + "{'name': 'London', 'population': 8.9, 'location': {'lon': -0.12755, 'lat': 51.50722},"
          + " 'sightseeing': ['Big Ben', 'London Eye', 'Buckingham Palace']}]}}";

  private static List<RetrievedPoint> germany(WithPayloadSelector sel) throws Exception {
    ScrollPoints.Builder b =
        ScrollPoints.newBuilder()
            .setCollectionName(q.name("nested"))
            .setLimit(3)
            .setFilter(must(matchKeyword("country.name", "Germany")));
    if (sel != null) {
      b.setWithPayload(sel);
    }
    return q.client.scrollAsync(b.build()).get().getResultList();
  }

  @Test
  @DisplayName("qdrant tests/openapi/test_payload_selector.py::test_payload_selectors")
  void payloadSelectors() throws Exception {
    q.create("nested", 4, Distance.Dot);
    q.client
        .upsertAsync(
            q.name("nested"),
            List.of(
                point(1, GERMANY, 0.05f, 0.61f, 0.76f, 0.74f),
                point(2, ENGLAND, 0.19f, 0.81f, 0.75f, 0.11f)))
        .get();

    List<RetrievedPoint> none = germany(WithPayloadSelectorFactory.enable(false));
    assertEquals(1, none.size());
    assertTrue(none.get(0).getPayloadMap().isEmpty());

    assertEquals(
        parse(GERMANY),
        json(germany(WithPayloadSelectorFactory.enable(true)).get(0).getPayloadMap()));
    assertEquals(
        parse(GERMANY),
        json(germany(null).get(0).getPayloadMap()),
        "scroll returns the payload by default");

    assertEquals(
        parse("{'country': {'name': 'Germany', 'capital': 'Berlin'}}"),
        json(
            germany(WithPayloadSelectorFactory.include(List.of("country.name", "country.capital")))
                .get(0)
                .getPayloadMap()));

    assertEquals(
        parse(GERMANY).get("country").get("cities"),
        json(germany(WithPayloadSelectorFactory.include(List.of("country.cities")))
                .get(0)
                .getPayloadMap())
            .get("country")
            .get("cities"));

    assertEquals(
        parse(
            "{'country': {'cities': [{'name': 'Berlin'}, {'name': 'Munich'},"
                + " {'name': 'Hamburg'}]}}"),
        json(
            germany(WithPayloadSelectorFactory.include(List.of("country.cities[].name")))
                .get(0)
                .getPayloadMap()));

    assertEquals(
        parse("{'country': {'name': 'Germany', 'capital': 'Berlin'}}"),
        json(
            germany(WithPayloadSelectorFactory.exclude(List.of("country.cities")))
                .get(0)
                .getPayloadMap()));

    com.fasterxml.jackson.databind.node.ObjectNode expected =
        (com.fasterxml.jackson.databind.node.ObjectNode) parse(GERMANY).deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected.get("country"))
        .remove(List.of("name", "capital"));
    assertEquals(
        expected,
        json(
            germany(WithPayloadSelectorFactory.exclude(List.of("country.name", "country.capital")))
                .get(0)
                .getPayloadMap()));
  }
}
