package io.lesionsearch.local;

import io.lesionsearch.kafka.DeadLetterSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows the ingest job's dead-letter topic from its start, so the local mode can count what could
 * not be indexed and say why. Reads committed records only: those are the job's final word.
 */
public final class DeadLetterWatch implements AutoCloseable {

  /** A dead letter's key (the image_id the producer used) and its stage and reason. */
  public record Letter(String key, String stage, String reason) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<Letter> letters = new CopyOnWriteArrayList<>();
  private final Thread poller;
  private volatile boolean closed;

  public DeadLetterWatch(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    // No consumer group: this watch commits nothing and must not look like a consumer of the topic.
    consumer.assign(
        consumer.partitionsFor(topic).stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .toList());
    poller = new Thread(this::poll, "dead-letter-watch");
    poller.setDaemon(true);
    poller.start();
  }

  private void poll() {
    try {
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          letters.add(
              new Letter(
                  text(r.key()),
                  header(r, DeadLetterSerializer.STAGE),
                  header(r, DeadLetterSerializer.ERROR_MESSAGE)));
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  public int count() {
    return letters.size();
  }

  /**
   * How many of {@code keys} have a dead letter; a key dead-lettered twice (a replay) counts once.
   */
  public int distinctKeys(Set<String> keys) {
    return (int) letters.stream().map(Letter::key).filter(keys::contains).distinct().count();
  }

  public List<Letter> letters() {
    return new ArrayList<>(letters);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? "" : text(h.value());
  }

  private static String text(byte[] bytes) {
    return bytes == null ? "(no key)" : new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    poller.join(10_000);
  }
}
