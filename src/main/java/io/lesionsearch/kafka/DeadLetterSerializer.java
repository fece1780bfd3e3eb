package io.lesionsearch.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A dead letter as a Kafka record: the original key and value bytes untouched, the stage, typed
 * reason, error and origin in headers (the convention of Kafka Connect's dead-letter queues), so
 * the record can be replayed as it was once the cause is fixed. When the original is too large for
 * the dead-letter topic, a stub stands in for it: the same headers plus {@value #STUB}, the
 * original's sizes, its key when small, and a short JSON value saying where the original still is.
 */
public final class DeadLetterSerializer implements KafkaRecords<DeadLetter> {

  public static final String STAGE = "dlq.stage";

  /**
   * Why, as the name of a typed constant of the stage: with the stage, what consumers branch on.
   */
  public static final String REASON = "dlq.reason";

  public static final String ERROR_CLASS = "dlq.error.class";
  public static final String ERROR_MESSAGE = "dlq.error.message";

  /** The headers that say where the original record is. */
  public static final String SOURCE_PREFIX = "dlq.source.";

  public static final String SOURCE_TOPIC = "dlq.source.topic";
  public static final String SOURCE_PARTITION = "dlq.source.partition";
  public static final String SOURCE_OFFSET = "dlq.source.offset";

  /** "true" on a stub that stands in for a dead letter the topic refused. */
  public static final String STUB = "dlq.stub";

  public static final String STUB_REASON = "dlq.stub.reason";
  public static final String ORIGINAL_KEY_BYTES = "dlq.original.key.bytes";
  public static final String ORIGINAL_VALUE_BYTES = "dlq.original.value.bytes";

  /** A stub keeps the original key up to this size: enough for any id, never a payload. */
  public static final int MAX_STUB_KEY_BYTES = 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> record(DeadLetter letter) {
    SourceRecord source = letter.source();
    List<Header> headers =
        List.of(
            header(STAGE, letter.stage()),
            header(REASON, letter.reason()),
            header(ERROR_CLASS, letter.errorClass()),
            header(ERROR_MESSAGE, letter.message()),
            header(SOURCE_TOPIC, source.topic()),
            header(SOURCE_PARTITION, Integer.toString(source.partition())),
            header(SOURCE_OFFSET, Long.toString(source.offset())));
    return new ProducerRecord<>(topic, null, null, source.key(), source.value(), headers);
  }

  @Override
  public ProducerRecord<byte[], byte[]> standIn(
      ProducerRecord<byte[], byte[]> refused, Exception why) {
    List<Header> headers = new ArrayList<>();
    refused.headers().forEach(headers::add); // ours, all short
    int keyBytes = refused.key() == null ? 0 : refused.key().length;
    int valueBytes = refused.value() == null ? 0 : refused.value().length;
    String reason =
        BoundedText.message(
            "the dead letter ("
                + (keyBytes + valueBytes)
                + " bytes of key and value)"
                + " was refused: "
                + why.getClass().getSimpleName()
                + ": "
                + why.getMessage());
    headers.add(header(STUB, "true"));
    headers.add(header(STUB_REASON, reason));
    headers.add(header(ORIGINAL_KEY_BYTES, Integer.toString(keyBytes)));
    headers.add(header(ORIGINAL_VALUE_BYTES, Integer.toString(valueBytes)));
    ObjectNode value =
        JSON.createObjectNode()
            .put("stub", true)
            .put("reason", reason)
            .put("original_key_bytes", keyBytes)
            .put("original_value_bytes", valueBytes);
    ObjectNode source = value.putObject("source");
    source
        .put("topic", text(refused, SOURCE_TOPIC))
        .put("partition", text(refused, SOURCE_PARTITION))
        .put("offset", text(refused, SOURCE_OFFSET));
    value.put(
        "note",
        "the original record is still in the source topic at this offset, for as long as its retention keeps it");
    byte[] key = keyBytes <= MAX_STUB_KEY_BYTES ? refused.key() : null;
    return new ProducerRecord<>(
        refused.topic(),
        null,
        null,
        key,
        value.toString().getBytes(StandardCharsets.UTF_8),
        headers);
  }

  /**
   * The largest record a dead letter of a message with an inline image can make: base64 grows the
   * image by 4/3, and 1 MiB more covers the metadata and the headers. The producer allows this
   * much; a larger dead letter, or one the topic refuses, becomes a stub.
   */
  public static int maxRecordBytes(int maxImageBytes) {
    return (int) Math.min(Integer.MAX_VALUE, (long) maxImageBytes * 4 / 3 + (1 << 20));
  }

  private static String text(ProducerRecord<byte[], byte[]> record, String header) {
    Header h = record.headers().lastHeader(header);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
