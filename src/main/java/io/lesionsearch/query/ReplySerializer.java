package io.lesionsearch.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.kafka.BoundedText;
import io.lesionsearch.kafka.KafkaRecords;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A reply as a Kafka record keyed by its request_id, so replies to one client stay in order per
 * request. A reply the topic refuses anyway (its limit below {@code --max-reply-bytes}) is answered
 * REPLY_TOO_LARGE, so its request still gets one reply.
 */
public final class ReplySerializer implements KafkaRecords<Reply> {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Header of every reply record: when the job read the request, epoch milliseconds as decimal
   * text. With the request's and the reply's Kafka timestamps it splits a request's time into
   * Kafka's legs and the job's (see {@code bench query}).
   */
  public static final String RECEIVED_HEADER = "lesion-search-received-ms";

  private final String topic;

  public ReplySerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> record(Reply reply) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic, null, null, reply.requestId().getBytes(StandardCharsets.UTF_8), reply.json());
    record
        .headers()
        .add(
            RECEIVED_HEADER,
            Long.toString(reply.receivedAtMillis()).getBytes(StandardCharsets.US_ASCII));
    return record;
  }

  @Override
  public ProducerRecord<byte[], byte[]> standIn(
      ProducerRecord<byte[], byte[]> refused, Exception why) {
    String requestId = new String(refused.key(), StandardCharsets.UTF_8);
    ObjectNode json = JSON.createObjectNode().put("request_id", requestId).put("status", "error");
    json.putObject("error")
        .put("code", ErrorCode.REPLY_TOO_LARGE.name())
        .put(
            "message",
            BoundedText.message(
                "the replies topic refused the reply of "
                    + refused.value().length
                    + " bytes ("
                    + why.getMessage()
                    + "); ask for fewer hits or fewer payload keys"));
    return new ProducerRecord<>(
        topic,
        null,
        null,
        refused.key(),
        json.toString().getBytes(StandardCharsets.UTF_8),
        refused.headers());
  }
}
