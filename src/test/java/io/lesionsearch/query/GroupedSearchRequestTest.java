package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.grpc.Points.GroupId;
import io.qdrant.client.grpc.Points.PointGroup;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** group_by / group_size in requests, and the groups in replies and in the CLI's table. */
class GroupedSearchRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VECTOR = "{\"vector\": [0.1, 0.2, 0.3, 0.4]}";
  private final RequestParser parser = new RequestParser(4, 1000, 2, 2000);

  private SearchRequest parse(String fields) throws Exception {
    return parser.parse(
        "r-1", JSON.readTree("{\"request_id\": \"r-1\", \"query\": " + VECTOR + fields + "}"), 0L);
  }

  private QueryException refused(String fields) {
    return assertThrows(QueryException.class, () -> parse(fields));
  }

  @Test
  void groupByDefaultsToOneHitPerGroupAndLimitCountsGroups() throws Exception {
    SearchSpec spec = parse(", \"group_by\": \"lesion_id\", \"limit\": 7").searches().get(0);
    assertEquals("lesion_id", spec.groupBy());
    assertEquals(1, spec.groupSize());
    assertEquals(7, SearchPoints.parseFrom(spec.searchPoints()).getLimit());
    SearchSpec sized = parse(", \"group_by\": \"dx\", \"group_size\": 10").searches().get(0);
    assertEquals(10, sized.groupSize());
    SearchSpec plain = parse("").searches().get(0);
    assertFalse(plain.grouped());
    assertNull(plain.groupBy());
  }

  @Test
  void refusesWhatQdrantsGroupsCannotDo() {
    QueryException e = refused(", \"group_by\": \"lesion_id\", \"offset\": 5");
    assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    assertTrue(e.getMessage().contains("offset cannot be combined with group_by"), e.getMessage());

    e = refused(", \"group_size\": 2");
    assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    assertTrue(e.getMessage().contains("group_size needs group_by"), e.getMessage());

    e = refused(", \"group_by\": \"image_id\"");
    assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    assertTrue(
        e.getMessage().contains("group_by must be one of [lesion_id, dx, dx_code, dx_type, sex,"),
        e.getMessage());

    e = refused(", \"group_by\": \"" + "x".repeat(10_000) + "\"");
    assertTrue(e.getMessage().length() < 400, "an unknown key is not echoed whole");

    for (String size : List.of("0", "11", "1.5", "\"2\"")) {
      e = refused(", \"group_by\": \"dx\", \"group_size\": " + size);
      assertTrue(e.getMessage().contains("group_size must be an integer from 1 to 10"), size);
    }
  }

  @Test
  void groupsCountTowardsTheRequestsHitBudget() {
    // 2000 hits at most in this parser: 300 groups of 10 are 3000.
    QueryException e = refused(", \"group_by\": \"dx\", \"group_size\": 10, \"limit\": 300");
    assertEquals(ErrorCode.LIMIT_OUT_OF_RANGE, e.code());
  }

  @Test
  void aBatchMayMixGroupedAndPlainSearches() throws Exception {
    SearchRequest r =
        parser.parse(
            "r-2",
            JSON.readTree(
                "{\"request_id\": \"r-2\", \"searches\": [{\"query\": "
                    + VECTOR
                    + ", \"group_by\": \"lesion_id\", \"group_size\": 3}, {\"query\": "
                    + VECTOR
                    + "}]}"),
            0L);
    assertTrue(r.searches().get(0).grouped());
    assertFalse(r.searches().get(1).grouped());
  }

  private static ScoredPoint hit(long id, String imageId, float score) {
    return ScoredPoint.newBuilder()
        .setId(PointIdFactory.id(id))
        .setScore(score)
        .putPayload("image_id", ValueFactory.value(imageId))
        .putPayload("lesion_id", ValueFactory.value("HAM_" + imageId))
        .build();
  }

  private static PointGroup group(GroupId id, ScoredPoint... hits) {
    return PointGroup.newBuilder().setId(id).addAllHits(List.of(hits)).build();
  }

  @Test
  void aGroupedReplyListsGroupsBestFirstWithHitsShapedAsUsual() throws Exception {
    SearchRequest request =
        parse(
            ", \"group_by\": \"lesion_id\", \"group_size\": 2, \"with_payload\": [\"lesion_id\"]");
    Reply reply =
        Replies.ok(
            request,
            List.of(
                SearchResult.ofGroups(
                    List.of(
                        group(
                            GroupId.newBuilder().setStringValue("HAM_a").build(),
                            hit(1, "a", 0.9f),
                            hit(2, "a", 0.8f)),
                        group(GroupId.newBuilder().setUnsignedValue(7).build(), hit(3, "b", 0.7f)),
                        group(GroupId.newBuilder().setIntegerValue(-2).build())))));
    JsonNode json = JSON.readTree(reply.json());
    assertEquals("ok", json.get("status").asText());
    assertFalse(json.has("hits"));
    JsonNode groups = json.get("groups");
    assertEquals(3, groups.size());
    assertEquals("HAM_a", groups.get(0).get("id").asText());
    assertTrue(groups.get(1).get("id").isIntegralNumber());
    assertEquals(7, groups.get(1).get("id").asLong());
    assertEquals(-2, groups.get(2).get("id").asLong());
    JsonNode first = groups.get(0).get("hits");
    assertEquals("a", first.get(0).get("image_id").asText());
    assertEquals(0.9, first.get(0).get("score").asDouble(), 1e-6);
    assertEquals("1", first.get(0).get("id").asText());
    assertEquals("HAM_a", first.get(0).at("/payload/lesion_id").asText());
    assertFalse(first.get(0).get("payload").has("image_id"), "image_id was not asked for");
    assertEquals(3, reply.audit().results().get(0).size(), "the audit record keeps every hit");

    StringWriter table = new StringWriter();
    ReplyTable.print(json, new PrintWriter(table, true));
    String text = table.toString();
    assertTrue(text.contains("group 1: HAM_a"), text);
    assertTrue(text.contains("group 2: 7"), text);
  }

  @Test
  void aBatchReplyCarriesGroupsOrHitsPerSearch() throws Exception {
    SearchRequest request =
        parser.parse(
            "r-3",
            JSON.readTree(
                "{\"request_id\": \"r-3\", \"searches\": [{\"query\": "
                    + VECTOR
                    + ", \"group_by\": \"dx\"}, {\"query\": "
                    + VECTOR
                    + "}]}"),
            0L);
    Reply reply =
        Replies.ok(
            request,
            List.of(
                SearchResult.ofGroups(
                    List.of(
                        group(
                            GroupId.newBuilder().setStringValue("nevus").build(),
                            hit(1, "a", 0.9f)))),
                SearchResult.ofHits(List.of(hit(2, "b", 0.5f)))));
    JsonNode results = JSON.readTree(reply.json()).get("results");
    assertEquals("nevus", results.get(0).at("/groups/0/id").asText());
    assertFalse(results.get(0).has("hits"));
    assertEquals("b", results.get(1).at("/hits/0/image_id").asText());
  }
}
