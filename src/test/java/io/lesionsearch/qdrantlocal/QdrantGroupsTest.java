package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.failure;
import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.GroupId;
import io.qdrant.client.grpc.Points.PointGroup;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPointGroups;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPointGroups;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Points/SearchGroups and Points/QueryGroups against Qdrant's grouping
 * (lib/collection/src/grouping/group_by.rs, aggregator.rs, segment data_types/groups.rs) and its
 * tests/openapi/test_group.py, through the official Java client. Runs against a real server with
 * {@code -Dlesion.test.qdrant=HOST:PORT}.
 */
class QdrantGroupsTest {
  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();

  private static SearchPointGroups.Builder search(String collection, String groupBy, float... v) {
    SearchPointGroups.Builder b =
        SearchPointGroups.newBuilder().setCollectionName(collection).setGroupBy(groupBy);
    for (float f : v) {
      b.addVector(f);
    }
    return b;
  }

  private static List<PointGroup> groups(SearchPointGroups.Builder b) throws Exception {
    return q.client.searchGroupsAsync(b.build()).get();
  }

  private static GroupId key(String s) {
    return GroupId.newBuilder().setStringValue(s).build();
  }

  private static GroupId key(long n) {
    return n >= 0
        ? GroupId.newBuilder().setUnsignedValue(n).build()
        : GroupId.newBuilder().setIntegerValue(n).build();
  }

  private static List<GroupId> ids(List<PointGroup> groups) {
    List<GroupId> out = new ArrayList<>();
    for (PointGroup g : groups) {
      out.add(g.getId());
    }
    return out;
  }

  private static List<Long> hitIds(PointGroup g) {
    List<Long> out = new ArrayList<>();
    for (ScoredPoint p : g.getHitsList()) {
      out.add(p.getId().getNum());
    }
    return out;
  }

  /** test_group.py's chunked documents: 50 docs of 5 chunks, all on one vector. */
  private static String chunkedDocs() throws Exception {
    String c = q.create("docs", 4, Distance.Dot);
    List<PointStruct> points = new ArrayList<>();
    for (int doc = 0; doc < 50; doc++) {
      for (int chunk = 0; chunk < 5; chunk++) {
        points.add(point(doc * 5L + chunk, "{'docId': " + doc + "}", 1f, 0f, 0f, 0f));
      }
    }
    q.client.upsertAsync(c, points).get();
    return c;
  }

  @Test
  @DisplayName("limit counts groups, group_size hits; every hit carries its group's key")
  void limitAndGroupSize() throws Exception {
    String c = chunkedDocs();
    List<PointGroup> groups =
        groups(
            search(c, "docId", 1f, 0f, 0f, 0f)
                .setLimit(10)
                .setGroupSize(3)
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .setWithVectors(WithVectorsSelectorFactory.enable(true)));
    assertEquals(10, groups.size());
    assertEquals(10, new HashSet<>(ids(groups)).size(), "groups are distinct");
    for (PointGroup g : groups) {
      assertEquals(3, g.getHitsCount());
      for (ScoredPoint h : g.getHitsList()) {
        assertEquals(
            g.getId().getUnsignedValue(), h.getPayloadMap().get("docId").getIntegerValue());
        assertEquals(List.of(1f, 0f, 0f, 0f), h.getVectors().getVector().getDense().getDataList());
      }
    }
  }

  @Test
  @DisplayName("groups ordered by their best hit, hits by score; Euclid ranks smaller first")
  void ordering() throws Exception {
    for (Distance d : List.of(Distance.Dot, Distance.Euclid)) {
      String c = q.create("order" + d, 1, d);
      // Scores for query [1]: Dot = x, Euclid distance = |x - 1|.
      q.client
          .upsertAsync(
              c,
              List.of(
                  point(1, "{'g': 'a'}", 0.5f),
                  point(2, "{'g': 'a'}", 0.9f),
                  point(3, "{'g': 'b'}", 0.95f),
                  point(4, "{'g': 'b'}", 0.1f),
                  point(5, "{'g': 'c'}", 0.2f),
                  point(6, "{'g': 'a'}", 0.3f)))
          .get();
      List<PointGroup> groups = groups(search(c, "g", 1f).setLimit(2).setGroupSize(2));
      assertEquals(List.of(key("b"), key("a")), ids(groups), d.toString());
      assertEquals(List.of(3L, 4L), hitIds(groups.get(0)), d.toString());
      assertEquals(List.of(2L, 1L), hitIds(groups.get(1)), d.toString());
      assertTrue(groups.get(0).getHits(0).getPayloadMap().isEmpty(), "no payload by default");
    }
  }

  @Test
  @DisplayName("test_search_with_multiple_groups: the filling rounds complete a group found late")
  void multiValueFilling() throws Exception {
    String c = q.create("mkey", 4, Distance.Dot);
    List<PointStruct> points = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      points.add(point(9000 + i, "{'mkey': ['a']}", 0f, 0f, 1f, 1f));
    }
    for (int i = 0; i < 10; i++) {
      points.add(point(9100 + i, "{'mkey': ['a', 'b']}", 0f, 0f, 1f, 0f));
    }
    q.client.upsertAsync(c, points).get();
    List<PointGroup> groups = groups(search(c, "mkey", 0f, 0f, 1f, 1f).setLimit(2).setGroupSize(2));
    assertEquals(List.of(key("a"), key("b")), ids(groups));
    assertEquals(2, groups.get(1).getHitsCount(), "b was filled by a later round");
  }

  @Test
  @DisplayName("an array puts the point in every element's group, also with the key written a[]")
  void arrayKeys() throws Exception {
    String c = q.create("multi", 4, Distance.Dot);
    List<PointStruct> points = new ArrayList<>();
    for (int doc = 0; doc < 3; doc++) {
      for (int chunk = 0; chunk < 5; chunk++) {
        points.add(
            point(
                5000 + doc * 5L + chunk,
                "{'multiId': ['valid_" + doc + "', 'valid_too_" + doc + "']}",
                0f,
                1f,
                0f,
                0f));
      }
    }
    q.client.upsertAsync(c, points).get();
    for (String key : List.of("multiId", "multiId[]")) {
      List<PointGroup> groups = groups(search(c, key, 0f, 1f, 0f, 0f).setLimit(6).setGroupSize(3));
      Set<GroupId> expected = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        expected.add(key("valid_" + i));
        expected.add(key("valid_too_" + i));
      }
      assertEquals(expected, new HashSet<>(ids(groups)), key);
    }
  }

  @Test
  @DisplayName(
      "key types: strings and integers (unsigned unless negative) group; doubles, objects,"
          + " nested arrays, null and [] never; a missing key groups nothing")
  void keyTypes() throws Exception {
    String c = q.create("hetero", 4, Distance.Dot);
    String[] payloads = {
      "{'h': 'string'}",
      "{'h': 123}",
      "{'h': [1, 2, 3]}",
      "{'h': ['a', 'b', 'c']}",
      "{'h': 2.42}",
      "{'h': [['a', 'b', 'c']]}",
      "{'h': {'object': 'string'}}",
      "{'h': []}",
      "{'h': null}",
      "{'h': -7}",
      "{'h': '123'}",
      "{'h': [5, true]}",
      "{'other': 1}",
    };
    List<PointStruct> points = new ArrayList<>();
    for (int i = 0; i < payloads.length; i++) {
      points.add(point(6000 + i, payloads[i], 0f, 0f, 1f, 0f));
    }
    q.client.upsertAsync(c, points).get();
    List<PointGroup> groups = groups(search(c, "h", 0f, 0f, 1f, 0f).setLimit(20).setGroupSize(3));
    assertEquals(
        Set.of(
            key("string"),
            key(123),
            key(1),
            key(2),
            key(3),
            key("a"),
            key("b"),
            key("c"),
            key(-7),
            key("123")),
        new HashSet<>(ids(groups)));
    assertEquals(
        List.of(),
        groups(search(c, "nope", 0f, 0f, 1f, 0f).setLimit(10).setGroupSize(3)),
        "test_inexistent_group_by");
  }

  @Test
  @DisplayName("filter, score_threshold and a payload include apply to grouped searches")
  void filterThresholdAndPayload() throws Exception {
    String c = q.create("filtered", 1, Distance.Dot);
    q.client
        .upsertAsync(
            c,
            List.of(
                point(1, "{'g': 'a', 'sex': 'female', 'age': 40}", 0.9f),
                point(2, "{'g': 'a', 'sex': 'male', 'age': 41}", 0.95f),
                point(3, "{'g': 'b', 'sex': 'female', 'age': 42}", 0.8f),
                point(4, "{'g': 'c', 'sex': 'female', 'age': 43}", 0.1f),
                point(5, "{'g': 'b', 'sex': 'female', 'age': 44}", 0.7f)))
        .get();
    List<PointGroup> groups =
        groups(
            search(c, "g", 1f)
                .setLimit(5)
                .setGroupSize(5)
                .setFilter(Filter.newBuilder().addMust(matchKeyword("sex", "female")))
                .setScoreThreshold(0.5f)
                .setWithPayload(WithPayloadSelectorFactory.include(List.of("age"))));
    assertEquals(List.of(key("a"), key("b")), ids(groups));
    assertEquals(List.of(1L), hitIds(groups.get(0)));
    assertEquals(List.of(3L, 5L), hitIds(groups.get(1)));
    assertEquals(Set.of("age"), groups.get(1).getHits(0).getPayloadMap().keySet());
  }

  @Test
  @DisplayName("QueryGroups: 10 groups of 3 by default; a query by id leaves the example out")
  void queryGroups() throws Exception {
    String c = chunkedDocs();
    List<PointGroup> groups =
        q.client
            .queryGroupsAsync(
                QueryPointGroups.newBuilder()
                    .setCollectionName(c)
                    .setQuery(nearest(1f, 0f, 0f, 0f))
                    .setGroupBy("docId")
                    .build())
            .get();
    assertEquals(10, groups.size());
    for (PointGroup g : groups) {
      assertEquals(3, g.getHitsCount());
    }
    List<PointGroup> byId =
        q.client
            .queryGroupsAsync(
                QueryPointGroups.newBuilder()
                    .setCollectionName(c)
                    .setQuery(nearest(id(0)))
                    .setGroupBy("docId")
                    .setLimit(250)
                    .setGroupSize(5)
                    .build())
            .get();
    int hits = 0;
    for (PointGroup g : byId) {
      for (ScoredPoint p : g.getHitsList()) {
        assertTrue(p.getId().getNum() != 0, "the example point is not an answer");
        hits++;
      }
    }
    assertEquals(249, hits);
  }

  @Test
  @DisplayName("validation: group_size, limit and group_by, worded as Qdrant's validator")
  void validation() throws Exception {
    String c = chunkedDocs();
    // One problem per request: Qdrant lists several in hash-map order.
    Status s =
        failure(q.client.searchGroupsAsync(search(c, "docId", 1f, 0f, 0f, 0f).setLimit(1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Validation error in body: [group_size: value 0 invalid, must be 1 or larger]",
        s.getDescription());
    s =
        failure(
            q.client.searchGroupsAsync(search(c, "docId", 1f, 0f, 0f, 0f).setGroupSize(1).build()));
    assertEquals(
        "Validation error in body: [limit: value 0 invalid, must be 1 or larger]",
        s.getDescription());
    s =
        failure(
            q.client.searchGroupsAsync(
                search(c, "", 1f, 0f, 0f, 0f).setLimit(1).setGroupSize(1).build()));
    assertEquals(
        "Validation error in body: [group_by: value \"\" invalid, must be at least 1 characters]",
        s.getDescription());
    s =
        failure(
            q.client.queryGroupsAsync(
                QueryPointGroups.newBuilder()
                    .setCollectionName(c)
                    .setQuery(nearest(1f, 0f, 0f, 0f))
                    .setGroupBy("docId")
                    .setGroupSize(0)
                    .build()));
    assertEquals(
        "Validation error in body: [group_size: value 0 invalid, must be 1 or larger]",
        s.getDescription());
  }
}
