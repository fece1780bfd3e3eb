package io.lesionsearch.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of a {@link TolerantKafkaSink}. Sends asynchronously; the producer's callbacks only
 * queue what failed, and the task's own thread deals with it on the next write or flush.
 */
final class TolerantKafkaWriter<T> implements SinkWriter<T> {

  private static final Logger LOG = LoggerFactory.getLogger(TolerantKafkaWriter.class);

  /**
   * Passing faults (a leader moving, a request timing out) are sent again this many times in all.
   */
  static final int MAX_ATTEMPTS = 3;

  static final String METRIC_REPLACED = "recordsReplacedByStandIn";

  private record Sent(ProducerRecord<byte[], byte[]> record, int attempt, boolean standIn) {}

  private record Failed(Sent sent, Exception error) {}

  private final Producer<byte[], byte[]> producer;
  private final KafkaRecords<T> records;
  private final Queue<Failed> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private final Counter sent;
  private final Counter lost;
  private final Counter replaced;

  TolerantKafkaWriter(
      Producer<byte[], byte[]> producer, KafkaRecords<T> records, SinkWriterMetricGroup metrics) {
    this.producer = producer;
    this.records = records;
    this.sent = metrics.getNumRecordsSendCounter();
    this.lost = metrics.getNumRecordsSendErrorsCounter();
    this.replaced = metrics.counter(METRIC_REPLACED);
  }

  @Override
  public void write(T element, Context context) {
    settle();
    send(new Sent(records.record(element), 1, false));
  }

  /** Waits until every record sent so far is acknowledged, replaced or given up. */
  @Override
  public void flush(boolean endOfInput) {
    producer.flush();
    while (!failures.isEmpty()) {
      settle();
      producer.flush();
    }
    settle();
  }

  /**
   * A producer that throws here cannot take records any more: that fails the task, as it should.
   */
  private void send(Sent s) {
    // The callback sees every outcome; the returned future would only repeat it.
    var unused =
        producer.send(
            s.record(),
            (metadata, error) -> {
              if (error == null) {
                acknowledged.incrementAndGet();
              } else {
                failures.add(new Failed(s, error));
              }
            });
  }

  private void settle() {
    sent.inc(acknowledged.getAndSet(0));
    for (Failed f; (f = failures.poll()) != null; ) {
      Exception error = f.error();
      if (refusedForContent(error) && !f.sent().standIn()) {
        ProducerRecord<byte[], byte[]> standIn = records.standIn(f.sent().record(), error);
        if (standIn != null) {
          replaced.inc();
          LOG.warn(
              "Kafka refused a record for {} ({}: {}); writing a stand-in instead",
              describe(f.sent().record()),
              error.getClass().getSimpleName(),
              BoundedText.message(error.getMessage()));
          send(new Sent(standIn, 1, true));
          continue;
        }
      } else if (error instanceof RetriableException && f.sent().attempt() < MAX_ATTEMPTS) {
        LOG.warn(
            "Writing a record for {} failed ({}), attempt {} of {}; sending it again",
            describe(f.sent().record()),
            error.getClass().getSimpleName(),
            f.sent().attempt(),
            MAX_ATTEMPTS);
        send(new Sent(f.sent().record(), f.sent().attempt() + 1, f.sent().standIn()));
        continue;
      } else if (!refusedForContent(error) && !(error instanceof RetriableException)) {
        throw new KafkaException(
            "Kafka refused writes to "
                + f.sent().record().topic()
                + " as a whole: "
                + error.getMessage(),
            error);
      }
      lost.inc();
      LOG.error(
          "Gave up writing a record for {} to {} after {} attempt(s): {}: {}",
          describe(f.sent().record()),
          f.sent().record().topic(),
          f.sent().attempt(),
          error.getClass().getSimpleName(),
          BoundedText.message(error.getMessage()));
    }
  }

  /** Kafka refused this record for its size or content; the same record would be refused again. */
  static boolean refusedForContent(Throwable error) {
    return error instanceof RecordTooLargeException
        || error instanceof RecordBatchTooLargeException
        || error instanceof InvalidRecordException
        || error instanceof SerializationException;
  }

  /** Where the record came from, as its headers say, or its key: enough to find the original. */
  private static String describe(ProducerRecord<byte[], byte[]> record) {
    StringBuilder b = new StringBuilder();
    for (Header h : record.headers()) {
      if (h.key().startsWith(DeadLetterSerializer.SOURCE_PREFIX)) {
        b.append(h.key())
            .append('=')
            .append(new String(h.value(), StandardCharsets.UTF_8))
            .append(' ');
      }
    }
    if (b.length() == 0 && record.key() != null) {
      b.append("key ")
          .append(BoundedText.of(new String(record.key(), StandardCharsets.UTF_8), 100));
    }
    return b.length() == 0 ? "a record without key" : b.toString().trim();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
