package io.lesionsearch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.DatasetScan;
import io.lesionsearch.datasets.Ham10000Reader;
import io.lesionsearch.evaluate.CollectionVectors;
import io.lesionsearch.evaluate.DatasetVectors;
import io.lesionsearch.evaluate.EvaluationReport;
import io.lesionsearch.evaluate.EvaluationSettings;
import io.lesionsearch.evaluate.Loaded;
import io.lesionsearch.evaluate.PrecisionPlot;
import io.lesionsearch.evaluate.ReportJson;
import io.lesionsearch.evaluate.ReportTable;
import io.lesionsearch.evaluate.RetrievalEvaluation;
import io.lesionsearch.options.DeviceOption;
import io.lesionsearch.options.QdrantOptions;
import io.qdrant.client.QdrantClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Retrieval quality: for every image, its k nearest images (cosine) among OTHER lesions, and how",
      "many share its diagnosis: precision@k and mAP@k per dx, micro and macro, with chance levels",
      "and 95% lesion-level bootstrap intervals.",
      "Either --dataset DIR --model DIR (embed the dataset's images here), or --collection NAME (read",
      "an indexed collection's vectors and dx / lesion_id payload from Qdrant).",
      "Exit status 0 with figures, 1 when nothing could be evaluated, 2 on wrong options."
    })
final class EvaluateCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PROBLEMS_SHOWN = 20;
  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dataset",
      paramLabel = "DIR",
      description = "A HAM10000-layout dataset to embed and evaluate (needs --model).")
  Path dataset;

  @Option(
      names = "--metadata",
      paramLabel = "FILE",
      description =
          "With --dataset: the metadata table, when it is not HAM10000_metadata.csv in DIR.")
  Path metadata;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "With --dataset: model directory (manifest.json + model.pt or model.onnx), or an export directory (export_model.py --out) whose fastest variant on the device runs.")
  Path model;

  @Option(
      names = "--batch",
      defaultValue = "16",
      description = "With --dataset: images per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Mixin DeviceOption device;

  /** Without --dataset, the collection named by its --collection is evaluated. */
  @Mixin QdrantOptions qdrant;

  @Option(
      names = "--timeout-s",
      defaultValue = "60",
      description =
          "With --collection: longest wait for one page of points (default: ${DEFAULT-VALUE}).")
  long timeoutS;

  @Option(
      names = "--k",
      split = ",",
      paramLabel = "K",
      defaultValue = "1,5,10",
      description = "Cut-offs, ascending (default: ${DEFAULT-VALUE}).")
  List<Integer> ks;

  @Option(
      names = "--resamples",
      defaultValue = "" + EvaluationSettings.DEFAULT_RESAMPLES,
      description =
          "Bootstrap resamples for the intervals, 0 for none (default: ${DEFAULT-VALUE}).")
  int resamples;

  @Option(
      names = "--seed",
      defaultValue = "" + EvaluationSettings.DEFAULT_SEED,
      description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print the figures as one JSON object.")
  boolean json;

  @Option(
      names = "--plot",
      paramLabel = "FILE.png",
      description = "Also draw precision@k per dx and overall, with the intervals, into this PNG.")
  Path plot;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    boolean collectionGiven = spec.commandLine().getParseResult().hasMatchedOption("--collection");
    if (dataset != null && collectionGiven) {
      err.println("evaluate: give --dataset DIR or --collection NAME, not both");
      return 2;
    }
    if (dataset != null && model == null) {
      err.println("evaluate: --dataset needs --model DIR to embed its images");
      return 2;
    }
    EvaluationSettings settings;
    try {
      settings = new EvaluationSettings(ks, resamples, seed, progress(err));
    } catch (IllegalArgumentException e) {
      err.println("evaluate: " + e.getMessage());
      return 2;
    }
    // Rows the dataset reader refused, then images or points the source could not use.
    int leftOut = 0;
    Loaded loaded;
    String source;
    if (dataset != null) {
      DatasetScan scan =
          metadata == null ? Ham10000Reader.read(dataset) : Ham10000Reader.read(dataset, metadata);
      if (!scan.clean()) {
        err.println(scan.problemSummary(PROBLEMS_SHOWN));
        err.println("evaluate: going on without those rows");
        leftOut += scan.problems().size();
      }
      loaded =
          DatasetVectors.embed(scan.images(), model, device.device, batch, settings.progress());
      source = "dataset " + dataset + ", model " + model;
    } else {
      try (QdrantClient client = qdrant.toConfig().connection().open()) {
        loaded =
            CollectionVectors.read(
                client, qdrant.collection, Duration.ofSeconds(timeoutS), settings.progress());
      }
      source = "collection " + qdrant.collection + " at " + qdrant.host + ":" + qdrant.port;
    }
    List<String> problems = loaded.problems();
    leftOut += problems.size();
    if (!problems.isEmpty()) {
      err.println(problems.size() + " images left out:");
      problems.stream().limit(PROBLEMS_SHOWN).forEach(p -> err.println("  " + p));
      if (problems.size() > PROBLEMS_SHOWN) {
        err.println("  ... and " + (problems.size() - PROBLEMS_SHOWN) + " more");
      }
    }
    EvaluationReport report;
    try {
      report = RetrievalEvaluation.run(loaded.points(), settings);
    } catch (IllegalArgumentException e) {
      err.println("evaluate: " + e.getMessage());
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = JSON.createObjectNode().put("source", source).put("left_out", leftOut);
      o.setAll(ReportJson.of(report));
      out.println(JSON.writeValueAsString(o));
    } else {
      out.println(source + (leftOut == 0 ? "" : " (" + leftOut + " images left out)"));
      ReportTable.print(report, out);
    }
    out.flush();
    if (plot != null) {
      System.setProperty("java.awt.headless", "true");
      PrecisionPlot.write(report, "precision@k, " + shortSource(), plot);
      err.println("evaluate: plot written to " + plot);
    }
    err.flush();
    return 0;
  }

  private String shortSource() {
    if (dataset == null) {
      return "collection " + qdrant.collection;
    }
    Path d = dataset.toAbsolutePath().normalize().getFileName();
    Path m = model.toAbsolutePath().normalize().getFileName();
    return (d == null ? dataset : d) + " embedded with " + (m == null ? model : m);
  }

  /** Progress on stderr, at most every 2 s: long runs (all of HAM10000) show they advance. */
  private static EvaluationSettings.Progress progress(PrintWriter err) {
    long[] last = {System.nanoTime()};
    return (step, done, total) -> {
      long now = System.nanoTime();
      if (now - last[0] >= PROGRESS_EVERY_NANOS) {
        last[0] = now;
        err.println("evaluate: " + step + " " + done + (done == total ? "" : "/" + total));
        err.flush();
      }
    };
  }
}
