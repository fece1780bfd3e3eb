package io.lesionsearch.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.testing.QdrantUnderTest;
import io.lesionsearch.testing.TcpProxy;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.QdrantClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker and the Qdrant under test (see {@link QdrantUnderTest}) for a test class,
 * plus what ingest tests send and check. Outages go through a {@link TcpProxy}, so they work
 * against a real server too.
 */
final class IngestFixture implements BeforeAllCallback, AfterAllCallback {

  private static final ObjectMapper JSON = new ObjectMapper();
  private EmbeddedKafka kafka;
  private QdrantUnderTest qdrant;
  private TcpProxy proxy;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = new EmbeddedKafka();
    qdrant = QdrantUnderTest.start();
    proxy = TcpProxy.to(qdrant.host(), qdrant.port());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    proxy.close();
    qdrant.close();
    kafka.close();
  }

  EmbeddedKafka kafka() {
    return kafka;
  }

  /**
   * Whether the ingest job reading {@code topic} has committed offsets at the end of every
   * partition. Flink commits them when a checkpoint completes, and a checkpoint completes only
   * after the sinks have flushed: from then on nothing the topic held can still add a point or a
   * dead letter.
   */
  boolean everythingCommitted(String topic) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(groupId(topic)).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (int p :
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get()
              .get(topic)
              .partitions()
              .stream()
              .map(TopicPartitionInfo::partition)
              .toList()) {
        ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end :
          admin.listOffsets(ends).all().get().entrySet()) {
        OffsetAndMetadata at = committed.get(end.getKey());
        if (end.getValue().offset() > 0 && (at == null || at.offset() < end.getValue().offset())) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false; // the group has not committed yet
    }
  }

  private static String groupId(String topic) {
    return "ingest-" + topic;
  }

  /** A collection name of this test's own, dropped after the class. */
  String collection(String prefix) {
    return qdrant.collection(prefix);
  }

  /** A client of the Qdrant under test; the caller closes it. */
  QdrantClient newClient() {
    return qdrant.connection().open();
  }

  /** Jobs built with {@link #optionsThroughProxy} lose Qdrant until {@link #startQdrantAgain}. */
  void stopQdrant() {
    proxy.stop();
  }

  void startQdrantAgain() {
    proxy.start();
  }

  /**
   * Creates the topic and its dead-letter topic, both taking messages as large as inline images
   * get.
   */
  void topics(String topic, int partitions) throws Exception {
    Map<String, String> large =
        Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES));
    kafka.createTopic(topic, partitions, large);
    kafka.createTopic(topic + "-dlq", 1, large);
  }

  /** Job options for this broker and Qdrant, with the shipped test model and test-sized delays. */
  IngestConfig options(String topic, String collection, String... more) {
    return options(qdrant.jobArgs(), topic, collection, more);
  }

  /** The same, with Qdrant reached through the proxy that {@link #stopQdrant} cuts. */
  IngestConfig optionsThroughProxy(String topic, String collection, String... more) {
    return options(qdrant.jobArgsVia(proxy), topic, collection, more);
  }

  private IngestConfig options(
      List<String> qdrantArgs, String topic, String collection, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic",
                topic,
                "--dead-letter-topic",
                topic + "-dlq",
                "--group-id",
                groupId(topic),
                "--collection",
                collection,
                "--model",
                TestData.model("vit-s16-d1/fp32").toString(),
                "--parallelism",
                "2",
                "--checkpoint-interval-ms",
                "1000",
                "--batch-max-delay-ms",
                "100",
                "--upsert-max-delay-ms",
                "100"));
    args.addAll(qdrantArgs);
    args.addAll(List.of(more));
    return IngestOptions.parse(args.toArray(String[]::new));
  }

  static byte[] message(String id, String dx, Integer age, byte[] image) throws Exception {
    ObjectNode m =
        JSON.createObjectNode()
            .put("image_id", id)
            .put("lesion_id", "HAM_" + id)
            .put("dx", dx)
            .put("dx_type", "histo")
            .put("sex", "female")
            .put("localization", "back");
    if (age != null) {
      m.put("age", age);
    }
    m.put("image", Base64.getEncoder().encodeToString(image));
    return JSON.writeValueAsBytes(m);
  }

  static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
  }

  static long count(QdrantClient client, String collection) {
    try {
      return client.countAsync(collection).get();
    } catch (Exception e) {
      return -1; // not created yet
    }
  }

  static void waitFor(BooleanSupplier condition, long timeoutMs, String what)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
