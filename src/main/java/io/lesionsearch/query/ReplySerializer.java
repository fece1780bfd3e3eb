package io.lesionsearch.query;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A reply as a Kafka record keyed by its request_id, so replies to one client stay in order per request. */
public final class ReplySerializer implements KafkaRecordSerializationSchema<Reply> {
  private final String topic;

  public ReplySerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(Reply reply, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(topic, null, timestamp, reply.requestId().getBytes(StandardCharsets.UTF_8), reply.json());
  }
}
