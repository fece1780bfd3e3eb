package io.lesionsearch.kafka;

import io.lesionsearch.config.KafkaConfig;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The jobs' Kafka sources, as their configuration describes them. */
public final class KafkaSources {
  private KafkaSources() {}

  /**
   * Raw records with their coordinates, so that a later stage can dead-letter them as they came.
   *
   * @param checkpointing whether the job checkpoints: Flink commits the group's offsets on each
   *     checkpoint; without checkpoints the consumer commits them itself every 5 s (Kafka's auto
   *     commit), so that a restarted job does not start again from the earliest record
   */
  public static KafkaSource<SourceRecord> records(
      KafkaConfig kafka, String topic, String groupId, boolean checkpointing) {
    return records(kafka, topic, groupId, checkpointing, false);
  }

  /**
   * As {@link #records(KafkaConfig, String, String, boolean)}; a bounded source stops at the
   * topic's end offsets as they were when the job started (a re-index reads what was there).
   */
  public static KafkaSource<SourceRecord> records(
      KafkaConfig kafka, String topic, String groupId, boolean checkpointing, boolean bounded) {
    Properties p = kafka.clientProperties();
    if (!checkpointing) {
      p.putIfAbsent("enable.auto.commit", "true");
    }
    KafkaSourceBuilder<SourceRecord> builder =
        KafkaSource.<SourceRecord>builder()
            .setBootstrapServers(kafka.bootstrapServers())
            .setTopics(topic)
            .setGroupId(groupId)
            .setStartingOffsets(
                switch (kafka.startingOffsets()) {
                  case COMMITTED ->
                      OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                  case EARLIEST -> OffsetsInitializer.earliest();
                  case LATEST -> OffsetsInitializer.latest();
                })
            .setDeserializer(new SourceRecordDeserializer())
            .setProperties(p);
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }
}
