package io.lesionsearch.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditRecordTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aSearchLineHasTheHeadThenWhatWasAskedAndAnswered() throws Exception {
    String filter = "{\"must\":[{\"key\":\"sex\",\"match\":{\"value\":\"female\"}}]}";
    AuditRecord record =
        AuditRecord.searchAnswered(
            "r-1",
            "dr.k@clinic",
            12,
            List.of(
                new AuditRecord.Search("image", null, AuditJson.filter(filter)),
                new AuditRecord.Search("image_id", "ISIC_1", null)),
            List.of(
                List.of(new AuditRecord.Hit("7", "ISIC_7", 0.5f)),
                List.of(new AuditRecord.Hit("8", null, 0.25f))));
    String line = AuditTrail.line(record);
    assertFalse(line.contains("\n"), line);
    JsonNode json = JSON.readTree(line);
    List<String> names = List.copyOf(iterable(json.fieldNames()));
    assertEquals(
        List.of(
            "time",
            "action",
            "requested_by",
            "request_id",
            "outcome",
            "latency_ms",
            "searches",
            "results"),
        names);
    Instant.parse(json.get("time").asText());
    assertEquals("search", json.get("action").asText());
    assertEquals("dr.k@clinic", json.get("requested_by").asText());
    assertEquals(12, json.get("latency_ms").asLong());
    assertEquals(JSON.readTree(filter), json.at("/searches/0/filter"), "the filter is JSON");
    assertEquals("ISIC_1", json.at("/searches/1/image_id").asText());
    assertEquals("ISIC_7", json.at("/results/0/0/image_id").asText());
    assertTrue(json.at("/results/1/0/image_id").isNull());
    assertEquals(0.25, json.at("/results/1/0/score").asDouble(), 1e-9);
  }

  @Test
  void noOneNamedIsWrittenAsNull() throws Exception {
    JsonNode json =
        JSON.readTree(
            AuditTrail.line(
                AuditRecord.searchFailed("r-2", null, 0, List.of(), "TIMEOUT", "late")));
    assertTrue(json.get("requested_by").isNull());
    assertEquals("error", json.get("outcome").asText());
    assertEquals("TIMEOUT", json.at("/error/code").asText());
    assertFalse(json.has("results"));
  }

  @Test
  void anOverlongOrBrokenFilterStaysAStringAndTheLineStaysJson() throws Exception {
    String huge = "{\"must\":[" + "{\"is_empty\":{\"key\":\"a\"}},".repeat(1000) + "{}]}";
    JsonNode json =
        JSON.readTree(
            AuditTrail.line(
                AuditRecord.searchFailed(
                    "r-3",
                    null,
                    0,
                    List.of(new AuditRecord.Search("vector", null, AuditJson.filter(huge))),
                    "INVALID_FILTER",
                    "x")));
    JsonNode filter = json.at("/searches/0/filter");
    assertTrue(filter.isTextual());
    assertTrue(filter.asText().length() <= AuditJson.MAX_FILTER_CHARS + 100);
    assertTrue(JSON.readTree(AuditJson.filter("{\"must\": [")).isTextual());
  }

  @Test
  void aDeletionNamesAnImageOrAFilter() throws Exception {
    JsonNode one =
        JSON.readTree(
            AuditTrail.line(AuditRecord.deletion("d-1", "ingest", "ISIC_9", null, 1L, 4, null)));
    assertEquals("delete", one.get("action").asText());
    assertEquals("ok", one.get("outcome").asText());
    assertEquals("ISIC_9", one.at("/deletion/image_id").asText());
    assertEquals(1, one.at("/deletion/deleted").asLong());
    String filter = "{\"must\":[{\"key\":\"dataset\",\"match\":{\"value\":\"ham10000\"}}]}";
    JsonNode many =
        JSON.readTree(
            AuditTrail.line(
                AuditRecord.deletion(
                    null,
                    "ops",
                    null,
                    filter,
                    null,
                    9,
                    new AuditRecord.Failure("QDRANT_UNAVAILABLE", "down"))));
    assertEquals(JSON.readTree(filter), many.at("/deletion/filter"));
    assertEquals("error", many.get("outcome").asText());
    assertFalse(many.has("request_id"));
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditRecord.deletion(null, null, "ISIC_9", filter, null, 0, null));
  }

  @Test
  void anAliasSwapSaysWhichAliasMovedFromWhereToWhere() throws Exception {
    JsonNode json =
        JSON.readTree(
            AuditTrail.line(
                AuditRecord.aliasSwap("reindex", "lesions", "lesions_v1", "lesions_v2", 30, null)));
    assertEquals("alias_swap", json.get("action").asText());
    assertEquals("lesions", json.at("/alias_swap/alias").asText());
    assertEquals("lesions_v1", json.at("/alias_swap/from_collection").asText());
    assertEquals("lesions_v2", json.at("/alias_swap/to_collection").asText());
  }

  @Test
  void failingLaterKeepsWhatWasAskedAndDropsTheResults() {
    AuditRecord ok =
        AuditRecord.searchAnswered(
            "r-4",
            "a",
            1,
            List.of(new AuditRecord.Search("vector", null, null)),
            List.of(List.of(new AuditRecord.Hit("1", "I", 1f))));
    AuditRecord failed = ok.failedWith("REPLY_TOO_LARGE", "too big");
    assertEquals(ok.searches(), failed.searches());
    assertEquals("a", failed.requestedBy());
    assertEquals(AuditRecord.ERROR, failed.outcome());
    assertEquals(null, failed.results());
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> list = new java.util.ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
