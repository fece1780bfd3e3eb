package io.lesionsearch.options;

import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.kafka.SourceRecordDeserializer;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import picocli.CommandLine.Option;

/** How a job reaches Kafka, as every job is told it (a picocli mixin); topics and groups stay per job. */
public final class KafkaOptions implements Serializable {

  @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  public String bootstrapServers;

  @Option(names = "--starting-offsets", defaultValue = "committed", description = "committed (falling back to earliest), earliest or latest (default: ${DEFAULT-VALUE}).")
  public StartingOffsets startingOffsets;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client setting for sources and producers (security.protocol, sasl.*, ssl.*), repeatable.")
  public Map<String, String> properties = new LinkedHashMap<>();

  public enum StartingOffsets {
    COMMITTED,
    EARLIEST,
    LATEST
  }

  /** A fresh copy of the client settings, for one source or producer to add its own to. */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.putAll(properties);
    return p;
  }

  /**
   * Raw records with their coordinates, so that a later stage can dead-letter them as they came.
   *
   * @param checkpointing whether the job checkpoints: Flink commits the group's offsets on each
   *     checkpoint; without checkpoints the consumer commits them itself every 5 s (Kafka's auto
   *     commit), so that a restarted job does not start again from the earliest record
   */
  public KafkaSource<SourceRecord> source(String topic, String groupId, boolean checkpointing) {
    Properties p = clientProperties();
    if (!checkpointing) {
      p.putIfAbsent("enable.auto.commit", "true");
    }
    return KafkaSource.<SourceRecord>builder()
        .setBootstrapServers(bootstrapServers)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(switch (startingOffsets) {
          case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
          case EARLIEST -> OffsetsInitializer.earliest();
          case LATEST -> OffsetsInitializer.latest();
        })
        .setDeserializer(new SourceRecordDeserializer())
        .setProperties(p)
        .build();
  }
}
