package io.lesionsearch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.datasets.Ham10000Reader;
import io.lesionsearch.testing.QdrantUnderTest;
import io.lesionsearch.testing.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code local --demo} end to end on the shipped sample: real broker, endpoint, both jobs on one
 * MiniCluster and the shipped test model. Every image must be indexed, and every example search
 * must return hits that satisfy its filter, in descending score order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalModeITCase {

  private static final Path SAMPLE = Path.of("datasets/sample");

  private LocalMode.Report report;
  private String printed;

  /**
   * Only when tests run against a real server: then the local mode uses it, as `local --qdrant`
   * does.
   */
  private QdrantUnderTest real;

  @BeforeAll
  void runDemo() throws Exception {
    StringWriter text = new StringWriter();
    String server = null;
    String collection = LocalStack.DEFAULT_COLLECTION;
    if (QdrantUnderTest.real()) {
      real = QdrantUnderTest.start();
      server = real.address();
      collection = real.collection("local-mode");
    }
    LocalMode mode =
        new LocalMode(
            new LocalMode.Settings(
                TestData.model("vit-s16-d1/bf16"),
                SAMPLE,
                0,
                0,
                server,
                real == null ? null : real.apiKey(),
                0,
                collection,
                0,
                0,
                64,
                Duration.ofMinutes(3)),
            new PrintWriter(text, true));
    report = mode.run(null);
    printed = text.toString();
  }

  @AfterAll
  void dropCollection() {
    if (real != null) {
      real.close();
    }
  }

  @Test
  void indexesTheWholeSample() throws Exception {
    int images = Ham10000Reader.read(SAMPLE).images().size();
    assertTrue(images >= 50, "the sample should have tens of images, has " + images);
    assertEquals(images, report.sent());
    assertEquals(List.of(), report.deadLetters());
    assertEquals(images, report.indexed());
    assertTrue(
        printed.contains("indexed " + images + " of " + images + " images, 0 dead letters"),
        printed);
  }

  @Test
  void keepsTheAuditTrailInItsOwnFile() throws Exception {
    assertTrue(printed.contains("Audit trail:             " + report.auditLog()), printed);
    List<String> lines = Files.readAllLines(report.auditLog());
    assertEquals(report.searches().size(), lines.size(), String.join("\n", lines));
    for (LocalMode.Answered a : report.searches()) {
      String requestId = a.reply().path("request_id").asText();
      assertTrue(
          lines.stream().anyMatch(l -> l.contains("\"request_id\":\"" + requestId + "\"")),
          "no audit line for " + a.example().title());
    }
  }

  @Test
  void saysItStoppedCleanly() {
    assertTrue(
        printed
            .stripTrailing()
            .lines()
            .reduce((a, b) -> b)
            .orElse("")
            .startsWith("stopped cleanly in "),
        printed);
  }

  @Test
  void servedTheWebPage() {
    assertEquals("127.0.0.1", report.webPage().getHost());
    assertTrue(printed.contains("Web page:                " + report.webPage()), printed);
  }

  @Test
  void runsEveryTutorialSearchWithHitsInScoreOrder() {
    assertEquals(8, report.searches().size());
    for (LocalMode.Answered a : report.searches()) {
      assertEquals("ok", a.reply().path("status").asText(), a.example().title() + ": " + a.reply());
      for (JsonNode hits : hitLists(a.reply())) {
        assertFalse(hits.isEmpty(), a.example().title() + " found nothing");
        double previous = Double.MAX_VALUE;
        for (JsonNode hit : hits) {
          assertTrue(
              hit.path("score").asDouble() <= previous,
              a.example().title() + ": scores out of order");
          previous = hit.path("score").asDouble();
        }
      }
      assertTrue(
          printed.contains("== " + a.example().title()),
          "table for " + a.example().title() + " not printed");
    }
  }

  @Test
  void hitsSatisfyTheirFilters() {
    expectAll("Top 10", hit -> true, 10);
    expectAll(
        "Female patients",
        hit ->
            payload(hit, "sex").equals("female") && hit.path("payload").path("age").asInt(-1) >= 55,
        1);
    expectAll("Score threshold 0.92", hit -> hit.path("score").asDouble() >= 0.92, 1);
    Set<String> listed = new HashSet<>();
    firstHits("Only among 10 listed ids").forEach(hit -> listed.add(hit.path("id").asText()));
    assertEquals(10, listed.size(), "has_id under must should find exactly the 10 listed points");
    expectAll("Excluding those 10 ids", hit -> !listed.contains(hit.path("id").asText()), 10);
    expectAll(
        "Not melanoma or actinic keratoses",
        hit ->
            !Set.of("melanoma", "actinic_keratoses").contains(payload(hit, "dx"))
                && !Set.of("face", "neck").contains(payload(hit, "localization")),
        1);
    String queryImage = firstHits("Top 10").get(0).path("image_id").asText();
    expectAll(
        "More like indexed image", hit -> !hit.path("image_id").asText().equals(queryImage), 1);
    JsonNode batch = reply("A batch of two searches");
    assertEquals(2, batch.path("results").size());
    batch
        .path("results")
        .get(0)
        .path("hits")
        .forEach(hit -> assertFalse(hit.path("payload").has("lesion_id")));
    batch
        .path("results")
        .get(1)
        .path("hits")
        .forEach(hit -> assertFalse(hit.path("payload").has("dx_type")));
  }

  private void expectAll(String titleStart, Predicate<JsonNode> condition, int atLeast) {
    List<JsonNode> hits = firstHits(titleStart);
    assertTrue(hits.size() >= atLeast, titleStart + ": " + hits.size() + " hits");
    for (JsonNode hit : hits) {
      assertTrue(condition.test(hit), titleStart + ": hit does not satisfy the filter: " + hit);
    }
  }

  private List<JsonNode> firstHits(String titleStart) {
    List<JsonNode> hits = new ArrayList<>();
    reply(titleStart).path("hits").forEach(hits::add);
    return hits;
  }

  private JsonNode reply(String titleStart) {
    return report.searches().stream()
        .filter(a -> a.example().title().startsWith(titleStart))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no example search titled " + titleStart))
        .reply();
  }

  private static List<JsonNode> hitLists(JsonNode reply) {
    List<JsonNode> lists = new ArrayList<>();
    if (reply.has("results")) {
      reply.get("results").forEach(r -> lists.add(r.path("hits")));
    } else {
      lists.add(reply.path("hits"));
    }
    return lists;
  }

  private static String payload(JsonNode hit, String key) {
    return hit.path("payload").path(key).asText();
  }
}
