package io.lesionsearch.produce;

import io.lesionsearch.datasets.LesionImage;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a dataset to Kafka as a feed of ingest messages (key = image_id), paced to a rate and
 * optionally looping, with progress through a {@link Listener}. Used by the {@code produce} command
 * and in-process by the single-machine mode. {@link #connect} checks that the broker answers and
 * the topic exists before anything is sent, so a wrong address fails in seconds with a message
 * saying so.
 */
public final class DatasetProducer implements AutoCloseable {

  /** Inline images can be large; the broker's own message limit still applies and is reported. */
  static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

  /**
   * @param ratePerSecond messages per second, 0 for as fast as Kafka takes them
   * @param limit stop after this many messages, 0 for one pass (or endless with {@code loop})
   * @param inline base64 image in the message; otherwise image_uri = the file's absolute path
   * @param loop start over at the end of the dataset (repeats overwrite their own points)
   */
  public record Settings(
      String bootstrapServers,
      String topic,
      double ratePerSecond,
      long limit,
      boolean inline,
      boolean loop,
      Map<String, String> kafkaProperties,
      Duration connectTimeout) {

    public Settings {
      if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
        throw new IllegalArgumentException(
            "--rate must be 0 (no limit) or positive, got " + ratePerSecond);
      }
      if (limit < 0) {
        throw new IllegalArgumentException("--limit must be 0 (all) or positive, got " + limit);
      }
      kafkaProperties = Map.copyOf(kafkaProperties);
    }

    public static Settings of(String bootstrapServers, String topic) {
      return new Settings(
          bootstrapServers, topic, 0, 0, true, false, Map.of(), Duration.ofSeconds(15));
    }

    public Settings withRate(double perSecond) {
      return new Settings(
          bootstrapServers, topic, perSecond, limit, inline, loop, kafkaProperties, connectTimeout);
    }

    public Settings withLimit(long messages) {
      return new Settings(
          bootstrapServers,
          topic,
          ratePerSecond,
          messages,
          inline,
          loop,
          kafkaProperties,
          connectTimeout);
    }

    public Settings withInline(boolean inlineImages) {
      return new Settings(
          bootstrapServers,
          topic,
          ratePerSecond,
          limit,
          inlineImages,
          loop,
          kafkaProperties,
          connectTimeout);
    }

    public Settings withLoop(boolean endless) {
      return new Settings(
          bootstrapServers,
          topic,
          ratePerSecond,
          limit,
          inline,
          endless,
          kafkaProperties,
          connectTimeout);
    }

    public Settings withKafkaProperties(Map<String, String> properties) {
      return new Settings(
          bootstrapServers, topic, ratePerSecond, limit, inline, loop, properties, connectTimeout);
    }

    public Settings withConnectTimeout(Duration timeout) {
      return new Settings(
          bootstrapServers, topic, ratePerSecond, limit, inline, loop, kafkaProperties, timeout);
    }
  }

  /**
   * Progress and images that could not be sent (an image file deleted since the scan, for example).
   */
  public interface Listener {
    void progress(long sent, double imagesPerSecond);

    void skipped(LesionImage image, String why);
  }

  public record Summary(long sent, long skipped, double seconds) {
    public double imagesPerSecond() {
      return seconds > 0 ? sent / seconds : 0;
    }
  }

  private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

  private final Settings settings;
  private final KafkaProducer<byte[], byte[]> producer;
  private volatile boolean stopped;

  private DatasetProducer(Settings settings, KafkaProducer<byte[], byte[]> producer) {
    this.settings = settings;
    this.producer = producer;
  }

  /**
   * Checks that Kafka answers within the connect timeout and that the topic exists, then opens the
   * producer.
   *
   * @throws ProduceException naming the address or topic at fault
   */
  public static DatasetProducer connect(Settings settings) throws ProduceException {
    checkTopic(settings);
    Map<String, Object> p = new HashMap<>(settings.kafkaProperties());
    p.put("bootstrap.servers", settings.bootstrapServers());
    p.putIfAbsent("acks", "all");
    p.putIfAbsent("linger.ms", "10");
    p.putIfAbsent("max.request.size", Integer.toString(MAX_REQUEST_BYTES));
    p.putIfAbsent("max.block.ms", Long.toString(settings.connectTimeout().toMillis()));
    return new DatasetProducer(
        settings, new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  private static void checkTopic(Settings s) throws ProduceException {
    Map<String, Object> p = new HashMap<>(s.kafkaProperties());
    p.put("bootstrap.servers", s.bootstrapServers());
    int timeoutMs = (int) s.connectTimeout().toMillis();
    p.put("request.timeout.ms", timeoutMs);
    p.put("default.api.timeout.ms", timeoutMs);
    try (Admin admin = Admin.create(p)) {
      admin
          .describeTopics(List.of(s.topic()))
          .allTopicNames()
          .get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | org.apache.kafka.common.KafkaException e) {
      throw unreachable(s, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new ProduceException(
            "topic '"
                + s.topic()
                + "' does not exist on Kafka at "
                + s.bootstrapServers()
                + "; create it first (kafka-topics.sh --create --topic "
                + s.topic()
                + ")",
            e.getCause());
      }
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable(s, e.getCause());
      }
      throw new ProduceException(
          "Kafka at "
              + s.bootstrapServers()
              + " refused to describe topic '"
              + s.topic()
              + "': "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProduceException(
          "interrupted while connecting to Kafka at " + s.bootstrapServers(), e);
    }
  }

  private static ProduceException unreachable(Settings s, Throwable cause) {
    return new ProduceException(
        "Kafka at "
            + s.bootstrapServers()
            + " is unreachable: no answer within "
            + s.connectTimeout().toSeconds()
            + " s (is the broker running, and is that the address it advertises? "
            + "set it with --bootstrap-servers)",
        cause);
  }

  /**
   * Sends the images in order (repeatedly with {@code loop}) until the limit, the end, or {@link
   * #stop()}.
   *
   * @throws ProduceException when Kafka refuses a message; nothing after it is sent
   */
  public Summary produce(List<LesionImage> images, Listener listener)
      throws ProduceException, InterruptedException {
    if (images.isEmpty()) {
      return new Summary(0, 0, 0);
    }
    AtomicReference<ProduceException> failure = new AtomicReference<>();
    Pacer pacer = Pacer.systemClock(settings.ratePerSecond());
    long start = System.nanoTime();
    long lastProgress = start;
    long sent = 0;
    long skipped = 0;
    for (long i = 0; !stopped && within(i, images.size()); i++) {
      LesionImage image = images.get((int) (i % images.size()));
      pacer.awaitTurn(sent);
      byte[] value;
      try {
        value = IngestMessages.value(image, settings.inline());
      } catch (IOException e) {
        listener.skipped(image, "cannot read " + image.file() + ": " + e.getMessage());
        skipped++;
        continue;
      }
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(settings.topic(), IngestMessages.key(image), value);
      try {
        var unused =
            producer.send(
                record,
                (meta, e) -> {
                  if (e != null) {
                    failure.compareAndSet(null, refused(image, e));
                  }
                });
      } catch (org.apache.kafka.common.KafkaException e) {
        throw refused(image, e);
      }
      sent++;
      throwIfFailed(failure);
      long now = System.nanoTime();
      if (now - lastProgress >= PROGRESS_EVERY_NANOS) {
        listener.progress(sent, sent / ((now - start) / 1e9));
        lastProgress = now;
      }
    }
    producer.flush();
    throwIfFailed(failure);
    double seconds = (System.nanoTime() - start) / 1e9;
    listener.progress(sent, seconds > 0 ? sent / seconds : 0);
    return new Summary(sent, skipped, seconds);
  }

  private boolean within(long index, int size) {
    if (settings.limit() > 0 && index >= settings.limit()) {
      return false;
    }
    return settings.loop() || index < size;
  }

  private ProduceException refused(LesionImage image, Exception e) {
    String hint =
        e instanceof RecordTooLargeException
            ? " (the message is over the broker's or topic's size limit: send large images with --uri)"
            : "";
    return new ProduceException(
        "sending "
            + image.imageId()
            + " to topic '"
            + settings.topic()
            + "' at "
            + settings.bootstrapServers()
            + " failed: "
            + e.getMessage()
            + hint,
        e);
  }

  private static void throwIfFailed(AtomicReference<ProduceException> failure)
      throws ProduceException {
    ProduceException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  /** Ends a running {@link #produce} after the message in hand (for Ctrl-C and the local mode). */
  public void stop() {
    stopped = true;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
