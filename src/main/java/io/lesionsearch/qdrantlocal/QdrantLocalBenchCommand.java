package io.lesionsearch.qdrantlocal;

import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ValueFactory.value;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench qdrant-local}: upsert and filtered-search figures for the in-memory endpoint,
 * measured with the official client over real gRPC on a loopback port (Netty, not in-process).
 */
@Command(
    name = "qdrant-local",
    mixinStandardHelpOptions = true,
    description = "Upsert throughput, filtered search latency and heap use of qdrant-local.")
public final class QdrantLocalBenchCommand implements Callable<Integer> {
  /** HAM10000's seven diagnoses plus one spare, drawn uniformly: a filter keeps about 1/8. */
  static final String[] LABELS = {"nv", "mel", "bkl", "bcc", "akiec", "vasc", "df", "other"};

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

  @Override
  public Integer call() throws Exception {
    long baseline = usedHeapAfterGc();
    try (QdrantLocalServer server = QdrantLocalServer.builder().port(0).start();
        QdrantClient client = server.newClient()) {
      System.out.printf("qdrant-local on %s (Netty, loopback), %d points x %d dims, cosine%n",
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
      System.out.printf("upsert, cold JVM: %d points in batches of %d, wait=true: %.2f s,"
          + " %.0f points/s%n", points, batch, cold / 1e9, points / (cold / 1e9));
      System.out.printf("upsert, warm:     %d points in batches of %d, wait=true: %.2f s,"
          + " %.0f points/s%n", points, batch, warm / 1e9, points / (warm / 1e9));

      SplittableRandom rnd = new SplittableRandom(seed + 1);
      Filter filter = Filter.newBuilder().addMust(matchKeyword("label", "mel")).build();
      long count = client.countAsync("bench", filter, true).get();
      report(client, rnd, filter, String.format(
          "search, keyword filter label=mel (%d of %d points, %.1f%%), limit 10",
          count, points, 100.0 * count / points));
      report(client, rnd, null, "search, no filter (full scan), limit 10");

      long used = usedHeapAfterGc() - baseline;
      long vectorBytes = (long) points * dim * Float.BYTES;
      long payloadBytes = estimatePayloadBytes();
      System.out.printf(
          "heap after GC: %.1f MiB used by the endpoint; raw vectors %.1f MiB + payload estimate"
              + " %.1f MiB = %.1f MiB; ratio %.2f (limit 2 x vectors + payload = %.1f MiB)%n",
          mib(used), mib(vectorBytes), mib(payloadBytes), mib(vectorBytes + payloadBytes),
          (double) used / (vectorBytes + payloadBytes), mib(2 * vectorBytes + payloadBytes));
    }
    return 0;
  }

  private long upsert(QdrantClient client, String collection) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    // Batches are built before the clock starts so that the figure is the endpoint's (and the
    // transport's), not the random generator's.
    List<UpsertPoints> batches = new ArrayList<>();
    for (int start = 0; start < points; start += batch) {
      int end = Math.min(points, start + batch);
      UpsertPoints.Builder b = UpsertPoints.newBuilder().setCollectionName(collection).setWait(true);
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
      SearchPoints.Builder s = SearchPoints.newBuilder().setCollectionName("bench").setLimit(10);
      for (float x : randomVector(rnd)) {
        s.addVector(x);
      }
      if (filter != null) {
        s.setFilter(filter);
      }
      SearchPoints req = s.build();
      long t0 = System.nanoTime();
      client.searchAsync(req).get();
      long dt = System.nanoTime() - t0;
      if (q >= 0) {
        nanos[q] = dt;
      }
    }
    Arrays.sort(nanos);
    System.out.printf("%s: %d queries, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", what, queries,
        nanos[queries / 2] / 1e6, nanos[(int) Math.ceil(queries * 0.99) - 1] / 1e6,
        nanos[queries - 1] / 1e6);
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
