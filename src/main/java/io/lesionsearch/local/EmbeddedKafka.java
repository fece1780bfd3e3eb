package io.lesionsearch.local;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker inside this JVM (Kafka's own test kit), with the settings a
 * one-node cluster needs: for tests, benchmarks and the single-machine mode, never production.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Images inline in JSON are large; the client default of 1 MB would refuse a big photo. */
  public static final int MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

  private final KafkaClusterTestKit cluster;

  public EmbeddedKafka() throws Exception {
    // A directory of our own: the kit's default one comes with a JVM shutdown hook that deletes it,
    // so
    // Ctrl-C pulled the broker's logs from under it while it was still closing. close() deletes
    // ours.
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .setBaseDirectory(Files.createTempDirectory("kafka-"))
            .build();
    cluster =
        new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false")
            .build();
    formatQuietly();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  /**
   * Kafka's storage formatter prints its bootstrap records to System.out, which is the output of
   * commands such as {@code local}; they go to the log instead.
   */
  private void formatQuietly() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
      LoggerFactory.getLogger(EmbeddedKafka.class)
          .debug("storage format: {}", printed.toString(StandardCharsets.UTF_8));
    }
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  public void createTopic(String name, int partitions) throws Exception {
    createTopic(name, partitions, Map.of());
  }

  public void createTopic(String name, int partitions, Map<String, String> configs)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all()
          .get();
    }
  }

  public KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers());
    p.put("acks", "all");
    p.put("max.request.size", Integer.toString(MAX_MESSAGE_BYTES));
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public void send(String topic, byte[] key, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /**
   * Reads committed records of {@code topic} from the beginning until {@code count} arrived or the
   * time is up.
   */
  public List<ConsumerRecord<byte[], byte[]>> read(String topic, int count, long timeoutMs) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("group.id", "test-reader-" + java.util.UUID.randomUUID());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (records.size() < count && System.currentTimeMillis() < deadline) {
        consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
