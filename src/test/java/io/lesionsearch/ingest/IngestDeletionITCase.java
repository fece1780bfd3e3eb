package io.lesionsearch.ingest;

import static io.lesionsearch.ingest.IngestFixture.message;
import static io.lesionsearch.ingest.IngestFixture.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.kafka.DeadLetterSerializer;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.testing.AuditLines;
import io.lesionsearch.testing.Flink;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deletions end to end: a real KRaft broker, the real Flink runtime, the ingest job and the Qdrant
 * under test. Tombstones, {@code op: delete} by image_id and by filter, a re-upsert after a delete,
 * bad deletes as dead letters, the audit trail, and a replay of the whole topic into the same
 * collection ending in the same state.
 */
class IngestDeletionITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  @RegisterExtension static final IngestFixture FIXTURE = new IngestFixture();
  @RegisterExtension static final AuditLines AUDIT = new AuditLines();

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void deletionsRemovePointsInOrderAreAuditedAndReplayToTheSameState() throws Exception {
    String topic = "deletions";
    String dlq = topic + "-dlq";
    // One partition: a deletion by filter keeps its order only against its own partition.
    FIXTURE.topics(topic, 1);
    EmbeddedKafka kafka = FIXTURE.kafka();

    Map<String, byte[]> bad = new TreeMap<>();
    bad.put("unknown-op", json("{\"op\": \"erase\", \"image_id\": \"K1\"}"));
    bad.put("ambiguous", json("{\"op\": \"delete\"}"));
    bad.put(
        "invalid-filter",
        json(
            "{\"op\": \"delete\", \"filter\": {\"must\": {\"key\": \"lesoin_id\","
                + " \"match\": {\"value\": \"HAM_K1\"}}}}"));
    bad.put("matches-all", json("{\"op\": \"delete\", \"filter\": {\"must\": []}}"));
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      int n = 0;
      for (String id : List.of("T1", "O1", "L1a", "L1b", "K1", "R1")) {
        String lesion = id.startsWith("L1") ? "L1" : id;
        send(producer, topic, id, lesion(id, lesion, n++));
      }
      send(producer, topic, "T1", null); // a tombstone, right behind its upsert
      send(producer, topic, "O1", json("{\"op\": \"delete\", \"image_id\": \"O1\"}"));
      send(
          producer,
          topic,
          "lesion-HAM_L1",
          json(
              "{\"op\": \"delete\", \"requested_by\": \"dpo@clinic\", \"filter\": {\"must\":"
                  + " [{\"key\": \"lesion_id\", \"match\": {\"value\": \"HAM_L1\"}}]}}"));
      send(producer, topic, "R1", json("{\"op\": \"delete\", \"image_id\": \"R1\"}"));
      send(producer, topic, "R1", lesion("R1", "R1", n++)); // back after its deletion
      for (Map.Entry<String, byte[]> e : bad.entrySet()) {
        send(producer, topic, e.getKey(), e.getValue());
      }
      send(producer, topic, "Z1", lesion("Z1", "Z1", n++)); // the end: everything before applied
    }
    Set<String> expected = new TreeSet<>(List.of("K1", "R1", "Z1"));

    String collection = FIXTURE.collection("deletions");
    List<ConsumerRecord<byte[], byte[]>> deadLetters;
    try (QdrantClient client = FIXTURE.newClient()) {
      run(
          FIXTURE.options(topic, collection),
          () -> present(client, collection, "Z1"),
          () -> FIXTURE.everythingCommitted(topic));
      assertEquals(expected, imageIds(client, collection));
      deadLetters = kafka.read(dlq, bad.size(), 60_000);

      List<JsonNode> deletions = AUDIT.of("delete");
      assertEquals(4, deletions.size(), AUDIT.lines().toString());
      assertEquals("T1", deletions.get(0).path("deletion").path("image_id").asText());
      assertEquals("O1", deletions.get(1).path("deletion").path("image_id").asText());
      JsonNode byFilter = deletions.get(2);
      assertEquals("dpo@clinic", byFilter.path("requested_by").asText());
      assertEquals(
          "HAM_L1",
          byFilter
              .path("deletion")
              .path("filter")
              .path("must")
              .get(0)
              .path("match")
              .path("value")
              .asText(),
          byFilter.toString());
      assertEquals("R1", deletions.get(3).path("deletion").path("image_id").asText());
      for (JsonNode d : deletions) {
        assertEquals("ok", d.path("outcome").asText(), d.toString());
        assertEquals(topic + "-0@", d.path("request_id").asText().replaceAll("\\d+$", ""));
      }

      // A replay of the whole topic into the same collection: the same points, nothing revived.
      // Z1 goes first, so that its return says the replay has reached the end.
      client.deleteAsync(collection, List.of(PointIdFactory.id(PointIds.forImageId("Z1")))).get();
      run(
          FIXTURE.options(topic, collection, "--starting-offsets", "earliest"),
          () -> present(client, collection, "Z1"),
          () -> true);
      assertEquals(expected, imageIds(client, collection));
      assertEquals(8, AUDIT.of("delete").size(), "the replay's deletions are audited again");
    }

    Map<String, String> reasons = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
      reasons.put(
          new String(letter.key(), StandardCharsets.UTF_8),
          header(letter, DeadLetterSerializer.STAGE)
              + " "
              + header(letter, DeadLetterSerializer.REASON));
    }
    assertEquals(
        Map.of(
            "ambiguous", "parse AMBIGUOUS_DELETE",
            "invalid-filter", "parse INVALID_FILTER",
            "matches-all", "parse FILTER_MATCHES_ALL",
            "unknown-op", "parse UNKNOWN_OP"),
        reasons);
  }

  /** Runs the ingest job until {@code done}, then until {@code settled}, and cancels it. */
  private static void run(
      IngestConfig options,
      java.util.function.BooleanSupplier done,
      java.util.function.BooleanSupplier settled)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(env, options);
    JobClient job = env.executeAsync(IngestJob.NAME);
    try {
      waitFor(done, 90_000, "the last record's point");
      waitFor(settled, 60_000, "every record behind a completed checkpoint");
    } finally {
      job.cancel().get();
    }
  }

  private static byte[] lesion(String id, String lesion, int seed) throws Exception {
    ObjectNodeEditor m = new ObjectNodeEditor(message(id, "nv", 40, image(seed)));
    return m.with("lesion_id", "HAM_" + lesion);
  }

  private static byte[] image(int seed) {
    return SyntheticLesionImages.jpeg(seed, 96, 72, 0.9f);
  }

  /** Rewrites one field of a JSON message. */
  private record ObjectNodeEditor(byte[] json) {
    byte[] with(String field, String value) throws Exception {
      var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json);
      node.put(field, value);
      return JSON.writeValueAsBytes(node);
    }
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
  }

  private static boolean present(QdrantClient client, String collection, String imageId) {
    try {
      return !client
          .retrieveAsync(
              collection, PointIdFactory.id(PointIds.forImageId(imageId)), false, false, null)
          .get()
          .isEmpty();
    } catch (ExecutionException e) {
      return false; // the collection is not there yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Set<String> imageIds(QdrantClient client, String collection) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (RetrievedPoint p :
        client
            .scrollAsync(
                ScrollPoints.newBuilder()
                    .setCollectionName(collection)
                    .setLimit(100)
                    .setWithPayload(WithPayloadSelectorFactory.enable(true))
                    .build())
            .get()
            .getResultList()) {
      ids.add(p.getPayloadMap().get("image_id").getStringValue());
    }
    return ids;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header h = record.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
