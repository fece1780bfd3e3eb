package io.lesionsearch.bench;

import ai.djl.Device;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.embed.EmbedResult;
import io.lesionsearch.embed.EmbeddingStage;
import io.lesionsearch.embed.ImageBytesPreparation;
import io.lesionsearch.embed.Preparation;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.ImageLimits;
import io.lesionsearch.image.RgbImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the embedding stage three ways in one process, so the figures are comparable: the cost
 * of each preprocessing step on one thread, the model alone on ready tensors, and the whole
 * pipeline from JPEG bytes with decoding overlapped with inference.
 */
public final class EmbedBenchmark {

  private static final int DISTINCT_IMAGES = 64;

  /** The default inputs: 64 distinct synthetic 600x450 lesion JPEGs (quality 0.9). */
  public static List<byte[]> syntheticJpegs() {
    List<byte[]> jpegs = new ArrayList<>();
    for (int i = 0; i < DISTINCT_IMAGES; i++) {
      jpegs.add(SyntheticLesionImages.jpeg(i, 600, 450, 0.9f));
    }
    return jpegs;
  }

  private final Path modelDir;
  private final Device device;
  private final int batch;
  private final int decodeThreads;
  private final int warmupSeconds;
  private final int seconds;
  private final List<byte[]> jpegs;
  private final String imagesLabel;
  private final PrintStream out;

  public EmbedBenchmark(
      Path modelDir,
      Device device,
      int batch,
      int decodeThreads,
      int warmupSeconds,
      int seconds,
      List<byte[]> jpegs,
      String imagesLabel,
      PrintStream out) {
    this.modelDir = modelDir;
    this.device = device;
    this.batch = batch;
    this.decodeThreads = decodeThreads;
    this.warmupSeconds = warmupSeconds;
    this.seconds = seconds;
    this.jpegs = List.copyOf(jpegs);
    this.imagesLabel = imagesLabel;
    this.out = out;
  }

  public Result run() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(decodeThreads);
    try (VitEncoder encoder = VitEncoder.open(modelDir, device)) {
      List<float[]> tensors = prepare(encoder);
      // Model-only before and after end-to-end, compared with the better of the two, so that drift
      // during the run cannot flatter the ratio.
      Rate before = report("model-only", modelOnly(encoder, tensors, seconds));
      Rate endToEnd = report("end-to-end", endToEnd(encoder, pool, jpegs, seconds));
      Rate after = report("model-only", modelOnly(encoder, tensors, seconds));
      Rate model = before.perSecond() >= after.perSecond() ? before : after;
      out.printf("end-to-end / best model-only: %.2f%n", endToEnd.perSecond() / model.perSecond());
      return new Result(model, endToEnd);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Runs the peer and this pipeline alternately, {@code rounds} times, so that drift in the
   * machine's speed falls on both; prints each round, the medians and their ratios.
   */
  public void runVersusPeer(PythonPeer peer, List<String> peerDtypes, int rounds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(decodeThreads);
    try (VitEncoder encoder = VitEncoder.open(modelDir, device)) {
      List<float[]> tensors = prepare(encoder);
      String project = "project, " + encoder.directory().getFileName();
      PeerComparison table =
          new PeerComparison(project, "float32".equals(encoder.manifest().computeDtype()));
      for (int round = 1; round <= rounds; round++) {
        StringBuilder line = new StringBuilder("round " + round + ":");
        for (String dtype : peerDtypes) {
          double e2e = Double.NaN, model = Double.NaN;
          PythonPeer.Run run = peer.run(dtype, dtype.equals("float32"));
          run.ceiling().ifPresent(table::ceiling);
          for (PythonPeer.Phase phase : run.phases()) {
            if (phase.phase().equals("end-to-end")) {
              e2e = phase.imagesPerSecond();
            } else {
              model = phase.imagesPerSecond();
            }
            table.versions(phase.versions());
          }
          table.add(PeerComparison.peerRow(dtype), e2e, model);
          line.append(String.format(" peer %s %.1f / %.1f |", dtype, e2e, model));
        }
        double model = modelOnly(encoder, tensors, seconds).perSecond();
        double e2e = endToEnd(encoder, pool, jpegs, seconds).perSecond();
        table.add(project, e2e, model);
        out.println(line.append(String.format(" project %.1f / %.1f", e2e, model)));
      }
      table.print(out);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<float[]> prepare(VitEncoder encoder) throws Exception {
    out.printf(
        "model %s (%s) on %s, batch %d, %d decode threads, %d cores, %s%n",
        encoder.manifest().modelId(),
        encoder.manifest().computeDtype(),
        device,
        batch,
        decodeThreads,
        Runtime.getRuntime().availableProcessors(),
        imagesLabel);
    VitPreprocessor pre = new VitPreprocessor(encoder.manifest());
    StepCosts steps = preprocessSteps(pre, jpegs);
    out.printf(
        "preprocess, 1 thread: decode %.2f ms + resize %.2f ms + normalise %.2f ms per image%n",
        steps.decodeMs, steps.resizeMs, steps.normaliseMs);
    List<float[]> tensors = new ArrayList<>();
    for (byte[] jpeg : jpegs) {
      tensors.add(pre.preprocess(jpeg));
    }
    out.printf("warming up for %d s...%n", warmupSeconds);
    modelOnly(encoder, tensors, warmupSeconds);
    return tensors;
  }

  private Rate report(String phase, Rate rate) {
    out.printf(
        "%-11s %7.1f images/s (%d images in %.1f s)%n",
        phase + ":", rate.perSecond(), rate.images, rate.seconds);
    return rate;
  }

  public record Rate(long images, double seconds) {
    public double perSecond() {
      return images / seconds;
    }
  }

  public record Result(Rate modelOnly, Rate endToEnd) {}

  private record StepCosts(double decodeMs, double resizeMs, double normaliseMs) {}

  private static StepCosts preprocessSteps(VitPreprocessor pre, List<byte[]> jpegs)
      throws Exception {
    ImageDecoder decoder = new ImageDecoder();
    long decode = 0, resize = 0, normalise = 0;
    int rounds = 3;
    for (int r = 0; r < rounds + 1; r++) {
      boolean measured = r > 0; // the first round only warms up the JIT
      for (byte[] jpeg : jpegs) {
        long t0 = System.nanoTime();
        RgbImage rgb = decoder.decode(jpeg);
        long t1 = System.nanoTime();
        byte[] resized = pre.resize(rgb);
        long t2 = System.nanoTime();
        pre.normalise(resized);
        long t3 = System.nanoTime();
        if (measured) {
          decode += t1 - t0;
          resize += t2 - t1;
          normalise += t3 - t2;
        }
      }
    }
    double n = rounds * jpegs.size() * 1e6;
    return new StepCosts(decode / n, resize / n, normalise / n);
  }

  private Rate modelOnly(VitEncoder encoder, List<float[]> tensors, int forSeconds)
      throws Exception {
    long deadline = System.nanoTime() + forSeconds * 1_000_000_000L;
    long start = System.nanoTime();
    long images = 0;
    int next = 0;
    while (System.nanoTime() < deadline) {
      List<float[]> b = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        b.add(tensors.get(next++ % tensors.size()));
      }
      images += encoder.embed(b).size();
    }
    return new Rate(images, (System.nanoTime() - start) / 1e9);
  }

  private Rate endToEnd(
      VitEncoder encoder, ExecutorService pool, List<byte[]> jpegs, int forSeconds)
      throws Exception {
    long deadline = System.nanoTime() + forSeconds * 1_000_000_000L;
    Iterator<Integer> inputs =
        new Iterator<>() {
          int next;

          @Override
          public boolean hasNext() {
            return System.nanoTime() < deadline;
          }

          @Override
          public Integer next() {
            return next++;
          }
        };
    AtomicLong embedded = new AtomicLong();
    long start = System.nanoTime();
    ImageBytesPreparation images =
        new ImageBytesPreparation(encoder.manifest(), new ImageDecoder(), 0);
    Preparation<Integer> nthImage = i -> images.prepare(jpegs.get(i % jpegs.size()));
    try (EmbeddingStage<Integer> stage =
        new EmbeddingStage<>(encoder, nthImage, pool, ImageLimits.DEFAULT_DECODE_TIMEOUT)) {
      stage.embedAll(
          inputs,
          batch,
          result -> {
            if (result.result() instanceof EmbedResult.Failure f) {
              throw new IllegalStateException(
                  "benchmark image failed: " + f.reason() + ": " + f.message());
            }
            embedded.incrementAndGet();
          });
    }
    return new Rate(embedded.get(), (System.nanoTime() - start) / 1e9);
  }
}
