package io.lesionsearch.kafka;

import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Kafka sink, at least once, that one record can never fail: a record Kafka refuses for what it
 * holds is replaced by its {@link KafkaRecords#standIn stand-in}; a passing fault is retried; a
 * record that still cannot be written is logged with where it came from and counted in the standard
 * {@code numRecordsSendErrors} metric. Flink's KafkaSink instead fails the task, and the restart
 * reads the same record again, forever. Failures of the output as a whole (authorization, a
 * producer that cannot go on) still fail the task, as with any sink: a restart can cure those, and
 * no record is passed over.
 *
 * <p>Every record is acknowledged before a checkpoint completes (the writer flushes on the
 * barrier), so nothing read before a checkpoint is lost; after a restart, records since the last
 * checkpoint may be written again.
 */
public final class TolerantKafkaSink<T> implements Sink<T> {

  private final String bootstrapServers;
  private final Properties producerProperties;
  private final KafkaRecords<T> records;

  /**
   * @param producerProperties client settings (security, {@code max.request.size}, ...);
   *     serializers and acks are the sink's
   */
  public TolerantKafkaSink(
      String bootstrapServers, Properties producerProperties, KafkaRecords<T> records) {
    this.bootstrapServers = bootstrapServers;
    this.producerProperties = (Properties) producerProperties.clone();
    this.records = records;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    Properties p = (Properties) producerProperties.clone();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("acks", "all");
    return new TolerantKafkaWriter<>(
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()),
        records,
        context.metricGroup());
  }
}
