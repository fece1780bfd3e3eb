package io.lesionsearch.kafka;

import java.io.Serializable;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What a {@link TolerantKafkaSink} writes: the record for each element, and a small stand-in for a
 * record that Kafka refused because of what it holds (too large for the producer or the topic,
 * invalid), so that one element can never stop the job that writes it.
 */
public interface KafkaRecords<T> extends Serializable {

  ProducerRecord<byte[], byte[]> record(T element);

  /**
   * A record to send instead of {@code refused}: much smaller, and saying that it stands in for
   * another. Null when there is nothing to say in its place.
   */
  ProducerRecord<byte[], byte[]> standIn(ProducerRecord<byte[], byte[]> refused, Exception why);
}
