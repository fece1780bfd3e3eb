package io.lesionsearch.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The writer's handling of what Kafka answers, on kafka-clients' own MockProducer, one answer at a
 * time.
 */
class TolerantKafkaWriterTest {

  /** Records of a text; their stand-in is the text "stand-in for <text>". */
  private static final class Texts implements KafkaRecords<String> {
    @Override
    public ProducerRecord<byte[], byte[]> record(String text) {
      return new ProducerRecord<>("out", null, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public ProducerRecord<byte[], byte[]> standIn(
        ProducerRecord<byte[], byte[]> refused, Exception why) {
      return new ProducerRecord<>(
          "out",
          null,
          ("stand-in for " + new String(refused.value(), StandardCharsets.UTF_8))
              .getBytes(StandardCharsets.UTF_8));
    }
  }

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SinkWriterMetricGroup metrics =
      InternalSinkWriterMetricGroup.wrap(UnregisteredMetricsGroup.createOperatorMetricGroup());
  private final TolerantKafkaWriter<String> writer =
      new TolerantKafkaWriter<>(producer, new Texts(), metrics);

  // MockProducer answers the oldest unanswered send, and runs its callback at once.

  @Test
  void aRecordKafkaRefusesForItsSizeIsReplacedByItsStandIn() {
    writer.write("big", null);
    producer.errorNext(new RecordTooLargeException("too large"));
    writer.write("small", null);
    writer.flush(false);

    assertEquals(List.of("big", "stand-in for big", "small"), sentValues());
    assertEquals(
        2,
        metrics.getNumRecordsSendCounter().getCount(),
        "the stand-in and small were acknowledged");
    assertEquals(0, metrics.getNumRecordsSendErrorsCounter().getCount());
  }

  @Test
  void aPassingFaultIsSentAgainUntilItGoesThrough() {
    writer.write("a", null);
    producer.errorNext(new NotLeaderOrFollowerException("moved"));
    writer.write("b", null); // first sends "a" again
    producer.errorNext(new NotLeaderOrFollowerException("moved again"));
    writer.flush(false);

    assertEquals(List.of("a", "a", "b", "a"), sentValues());
    assertEquals(2, metrics.getNumRecordsSendCounter().getCount());
    assertEquals(0, metrics.getNumRecordsSendErrorsCounter().getCount());
  }

  @Test
  void aRecordThatKeepsFailingIsCountedAndLoggedNotRaised() {
    writer.write("doomed", null);
    producer.errorNext(new NotLeaderOrFollowerException("attempt 1"));
    for (int attempt = 2; attempt <= TolerantKafkaWriter.MAX_ATTEMPTS; attempt++) {
      writer.write("next-" + attempt, null); // first sends "doomed" again
      producer.errorNext(new NotLeaderOrFollowerException("attempt " + attempt));
      producer.completeNext();
    }
    writer.flush(false);

    assertEquals(
        TolerantKafkaWriter.MAX_ATTEMPTS, sentValues().stream().filter("doomed"::equals).count());
    assertEquals(
        1, metrics.getNumRecordsSendErrorsCounter().getCount(), "given up once, and counted");
    assertEquals(
        TolerantKafkaWriter.MAX_ATTEMPTS - 1, metrics.getNumRecordsSendCounter().getCount());
  }

  @Test
  void aStandInThatIsRefusedTooIsGivenUp() {
    writer.write("big", null);
    producer.errorNext(new RecordTooLargeException("too large"));
    writer.write("x", null); // first sends the stand-in
    producer.errorNext(new RecordTooLargeException("still too large"));
    writer.flush(false);

    assertEquals(List.of("big", "stand-in for big", "x"), sentValues());
    assertEquals(1, metrics.getNumRecordsSendErrorsCounter().getCount());
    assertEquals(1, metrics.getNumRecordsSendCounter().getCount());
  }

  @Test
  void aFailureOfTheOutputAsAWholeFailsTheTask() {
    writer.write("a", null);
    producer.errorNext(new TopicAuthorizationException("no write access to out"));
    KafkaException e = assertThrows(KafkaException.class, () -> writer.flush(false));
    assertTrue(e.getMessage().contains("no write access"), e.getMessage());
  }

  private List<String> sentValues() {
    return producer.history().stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .toList();
  }
}
