package io.lesionsearch.local.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.local.LocalLogs;
import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.lesionsearch.query.QueryConfig;
import io.lesionsearch.query.QueryJob;
import io.lesionsearch.query.QueryOptions;
import io.lesionsearch.query.SearchClient;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.PointStruct;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Request-to-reply latency of the query job through Kafka: an in-JVM broker, the local Qdrant
 * endpoint holding random unit vectors plus real image embeddings (with payloads), and the job on a
 * local MiniCluster. Requests go out open-loop, on a fixed schedule whatever the replies do, and
 * latency counts from each request's scheduled time, so a stall shows up in the figures instead of
 * slowing the sender down.
 */
public final class QueryBenchmark {

  public enum Kind {
    VECTOR,
    IMAGE
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] DX = {
    "melanoma",
    "actinic_keratoses",
    "basal_cell_carcinoma",
    "benign_keratosis-like_lesions",
    "dermatofibroma",
    "melanocytic_Nevi",
    "vascular_lesions"
  };
  private static final String[] LOCALIZATION = {
    "face", "neck", "back", "trunk", "lower extremity", "upper extremity", "scalp"
  };
  private static final int IMAGES = 64;
  private static final int SETUP_BATCH = 16;
  private static final int WARM_UP_ROUND_SECONDS = 5;
  private static final int WARM_UP_MAX_ROUNDS = 8;

  private final Path modelDir;
  private final Kind kind;
  private final double rate;
  private final int seconds;
  private final int randomPoints;
  private final PrintStream out;
  private final Path dump;
  private final TripTimes trips = new TripTimes();

  /**
   * @param dump where to write every measured request as a CSV row ({@link LatencyDump}), or null
   */
  public QueryBenchmark(
      Path modelDir,
      Kind kind,
      double rate,
      int seconds,
      int randomPoints,
      Path dump,
      PrintStream out) {
    this.modelDir = modelDir;
    this.kind = kind;
    this.rate = rate;
    this.seconds = seconds;
    this.randomPoints = randomPoints;
    this.dump = dump;
    this.out = out;
  }

  public void run() throws Exception {
    List<byte[]> jpegs = new ArrayList<>();
    List<float[]> embeddings = new ArrayList<>();
    try (VitEncoder encoder = VitEncoder.open(modelDir, Device.cpu())) {
      VitPreprocessor preprocessor = new VitPreprocessor(encoder.manifest());
      // In batches: one image at a time took minutes on a busy 2-core machine.
      for (int from = 0; from < IMAGES; from += SETUP_BATCH) {
        List<float[]> batch = new ArrayList<>();
        for (int i = from; i < Math.min(IMAGES, from + SETUP_BATCH); i++) {
          jpegs.add(SyntheticLesionImages.jpeg(i, 600, 450, 0.9f));
          batch.add(preprocessor.preprocess(jpegs.get(i)));
        }
        embeddings.addAll(encoder.embed(batch));
      }
    }
    Path logs = Files.createTempDirectory("bench-query-");
    try (LocalLogs logFiles = LocalLogs.into(logs);
        EmbeddedKafka kafka = new EmbeddedKafka();
        QdrantLocalServer qdrant = QdrantLocalServer.builder().port(0).start()) {
      // The job's audit trail (a line per reply) goes to a file, as on a cluster, not the console.
      out.printf("log and audit trail: %s%n", logs);
      populate(qdrant, embeddings);
      // The broker stamps both topics' records as it appends them, so their timestamps mark when
      // each record reached the broker (the producer's clock would only say when it was sent).
      kafka.createTopic(
          "bench-requests",
          1,
          Map.of(
              "max.message.bytes",
              Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES),
              "message.timestamp.type",
              "LogAppendTime"));
      kafka.createTopic("bench-replies", 1, Map.of("message.timestamp.type", "LogAppendTime"));
      kafka.createTopic("bench-requests-dlq", 1);
      QueryConfig query =
          QueryOptions.parse(
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--requests-topic",
              "bench-requests",
              "--replies-topic",
              "bench-replies",
              "--dead-letter-topic",
              "bench-requests-dlq",
              "--qdrant-port",
              Integer.toString(qdrant.port()),
              "--collection",
              "bench",
              "--model",
              modelDir.toString(),
              "--parallelism",
              "1",
              "--starting-offsets",
              "earliest");
      Configuration config = new Configuration();
      config.setString("taskmanager.numberOfTaskSlots", "1");
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, config);
      QueryJob.build(env, query);
      JobClient job = env.executeAsync(QueryJob.NAME);
      try (SearchClient client =
          new SearchClient(
              kafka.bootstrapServers(), "bench-requests", "bench-replies", Map.of(), trips)) {
        List<ObjectNode> requests = requests(jpegs, embeddings);
        warmUp(client, requests);
        measure(client, requests);
      } finally {
        job.cancel().get();
      }
    }
  }

  private void populate(QdrantLocalServer qdrant, List<float[]> embeddings) throws Exception {
    int dim = embeddings.get(0).length;
    Random random = new Random(42);
    try (QdrantClient client = qdrant.newClient()) {
      client
          .createCollectionAsync(
              "bench", VectorParams.newBuilder().setSize(dim).setDistance(Distance.Cosine).build())
          .get();
      List<PointStruct> batch = new ArrayList<>();
      int total = randomPoints + embeddings.size();
      for (int i = 0; i < total; i++) {
        float[] v = i < randomPoints ? randomUnit(random, dim) : embeddings.get(i - randomPoints);
        String id = String.format("BENCH_%07d", i);
        batch.add(
            PointStruct.newBuilder()
                .setId(PointIdFactory.id(PointIds.forImageId(id)))
                .setVectors(VectorsFactory.vectors(v))
                .putPayload(LesionPayload.IMAGE_ID, ValueFactory.value(id))
                .putPayload(LesionPayload.DX, ValueFactory.value(DX[i % DX.length]))
                .putPayload(LesionPayload.AGE, ValueFactory.value(5 + random.nextInt(85)))
                .putPayload(
                    LesionPayload.SEX, ValueFactory.value(random.nextBoolean() ? "female" : "male"))
                .putPayload(
                    LesionPayload.LOCALIZATION,
                    ValueFactory.value(LOCALIZATION[random.nextInt(LOCALIZATION.length)]))
                .build());
        if (batch.size() == 1000 || i == total - 1) {
          client.upsertAsync("bench", batch).get();
          batch.clear();
        }
      }
      out.printf(
          "collection: %d random unit vectors + %d image embeddings (%d-d, cosine), with payloads%n",
          randomPoints, embeddings.size(), dim);
    }
  }

  private static float[] randomUnit(Random random, int dim) {
    float[] v = new float[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dim; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  /** Half the requests carry the tutorial's demographic filter, as a clinic's searches would. */
  private List<ObjectNode> requests(List<byte[]> jpegs, List<float[]> embeddings) {
    List<ObjectNode> requests = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      ObjectNode r = JSON.createObjectNode();
      if (kind == Kind.IMAGE) {
        r.putObject("query").put("image", Base64.getEncoder().encodeToString(jpegs.get(i)));
      } else {
        ArrayNode v = r.putObject("query").putArray("vector");
        for (float x : embeddings.get(i)) {
          v.add(x);
        }
      }
      if (i % 2 == 1) {
        ObjectNode filter = r.putObject("filter");
        filter
            .putArray("must")
            .addObject()
            .put("key", "sex")
            .putObject("match")
            .put("value", "female");
        filter.putArray("should").addObject().put("key", "age").putObject("range").put("gte", 55);
      }
      r.put("limit", 10);
      requests.add(r);
    }
    return requests;
  }

  /**
   * Until the job answers, then in rounds at the measured rate until the JIT compiler has settled
   * (see {@link JitSettling}), so that the measurement sees the steady state of a long-running job.
   */
  private void warmUp(SearchClient client, List<ObjectNode> requests) throws Exception {
    long start = System.nanoTime();
    JsonNode first = client.search(requests.get(0), Duration.ofMinutes(3)).get();
    if (!"ok".equals(first.path("status").asText())) {
      throw new IllegalStateException("the query job answered the warm-up request with " + first);
    }
    out.printf(
        "job answering after %.1f s; warming up in rounds of %d s until the JIT compiles for less"
            + " than %.0f%% of a round (at most %d rounds)%n",
        (System.nanoTime() - start) / 1e9,
        WARM_UP_ROUND_SECONDS,
        JitSettling.SETTLED_SHARE * 100,
        WARM_UP_MAX_ROUNDS);
    JitSettling jit = JitSettling.ofThisJvm();
    for (int round = 1; ; round++) {
      run(client, requests, WARM_UP_ROUND_SECONDS);
      if (jit == null) {
        out.println("  this JVM does not report its compile time: one round only");
        return;
      }
      long compiled = jit.compiledSinceLast();
      out.printf("  round %d: JIT compiled for %d ms%n", round, compiled);
      if (JitSettling.settled(compiled, WARM_UP_ROUND_SECONDS * 1000L)) {
        return;
      }
      if (round == WARM_UP_MAX_ROUNDS) {
        out.println("  the JIT has not settled; measuring anyway");
        return;
      }
    }
  }

  private void measure(SearchClient client, List<ObjectNode> requests) throws Exception {
    out.printf(
        "%s queries, open loop at %.1f requests/s for %d s...%n",
        kind.name().toLowerCase(java.util.Locale.ROOT), rate, seconds);
    JvmActivity before = JvmActivity.take();
    Result r = run(client, requests, seconds);
    JvmActivity after = JvmActivity.take();
    long[] sorted = Arrays.stream(r.latencyNanos).filter(l -> l >= 0).sorted().toArray();
    out.printf(
        "sent %d, ok %d, error replies %d, no reply %d; achieved %.1f requests/s%n",
        r.latencyNanos.length,
        r.ok,
        r.errors,
        r.latencyNanos.length - sorted.length,
        r.latencyNanos.length / r.sendSeconds);
    if (sorted.length > 0) {
      out.printf(
          "latency request->reply through Kafka: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
      out.print(r.legs.table());
    }
    out.printf("during the measurement: %s%n", after.since(before));
    if (dump != null) {
      LatencyDump.write(dump, r.startUptimeMs, r.intervalNanos, r.latencyNanos, r.legs);
      out.printf("every request's latency and legs: %s%n", dump);
    }
  }

  private record Result(
      long[] latencyNanos,
      int ok,
      int errors,
      double sendSeconds,
      LatencyLegs legs,
      double startUptimeMs,
      long intervalNanos) {}

  private Result run(SearchClient client, List<ObjectNode> requests, int runSeconds)
      throws Exception {
    int n = (int) Math.round(rate * runSeconds);
    long[] latency = new long[n];
    Arrays.fill(latency, -1);
    LatencyLegs legs = new LatencyLegs(n);
    int[] outcomes = new int[2];
    List<CompletableFuture<?>> replies = new ArrayList<>(n);
    long intervalNanos = Math.round(1e9 / rate);
    long start = System.nanoTime();
    double startUptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
    WallClock wall = WallClock.now();
    for (int i = 0; i < n; i++) {
      long scheduled = start + i * intervalNanos;
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      String requestId = UUID.randomUUID().toString();
      ObjectNode message = requests.get(i % requests.size()).deepCopy();
      message.put("request_id", requestId);
      replies.add(
          client
              .send(requestId, message, Duration.ofSeconds(30))
              .thenAccept(
                  reply -> {
                    latency[index] = System.nanoTime() - scheduled;
                    TripTimes.Trip trip = trips.remove(requestId);
                    if (trip != null) {
                      legs.add(
                          index,
                          wall.millis(scheduled),
                          trip,
                          reply.path("took_ms").asLong(-1),
                          wall.millis(trip.readNanos()));
                    }
                    synchronized (outcomes) {
                      outcomes["ok".equals(reply.path("status").asText()) ? 0 : 1]++;
                    }
                  }));
    }
    double sendSeconds = (System.nanoTime() - start) / 1e9;
    for (CompletableFuture<?> f : replies) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        // counted as "no reply"
      }
    }
    synchronized (outcomes) {
      return new Result(
          latency, outcomes[0], outcomes[1], sendSeconds, legs, startUptimeMs, intervalNanos);
    }
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
