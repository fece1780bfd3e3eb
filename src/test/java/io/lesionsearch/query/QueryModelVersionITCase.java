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
import java.nio.file.Files;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The query job reads an alias: switched to a collection of another model it answers MODEL_MISMATCH
 * naming both models, switched back it answers hits again; a job that holds the old and the new
 * model answers image queries with hits on both sides of the switch (real broker, Flink runtime,
 * model and the Qdrant under test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryModelVersionITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path MODEL = TestData.model("vit-s16-d1/bf16");

  private String alias;
  private String ours;
  private String theirs;
  private String modelId;
  private IndexedLesions lesions;
  private final List<JobClient> jobs = new ArrayList<>();
  private final List<SearchClient> clients = new ArrayList<>();
  private SearchClient client;
  @TempDir Path temp;

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
    client = startJob("mv", alias, MODEL);
  }

  /** A query job on its own topics that reads {@code collection} with {@code models}. */
  private SearchClient startJob(String prefix, String collection, Path... models) throws Exception {
    KAFKA
        .get()
        .createTopic(
            prefix + "-requests",
            1,
            Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
    KAFKA.get().createTopic(prefix + "-replies", 1);
    KAFKA.get().createTopic(prefix + "-dlq", 1);
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
                "--parallelism",
                "1",
                "--request-timeout-ms",
                "10000",
                "--checkpoint-interval-ms",
                "2000"));
    for (Path model : models) {
      args.add("--model");
      args.add(model.toString());
    }
    args.addAll(QDRANT.get().jobArgs());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    QueryJob.build(env, QueryOptions.parse(args.toArray(String[]::new)));
    jobs.add(env.executeAsync(QueryJob.NAME + " " + prefix));
    SearchClient started =
        new SearchClient(
            KAFKA.get().bootstrapServers(), prefix + "-requests", prefix + "-replies", Map.of());
    clients.add(started);
    return started;
  }

  /** The test model with another model id: the same weights, so the same vectors. */
  private Path modelWithId(String id) throws Exception {
    Path dir = Files.createDirectory(temp.resolve("model-" + id.replace('/', '_')));
    Files.copy(MODEL.resolve("model.pt"), dir.resolve("model.pt"));
    ObjectNode manifest = (ObjectNode) JSON.readTree(MODEL.resolve("manifest.json").toFile());
    manifest.put("model_id", id);
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    return dir;
  }

  @AfterAll
  void stop() throws Exception {
    for (JobClient job : jobs) {
      job.cancel().get();
    }
    for (SearchClient c : clients) {
      c.close();
    }
    // The physical collections hold the alias's name with a model suffix: QdrantUnderTest drops
    // them with the alias's name.
  }

  private JsonNode ask(String json) throws Exception {
    return ask(client, json);
  }

  private static JsonNode ask(SearchClient to, String json) throws Exception {
    return to.search((ObjectNode) JSON.readTree(json), WAIT).get();
  }

  private String imageQuery() {
    return imageQuery(3);
  }

  private String imageQuery(int limit) {
    return "{\"query\": {\"image\": \""
        + Base64.getEncoder().encodeToString(lesions.jpegs.get("ISIC_24001"))
        + "\"}, \"limit\": "
        + limit
        + "}";
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
  void aJobWithTheOldAndTheNewModelAnswersImageQueriesAcrossTheSwitch() throws Exception {
    Path oldModel = modelWithId("mv/old");
    Path newModel = modelWithId("mv/new");
    QdrantClient qdrant = QDRANT.get().client();
    String upgraded = QDRANT.get().collection("upgrade");
    String oldCollection = ModelCollections.physicalName(upgraded, "mv/old");
    String newCollection = ModelCollections.physicalName(upgraded, "mv/new");
    int size = lesions.vectors.values().iterator().next().length;
    lesions.upsert(qdrant, oldCollection, ModelCollections.metadata("mv/old", size));
    // The new model's collection holds fewer images, so a reply tells which collection it searched.
    new IndexedLesions(MODEL, 4)
        .upsert(qdrant, newCollection, ModelCollections.metadata("mv/new", size));
    qdrant.createAliasAsync(upgraded, oldCollection).get();
    SearchClient both = startJob("mv-both", upgraded, oldModel, newModel);
    String query = imageQuery(10);
    JsonNode first = ask(both, query);
    long end = System.nanoTime() + WAIT.toNanos();
    while (!code(first).equals("ok") && System.nanoTime() < end) {
      first = ask(both, query); // the job is starting
    }
    assertEquals(lesions.vectors.size(), first.get("hits").size(), first.toString());

    // Queries one after another, the alias switched among them: every one is answered with hits,
    // from the old collection until the job sees the switch, then from the new one.
    int sent = 0;
    int fromNew = 0;
    while (fromNew < 5 && System.nanoTime() < end) {
      if (sent == 3) {
        qdrant.createAliasAsync(upgraded, newCollection).get();
      }
      JsonNode reply = ask(both, query);
      sent++;
      assertEquals("ok", code(reply), reply.toString());
      assertEquals("ISIC_24001", reply.get("hits").get(0).get("image_id").asText());
      int hits = reply.get("hits").size();
      if (hits == 4) {
        fromNew++;
      } else {
        assertEquals(0, fromNew, "once the switch is seen, the old collection is not searched");
        assertEquals(lesions.vectors.size(), hits, reply.toString());
      }
    }
    assertEquals(5, fromNew, "the switch was seen within " + WAIT + " (" + sent + " queries)");

    // A collection of neither model: the message names it and both of the job's models.
    String other = ModelCollections.physicalName(upgraded, "other-model");
    lesions.upsert(qdrant, other, ModelCollections.metadata("other-model", size));
    qdrant.createAliasAsync(upgraded, other).get();
    end = System.nanoTime() + WAIT.toNanos();
    JsonNode refused = ask(both, query);
    while (!code(refused).equals("MODEL_MISMATCH") && System.nanoTime() < end) {
      refused = ask(both, query);
    }
    assertEquals("MODEL_MISMATCH", code(refused), refused.toString());
    String message = refused.get("error").get("message").asText();
    assertTrue(
        message.contains("models 'mv/old', 'mv/new'") && message.contains("'other-model'"),
        message);
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
