package io.lesionsearch.local.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.qdrant.client.QdrantClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The ingest job's throughput on this machine, next to the model's own in the same process: images
 * are produced into an in-JVM Kafka broker first, then the job runs on a local Flink MiniCluster
 * into the local Qdrant endpoint, and the rate is read from Qdrant's point count. The model alone
 * is measured before and after, and the ratio uses the better figure.
 */
public final class IngestBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] DX = {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"};
  private static final int DISTINCT_IMAGES = 64;

  private final Path modelDir;
  private final int count;
  private final int parallelism;
  private final int modelSeconds;
  private final PrintStream out;

  public IngestBenchmark(
      Path modelDir, int count, int parallelism, int modelSeconds, PrintStream out) {
    this.modelDir = modelDir;
    this.count = count;
    this.parallelism = parallelism;
    this.modelSeconds = modelSeconds;
    this.out = out;
  }

  public void run() throws Exception {
    List<byte[]> jpegs = new ArrayList<>();
    for (int i = 0; i < DISTINCT_IMAGES; i++) {
      jpegs.add(SyntheticLesionImages.jpeg(i, 600, 450, 0.9f));
    }
    double modelBefore = modelOnly(jpegs);
    out.printf(
        "model-only, before: %7.1f images/s (batch 16, %d s after warm-up; %.1f ms of process CPU"
            + " per image)%n",
        modelBefore, modelSeconds, modelCpuMs);
    double steady = ingest(jpegs);
    double modelAfter = modelOnly(jpegs);
    out.printf(
        "model-only, after:  %7.1f images/s (%.1f ms of process CPU per image)%n",
        modelAfter, modelCpuMs);
    // The better model-only figure: a slow phase from other load on the machine must not flatter
    // the ratio.
    out.printf("ingest steady / model-only: %.2f%n", steady / Math.max(modelBefore, modelAfter));
  }

  /**
   * Runs the job over {@code count} images and returns the steady rate, from 10% to 90% of the
   * points.
   */
  private double ingest(List<byte[]> jpegs) throws Exception {

    try (EmbeddedKafka kafka = new EmbeddedKafka();
        QdrantLocalServer qdrant = QdrantLocalServer.builder().port(0).start()) {
      kafka.createTopic("bench-images", parallelism);
      kafka.createTopic("bench-images-dlq", 1);
      produce(kafka, jpegs);

      IngestConfig ingest =
          IngestOptions.parse(
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--topic",
              "bench-images",
              "--dead-letter-topic",
              "bench-images-dlq",
              "--qdrant-port",
              Integer.toString(qdrant.port()),
              "--collection",
              "bench",
              "--model",
              modelDir.toString(),
              "--parallelism",
              Integer.toString(parallelism),
              "--starting-offsets",
              "earliest");
      Configuration config = new Configuration();
      config.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
      IngestJob.build(env, ingest);

      long start = System.nanoTime();
      JobClient job = env.executeAsync(IngestJob.NAME);
      try (QdrantClient client = qdrant.newClient()) {
        long t10 = 0;
        long t90 = 0;
        long p10 = 0;
        long p90 = 0;
        CpuSnapshot cpu10 = null;
        CpuSnapshot cpu90 = null;
        JvmActivity jvm10 = null;
        JvmActivity jvm90 = null;
        long lastReport = start;
        long points = 0;
        while (points < count) {
          Thread.sleep(100);
          points = count(client);
          long now = System.nanoTime();
          if (t10 == 0 && points >= count / 10) {
            t10 = now;
            p10 = points;
            cpu10 = CpuSnapshot.take();
            jvm10 = JvmActivity.take();
          }
          if (t90 == 0 && points >= count * 9 / 10) {
            t90 = now;
            p90 = points;
            cpu90 = CpuSnapshot.take();
            jvm90 = JvmActivity.take();
          }
          if (now - lastReport > 5_000_000_000L) {
            out.printf(
                "  %d of %d points indexed after %.0f s%n", points, count, (now - start) / 1e9);
            lastReport = now;
          }
          if (now - start > 600_000_000_000L) {
            throw new IllegalStateException(
                "only " + points + " of " + count + " points after 10 minutes");
          }
        }
        double total = (System.nanoTime() - start) / 1e9;
        double steady = (count * 0.8) / ((t90 - t10) / 1e9);
        out.printf(
            "ingest, whole run: %7.1f images/s (%d images in %.1f s, job start-up and model load included)%n",
            count / total, count, total);
        out.printf("ingest, steady:    %7.1f images/s (from 10%% to 90%% of the points)%n", steady);
        out.printf(
            "ingest, steady, CPU ms per image: %s%n",
            format(cpu90.since(cpu10, p90 - p10, IngestBenchmark::threadGroup)));
        // Compiler and GC threads are among "not Java threads": this says how busy they were.
        out.printf("ingest, steady, the JVM's own work: %s%n", jvm90.since(jvm10));
        return steady;
      } finally {
        job.cancel().get();
      }
    }
  }

  /** Process CPU per image in the latest model-only run. */
  private double modelCpuMs;

  /**
   * The thread groups that matter for the ingest budget: decoding (the shared pool), the task
   * thread that runs source, parse, inference and sink in one chain, and the rest of the Java
   * threads of this process (the in-JVM broker, the local Qdrant endpoint, Flink's own).
   */
  private static String threadGroup(String name) {
    if (name.startsWith("lesion-search-decode-")) {
      return "decode threads";
    }
    if (name.startsWith("Source: ")) {
      return "task thread";
    }
    return "other Java threads";
  }

  private static String format(java.util.Map<String, Double> ms) {
    StringBuilder b = new StringBuilder();
    ms.forEach(
        (k, v) -> b.append(b.length() == 0 ? "" : ", ").append(String.format("%s %.2f", k, v)));
    return b.toString();
  }

  private double modelOnly(List<byte[]> jpegs) throws Exception {
    try (VitEncoder encoder = VitEncoder.open(modelDir, Device.cpu())) {
      VitPreprocessor pre = new VitPreprocessor(encoder.manifest());
      List<float[]> batch = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        batch.add(pre.preprocess(jpegs.get(i)));
      }
      long warmUntil = System.nanoTime() + 5_000_000_000L;
      while (System.nanoTime() < warmUntil) {
        encoder.embed(batch);
      }
      long start = System.nanoTime();
      long cpuStart = CpuSnapshot.processCpuNanos();
      long deadline = start + modelSeconds * 1_000_000_000L;
      long images = 0;
      while (System.nanoTime() < deadline) {
        images += encoder.embed(batch).size();
      }
      modelCpuMs = (CpuSnapshot.processCpuNanos() - cpuStart) / 1e6 / images;
      return images / ((System.nanoTime() - start) / 1e9);
    }
  }

  private void produce(EmbeddedKafka kafka, List<byte[]> jpegs) throws Exception {
    List<String> encoded = jpegs.stream().map(j -> Base64.getEncoder().encodeToString(j)).toList();
    // A lost image would leave the benchmark waiting for a point that never comes: fail instead.
    AtomicReference<Exception> refused = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int i = 0; i < count; i++) {
        String id = String.format("BENCH_%07d", i);
        ObjectNode m =
            JSON.createObjectNode()
                .put(LesionPayload.IMAGE_ID, id)
                .put(LesionPayload.DX, DX[i % DX.length])
                .put(LesionPayload.AGE, 20 + i % 60)
                .put(LesionPayload.SEX, i % 2 == 0 ? "female" : "male")
                .put(LesionPayload.LOCALIZATION, "back")
                .put(LesionPayload.IMAGE, encoded.get(i % encoded.size()));
        var unused =
            producer.send(
                new ProducerRecord<>(
                    "bench-images", id.getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(m)),
                (metadata, error) -> {
                  if (error != null) {
                    refused.compareAndSet(null, error);
                  }
                });
      }
      producer.flush();
    }
    if (refused.get() != null) {
      throw new IllegalStateException("Kafka refused a benchmark image", refused.get());
    }
    out.printf("produced %d images (600x450 JPEG, base64 in JSON) into Kafka%n", count);
  }

  private static long count(QdrantClient client) {
    try {
      return client.countAsync("bench").get();
    } catch (Exception e) {
      return 0; // the writers have not created the collection yet
    }
  }
}
