package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.kafka.DeadLetterSerializer;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.testing.AuditLines;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.KafkaBroker;
import io.lesionsearch.testing.QdrantServer;
import io.lesionsearch.testing.TcpProxy;
import io.lesionsearch.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The query job end to end: a real KRaft broker, the real Flink runtime, the real model, the local
 * Qdrant endpoint. One job answers the tutorial's searches and the request errors; a second job,
 * pointed at an endpoint the test can stall or stop, answers Qdrant's failures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryJobITCase {

  /**
   * Small enough that all 42 points with payloads exceed it, large enough for every other test's
   * reply.
   */
  private static final int MAX_REPLY_BYTES = 8000;

  @RegisterExtension static final AuditLines AUDIT = new AuditLines();
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path MODEL = TestData.model("vit-s16-d1/bf16");

  /** While set, the faulty endpoint takes calls and never answers them. */
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();

  /** The faulty job's way to Qdrant, which the test stalls and cuts. */
  private TcpProxy faulty;

  private String collection;
  private IndexedLesions lesions;
  private final List<JobClient> jobs = new ArrayList<>();
  private SearchClient client;
  private SearchClient faultyClient;

  @BeforeAll
  void start() throws Exception {
    faulty = TcpProxy.to(QDRANT.get().host(), QDRANT.get().port());
    collection = QDRANT.get().collection("lesions");
    lesions = new IndexedLesions(MODEL, 42);
    lesions.upsert(QDRANT.get().client(), collection);
    for (String prefix : List.of("q", "faulty")) {
      KAFKA
          .get()
          .createTopic(
              prefix + "-requests",
              2,
              Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
      KAFKA.get().createTopic(prefix + "-replies", 2);
      KAFKA
          .get()
          .createTopic(
              prefix + "-dlq",
              1,
              Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
    }
    jobs.add(startJob("q", QDRANT.get().jobArgs(), collection, "10000"));
    // A collection no one creates, behind a proxy the test stalls and cuts.
    jobs.add(
        startJob(
            "faulty", QDRANT.get().jobArgsVia(faulty), QDRANT.get().collection("missing"), "1500"));
    client = new SearchClient(KAFKA.get().bootstrapServers(), "q-requests", "q-replies", Map.of());
    faultyClient =
        new SearchClient(
            KAFKA.get().bootstrapServers(), "faulty-requests", "faulty-replies", Map.of());
  }

  private JobClient startJob(
      String prefix, List<String> qdrantArgs, String collection, String timeoutMs)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers",
                KAFKA.get().bootstrapServers(),
                "--requests-topic",
                prefix + "-requests",
                "--replies-topic",
                prefix + "-replies",
                "--dead-letter-topic",
                prefix + "-dlq",
                "--group-id",
                prefix,
                "--collection",
                collection,
                "--model",
                MODEL.toString(),
                "--parallelism",
                "1",
                "--request-timeout-ms",
                timeoutMs,
                "--checkpoint-interval-ms",
                "2000",
                "--max-reply-bytes",
                Integer.toString(MAX_REPLY_BYTES)));
    args.addAll(qdrantArgs);
    QueryConfig options = QueryOptions.parse(args.toArray(String[]::new));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    QueryJob.build(env, options);
    return env.executeAsync(QueryJob.NAME + " " + prefix);
  }

  @AfterAll
  void stop() throws Exception {
    for (JobClient job : jobs) {
      job.cancel().get();
    }
    client.close();
    faultyClient.close();
    faulty.close();
  }

  // ------------------------------------------------------------------ the tutorial's searches

  @Test
  void plainTopTenByImageFindsTheSameImageFirstWithTheIngestEmbedding() throws Exception {
    String id = "ISIC_24005";
    JsonNode reply = ask("{\"query\": {\"image\": \"" + base64(id) + "\"}}");
    JsonNode hits = ok(reply).get("hits");
    assertEquals(10, hits.size());
    assertEquals(
        id, hits.get(0).get("image_id").asText(), "an indexed image is its own nearest neighbour");
    assertTrue(hits.get(0).get("score").asDouble() > 0.9999, hits.get(0).toString());
    assertCorrectHits(hits, lesions.vectors.get(id), p -> true, 10, null);
    assertTrue(
        hits.get(0).has("payload") && hits.get(0).get("payload").has("dx"), "payload by default");
  }

  @Test
  void mustFemaleShouldAgeFiftyFiveOrMore() throws Exception {
    String id = "ISIC_24011";
    JsonNode reply =
        ask(
            "{\"query\": {\"vector\": "
                + vectorJson(id)
                + "},"
                + " \"filter\": {\"must\": [{\"key\": \"sex\", \"match\": {\"value\": \"female\"}}],"
                + "              \"should\": [{\"key\": \"age\", \"range\": {\"gte\": 55}}]}}");
    assertCorrectHits(
        ok(reply).get("hits"),
        lesions.vectors.get(id),
        p -> p.path("sex").asText().equals("female") && p.has("age") && p.get("age").asInt() >= 55,
        10,
        null);
  }

  @Test
  void scoreThresholdWithLimitTwenty() throws Exception {
    String id = "ISIC_24020";
    double threshold = thresholdBetween(id, 3, 30);
    JsonNode reply =
        ask(
            "{\"query\": {\"image_id\": \""
                + id
                + "\"}, \"score_threshold\": "
                + threshold
                + ", \"limit\": 20}");
    JsonNode hits = ok(reply).get("hits");
    assertCorrectHits(
        hits, lesions.vectors.get(id), p -> !p.get("image_id").asText().equals(id), 20, threshold);
    assertTrue(hits.size() >= 3 && hits.size() < 30, "the threshold cuts the list: " + hits.size());
  }

  @Test
  void tutorialScoreThresholdIsStrictAndBounded() throws Exception {
    String id = "ISIC_24020";
    JsonNode hits =
        ok(ask(
                "{\"query\": {\"image_id\": \""
                    + id
                    + "\"}, \"score_threshold\": 0.92, \"limit\": 20}"))
            .get("hits");
    assertCorrectHits(
        hits, lesions.vectors.get(id), p -> !p.get("image_id").asText().equals(id), 20, 0.92);
  }

  @Test
  void hasIdUnderMustAndUnderMustNot() throws Exception {
    List<String> chosen =
        List.of("ISIC_24001", "ISIC_24002", "ISIC_24003", "ISIC_24017", "ISIC_24030");
    String ids =
        JSON.writeValueAsString(
            chosen.stream().map(i -> PointIds.forImageId(i).toString()).toList());
    String query = vectorJson("ISIC_24002");
    JsonNode must =
        ok(
            ask(
                "{\"query\": {\"vector\": "
                    + query
                    + "}, \"filter\": {\"must\": [{\"has_id\": "
                    + ids
                    + "}]}}"));
    assertCorrectHits(
        must.get("hits"),
        lesions.vectors.get("ISIC_24002"),
        p -> chosen.contains(p.get("image_id").asText()),
        10,
        null);
    assertEquals(chosen.size(), must.get("hits").size());
    JsonNode mustNot =
        ok(
            ask(
                "{\"query\": {\"vector\": "
                    + query
                    + "}, \"filter\": {\"must_not\": [{\"has_id\": "
                    + ids
                    + "}]}}"));
    assertCorrectHits(
        mustNot.get("hits"),
        lesions.vectors.get("ISIC_24002"),
        p -> !chosen.contains(p.get("image_id").asText()),
        10,
        null);
  }

  @Test
  void diagnosisExceptMelanomaAndActinicKeratosesNotOnFaceOrNeck() throws Exception {
    String id = "ISIC_24008";
    JsonNode reply =
        ask(
            "{\"query\": {\"image\": \""
                + base64(id)
                + "\"},"
                + " \"filter\": {\"must\": [{\"key\": \"dx\", \"match\": {\"except\": [\"melanoma\", \"actinic_keratoses\"]}}],"
                + "              \"must_not\": [{\"key\": \"localization\", \"match\": {\"any\": [\"face\", \"neck\"]}}]}}");
    assertCorrectHits(
        ok(reply).get("hits"),
        lesions.vectors.get(id),
        p ->
            !Set.of("melanoma", "actinic_keratoses").contains(p.get("dx").asText())
                && !Set.of("face", "neck").contains(p.get("localization").asText()),
        10,
        null);
  }

  @Test
  void aBatchOfTwoSearchesWithPayloadExclusions() throws Exception {
    JsonNode reply =
        ok(
            ask(
                "{\"searches\": ["
                    + "{\"query\": {\"vector\": "
                    + vectorJson("ISIC_24001")
                    + "}, \"limit\": 5, \"with_payload\": {\"exclude\": [\"age\", \"sex\", \"image_id\"]}},"
                    + "{\"query\": {\"image_id\": \"ISIC_24002\"}, \"filter\": {\"must\": [{\"key\": \"sex\", \"match\": {\"value\": \"male\"}}]},"
                    + " \"with_payload\": {\"exclude\": [\"lesion_id\", \"dx_type\"]}}]}"));
    JsonNode results = reply.get("results");
    assertEquals(2, results.size());
    JsonNode first = results.get(0).get("hits");
    assertCorrectHits(first, lesions.vectors.get("ISIC_24001"), p -> true, 5, null);
    for (JsonNode hit : first) {
      Set<String> keys = keys(hit.get("payload"));
      assertTrue(
          keys.containsAll(Set.of("dx", "localization", "lesion_id"))
              && !keys.contains("age")
              && !keys.contains("sex")
              && !keys.contains("image_id"),
          keys.toString());
      assertNotNull(
          hit.get("image_id").textValue(),
          "hits are named even when image_id is excluded from the payload");
    }
    JsonNode second = results.get(1).get("hits");
    assertCorrectHits(
        second,
        lesions.vectors.get("ISIC_24002"),
        p ->
            p.get("sex").asText().equals("male")
                && !p.get("image_id").asText().equals("ISIC_24002"),
        10,
        null);
    for (JsonNode hit : second) {
      Set<String> keys = keys(hit.get("payload"));
      assertTrue(
          keys.contains("sex")
              && keys.contains("image_id")
              && !keys.contains("lesion_id")
              && !keys.contains("dx_type"),
          keys.toString());
    }
  }

  @Test
  void aSearchGroupedByLesionGivesOneGroupPerLesionBestFirst() throws Exception {
    String id = "ISIC_24005";
    float[] query = lesions.vectors.get(id);
    JsonNode reply =
        ok(
            ask(
                "{\"query\": {\"vector\": "
                    + vectorJson(id)
                    + "}, \"group_by\": \"lesion_id\", \"group_size\": 3, \"limit\": 5}"));
    assertFalse(reply.has("hits"), reply.toString());
    JsonNode groups = reply.get("groups");
    assertEquals(5, groups.size(), reply.toString());
    // The lesions, ranked by their best photo, as brute force finds them.
    List<String> lesionOrder = new ArrayList<>();
    for (String imageId : lesions.ranked(query, p -> true)) {
      String lesion = lesions.payloads.get(imageId).get("lesion_id").asText();
      if (!lesionOrder.contains(lesion)) {
        lesionOrder.add(lesion);
      }
    }
    Set<String> seen = new HashSet<>();
    double previousBest = Double.POSITIVE_INFINITY;
    for (int g = 0; g < groups.size(); g++) {
      JsonNode group = groups.get(g);
      String lesion = group.get("id").asText();
      assertTrue(seen.add(lesion), "one group per lesion: " + reply);
      JsonNode hits = group.get("hits");
      assertEquals(IndexedLesions.PHOTOS_PER_LESION, hits.size(), group.toString());
      double previous = Double.POSITIVE_INFINITY;
      for (JsonNode hit : hits) {
        String imageId = hit.get("image_id").asText();
        assertEquals(lesion, lesions.payloads.get(imageId).get("lesion_id").asText());
        assertEquals(lesion, hit.at("/payload/lesion_id").asText(), "hits as plain searches show");
        double score = hit.get("score").asDouble();
        assertEquals(lesions.score(query, imageId), score, 1e-3, imageId);
        assertTrue(score <= previous, "hits in a group by score: " + group);
        previous = score;
      }
      double best = hits.get(0).get("score").asDouble();
      assertTrue(best <= previousBest, "groups by their best hit: " + reply);
      previousBest = best;
      assertEquals(lesionOrder.get(g), lesion, "rank " + g + " of " + lesionOrder);
    }
    assertEquals(id, groups.get(0).get("hits").get(0).get("image_id").asText());
  }

  @Test
  void aGroupedBatchIsAnsweredSearchBySearchWithOneHitPerLesionByDefault() throws Exception {
    JsonNode reply =
        ok(
            ask(
                "{\"searches\": ["
                    + "{\"query\": {\"image_id\": \"ISIC_24010\"}, \"group_by\": \"lesion_id\","
                    + " \"limit\": 100, \"with_payload\": false},"
                    + "{\"query\": {\"vector\": "
                    + vectorJson("ISIC_24001")
                    + "}, \"limit\": 4}]}"));
    JsonNode grouped = reply.at("/results/0/groups");
    int lesionCount = 42 / IndexedLesions.PHOTOS_PER_LESION;
    assertEquals(lesionCount, grouped.size(), "every lesion once; limit counts groups");
    Set<String> ids = new HashSet<>();
    for (JsonNode group : grouped) {
      ids.add(group.get("id").asText());
      assertEquals(1, group.get("hits").size(), "group_size is 1 by default");
      assertFalse(group.get("hits").get(0).has("payload"));
      assertNotEquals("ISIC_24010", group.at("/hits/0/image_id").asText(), "the example is out");
    }
    assertEquals(lesionCount, ids.size());
    assertCorrectHits(
        reply.at("/results/1/hits"), lesions.vectors.get("ISIC_24001"), p -> true, 4, null);
  }

  @Test
  void anImageIdQueryLeavesThatImageOutUnlessAskedToIncludeIt() throws Exception {
    String id = "ISIC_24013";
    JsonNode without =
        ok(ask("{\"query\": {\"image_id\": \"" + id + "\"}, \"with_payload\": false}")).get("hits");
    assertCorrectHits(
        without, lesions.vectors.get(id), p -> !p.get("image_id").asText().equals(id), 10, null);
    assertFalse(without.get(0).has("payload"));
    JsonNode with =
        ok(ask(
                "{\"query\": {\"image_id\": \""
                    + id
                    + "\", \"include_self\": true}, \"with_payload\": [\"dx\"]}"))
            .get("hits");
    assertEquals(id, with.get(0).get("image_id").asText());
    assertEquals(Set.of("dx"), keys(with.get(0).get("payload")));
  }

  // ------------------------------------------------------------------ errors

  static Stream<Arguments> badRequests() {
    String okVector = "[" + String.join(",", java.util.Collections.nCopies(384, "0.1")) + "]";
    String text =
        Base64.getEncoder()
            .encodeToString("plain text, not an image".getBytes(StandardCharsets.UTF_8));
    return Stream.of(
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": [1, 2", ErrorCode.MALFORMED_JSON),
        Arguments.of("[1, 2, 3]", ErrorCode.MALFORMED_JSON),
        // Over Jackson's nesting limit: its exception has no location, which once crashed the job.
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"filter\": " + "[".repeat(1001), ErrorCode.MALFORMED_JSON),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"text\": \"melanoma\"}}",
            ErrorCode.UNKNOWN_QUERY_KIND),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"image_id\": \"ISIC_24001\"}, \"filter\": {\"must\": [{\"key\": \"dx\"}]}}",
            ErrorCode.INVALID_FILTER),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"image_id\": \"ISIC_24001\"}, \"filter\": {\"must\": [{\"key\": \"age\", \"range\": {\"gte\": \"old\"}}]}}",
            ErrorCode.INVALID_FILTER),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": " + okVector + "}, \"limit\": 0}",
            ErrorCode.LIMIT_OUT_OF_RANGE),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": "
                + okVector
                + "}, \"limit\": 1001}",
            ErrorCode.LIMIT_OUT_OF_RANGE),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": [0.1, 0.2, 0.3]}}",
            ErrorCode.VECTOR_SIZE_MISMATCH),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"image\": \"" + text + "\"}}",
            ErrorCode.IMAGE_UNREADABLE),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"image\": \"%%%not base64\"}}",
            ErrorCode.IMAGE_UNREADABLE),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"image_id\": \"ISIC_9999999\"}}",
            ErrorCode.UNKNOWN_IMAGE_ID),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"image_id\": \"ISIC_24001\", \"vector\": [1]}}",
            ErrorCode.INVALID_REQUEST),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": "
                + okVector
                + "}, \"treshold\": 0.5}",
            ErrorCode.INVALID_REQUEST),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": "
                + okVector
                + "}, \"group_by\": \"lesion_id\", \"offset\": 3}",
            ErrorCode.INVALID_REQUEST),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": "
                + okVector
                + "}, \"group_size\": 3}",
            ErrorCode.INVALID_REQUEST),
        Arguments.of(
            "{\"request_id\": \"%ID%\", \"query\": {\"vector\": "
                + okVector
                + "}, \"group_by\": \"age\"}",
            ErrorCode.INVALID_REQUEST));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void aBadRequestIsAnsweredWithItsErrorCode(String body, ErrorCode code) throws Exception {
    String id = "bad-" + java.util.UUID.randomUUID();
    JsonNode reply =
        client.sendRaw(id, body.replace("%ID%", id).getBytes(StandardCharsets.UTF_8), WAIT).get();
    assertEquals(id, reply.get("request_id").asText());
    assertEquals("error", reply.get("status").asText(), reply.toString());
    assertEquals(code.name(), reply.get("error").get("code").asText(), reply.toString());
    assertFalse(reply.get("error").get("message").asText().isBlank());
    ok(ask("{\"query\": {\"image_id\": \"ISIC_24001\"}, \"limit\": 1}")); // and the job goes on
  }

  @Test
  void requestsWithoutAReadableIdGoToTheDeadLetterTopicWithTheReason() throws Exception {
    try (var producer = KAFKA.get().producer()) {
      producer
          .send(
              new ProducerRecord<>(
                  "q-requests", null, "{not json".getBytes(StandardCharsets.UTF_8)))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  "q-requests",
                  null,
                  "{\"query\": {\"image_id\": \"ISIC_24001\"}}".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    List<ConsumerRecord<byte[], byte[]>> letters = KAFKA.get().read("q-dlq", 2, WAIT.toMillis());
    assertEquals(2, letters.size());
    Set<String> codes = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> letter : letters) {
      assertEquals(ParseRequests.STAGE, header(letter, DeadLetterSerializer.STAGE));
      assertEquals("q-requests", header(letter, DeadLetterSerializer.SOURCE_TOPIC));
      assertTrue(header(letter, DeadLetterSerializer.ERROR_MESSAGE).contains("no request_id"));
      codes.add(header(letter, DeadLetterSerializer.ERROR_CLASS));
    }
    assertEquals(Set.of("MALFORMED_JSON", "INVALID_REQUEST"), codes);
    // A message without request_id but with a Kafka key is answered under the key.
    JsonNode reply =
        client
            .sendRaw(
                "key-only",
                "{\"query\": {\"image_id\": \"ISIC_24001\"}, \"limit\": 2}"
                    .getBytes(StandardCharsets.UTF_8),
                WAIT)
            .get();
    assertEquals(2, ok(reply).get("hits").size());
  }

  @Test
  void aReplyLargerThanTheLimitIsAnsweredWithAReasonAndTheJobGoesOn() throws Exception {
    JsonNode all =
        client
            .search(request("{\"query\": {\"image_id\": \"ISIC_24001\"}, \"limit\": 1000}"), WAIT)
            .get();
    assertError(all, ErrorCode.REPLY_TOO_LARGE);
    assertTrue(all.get("error").get("message").asText().contains("fewer hits"), all.toString());
    ok(ask("{\"query\": {\"image_id\": \"ISIC_24001\"}, \"limit\": 10}"));
  }

  @Test
  void qdrantFailuresAreAnsweredMissingCollectionThenTimeoutThenUnreachable() throws Exception {
    JsonNode missing =
        faultyClient.search(request("{\"query\": {\"image_id\": \"ISIC_24001\"}}"), WAIT).get();
    assertError(missing, ErrorCode.COLLECTION_NOT_FOUND);
    faulty.stall(true);
    try {
      assertError(
          faultyClient.search(request("{\"query\": {\"image_id\": \"ISIC_24001\"}}"), WAIT).get(),
          ErrorCode.TIMEOUT);
    } finally {
      faulty.stall(false);
    }
    faulty.stop();
    try {
      JsonNode unreachable =
          faultyClient
              .search(request("{\"query\": {\"vector\": " + vectorJson("ISIC_24001") + "}}"), WAIT)
              .get();
      assertError(unreachable, ErrorCode.QDRANT_UNAVAILABLE);
    } finally {
      faulty.start();
    }
    // Back again: a request that races the reconnect may still find it unavailable; a later one may
    // not.
    JsonNode back = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      back =
          faultyClient.search(request("{\"query\": {\"image_id\": \"ISIC_24001\"}}"), WAIT).get();
      if (!back.path("error").path("code").asText().equals(ErrorCode.QDRANT_UNAVAILABLE.name())) {
        break;
      }
    }
    assertError(back, ErrorCode.COLLECTION_NOT_FOUND);
  }

  // ------------------------------------------------------------------ the search command

  @Test
  void theSearchCommandPrintsATableOrTheReplyAndSaysWhenNoReplyCame(@TempDir Path tmp)
      throws Exception {
    String id = "ISIC_24010"; // female, so the filter keeps it
    Path image = java.nio.file.Files.write(tmp.resolve("query.jpg"), lesions.jpegs.get(id));
    String[] topics = {
      "--bootstrap-servers",
      KAFKA.get().bootstrapServers(),
      "--requests-topic",
      "q-requests",
      "--replies-topic",
      "q-replies"
    };
    String[] table =
        command(
            concat(
                topics,
                "search",
                "--image",
                image.toString(),
                "--limit",
                "3",
                "--filter",
                "{\"must_not\": [{\"key\": \"sex\", \"match\": {\"value\": \"male\"}}]}"));
    assertEquals("0", table[0], table[2]);
    String[] lines = table[1].strip().split("\n", -1);
    assertEquals(5, lines.length, table[1]); // header, 3 hits, summary
    assertTrue(lines[0].contains("rank") && lines[0].contains("localization"), lines[0]);
    assertTrue(
        lines[1].trim().startsWith("1")
            && lines[1].contains(id)
            && lines[1].contains(lesions.payloads.get(id).get("dx").asText()),
        lines[1]);

    String[] json =
        command(
            concat(
                topics,
                "search",
                "--image-id",
                id,
                "--limit",
                "2",
                "--payload",
                "dx,age",
                "--json"));
    JsonNode reply = JSON.readTree(json[1]);
    assertEquals(2, ok(reply).get("hits").size());
    assertEquals(Set.of("dx", "age"), keys(reply.get("hits").get(0).get("payload")));

    KAFKA.get().createTopic("idle-requests", 1);
    KAFKA.get().createTopic("idle-replies", 1);
    String[] none =
        command(
            "search",
            "--bootstrap-servers",
            KAFKA.get().bootstrapServers(),
            "--requests-topic",
            "idle-requests",
            "--replies-topic",
            "idle-replies",
            "--image-id",
            id,
            "--timeout-ms",
            "1000");
    assertEquals("3", none[0]);
    assertTrue(
        none[2].contains("no reply to request") && none[2].contains("is the query job running?"),
        none[2]);
  }

  /** Runs a command of the jar as a user would; returns exit status, stdout and stderr. */
  private static String[] command(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    var cmd = io.lesionsearch.cli.Main.commandLine();
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new String[] {Integer.toString(exit), out.toString(), err.toString()};
  }

  /** The search word first, then its options: picocli takes options after the subcommand. */
  private static String[] concat(String[] topics, String word, String... rest) {
    List<String> all = new ArrayList<>(List.of(word));
    all.addAll(List.of(topics));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  // ------------------------------------------------------------------ audit

  @Test
  void theAuditLogHasIdKindFilterResultsAndLatencyButNoImage() throws Exception {
    String id = "ISIC_24006";
    String filter = "{\"must\":[{\"key\":\"sex\",\"match\":{\"value\":\"female\"}}]}";
    JsonNode reply =
        ok(
            ask(
                "{\"query\": {\"image\": \""
                    + base64(id)
                    + "\"}, \"filter\": "
                    + filter
                    + ", \"limit\": 3}"));
    String requestId = reply.get("request_id").asText();
    JsonNode line = auditLine(requestId);
    assertEquals("search", line.get("action").asText());
    assertEquals("ok", line.get("outcome").asText());
    assertEquals("image", line.get("searches").get(0).get("kind").asText());
    assertEquals(JSON.readTree(filter), line.get("searches").get(0).get("filter"));
    assertTrue(line.get("latency_ms").asLong() >= 0);
    JsonNode logged = line.get("results").get(0);
    assertEquals(3, logged.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(reply.get("hits").get(i).get("id").asText(), logged.get(i).get("id").asText());
      assertEquals(
          reply.get("hits").get(i).get("score").asDouble(),
          logged.get(i).get("score").asDouble(),
          1e-6);
    }
    String image = base64(id);
    for (String l : AUDIT.lines()) {
      assertFalse(l.contains(image.substring(100, 140)), "image bytes in the audit log: " + l);
    }
    String badId = "audit-error-" + java.util.UUID.randomUUID();
    client
        .sendRaw(
            badId,
            ("{\"request_id\": \"" + badId + "\", \"query\": {\"text\": \"x\"}}")
                .getBytes(StandardCharsets.UTF_8),
            WAIT)
        .get();
    JsonNode error = auditLine(badId);
    assertEquals("error", error.get("outcome").asText());
    assertEquals("UNKNOWN_QUERY_KIND", error.get("error").get("code").asText());
  }

  @Test
  void theAuditLineSaysWhoAskedWhenTheSearchCommandNamesThem() throws Exception {
    String[] topics = {
      "--bootstrap-servers",
      KAFKA.get().bootstrapServers(),
      "--requests-topic",
      "q-requests",
      "--replies-topic",
      "q-replies"
    };
    String[] json =
        command(
            concat(
                topics,
                "search",
                "--image-id",
                "ISIC_24006",
                "--limit",
                "2",
                "--requested-by",
                "dr.k@clinic.example",
                "--json"));
    assertEquals("0", json[0], json[2]);
    JsonNode reply = JSON.readTree(json[1]);
    JsonNode line = auditLine(reply.get("request_id").asText());
    assertEquals("dr.k@clinic.example", line.get("requested_by").asText());
    assertEquals("ok", line.get("outcome").asText());
    assertEquals(2, line.at("/results/0").size());

    String[] refused =
        command(concat(topics, "search", "--image-id", "ISIC_24006", "--requested-by", "a\tb"));
    assertEquals("2", refused[0], refused[2]);
    assertTrue(refused[2].contains("control or format character"), refused[2]);

    String badId = "audit-who-" + java.util.UUID.randomUUID();
    JsonNode invalid =
        client
            .sendRaw(
                badId,
                ("{\"request_id\": \""
                        + badId
                        + "\", \"requested_by\": \""
                        + "x".repeat(201)
                        + "\", \"query\": {\"image_id\": \"ISIC_24006\"}}")
                    .getBytes(StandardCharsets.UTF_8),
                WAIT)
            .get();
    assertEquals("INVALID_REQUESTED_BY", invalid.at("/error/code").asText(), invalid.toString());
    assertFalse(invalid.at("/error/message").asText().contains("xxxxxxxx"));
    assertTrue(auditLine(badId).get("requested_by").isNull());
  }

  // ------------------------------------------------------------------ helpers

  private JsonNode auditLine(String requestId) throws Exception {
    // The reply is sent after the audit line is written (same chain, audit first), so it is there.
    for (String l : AUDIT.lines()) {
      JsonNode line = JSON.readTree(l);
      if (line.get("request_id").asText().equals(requestId)) {
        return line;
      }
    }
    throw new AssertionError("no audit line for " + requestId + " among " + AUDIT.lines().size());
  }

  private JsonNode ask(String request) throws Exception {
    return client.search(request(request), WAIT).get();
  }

  private static ObjectNode request(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  private static JsonNode ok(JsonNode reply) {
    assertEquals("ok", reply.get("status").asText(), reply.toString());
    assertTrue(reply.get("took_ms").asLong() >= 0);
    return reply;
  }

  private static void assertError(JsonNode reply, ErrorCode code) {
    assertEquals("error", reply.get("status").asText(), reply.toString());
    assertEquals(code.name(), reply.get("error").get("code").asText(), reply.toString());
  }

  /**
   * Every hit passes the filter and the threshold, scores fall, each score is the cosine with that
   * image, and the hits are the best {@code limit} of the images that pass: none left out scores
   * higher.
   */
  private void assertCorrectHits(
      JsonNode hits, float[] query, Predicate<JsonNode> filter, int limit, Double threshold) {
    List<String> expected =
        lesions.ranked(
            query,
            p ->
                filter.test(p)
                    && (threshold == null
                        || lesions.score(query, p.get("image_id").asText()) > threshold));
    assertEquals(
        Math.min(limit, expected.size()), hits.size(), "hit count; expected order " + expected);
    assertTrue(hits.size() > 0, "the test's filter must leave something to find");
    Set<String> returned = new HashSet<>();
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode hit : hits) {
      String imageId = hit.get("image_id").asText();
      assertEquals(
          imageId,
          lesions.imageIdOfPoint(hit.get("id").asText()),
          "the point id derives from the image_id");
      assertTrue(
          filter.test(lesions.payloads.get(imageId)),
          imageId + " fails the filter: " + lesions.payloads.get(imageId));
      double score = hit.get("score").asDouble();
      assertTrue(score <= previous, "scores must not rise: " + hits);
      if (threshold != null) {
        assertTrue(score > threshold, score + " is not above " + threshold);
      }
      assertEquals(lesions.score(query, imageId), score, 1e-3, "score of " + imageId);
      previous = score;
      returned.add(imageId);
    }
    for (String other : expected) {
      if (!returned.contains(other)) {
        assertTrue(
            lesions.score(query, other) <= previous + 1e-4,
            other + " scores higher than the last hit but is missing");
      }
    }
  }

  /** A threshold with at least {@code min} and fewer than {@code max} other images above it. */
  private double thresholdBetween(String id, int min, int max) {
    List<String> ranked =
        lesions.ranked(lesions.vectors.get(id), p -> !p.get("image_id").asText().equals(id));
    int cut = Math.min(max - 1, Math.max(min, ranked.size() / 3));
    double above = lesions.score(lesions.vectors.get(id), ranked.get(cut - 1));
    double below = lesions.score(lesions.vectors.get(id), ranked.get(cut));
    return (above + below) / 2;
  }

  private String base64(String imageId) {
    return Base64.getEncoder().encodeToString(lesions.jpegs.get(imageId));
  }

  private String vectorJson(String imageId) throws Exception {
    ArrayNode a = JSON.createArrayNode();
    for (float x : lesions.vectors.get(imageId)) {
      a.add(x);
    }
    return JSON.writeValueAsString(a);
  }

  private static Set<String> keys(JsonNode object) {
    Set<String> keys = new HashSet<>();
    object.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header h = record.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
