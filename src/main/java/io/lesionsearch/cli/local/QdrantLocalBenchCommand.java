package io.lesionsearch.cli.local;

import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ValueFactory.value;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.qdrantlocal.PayloadValues;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.OptimizersConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench qdrant-local}: upsert and filtered-search figures for the in-memory endpoint,
 * measured with the official client over real gRPC on a loopback port (Netty, not in-process). With
 * {@code --against HOST:PORT} the same load also runs against that Qdrant server in the same
 * process and run, and each figure is printed for both with their ratio.
 */
@Command(
    name = "qdrant-local",
    mixinStandardHelpOptions = true,
    description =
        "Upsert throughput, filtered search latency and heap use of qdrant-local;"
            + " with --against, the same figures for a Qdrant server side by side.")
public final class QdrantLocalBenchCommand implements Callable<Integer> {
  /** HAM10000's seven diagnoses plus one spare, drawn uniformly: a filter keeps about 1/8. */
  static final String[] LABELS = {"nv", "mel", "bkl", "bcc", "akiec", "vasc", "df", "other"};

  /** How long a server may take to finish optimising after the upserts before searches start. */
  private static final Duration SETTLE_LIMIT = Duration.ofMinutes(5);

  @Option(names = "--points", defaultValue = "100000", description = "Points to upsert.")
  int points;

  @Option(names = "--dim", defaultValue = "384", description = "Vector dimension.")
  int dim;

  @Option(names = "--queries", defaultValue = "500", description = "Timed searches per kind.")
  int queries;

  @Option(names = "--batch", defaultValue = "1000", description = "Points per upsert call.")
  int batch;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed.")
  long seed;

  @Option(
      names = "--against",
      paramLabel = "HOST:PORT",
      description =
          "Also run the load against this Qdrant server (gRPC, plaintext) and print both"
              + " side by side with their ratio. Its collections are uniquely named and deleted after.")
  String against;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "API key for the --against server.")
  String apiKey;

  @Override
  public Integer call() throws Exception {
    if (against != null) {
      return compare();
    }
    long baseline = usedHeapAfterGc();
    try (QdrantLocalServer server = QdrantLocalServer.builder().port(0).start();
        QdrantClient client = server.newClient()) {
      System.out.printf(
          "qdrant-local on %s (Netty, loopback), %d points x %d dims, cosine%n",
          server.address(), points, dim);
      VectorParams params =
          VectorParams.newBuilder().setSize(dim).setDistance(Distance.Cosine).build();
      // The first pass runs on a cold JVM (interpreted and C1 code for protobuf parsing and
      // Netty); the second, into a fresh collection, is the steady state a long-running job sees.
      client.createCollectionAsync("bench-cold", params).get();
      long cold = upsert(client, "bench-cold");
      client.deleteCollectionAsync("bench-cold").get();
      client.createCollectionAsync("bench", params).get();
      long warm = upsert(client, "bench");
      System.out.printf(
          "upsert, cold JVM: %d points in batches of %d, wait=true: %.2f s," + " %.0f points/s%n",
          points, batch, cold / 1e9, points / (cold / 1e9));
      System.out.printf(
          "upsert, warm:     %d points in batches of %d, wait=true: %.2f s," + " %.0f points/s%n",
          points, batch, warm / 1e9, points / (warm / 1e9));

      SplittableRandom rnd = new SplittableRandom(seed + 1);
      Filter filter = labelFilter();
      long count = client.countAsync("bench", filter, true).get();
      report(
          client,
          rnd,
          filter,
          String.format(
              "search, keyword filter label=mel (%d of %d points, %.1f%%), limit 10",
              count, points, 100.0 * count / points));
      report(client, rnd, null, "search, no filter (full scan), limit 10");
      printHeap(baseline);
    }
    return 0;
  }

  // ------------------------------------------------------------------ --against

  /** One side of the comparison: a client and the names of its collections. */
  private static final class Target {
    final String label;
    final QdrantClient client;
    final String cold;
    final String main;
    long coldNanos;
    long warmNanos;
    long count;
    long[] filtered;
    long[] unfiltered;

    Target(String label, QdrantClient client, String prefix) {
      this.label = label;
      this.client = client;
      this.cold = prefix + "-cold";
      this.main = prefix;
    }
  }

  /**
   * The same load on both, in one process: each target gets two upsert passes (the first into a
   * collection that is then dropped, so the client's JIT warm-up is not charged to whichever side
   * goes first alone), then searches alternate between the two with the same query vector, so that
   * a change in machine load during the run falls on both.
   */
  private int compare() throws Exception {
    int colon = against.lastIndexOf(':');
    if (colon < 1) {
      System.err.println(
          "--against must be HOST:PORT (Qdrant's gRPC port, e.g. 127.0.0.1:6334), got " + against);
      return 2;
    }
    String host = against.substring(0, colon);
    int port = Integer.parseInt(against.substring(colon + 1));
    long baseline = usedHeapAfterGc();
    // A shared server may hold other people's collections: ours are uniquely named.
    String prefix = "bench-qdrant-local-" + UUID.randomUUID().toString().substring(0, 8);
    try (QdrantLocalServer server = QdrantLocalServer.builder().port(0).start();
        QdrantClient localClient = server.newClient();
        QdrantClient remoteClient =
            QdrantConnection.of(host, port)
                .withApiKey(apiKey)
                .withRequestTimeout(Duration.ofMinutes(2))
                .open()) {
      String version = remoteClient.healthCheckAsync().get().getVersion();
      Target local = new Target("qdrant-local", localClient, "bench");
      Target remote = new Target("Qdrant " + version, remoteClient, prefix);
      System.out.printf(
          "qdrant-local on %s (Netty, loopback) vs Qdrant %s at %s (collections %s*, deleted"
              + " after); %d points x %d dims, cosine; upserts in batches of %d with wait=true; searches exact=true,"
              + " limit 10, %d per kind%n",
          server.address(), version, against, prefix, points, dim, batch, queries);
      List<String> created = new ArrayList<>();
      try {
        remoteClient
            .listCollectionsAsync()
            .get(); // a missing key shows here, before minutes of local work
        for (Target t : List.of(local, remote)) {
          if (t == remote) {
            created.addAll(List.of(t.cold, t.main));
          }
          create(t.client, t.cold);
          t.coldNanos = upsert(t.client, t.cold);
          t.client.deleteCollectionAsync(t.cold).get();
          create(t.client, t.main);
          t.warmNanos = upsert(t.client, t.main);
        }
        long settle = awaitGreen(remote);
        Filter filter = labelFilter();
        for (Target t : List.of(local, remote)) {
          t.count = t.client.countAsync(t.main, filter, true).get();
        }
        if (local.count != remote.count) {
          System.err.printf(
              "the two disagree on the filter: %d vs %d points%n", local.count, remote.count);
          return 1;
        }
        int[] agree = new int[2];
        long[][] filtered = interleaved(local, remote, filter, seed + 1, agree, 0);
        long[][] unfiltered = interleaved(local, remote, null, seed + 2, agree, 1);
        local.filtered = filtered[0];
        remote.filtered = filtered[1];
        local.unfiltered = unfiltered[0];
        remote.unfiltered = unfiltered[1];

        System.out.printf(
            "%s settled (status green) %.1f s after its last upsert; filter label=mel keeps %d of %d"
                + " points on both%n",
            remote.label, settle / 1e9, local.count, points);
        System.out.printf(
            "same top-10 ids on both: %d of %d filtered, %d of %d unfiltered searches%n",
            agree[0], queries, agree[1], queries);
        String fmt = "%-48s %14s %14s %12s%n";
        System.out.printf(fmt, "figure", "qdrant-local", remote.label, "local/Qdrant");
        row(fmt, "upsert, first pass (points/s)", rate(local.coldNanos), rate(remote.coldNanos));
        row(fmt, "upsert, second pass (points/s)", rate(local.warmNanos), rate(remote.warmNanos));
        row(
            fmt,
            "search, filter label=mel, p50 (ms)",
            pct(local.filtered, 0.5),
            pct(remote.filtered, 0.5));
        row(
            fmt,
            "search, filter label=mel, p99 (ms)",
            pct(local.filtered, 0.99),
            pct(remote.filtered, 0.99));
        row(
            fmt,
            "search, no filter, p50 (ms)",
            pct(local.unfiltered, 0.5),
            pct(remote.unfiltered, 0.5));
        row(
            fmt,
            "search, no filter, p99 (ms)",
            pct(local.unfiltered, 0.99),
            pct(remote.unfiltered, 0.99));
        System.out.println("(points/s: higher is better; ms: lower is better)");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StatusRuntimeException s
            && (s.getStatus().getCode() == Status.Code.UNAUTHENTICATED
                || s.getStatus().getCode() == Status.Code.PERMISSION_DENIED)) {
          System.err.printf(
              "%s refused the request (%s): give its API key with --api-key (one that may write)%n",
              against, s.getStatus().getCode());
          created.clear(); // nothing could have been created without the key
          return 1;
        }
        throw e;
      } finally {
        for (String name : created) {
          try {
            if (remoteClient.collectionExistsAsync(name).get()) {
              remoteClient.deleteCollectionAsync(name).get();
            }
          } catch (Exception e) {
            System.err.println("could not delete " + name + " on " + against + ": " + e);
          }
        }
      }
      printHeap(baseline);
    }
    return 0;
  }

  /**
   * As the project's collection bootstrap does: the collection, then a keyword index on the
   * filtered field, before any point. HNSW building is switched off (indexing_threshold 0): every
   * search here is exact, and a background index build would take the CPU the searches are timed
   * on. The local endpoint records both settings and changes nothing.
   */
  private void create(QdrantClient client, String name) throws Exception {
    client
        .createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(name)
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(
                            VectorParams.newBuilder().setSize(dim).setDistance(Distance.Cosine)))
                .setOptimizersConfig(OptimizersConfigDiff.newBuilder().setIndexingThreshold(0))
                .build())
        .get();
    client
        .createPayloadIndexAsync(name, "label", PayloadSchemaType.Keyword, null, true, null, null)
        .get();
  }

  /**
   * Waits, polling, until the server reports the collection green (optimizers idle), so that
   * segment merges after the upserts do not run during the timed searches. Returns the wait.
   */
  private static long awaitGreen(Target t) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + SETTLE_LIMIT.toNanos();
    while (true) {
      CollectionInfo info = t.client.getCollectionInfoAsync(t.main).get();
      if (info.getStatus() == CollectionStatus.Green) {
        return System.nanoTime() - t0;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            t.label + " still " + info.getStatus() + " after " + SETTLE_LIMIT);
      }
      Thread.sleep(50); // a poll interval, not a wait for something to happen
    }
  }

  /** Warm-up, then {@link #queries} timed searches on each, alternating, with the same vectors. */
  private long[][] interleaved(
      Target a, Target b, Filter filter, long querySeed, int[] agree, int slot) throws Exception {
    SplittableRandom rnd = new SplittableRandom(querySeed);
    int warmup = Math.max(20, queries / 5);
    long[][] nanos = new long[2][queries];
    for (int q = -warmup; q < queries; q++) {
      float[] v = randomVector(rnd);
      List<ScoredPoint> first = null;
      int i = 0;
      for (Target t : List.of(a, b)) {
        SearchPoints req = searchRequest(t.main, v, filter);
        long t0 = System.nanoTime();
        List<ScoredPoint> hits = t.client.searchAsync(req).get();
        long dt = System.nanoTime() - t0;
        if (q >= 0) {
          nanos[i][q] = dt;
          if (first == null) {
            first = hits;
          } else if (ids(first).equals(ids(hits))) {
            agree[slot]++;
          }
        }
        i++;
      }
    }
    Arrays.sort(nanos[0]);
    Arrays.sort(nanos[1]);
    return nanos;
  }

  private static List<String> ids(List<ScoredPoint> hits) {
    List<String> out = new ArrayList<>();
    hits.forEach(h -> out.add(h.getId().toString()));
    return out;
  }

  private double rate(long nanos) {
    return points / (nanos / 1e9);
  }

  private static double pct(long[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)] / 1e6;
  }

  private static void row(String fmt, String what, double local, double remote) {
    boolean rate = what.contains("points/s");
    System.out.printf(
        fmt,
        what,
        String.format(Locale.ROOT, rate ? "%.0f" : "%.2f", local),
        String.format(Locale.ROOT, rate ? "%.0f" : "%.2f", remote),
        String.format(Locale.ROOT, "%.2f", local / remote));
  }

  // ------------------------------------------------------------------ shared

  private static Filter labelFilter() {
    return Filter.newBuilder().addMust(matchKeyword("label", "mel")).build();
  }

  /** exact=true: a real server above its indexing threshold would otherwise answer from HNSW. */
  private SearchPoints searchRequest(String collection, float[] vector, Filter filter) {
    SearchPoints.Builder s =
        SearchPoints.newBuilder()
            .setCollectionName(collection)
            .setLimit(10)
            .setParams(SearchParams.newBuilder().setExact(true));
    for (float x : vector) {
      s.addVector(x);
    }
    if (filter != null) {
      s.setFilter(filter);
    }
    return s.build();
  }

  private long upsert(QdrantClient client, String collection) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    // Batches are built before the clock starts so that the figure is the endpoint's (and the
    // transport's), not the random generator's.
    List<UpsertPoints> batches = new ArrayList<>();
    for (int start = 0; start < points; start += batch) {
      int end = Math.min(points, start + batch);
      UpsertPoints.Builder b =
          UpsertPoints.newBuilder().setCollectionName(collection).setWait(true);
      for (int i = start; i < end; i++) {
        b.addPoints(point(i, rnd));
      }
      batches.add(b.build());
    }
    long t0 = System.nanoTime();
    for (UpsertPoints b : batches) {
      client.upsertAsync(b).get();
    }
    return System.nanoTime() - t0;
  }

  private PointStruct point(int i, SplittableRandom rnd) {
    return PointStruct.newBuilder()
        .setId(PointIdFactory.id(i))
        .setVectors(VectorsFactory.vectors(randomVector(rnd)))
        .putAllPayload(payload(i))
        .build();
  }

  private static Map<String, io.qdrant.client.grpc.JsonWithInt.Value> payload(int i) {
    return Map.of(
        "label", value(LABELS[i % LABELS.length]),
        "image_id", value(String.format("ISIC_%07d", i)),
        "age", value(20 + (i % 60)));
  }

  private float[] randomVector(SplittableRandom rnd) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return v;
  }

  private void report(QdrantClient client, SplittableRandom rnd, Filter filter, String what)
      throws Exception {
    int warmup = Math.max(20, queries / 5);
    long[] nanos = new long[queries];
    for (int q = -warmup; q < queries; q++) {
      SearchPoints req = searchRequest("bench", randomVector(rnd), filter);
      long t0 = System.nanoTime();
      client.searchAsync(req).get();
      long dt = System.nanoTime() - t0;
      if (q >= 0) {
        nanos[q] = dt;
      }
    }
    Arrays.sort(nanos);
    System.out.printf(
        "%s: %d queries, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        what,
        queries,
        nanos[queries / 2] / 1e6,
        nanos[(int) Math.ceil(queries * 0.99) - 1] / 1e6,
        nanos[queries - 1] / 1e6);
  }

  private void printHeap(long baseline) throws InterruptedException {
    long used = usedHeapAfterGc() - baseline;
    long vectorBytes = (long) points * dim * Float.BYTES;
    long payloadBytes = estimatePayloadBytes();
    System.out.printf(
        "heap after GC: %.1f MiB used by the endpoint; raw vectors %.1f MiB + payload estimate"
            + " %.1f MiB = %.1f MiB; ratio %.2f (limit 2 x vectors + payload = %.1f MiB)%n",
        mib(used),
        mib(vectorBytes),
        mib(payloadBytes),
        mib(vectorBytes + payloadBytes),
        (double) used / (vectorBytes + payloadBytes),
        mib(2 * vectorBytes + payloadBytes));
  }

  private long estimatePayloadBytes() {
    long total = 0;
    for (int i = 0; i < points; i++) {
      total += PayloadValues.estimateBytes(payload(i));
    }
    return total;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
