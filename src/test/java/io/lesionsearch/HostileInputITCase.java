package io.lesionsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.kafka.DeadLetterSerializer;
import io.lesionsearch.query.QueryConfig;
import io.lesionsearch.query.QueryJob;
import io.lesionsearch.query.QueryOptions;
import io.lesionsearch.query.RequestIds;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.HostileImages;
import io.lesionsearch.testing.KafkaBroker;
import io.lesionsearch.testing.QdrantServer;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.QdrantClient;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both jobs on a real broker, Flink's MiniCluster and the local Qdrant endpoint, fed what a hostile
 * or broken producer may send: records and requests of every wrong shape, type and size, up to the
 * topics' limits, image bombs, files outside the image root and special files. Every hostile record
 * must end as exactly one dead letter (a stub where the original does not fit the dead-letter
 * topic), every request with an id as exactly one reply, good records and requests sent afterwards
 * must still be indexed and answered, and neither job may have failed or restarted once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The input topics' limit; their dead-letter topics have the same, so near-limit letters need
   * stubs.
   */
  private static final int TOPIC_MAX_BYTES = 4 << 20;

  private static final int MAX_IMAGE_BYTES = 1 << 20;
  private static final String MODEL = TestData.model("vit-s16-d1/fp32").toString();
  private static final byte[] JPEG = SyntheticLesionImages.jpeg(1, 160, 120, 0.9f);

  /** Each good point carries this much text, so that a reply with 20 of them is over 1 MB. */
  private static final String NOTES = "n".repeat(50_000);

  private static final int GOOD_WITH_NOTES = 20;

  @TempDir static Path dir;
  private Path root;
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();
  private String collection;
  private final List<JobClient> jobs = new ArrayList<>();

  /** Where the cluster that runs the jobs answers REST calls. */
  private Configuration cluster;

  @BeforeAll
  void start() throws Exception {
    collection = QDRANT.get().collection("hostile");
    Map<String, String> large = Map.of("max.message.bytes", Integer.toString(TOPIC_MAX_BYTES));
    KAFKA.get().createTopic("images", 2, large);
    KAFKA.get().createTopic("images-dlq", 1, large);
    KAFKA.get().createTopic("requests", 2, large);
    KAFKA.get().createTopic("replies", 2, Map.of("max.message.bytes", Integer.toString(1 << 20)));
    KAFKA.get().createTopic("requests-dlq", 1, large);

    root = Files.createDirectories(dir.resolve("images"));
    Files.write(root.resolve("good.jpg"), JPEG);
    Files.createDirectories(root.resolve("sub"));
    Files.write(dir.resolve("secret.jpg"), JPEG);
    Files.createSymbolicLink(root.resolve("escape.jpg"), dir.resolve("secret.jpg"));
    Files.createSymbolicLink(root.resolve("zero.jpg"), Path.of("/dev/zero"));
    assertEquals(
        0, new ProcessBuilder("mkfifo", root.resolve("pipe.jpg").toString()).start().waitFor());
    try (RandomAccessFile huge = new RandomAccessFile(root.resolve("huge.jpg").toFile(), "rw")) {
      huge.setLength(20L << 30); // reports 20 GiB, holds no blocks
    }
  }

  /**
   * On the extension's cluster, whose REST API the test asks about restarts; it is there while a
   * test runs.
   */
  private void startJobs() throws Exception {
    cluster = FLINK.getClientConfiguration();
    IngestConfig ingest =
        IngestOptions.parse(
            withQdrant(
                "--bootstrap-servers",
                KAFKA.get().bootstrapServers(),
                "--topic",
                "images",
                "--dead-letter-topic",
                "images-dlq",
                "--group-id",
                "hostile-ingest",
                "--collection",
                collection,
                "--model",
                MODEL,
                "--parallelism",
                "1",
                "--checkpoint-interval-ms",
                "1000",
                "--batch-max-delay-ms",
                "100",
                "--upsert-max-delay-ms",
                "100",
                "--max-image-bytes",
                Integer.toString(MAX_IMAGE_BYTES),
                "--max-pixels",
                "4000000",
                "--pixel-budget",
                "40000000",
                "--decode-timeout-ms",
                "20000",
                "--image-root",
                root.toString(),
                "--payload-field",
                "notes"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(env, ingest);
    jobs.add(env.executeAsync(IngestJob.NAME));

    QueryConfig query =
        QueryOptions.parse(
            withQdrant(
                "--bootstrap-servers",
                KAFKA.get().bootstrapServers(),
                "--requests-topic",
                "requests",
                "--replies-topic",
                "replies",
                "--dead-letter-topic",
                "requests-dlq",
                "--group-id",
                "hostile-query",
                "--collection",
                collection,
                "--model",
                MODEL,
                "--parallelism",
                "1",
                "--max-image-bytes",
                Integer.toString(MAX_IMAGE_BYTES),
                "--max-pixels",
                "4000000",
                "--pixel-budget",
                "40000000",
                "--request-timeout-ms",
                "20000"));
    env = StreamExecutionEnvironment.getExecutionEnvironment();
    QueryJob.build(env, query);
    jobs.add(env.executeAsync(QueryJob.NAME));
  }

  private String[] withQdrant(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(QDRANT.get().jobArgs());
    return all.toArray(String[]::new);
  }

  @AfterAll
  void stop() throws Exception {
    for (JobClient job : jobs) {
      job.cancel().get();
    }
  }

  @Test
  void noRecordOrRequestCanHaltEitherJob() throws Exception {
    startJobs();
    Map<String, byte[][]> hostile = hostileRecords();
    assertTrue(hostile.size() >= 25, hostile.size() + " kinds of hostile record");
    Map<String, String> offsets =
        new HashMap<>(); // "partition@offset" of each hostile record -> its name
    try (KafkaProducer<byte[], byte[]> producer = KAFKA.get().producer()) {
      for (int i = 0; i < GOOD_WITH_NOTES; i++) {
        send(producer, "images", "good-" + i, good("good-" + i, NOTES));
      }
      for (Map.Entry<String, byte[][]> e : hostile.entrySet()) {
        RecordMetadata m =
            producer.send(new ProducerRecord<>("images", e.getValue()[0], e.getValue()[1])).get();
        offsets.put(m.partition() + "@" + m.offset(), e.getKey());
      }
      send(producer, "images", "good-after", good("good-after", null));
      ObjectNode byUri =
          JSON.createObjectNode()
              .put("image_id", "good-uri")
              .put("dx", "nv")
              .put("image_uri", root.resolve("good.jpg").toString());
      send(producer, "images", "good-uri", JSON.writeValueAsBytes(byUri));
    }

    int goodPoints = GOOD_WITH_NOTES + 2;
    try (QdrantClient client = QDRANT.get().connection().open()) {
      waitFor(
          () -> count(client) == goodPoints,
          "all " + goodPoints + " good images indexed after the hostile ones");
    }
    List<ConsumerRecord<byte[], byte[]>> letters =
        KAFKA.get().read("images-dlq", hostile.size(), 120_000);
    assertEquals(
        hostile.size(),
        KAFKA.get().read("images-dlq", hostile.size() + 1, 2_000).size(),
        "no more dead letters than records");
    Map<String, ConsumerRecord<byte[], byte[]>> letterOf = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> letter : letters) {
      String where =
          header(letter, DeadLetterSerializer.SOURCE_PARTITION)
              + "@"
              + header(letter, DeadLetterSerializer.SOURCE_OFFSET);
      String name = offsets.get(where);
      assertTrue(
          name != null,
          "a dead letter for a record that was not hostile: "
              + where
              + " "
              + header(letter, DeadLetterSerializer.ERROR_MESSAGE));
      assertNull(letterOf.put(name, letter), "two dead letters for " + name);
      assertTrue(
          header(letter, DeadLetterSerializer.ERROR_MESSAGE).length() <= 400,
          name + ": the reason is bounded");
    }
    assertEquals(
        hostile.keySet(), letterOf.keySet(), "every hostile record is exactly one dead letter");
    for (String stubbed : List.of("metadata-near-topic-limit", "huge-key", "large-dx-object")) {
      assertEquals(
          "true",
          header(letterOf.get(stubbed), DeadLetterSerializer.STUB),
          stubbed + " needs a stub");
    }
    assertTrue(letterOf.get("huge-key").key() == null, "a stub drops a key of megabytes");
    assertEquals(
        null,
        letterOf.get("image-over-limit").headers().lastHeader(DeadLetterSerializer.STUB),
        "a letter that fits keeps the original");
    assertReason(letterOf, "uri-outside-root", "outside every --image-root");
    assertReason(letterOf, "uri-symlink-escape", "outside every --image-root");
    assertReason(letterOf, "uri-dev-zero", "under /dev");
    assertReason(letterOf, "uri-fifo", "not a regular file");
    assertReason(letterOf, "uri-sparse-20GiB", "over the limit of " + MAX_IMAGE_BYTES);
    assertReason(letterOf, "png-header-100000x100000", "pixels, over the limit of 4000000");
    assertReason(letterOf, "png-bomb-2100x2100", "over the limit of 4000000");
    assertReason(letterOf, "metadata-near-topic-limit", "age must be a number");

    Map<String, String> expectedCodes = new LinkedHashMap<>();
    Map<String, byte[][]> requests = hostileRequests(expectedCodes);
    assertTrue(requests.size() >= 15, requests.size() + " kinds of hostile request");
    try (KafkaProducer<byte[], byte[]> producer = KAFKA.get().producer()) {
      for (byte[][] r : requests.values()) {
        producer.send(new ProducerRecord<>("requests", r[0], r[1])).get();
      }
      ObjectNode good = JSON.createObjectNode().put("request_id", "good-request").put("limit", 3);
      good.putObject("query").put("image_id", "good-after");
      send(producer, "requests", "good-request", JSON.writeValueAsBytes(good));
    }
    expectedCodes.put("good-request", "ok");

    Map<String, List<JsonNode>> replies = new HashMap<>();
    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 120_000;
    while (!replies.keySet().containsAll(expectedCodes.keySet())
        && System.currentTimeMillis() < deadline) {
      got = KAFKA.get().read("replies", expectedCodes.size(), 5_000);
      replies.clear();
      for (ConsumerRecord<byte[], byte[]> r : got) {
        JsonNode reply = JSON.readTree(r.value());
        assertEquals(
            new String(r.key(), StandardCharsets.UTF_8),
            reply.get("request_id").asText(),
            "key = request_id");
        assertTrue(
            r.key().length + r.value().length <= 1_000_000, "every reply fits the replies topic");
        replies
            .computeIfAbsent(reply.get("request_id").asText(), k -> new ArrayList<>())
            .add(reply);
      }
    }
    assertEquals(
        expectedCodes.keySet(),
        replies.keySet(),
        "a reply to every request with an id, and to no other");
    for (Map.Entry<String, String> e : expectedCodes.entrySet()) {
      List<JsonNode> answers = replies.get(e.getKey());
      assertEquals(1, answers.size(), e.getKey() + ": exactly one reply");
      JsonNode reply = answers.get(0);
      String code =
          reply.get("status").asText().equals("ok") ? "ok" : reply.at("/error/code").asText();
      assertEquals(e.getValue(), code, e.getKey() + ": " + reply.path("error"));
    }
    assertEquals(
        3,
        replies.get("good-request").get(0).get("hits").size(),
        "a good request is answered with hits");

    List<ConsumerRecord<byte[], byte[]>> requestLetters =
        KAFKA.get().read("requests-dlq", 2, 60_000);
    assertEquals(2, requestLetters.size(), "the two requests without any id are dead letters");
    assertTrue(
        requestLetters.stream().anyMatch(l -> "true".equals(header(l, DeadLetterSerializer.STUB))),
        "the one of megabytes as a stub");

    for (JobClient job : jobs) {
      assertEquals(JobStatus.RUNNING, job.getJobStatus().get());
      JsonNode exceptions = rest("/jobs/" + job.getJobID() + "/exceptions");
      assertEquals(
          0,
          exceptions.at("/exceptionHistory/entries").size(),
          "the job failed (and restarted): " + exceptions);
      // The REST API fetches metrics in the background: the first answers may still be empty.
      String metric = "/jobs/" + job.getJobID() + "/metrics?get=numRestarts";
      waitFor(() -> !uncheckedRest(metric).isEmpty(), "Flink's numRestarts metric");
      assertEquals("0", rest(metric).at("/0/value").asText(), "Flink's restart count");
    }
  }

  private JsonNode uncheckedRest(String path) {
    try {
      return rest(path);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Flink's REST API on the MiniCluster, as an operator would ask it. */
  private JsonNode rest(String path) throws Exception {
    Configuration config = cluster;
    URI uri =
        URI.create(
            "http://"
                + config.get(RestOptions.ADDRESS)
                + ":"
                + config.get(RestOptions.PORT)
                + path);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), uri + ": " + response.body());
    return JSON.readTree(response.body());
  }

  /** name -> {key, value}; each must become exactly one dead letter. */
  private Map<String, byte[][]> hostileRecords() throws Exception {
    Map<String, byte[][]> r = new LinkedHashMap<>();
    String img = "\"image\": \"" + b64(JPEG) + "\"";
    put(r, "empty-value", new byte[0]);
    // A null value with an image_id as key is a deletion (a tombstone); without a usable key it is
    // not.
    r.put("null-value-no-key", new byte[][] {null, null});
    r.put("null-value-blank-key", new byte[][] {" ".getBytes(StandardCharsets.UTF_8), null});
    put(r, "delete-everything", "{\"op\": \"delete\", \"filter\": {\"must\": []}}");
    put(
        r,
        "delete-by-unknown-field",
        "{\"op\": \"delete\", \"filter\": {\"must\": [{\"key\": \"x\", \"match\": {\"value\": 1}}]}}");
    put(r, "unknown-op", "{\"op\": \"erase\", \"image_id\": \"x\"}");
    put(r, "not-json", "{this is not json");
    put(r, "invalid-utf8", new byte[] {'{', '"', 'a', (byte) 0xC3, 0x28, '"', ':', '1', '}'});
    put(r, "truncated-json", "{\"image_id\": \"t\", \"image\": \"AAAA");
    put(r, "json-array", "[1, 2, 3]");
    put(r, "json-string", "\"just a string\"");
    put(r, "deep-nesting", "[".repeat(100_000) + "]".repeat(100_000));
    put(
        r,
        "number-of-100000-digits",
        "{\"image_id\": \"n\", \"age\": 1" + "0".repeat(100_000) + ", " + img + "}");
    put(r, "no-image-id", "{\"dx\": \"nv\", " + img + "}");
    put(r, "image-id-object", "{\"image_id\": {\"nested\": [1, 2]}, " + img + "}");
    put(r, "image-id-300k", "{\"image_id\": \"" + "i".repeat(300_000) + "\", " + img + "}");
    put(r, "dx-array", "{\"image_id\": \"d\", \"dx\": [\"nv\"], " + img + "}");
    put(r, "age-string", "{\"image_id\": \"a\", \"age\": \"seventy\", " + img + "}");
    put(r, "age-negative", "{\"image_id\": \"a\", \"age\": -4, " + img + "}");
    put(r, "age-infinite", "{\"image_id\": \"a\", \"age\": 1e999, " + img + "}");
    // The case of the bug report: megabytes of metadata whose dead letter the topic cannot take.
    put(
        r,
        "metadata-near-topic-limit",
        "{\"image_id\": \"m\", \"age\": [" + "12345678,".repeat(440_000) + "1], " + img + "}");
    put(
        r,
        "large-dx-object",
        "{\"image_id\": \"m2\", \"dx\": {\"v\": \"" + "x".repeat(3_000_000) + "\"}, " + img + "}");
    put(
        r,
        "extra-nested-20-deep",
        "{\"image_id\": \"e\", \"notes\": " + "[".repeat(20) + "]".repeat(20) + ", " + img + "}");
    put(r, "extra-infinite", "{\"image_id\": \"e\", \"notes\": {\"v\": -1e999}, " + img + "}");
    put(
        r,
        "payload-over-64k",
        "{\"image_id\": \"p\", \"notes\": \"" + "p".repeat(70_000) + "\", " + img + "}");
    put(r, "image-a-number", "{\"image_id\": \"x\", \"image\": 42}");
    put(r, "image-bad-base64", "{\"image_id\": \"x\", \"image\": \"%%%%\"}");
    put(
        r,
        "image-over-limit",
        "{\"image_id\": \"x\", \"image\": \"" + b64(new byte[MAX_IMAGE_BYTES + 10]) + "\"}");
    put(r, "no-image-at-all", "{\"image_id\": \"x\", \"dx\": \"nv\"}");
    put(
        r,
        "not-an-image",
        inline("text", "plain text, not pixels".getBytes(StandardCharsets.UTF_8)));
    put(r, "gif", inline("gif", HostileImages.gif()));
    put(
        r,
        "png-header-100000x100000",
        inline("bomb1", HostileImages.pngHeaderOnly(100_000, 100_000)));
    put(r, "jpeg-header-65000x65000", inline("bomb2", HostileImages.jpegClaiming(65_000, 65_000)));
    put(r, "png-bomb-2100x2100", inline("bomb3", HostileImages.decompressionBombPng(2100, 2100)));
    put(r, "truncated-jpeg", inline("cut1", HostileImages.truncated("lesion-600x450.jpg")));
    put(r, "truncated-png", inline("cut2", HostileImages.truncated("lesion-rgb.png")));
    put(r, "uri-not-a-string", "{\"image_id\": \"u\", \"image_uri\": 5}");
    put(r, "uri-outside-root", uri(dir.resolve("secret.jpg").toString()));
    put(r, "uri-traversal", uri(root + "/../secret.jpg"));
    put(r, "uri-symlink-escape", uri(root.resolve("escape.jpg").toString()));
    put(r, "uri-dev-zero", uri("/dev/zero"));
    put(r, "uri-symlink-to-dev-zero", uri(root.resolve("zero.jpg").toString()));
    put(r, "uri-proc-environ", uri("/proc/self/environ"));
    put(r, "uri-fifo", uri(root.resolve("pipe.jpg").toString()));
    put(r, "uri-directory", uri(root.resolve("sub").toString()));
    put(r, "uri-sparse-20GiB", uri(root.resolve("huge.jpg").toString()));
    put(r, "uri-missing", uri(root.resolve("missing.jpg").toString()));
    put(r, "uri-http", uri("http://127.0.0.1:9/lesion.jpg"));
    put(r, "uri-relative", uri("images/good.jpg"));
    r.put(
        "huge-key",
        new byte[][] {
          "k".repeat(3_000_000).getBytes(StandardCharsets.UTF_8),
          "{\"dx\": \"no image_id\"}".getBytes(StandardCharsets.UTF_8)
        });
    return r;
  }

  /** name -> {key, value}; {@code codes} gets the code each reply with an id must carry. */
  private Map<String, byte[][]> hostileRequests(Map<String, String> codes) throws Exception {
    Map<String, byte[][]> r = new LinkedHashMap<>();
    String vector = "{\"vector\": [" + "0.05,".repeat(383) + "0.05]}";
    String hugeId = "id-" + "x".repeat(3_000_000);
    request(
        r,
        codes,
        "huge-request-id",
        null,
        "{\"request_id\": \"" + hugeId + "\", \"query\": " + vector + "}",
        RequestIds.shortened(hugeId),
        "INVALID_REQUEST");
    String hugeKey = "key-" + "y".repeat(2_000_000);
    request(
        r,
        codes,
        "huge-key-not-json",
        hugeKey,
        "{oops",
        RequestIds.shortened(hugeKey),
        "MALFORMED_JSON");
    request(r, codes, "no-id-not-json", null, "{oops", null, null);
    request(r, codes, "no-id-megabytes", null, "z".repeat(3_500_000), null, null);
    request(r, codes, "empty", "req-empty", "", "req-empty", "MALFORMED_JSON");
    request(r, codes, "array", "req-array", "[1]", "req-array", "MALFORMED_JSON");
    request(
        r,
        codes,
        "deep-json",
        "req-deep",
        "[".repeat(5000) + "]".repeat(5000),
        "req-deep",
        "MALFORMED_JSON");
    request(
        r,
        codes,
        "id-object",
        "req-id-object",
        "{\"request_id\": {\"a\": 1}, \"query\": " + vector + "}",
        "req-id-object",
        "INVALID_REQUEST");
    String deepFilter = "{\"key\": \"dx\", \"match\": {\"value\": \"nv\"}}";
    for (int i = 0; i < 60; i++) {
      deepFilter = "{\"must\": [" + deepFilter + "]}";
    }
    request(
        r,
        codes,
        "deep-filter",
        "req-deep-filter",
        "{\"query\": " + vector + ", \"filter\": " + deepFilter + "}",
        "req-deep-filter",
        "INVALID_FILTER");
    request(
        r,
        codes,
        "101-searches",
        "req-101",
        "{\"searches\": ["
            + ("{\"query\": " + vector + "},").repeat(100)
            + "{\"query\": "
            + vector
            + "}]}",
        "req-101",
        "INVALID_REQUEST");
    String image = "{\"image\": \"" + b64(JPEG) + "\"}";
    request(
        r,
        codes,
        "5-images",
        "req-5-images",
        "{\"searches\": ["
            + ("{\"query\": " + image + "},").repeat(4)
            + "{\"query\": "
            + image
            + "}]}",
        "req-5-images",
        "INVALID_REQUEST");
    request(
        r,
        codes,
        "offset-huge",
        "req-offset",
        "{\"query\": " + vector + ", \"offset\": 1000000000000000}",
        "req-offset",
        "LIMIT_OUT_OF_RANGE");
    request(
        r,
        codes,
        "vector-of-strings",
        "req-vstr",
        "{\"query\": {\"vector\": [" + "\"a\",".repeat(383) + "\"a\"]}}",
        "req-vstr",
        "INVALID_REQUEST");
    request(
        r,
        codes,
        "vector-too-short",
        "req-vshort",
        "{\"query\": {\"vector\": [1, 2]}}",
        "req-vshort",
        "VECTOR_SIZE_MISMATCH");
    request(
        r,
        codes,
        "png-bomb",
        "req-bomb",
        "{\"query\": {\"image\": \"" + b64(HostileImages.pngHeaderOnly(100_000, 100_000)) + "\"}}",
        "req-bomb",
        "IMAGE_UNREADABLE");
    request(
        r,
        codes,
        "truncated-jpeg",
        "req-cut",
        "{\"query\": {\"image\": \"" + b64(HostileImages.truncated("lesion-600x450.jpg")) + "\"}}",
        "req-cut",
        "IMAGE_UNREADABLE");
    request(
        r,
        codes,
        "image-over-limit",
        "req-big-image",
        "{\"query\": {\"image\": \"" + b64(new byte[MAX_IMAGE_BYTES + 1]) + "\"}}",
        "req-big-image",
        "IMAGE_UNREADABLE");
    request(
        r,
        codes,
        "unknown-kind",
        "req-kind",
        "{\"query\": {\"text\": \"mole\"}}",
        "req-kind",
        "UNKNOWN_QUERY_KIND");
    request(
        r,
        codes,
        "image-id-1MB",
        "req-long-image-id",
        "{\"query\": {\"image_id\": \"" + "q".repeat(1_000_000) + "\"}}",
        "req-long-image-id",
        "INVALID_REQUEST");
    request(
        r,
        codes,
        "reply-over-1MB",
        "req-too-large",
        "{\"query\": " + vector + ", \"limit\": 30}",
        "req-too-large",
        "REPLY_TOO_LARGE");
    request(
        r,
        codes,
        "filter-any-of-200k",
        "req-any",
        "{\"query\": "
            + vector
            + ", \"filter\": {\"must_not\": [{\"key\": \"dx\","
            + " \"match\": {\"any\": ["
            + "\"nope\",".repeat(200_000)
            + "\"nope\"]}}]}, \"with_payload\": false}",
        "req-any",
        "ok");
    return r;
  }

  private static void request(
      Map<String, byte[][]> r,
      Map<String, String> codes,
      String name,
      String key,
      String value,
      String replyId,
      String code) {
    r.put(
        name,
        new byte[][] {
          key == null ? null : key.getBytes(StandardCharsets.UTF_8),
          value.getBytes(StandardCharsets.UTF_8)
        });
    if (replyId != null) {
      codes.put(replyId, code);
    }
  }

  private static void put(Map<String, byte[][]> r, String name, String value) {
    put(r, name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void put(Map<String, byte[][]> r, String name, byte[] value) {
    r.put(name, new byte[][] {name.getBytes(StandardCharsets.UTF_8), value});
  }

  private static String inline(String id, byte[] image) {
    return "{\"image_id\": \"" + id + "\", \"image\": \"" + b64(image) + "\"}";
  }

  private static String uri(String uri) throws Exception {
    return JSON.writeValueAsString(
        JSON.createObjectNode().put("image_id", "uri").put("image_uri", uri));
  }

  private static byte[] good(String id, String notes) throws Exception {
    ObjectNode m =
        JSON.createObjectNode()
            .put("image_id", id)
            .put("dx", "nv")
            .put("age", 40)
            .put("sex", "female")
            .put("localization", "back")
            .put("image", b64(JPEG));
    if (notes != null) {
      m.put("notes", notes);
    }
    return JSON.writeValueAsBytes(m);
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
  }

  private static void assertReason(
      Map<String, ConsumerRecord<byte[], byte[]>> letters, String name, String expected) {
    String message = header(letters.get(name), DeadLetterSerializer.ERROR_MESSAGE);
    assertTrue(message.contains(expected), name + ": " + message);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private long count(QdrantClient client) {
    try {
      return client.countAsync(collection).get();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + Duration.ofMinutes(3).toMillis();
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
