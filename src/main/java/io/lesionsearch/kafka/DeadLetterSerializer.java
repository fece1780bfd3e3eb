package io.lesionsearch.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A dead letter as a Kafka record: the original key and value bytes untouched, the reason and origin
 * in headers (the convention of Kafka Connect's dead-letter queues), so the record can be replayed
 * as it was once the cause is fixed.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

  public static final String STAGE = "dlq.stage";
  public static final String ERROR_CLASS = "dlq.error.class";
  public static final String ERROR_MESSAGE = "dlq.error.message";
  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    SourceRecord source = letter.source();
    List<Header> headers = List.of(
        header(STAGE, letter.stage()),
        header(ERROR_CLASS, letter.errorClass()),
        header(ERROR_MESSAGE, letter.message()),
        header(SOURCE_TOPIC, source.topic()),
        header(SOURCE_PARTITION, Integer.toString(source.partition())),
        header(SOURCE_OFFSET, Long.toString(source.offset())));
    return new ProducerRecord<>(topic, null, timestamp, source.key(), source.value(), headers);
  }

  /**
   * The largest record a dead letter of a message with an inline image can make: base64 grows the
   * image by 4/3, and 1 MiB more covers the metadata and the headers. Producers must allow it, or
   * their 1 MB default fails the job on such a letter, over and over after each restart.
   */
  public static int maxRecordBytes(int maxImageBytes) {
    return (int) Math.min(Integer.MAX_VALUE, (long) maxImageBytes * 4 / 3 + (1 << 20));
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
