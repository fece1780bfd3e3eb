package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrant.ModelCollections;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.KafkaBroker;
import io.lesionsearch.testing.QdrantServer;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.QdrantClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The query job reads an alias: switched to a collection of another model it answers MODEL_MISMATCH
 * naming both models, switched back it answers hits again (real broker, Flink runtime, model and
 * the Qdrant under test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryModelVersionITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path MODEL = TestData.model("vit-s16-d1-bf16");

  private String alias;
  private String ours;
  private String theirs;
  private String modelId;
  private IndexedLesions lesions;
  private JobClient job;
  private SearchClient client;

  @BeforeAll
  void start() throws Exception {
    modelId = ModelManifest.read(MODEL).modelId();
    QdrantClient qdrant = QDRANT.get().client();
    alias = QDRANT.get().collection("versions");
    ours = ModelCollections.physicalName(alias, modelId);
    theirs = ModelCollections.physicalName(alias, "other-model");
    lesions = new IndexedLesions(MODEL, 6);
    int size = lesions.vectors.values().iterator().next().length;
    lesions.upsert(qdrant, ours, ModelCollections.metadata(modelId, size));
    lesions.upsert(qdrant, theirs, ModelCollections.metadata("other-model", size));
    qdrant.createAliasAsync(alias, ours).get();
    KAFKA
        .get()
        .createTopic(
            "mv-requests",
            1,
            Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
    KAFKA.get().createTopic("mv-replies", 1);
    KAFKA.get().createTopic("mv-dlq", 1);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers",
                KAFKA.get().bootstrapServers(),
                "--requests-topic",
                "mv-requests",
                "--replies-topic",
                "mv-replies",
                "--dead-letter-topic",
                "mv-dlq",
                "--group-id",
                "mv",
                "--collection",
                alias,
                "--model",
                MODEL.toString(),
                "--parallelism",
                "1",
                "--request-timeout-ms",
                "10000",
                "--checkpoint-interval-ms",
                "2000"));
    args.addAll(QDRANT.get().jobArgs());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    QueryJob.build(env, QueryOptions.parse(args.toArray(String[]::new)));
    job = env.executeAsync(QueryJob.NAME + " mv");
    client =
        new SearchClient(KAFKA.get().bootstrapServers(), "mv-requests", "mv-replies", Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    job.cancel().get();
    client.close();
    // The physical collections hold the alias's name with a model suffix: QdrantUnderTest drops
    // them with the alias's name.
  }

  private JsonNode ask(String json) throws Exception {
    return client.search((ObjectNode) JSON.readTree(json), WAIT).get();
  }

  private String imageQuery() {
    return "{\"query\": {\"image\": \""
        + Base64.getEncoder().encodeToString(lesions.jpegs.get("ISIC_24001"))
        + "\"}, \"limit\": 3}";
  }

  private String vectorQuery(String model) throws Exception {
    ArrayNode a = JSON.createArrayNode();
    for (float x : lesions.vectors.get("ISIC_24002")) {
      a.add(x);
    }
    return "{\"query\": {\"vector\": "
        + JSON.writeValueAsString(a)
        + ", \"model_id\": \""
        + model
        + "\"}, \"limit\": 3}";
  }

  private static String code(JsonNode reply) {
    return reply.get("status").asText().equals("ok")
        ? "ok"
        : reply.get("error").get("code").asText();
  }

  /** Asks until the reply's code is {@code want}: the job sees an alias switch within 2 s. */
  private JsonNode askUntil(String request, String want) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    JsonNode reply = ask(request);
    while (!code(reply).equals(want) && System.nanoTime() < end) {
      reply = ask(request);
    }
    assertEquals(want, code(reply), reply.toString());
    return reply;
  }

  @Test
  void anAliasSwitchedToAnotherModelIsRefusedAndSwitchedBackIsSearched() throws Exception {
    JsonNode hits = askUntil(imageQuery(), "ok");
    assertEquals("ISIC_24001", hits.get("hits").get(0).get("image_id").asText());
    assertEquals("ok", code(ask(vectorQuery(modelId))));
    assertEquals("MODEL_MISMATCH", code(ask(vectorQuery("other-model"))));
    // image_id queries read the stored vector of the searched collection: no model to mix.
    assertEquals("ok", code(ask("{\"query\": {\"image_id\": \"ISIC_24003\"}, \"limit\": 2}")));

    QdrantClient qdrant = QDRANT.get().client();
    qdrant.createAliasAsync(alias, theirs).get();
    JsonNode refused = askUntil(imageQuery(), "MODEL_MISMATCH");
    String message = refused.get("error").get("message").asText();
    assertTrue(
        message.contains("'" + modelId + "'")
            && message.contains("'other-model'")
            && message.contains(theirs),
        message);
    assertEquals("ok", code(ask(vectorQuery("other-model"))));
    assertEquals("ok", code(ask("{\"query\": {\"image_id\": \"ISIC_24003\"}, \"limit\": 2}")));

    qdrant.createAliasAsync(alias, ours).get();
    hits = askUntil(imageQuery(), "ok");
    assertEquals("ISIC_24001", hits.get("hits").get(0).get("image_id").asText());
  }

  @Test
  void aModelIdOnAnImageQueryIsRefused() throws Exception {
    JsonNode reply =
        ask(
            "{\"query\": {\"image\": \""
                + Base64.getEncoder().encodeToString(lesions.jpegs.get("ISIC_24001"))
                + "\", \"model_id\": \"x\"}}");
    assertEquals("INVALID_REQUEST", code(reply), reply.toString());
  }
}
