package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.testing.GrpcProxy;
import io.lesionsearch.testing.QdrantServer;
import io.lesionsearch.testing.QdrantUnderTest;
import io.lesionsearch.testing.TcpProxy;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink in real Flink jobs on a MiniCluster, writing to the local Qdrant endpoint over TCP. */
class QdrantSinkJobITCase {
  private static final int DIM = 384;
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  static {
    // The client logs each failed call at ERROR; the outage and fatal tests provoke them.
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.qdrant.client.QdrantClient", org.apache.logging.log4j.Level.OFF);
  }

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();
  private UpsertRecorder upserts;

  /** Between the sinks and Qdrant: sees every upsert. */
  private GrpcProxy recorder;

  /** The sinks' way to the recorder, which outage tests cut. */
  private TcpProxy link;

  /** Straight to Qdrant, for checking what arrived. */
  private QdrantClient client;

  private final Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeEach
  void connect() {
    upserts = new UpsertRecorder();
    recorder = GrpcProxy.to(QDRANT.get().host(), QDRANT.get().port(), upserts);
    link = TcpProxy.to("127.0.0.1", recorder.port());
    client = QDRANT.get().client();
  }

  @AfterEach
  void disconnect() {
    link.close();
    recorder.close();
  }

  /** This test's collection for {@code prefix}: unique, so that tests can share a real server. */
  private String name(String prefix) {
    return names.computeIfAbsent(prefix, QDRANT.get()::collection);
  }

  /** No job restarts: a test passes only if the writer itself coped. */
  private static StreamExecutionEnvironment env(int parallelism) {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    return env;
  }

  private QdrantSink.Builder sink(String collection) {
    return QdrantSink.builder()
        .connection(
            QdrantConnection.of("127.0.0.1", link.port())
                .withApiKey(QDRANT.get().apiKey())
                .withRequestTimeout(Duration.ofSeconds(10)))
        .collection(collection)
        .retry(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(60));
  }

  private void createCollection(String name, int size) throws Exception {
    client
        .createCollectionAsync(
            name, VectorParams.newBuilder().setSize(size).setDistance(Distance.Cosine).build())
        .get();
  }

  static float[] vector(int i) {
    Random r = new Random(i);
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) r.nextGaussian();
    }
    return v;
  }

  static PointStruct point(int i) {
    PointStruct.Builder p =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.fromString(uuid(i))))
            .setVectors(VectorsFactory.vectors(vector(i)))
            .putPayload("image_id", ValueFactory.value("ISIC_" + i))
            .putPayload("lesion_id", ValueFactory.value("HAM_" + (i / 3)))
            .putPayload("dx", ValueFactory.value(i % 2 == 0 ? "nv" : "mel"))
            .putPayload("sex", ValueFactory.value(i % 3 == 0 ? "female" : "male"));
    if (i % 7 != 0) {
      p.putPayload("age", ValueFactory.value(20 + i % 60));
    }
    return p.build();
  }

  static String uuid(int i) {
    return UUID.nameUUIDFromBytes(("ISIC_" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  /** A bounded source of n points, typed so that Flink hands them on as protobuf bytes. */
  private static DataStreamSource<PointStruct> points(StreamExecutionEnvironment env, int n) {
    List<PointStruct> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(point(i));
    }
    return env.fromData(list, PointStructTypeInfo.INSTANCE);
  }

  private Map<String, RetrievedPoint> allPoints(String collection) throws Exception {
    Map<String, RetrievedPoint> byId = new HashMap<>();
    ScrollPoints.Builder req =
        ScrollPoints.newBuilder()
            .setCollectionName(collection)
            .setLimit(1000)
            .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
            .setWithVectors(WithVectorsSelector.newBuilder().setEnable(true));
    while (true) {
      var page = client.scrollAsync(req.build()).get();
      for (RetrievedPoint p : page.getResultList()) {
        byId.put(p.getId().getUuid(), p);
      }
      if (!page.hasNextPageOffset()) {
        return byId;
      }
      req.setOffset(page.getNextPageOffset());
    }
  }

  private static long counter(JobID job, String name) {
    long sum = 0;
    for (Metric m : METRICS.findMetrics(job, name).values()) {
      sum += ((Counter) m).getCount();
    }
    return sum;
  }

  @Test
  void boundedJobWritesEveryPointInBatchesOfAtMostOneThousand() throws Exception {
    int n = 2500;
    createCollection(name("bulk"), DIM);
    StreamExecutionEnvironment env = env(2);
    points(env, n).sinkTo(sink(name("bulk")).build()).name("qdrant");
    JobExecutionResult result = env.execute(name("bulk"));

    Map<String, RetrievedPoint> stored = allPoints(name("bulk"));
    assertEquals(n, stored.size());
    for (int i = 0; i < n; i++) {
      float[] expected = vector(i);
      RetrievedPoint got = stored.get(uuid(i));
      List<Float> v =
          got.getVectors().getVector().getDataList().isEmpty()
              ? got.getVectors().getVector().getDense().getDataList()
              : got.getVectors().getVector().getDataList();
      double norm = 0;
      for (float f : expected) {
        norm += (double) f * f;
      }
      norm = Math.sqrt(norm);
      assertEquals(DIM, v.size());
      for (int d = 0; d < DIM; d++) {
        assertEquals(expected[d] / norm, v.get(d), 1e-5, "point " + i + " dim " + d);
      }
      Map<String, Value> payload = got.getPayloadMap();
      assertEquals("ISIC_" + i, payload.get("image_id").getStringValue());
      assertEquals("HAM_" + (i / 3), payload.get("lesion_id").getStringValue());
      assertEquals(i % 2 == 0 ? "nv" : "mel", payload.get("dx").getStringValue());
      if (i % 7 == 0) {
        assertFalse(payload.containsKey("age"), "point " + i + " must have no age");
      } else {
        assertEquals(20 + i % 60, payload.get("age").getIntegerValue());
      }
    }

    List<Integer> sizes = upserts.sizes();
    assertEquals(n, sizes.stream().mapToInt(Integer::intValue).sum(), sizes.toString());
    assertTrue(sizes.stream().allMatch(s -> s <= 1000), sizes.toString());
    // Batched, not point by point: two writers of ~1,250 points each need about 4 requests.
    assertTrue(sizes.size() <= 8, "too many upserts: " + sizes);
    assertTrue(sizes.contains(1000), "no full batch: " + sizes);
    assertEquals(n, counter(result.getJobID(), QdrantSinkWriter.METRIC_POINTS_WRITTEN));
    assertEquals(0, counter(result.getJobID(), QdrantSinkWriter.METRIC_RETRIES));
  }

  /** Emits its input, then blocks the task until released, keeping the job running. */
  static final class HoldAfter implements FlatMapFunction<PointStruct, PointStruct> {
    static volatile CountDownLatch release = new CountDownLatch(1);
    static final AtomicLong emittedAtMs = new AtomicLong();
    private final int count;
    private int seen;

    HoldAfter(int count) {
      this.count = count;
    }

    @Override
    public void flatMap(PointStruct p, Collector<PointStruct> out) throws Exception {
      out.collect(p);
      if (++seen == count) {
        emittedAtMs.set(System.currentTimeMillis());
        release.await(60, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void partialBatchIsFlushedAfterTheMaxDelayWhileTheJobRuns() throws Exception {
    createCollection(name("trickle"), DIM);
    HoldAfter.release = new CountDownLatch(1);
    HoldAfter.emittedAtMs.set(0);
    StreamExecutionEnvironment env = env(1);
    points(env, 5)
        .flatMap(new HoldAfter(5))
        .returns(PointStructTypeInfo.INSTANCE)
        .sinkTo(sink(name("trickle")).build())
        .name("qdrant")
        .disableChaining();
    JobClient job = env.executeAsync(name("trickle"));
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      while (client.countAsync(name("trickle")).get() < 5
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      long seenAt = System.currentTimeMillis();
      assertEquals(5L, client.countAsync(name("trickle")).get());
      long emitted = HoldAfter.emittedAtMs.get();
      assertTrue(emitted > 0);
      assertTrue(seenAt - emitted < 2000, "took " + (seenAt - emitted) + " ms");
      assertEquals(JobStatus.RUNNING, job.getJobStatus().get());
      assertEquals(List.of(5), upserts.sizes());
    } finally {
      HoldAfter.release.countDown();
    }
    job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
  }

  /** Slows the stream so that an outage falls in its middle. */
  static final class Throttle implements MapFunction<PointStruct, PointStruct> {
    @Override
    public PointStruct map(PointStruct p) throws Exception {
      Thread.sleep(1);
      return p;
    }
  }

  @Test
  void endpointDownMidStreamIsRetriedUntilEveryPointIsWritten() throws Exception {
    int n = 2000;
    createCollection(name("outage"), DIM);
    StreamExecutionEnvironment env = env(2);
    points(env, n)
        .setParallelism(1)
        .map(new Throttle())
        .returns(PointStructTypeInfo.INSTANCE)
        .setParallelism(1)
        .sinkTo(sink(name("outage")).maxBatchSize(100).maxBufferedRequests(400).build())
        .name("qdrant");
    JobClient job = env.executeAsync(name("outage"));

    long deadline = System.currentTimeMillis() + 30_000;
    while (client.countAsync(name("outage")).get() < 200 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    long before = client.countAsync(name("outage")).get();
    link.stop();
    // Down until the writers have backed off a few times (50, 100, 200 ms...), not for a fixed
    // time.
    deadline = System.currentTimeMillis() + 30_000;
    while (counter(job.getJobID(), QdrantSinkWriter.METRIC_RETRIES) < 4
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    long retriedWhileDown = counter(job.getJobID(), QdrantSinkWriter.METRIC_RETRIES);
    link.start();

    JobExecutionResult result = job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
    assertTrue(
        retriedWhileDown >= 4,
        "only " + retriedWhileDown + " retries while Qdrant was out of reach");
    assertTrue(before >= 200 && before < n, "not mid-stream: " + before + " written before");
    long written = client.countAsync(name("outage")).get();
    assertEquals(n, written);
    assertEquals(n, allPoints(name("outage")).size());
    long retries = counter(result.getJobID(), QdrantSinkWriter.METRIC_RETRIES);
    assertTrue(retries > 0, "no retries counted");
    // Every point was acknowledged once; retried ones are counted only when they succeed.
    assertEquals(n, counter(result.getJobID(), QdrantSinkWriter.METRIC_POINTS_WRITTEN));
  }

  @Test
  void vectorSizeMismatchFailsTheJobWithQdrantsMessageAndTheCollection() throws Exception {
    createCollection(name("tiny-vectors"), 3);
    StreamExecutionEnvironment env = env(1);
    points(env, 10).sinkTo(sink(name("tiny-vectors")).build()).name("qdrant");
    Exception e = assertThrows(Exception.class, () -> env.execute("mismatch"));
    String chain = causes(e);
    assertTrue(chain.contains("Vector dimension error"), chain);
    assertTrue(chain.contains("'" + name("tiny-vectors") + "'"), chain);
    assertTrue(chain.contains("INVALID_ARGUMENT"), chain);
    assertEquals(0L, client.countAsync(name("tiny-vectors")).get());
  }

  @Test
  void missingCollectionFailsTheJobAtOnce() throws Exception {
    StreamExecutionEnvironment env = env(1);
    points(env, 10).sinkTo(sink(name("no-such")).build()).name("qdrant");
    long t0 = System.currentTimeMillis();
    Exception e = assertThrows(Exception.class, () -> env.execute("missing"));
    String chain = causes(e);
    assertTrue(chain.contains("NOT_FOUND") && chain.contains("'" + name("no-such") + "'"), chain);
    assertTrue(System.currentTimeMillis() - t0 < 20_000);
  }

  @Test
  void givesUpWhenQdrantStaysDownPastTheRetryDuration() throws Exception {
    link.stop();
    StreamExecutionEnvironment env = env(1);
    points(env, 10)
        .sinkTo(
            QdrantSink.builder()
                .connection(QdrantConnection.of("127.0.0.1", link.port()))
                .collection(name("down"))
                .retry(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(1))
                .build())
        .name("qdrant");
    Exception e = assertThrows(Exception.class, () -> env.execute("down"));
    String chain = causes(e);
    assertTrue(
        chain.contains("has not accepted an upsert to collection '" + name("down") + "'")
            && chain.contains("UNAVAILABLE"),
        chain);
  }

  @Test
  void writersCanCreateTheCollectionThemselves() throws Exception {
    StreamExecutionEnvironment env = env(2);
    points(env, 50)
        .sinkTo(
            sink(name("auto"))
                .ensureCollection(DIM, io.lesionsearch.payload.LesionPayload.INDEXES)
                .build())
        .name("qdrant");
    env.execute(name("auto"));
    assertEquals(50L, client.countAsync(name("auto")).get());
    assertEquals(7, client.getCollectionInfoAsync(name("auto")).get().getPayloadSchemaCount());
  }

  /** Fails once, after a checkpoint has completed and a number of points have passed. */
  static final class FailOnceAfterCheckpoint
      implements MapFunction<PointStruct, PointStruct>, CheckpointListener {
    static final AtomicBoolean checkpointed = new AtomicBoolean();
    static final AtomicBoolean failed = new AtomicBoolean();
    static final AtomicInteger seen = new AtomicInteger();
    private final int failAt;

    FailOnceAfterCheckpoint(int failAt) {
      this.failAt = failAt;
    }

    @Override
    public PointStruct map(PointStruct p) throws Exception {
      int n = seen.incrementAndGet();
      while (n >= failAt && !failed.get() && !checkpointed.get()) {
        Thread.sleep(5); // hold the failure until a checkpoint holds buffered points
      }
      if (n >= failAt && failed.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure after a checkpoint");
      }
      return p;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      checkpointed.set(true);
    }
  }

  @Test
  void pointsBufferedAtACheckpointSurviveARestartThroughWriterState() throws Exception {
    int n = 600;
    createCollection(name("restored"), DIM);
    FailOnceAfterCheckpoint.checkpointed.set(false);
    FailOnceAfterCheckpoint.failed.set(false);
    FailOnceAfterCheckpoint.seen.set(0);
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(100));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    // Neither the batch size nor the delay is ever reached before the end of input, so the
    // points can only leave the buffer through checkpoint state or the final flush.
    points(env, n)
        .map(new Throttle())
        .returns(PointStructTypeInfo.INSTANCE)
        .map(new FailOnceAfterCheckpoint(400))
        .returns(PointStructTypeInfo.INSTANCE)
        .sinkTo(sink(name("restored")).maxTimeInBufferMs(600_000).build())
        .name("qdrant");
    env.execute(name("restored"));

    assertTrue(FailOnceAfterCheckpoint.failed.get());
    // The source resumed after its checkpointed position instead of replaying everything ...
    int seen = FailOnceAfterCheckpoint.seen.get();
    assertTrue(seen < 400 + n, "source replayed from the start: saw " + seen);
    // ... and nothing was written before the failure, so the skipped points came from state.
    assertEquals(List.of(n), upserts.sizes());
    assertEquals(n, allPoints(name("restored")).size());
  }

  @Test
  void apiKeyIsSentAndAWrongKeyFailsTheJobWithAHint() throws Exception {
    try (QdrantUnderTest secured = QdrantUnderTest.startWithKeys("k-123", "ro-456")) {
      QdrantClient admin = secured.client();
      String keyed = secured.collection("keyed");
      admin
          .createCollectionAsync(
              keyed, VectorParams.newBuilder().setSize(DIM).setDistance(Distance.Cosine).build())
          .get();
      QdrantConnection conn = QdrantConnection.of(secured.host(), secured.port());

      StreamExecutionEnvironment ok = env(1);
      points(ok, 10)
          .sinkTo(
              QdrantSink.builder()
                  .connection(conn.withApiKey(secured.apiKey()))
                  .collection(keyed)
                  .build())
          .name("qdrant");
      ok.execute("keyed");
      assertEquals(10L, admin.countAsync(keyed).get());

      StreamExecutionEnvironment bad = env(1);
      points(bad, 10)
          .sinkTo(
              QdrantSink.builder().connection(conn.withApiKey("nope")).collection(keyed).build())
          .name("qdrant");
      String chain = causes(assertThrows(Exception.class, () -> bad.execute("bad-key")));
      assertTrue(
          chain.contains("UNAUTHENTICATED")
              && chain.contains("check the API key")
              && !chain.contains("nope"),
          chain);

      StreamExecutionEnvironment readOnly = env(1);
      points(readOnly, 10)
          .sinkTo(
              QdrantSink.builder()
                  .connection(conn.withApiKey(secured.readOnlyApiKey()))
                  .collection(keyed)
                  .build())
          .name("qdrant");
      chain = causes(assertThrows(Exception.class, () -> readOnly.execute("read-only-key")));
      assertTrue(
          chain.contains("PERMISSION_DENIED") && chain.contains("a read-only key cannot write"),
          chain);
    }
  }

  private static String causes(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append("\n");
    }
    return b.toString();
  }
}
