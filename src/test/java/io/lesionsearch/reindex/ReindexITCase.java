package io.lesionsearch.reindex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrant.ModelCollections;
import io.lesionsearch.testing.AuditLines;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.KafkaBroker;
import io.lesionsearch.testing.QdrantServer;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Points.SearchPoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-index end to end: a real broker, the Flink runtime, the test model under two model ids and
 * the Qdrant under test. The first re-index makes the alias; the second re-embeds the same topic
 * under another model id into a new collection while searches through the alias keep being
 * answered, then switches the alias and audits the switch.
 */
class ReindexITCase {
  @RegisterExtension static final AuditLines AUDIT = new AuditLines();
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path MODEL = TestData.model("vit-s16-d1/bf16");
  private static final String[] DX = {"nv", "mel", "bkl"};
  private static final int IMAGES = 12;

  @TempDir Path temp;

  /** The test model with another model id: the same weights, so the evaluation ties. */
  private Path modelWithId(String id) throws Exception {
    Path dir = Files.createDirectory(temp.resolve("model-" + id.replace('/', '_')));
    Files.copy(MODEL.resolve("model.pt"), dir.resolve("model.pt"));
    ObjectNode manifest = (ObjectNode) JSON.readTree(MODEL.resolve("manifest.json").toFile());
    manifest.put("model_id", id);
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    return dir;
  }

  private static IngestConfig ingest(Path model, String collection, String group) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers",
                KAFKA.get().bootstrapServers(),
                "--topic",
                "reindex-images",
                "--dead-letter-topic",
                "reindex-dlq",
                "--group-id",
                group,
                "--collection",
                collection,
                "--model",
                model.toString(),
                "--parallelism",
                "1",
                "--checkpoint-interval-ms",
                "1000",
                "--batch-max-delay-ms",
                "50",
                "--upsert-batch-size",
                "100",
                "--upsert-max-delay-ms",
                "100"));
    args.addAll(QDRANT.get().jobArgs());
    return IngestOptions.parse(args.toArray(String[]::new));
  }

  private static void produce() throws Exception {
    EmbeddedKafka kafka = KAFKA.get();
    kafka.createTopic(
        "reindex-images",
        2,
        Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
    kafka.createTopic(
        "reindex-dlq",
        1,
        Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
    for (int i = 0; i < IMAGES; i++) {
      String id = "ISIC_" + (25_000 + i);
      ObjectNode m =
          JSON.createObjectNode()
              .put("image_id", id)
              .put("lesion_id", "HAM_" + i)
              .put("dx", DX[i % DX.length])
              .put("dx_type", "histo")
              .put("sex", "female")
              .put("localization", "back")
              .put(
                  "image",
                  Base64.getEncoder()
                      .encodeToString(SyntheticLesionImages.jpeg(i, 160, 120, 0.9f)));
      kafka.send("reindex-images", id.getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(m));
    }
  }

  private static String aliasTarget(QdrantClient client, String alias) throws Exception {
    for (AliasDescription a : client.listAliasesAsync().get()) {
      if (a.getAliasName().equals(alias)) {
        return a.getCollectionName();
      }
    }
    return null;
  }

  @Test
  void reindexesIntoANewCollectionWhileSearchesGoOnThenSwitchesTheAlias() throws Exception {
    produce();
    QdrantClient client = QDRANT.get().client();
    String alias = QDRANT.get().collection("reindex");
    String first = ModelCollections.physicalName(alias, "model-a");
    String second = ModelCollections.physicalName(alias, "model-b");
    Path modelA = modelWithId("model-a");
    Path modelB = modelWithId("model-b");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertEquals(
        Reindex.SWITCHED,
        Reindex.run(
            new ReindexSettings(ingest(modelA, first, "g1"), alias, false, 0.02, 5, "tester"),
            StreamExecutionEnvironment.getExecutionEnvironment(),
            print),
        out.toString(StandardCharsets.UTF_8));
    assertEquals(first, aliasTarget(client, alias));
    assertEquals(IMAGES, client.countAsync(alias).get());

    // Searches through the alias while the second re-index runs.
    AtomicBoolean searching = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    float[] query = new float[384];
    query[0] = 1;
    Thread searcher =
        new Thread(
            () -> {
              while (searching.get()) {
                try {
                  SearchPoints.Builder b =
                      SearchPoints.newBuilder().setCollectionName(alias).setLimit(3);
                  for (float x : query) {
                    b.addVector(x);
                  }
                  if (client.searchAsync(b.build()).get().size() == 3) {
                    answered.incrementAndGet();
                  }
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  failures.add(e);
                }
              }
            });
    searcher.start();
    int code;
    try {
      code =
          Reindex.run(
              new ReindexSettings(ingest(modelB, second, "g2"), alias, false, 0.02, 5, "tester"),
              StreamExecutionEnvironment.getExecutionEnvironment(),
              print);
    } finally {
      searching.set(false);
      searcher.join();
    }
    String log = out.toString(StandardCharsets.UTF_8);
    System.out.print(log); // the README's excerpt comes from here
    assertEquals(Reindex.SWITCHED, code, log);
    assertTrue(answered.get() >= 2, "searches answered during the re-index: " + answered);
    assertEquals(List.of(), failures);
    assertEquals(IMAGES, client.countAsync(second).get());
    assertEquals(second, aliasTarget(client, alias));
    assertEquals(
        "model-b", ModelCollections.modelId(client.getCollectionInfoAsync(alias).get()), log);
    assertTrue(log.contains("Re-indexed: " + IMAGES + " points in " + second), log);

    JsonNode swap = null;
    for (JsonNode n : AUDIT.of("alias_swap")) {
      if (n.path("alias_swap").path("to_collection").asText().equals(second)) {
        swap = n;
      }
    }
    assertTrue(swap != null, "no audit line of the swap among " + AUDIT.lines());
    assertEquals(first, swap.path("alias_swap").path("from_collection").asText());
    assertEquals("tester", swap.path("requested_by").asText());
    assertEquals("ok", swap.path("outcome").asText());
  }
}
