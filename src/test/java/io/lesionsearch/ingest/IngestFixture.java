package io.lesionsearch.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.QdrantClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real Kafka broker and the local Qdrant endpoint for a test class, plus what ingest tests send and check. */
final class IngestFixture implements BeforeAllCallback, AfterAllCallback {

  private static final ObjectMapper JSON = new ObjectMapper();
  private EmbeddedKafka kafka;
  private QdrantLocalServer qdrant;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = new EmbeddedKafka();
    qdrant = QdrantLocalServer.builder().port(0).start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    qdrant.close();
    kafka.close();
  }

  EmbeddedKafka kafka() {
    return kafka;
  }

  QdrantLocalServer qdrant() {
    return qdrant;
  }

  void stopQdrant() {
    qdrant.close();
  }

  /** After {@link #stopQdrant}: the endpoint comes back on the same port with its data, as Qdrant does. */
  void startQdrantAgain() throws Exception {
    qdrant = qdrant.restart();
  }

  /** Creates the topic and its dead-letter topic, both taking messages as large as inline images get. */
  void topics(String topic, int partitions) throws Exception {
    Map<String, String> large = Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES));
    kafka.createTopic(topic, partitions, large);
    kafka.createTopic(topic + "-dlq", 1, large);
  }

  /** Job options for this broker and endpoint, with the shipped test model and test-sized delays. */
  IngestOptions options(String topic, String collection, String... more) {
    String[] base = {
      "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic, "--dead-letter-topic", topic + "-dlq",
      "--group-id", "ingest-" + topic, "--qdrant-port", Integer.toString(qdrant.port()), "--collection", collection,
      "--model", TestData.model("vit-s16-d1-fp32").toString(), "--parallelism", "2",
      "--checkpoint-interval-ms", "1000", "--batch-max-delay-ms", "100", "--upsert-max-delay-ms", "100"
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return IngestOptions.parse(args);
  }

  static byte[] message(String id, String dx, Integer age, byte[] image) throws Exception {
    ObjectNode m = JSON.createObjectNode().put("image_id", id).put("lesion_id", "HAM_" + id).put("dx", dx)
        .put("dx_type", "histo").put("sex", "female").put("localization", "back");
    if (age != null) {
      m.put("age", age);
    }
    m.put("image", Base64.getEncoder().encodeToString(image));
    return JSON.writeValueAsBytes(m);
  }

  static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
  }

  static long count(QdrantClient client, String collection) {
    try {
      return client.countAsync(collection).get();
    } catch (Exception e) {
      return -1; // not created yet
    }
  }

  static void waitFor(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
