package io.lesionsearch.cli.local;

import io.lesionsearch.local.LocalMode;
import io.lesionsearch.options.ModelDirOption;
import io.lesionsearch.qdrant.QdrantConnection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole system in this JVM: a Kafka broker, the Qdrant-compatible endpoint (or a running",
      "Qdrant server, --qdrant) and a Flink MiniCluster with the ingest and query jobs, and the web page.",
      "Streams a dataset in, waits until it is indexed, runs the tutorial's searches, then serves until",
      "Ctrl-C (or exits, with --demo)."
    })
final class LocalCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ModelDirOption model;

  @Option(
      names = "--dataset",
      defaultValue = "datasets/sample",
      paramLabel = "DIR",
      description = "Dataset in the HAM10000 layout (default: ${DEFAULT-VALUE}).")
  Path dataset;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "Produce at most this many images; 0 for all (default: ${DEFAULT-VALUE}).")
  long limit;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description =
          "Images per second into Kafka; 0 for as fast as it takes them (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--qdrant-port",
      defaultValue = "6334",
      description =
          "gRPC port of the embedded Qdrant endpoint; 0 for any free port (default: ${DEFAULT-VALUE}).")
  int qdrantPort;

  @Option(
      names = "--qdrant",
      paramLabel = "HOST:PORT",
      description =
          "A running Qdrant server (its gRPC port) to use instead of the embedded endpoint.")
  String qdrant;

  @Option(
      names = "--qdrant-api-key",
      defaultValue = "${env:QDRANT_API_KEY}",
      description = "That server's API key (default: the QDRANT_API_KEY environment variable).")
  String qdrantApiKey;

  @Option(
      names = "--collection",
      defaultValue = "lesions",
      description = "Collection to index into and search (default: ${DEFAULT-VALUE}).")
  String collection;

  @Option(
      names = "--flink-port",
      defaultValue = "8081",
      description = "Flink web UI and REST port; 0 for any free port (default: ${DEFAULT-VALUE}).")
  int flinkPort;

  @Option(
      names = "--web-port",
      defaultValue = "8080",
      description =
          "Port of the web page on 127.0.0.1; 0 for any free port (default: ${DEFAULT-VALUE}).")
  int webPort;

  @Option(
      names = "--thumbnail-size",
      defaultValue = "128",
      description =
          "Longest side of the thumbnails kept in each point's payload, 0 for none (default: ${DEFAULT-VALUE}).")
  int thumbnailSize;

  @Option(
      names = "--index-timeout-s",
      defaultValue = "600",
      description = "Longest wait for the dataset to be indexed (default: ${DEFAULT-VALUE}).")
  long indexTimeoutSeconds;

  @Option(names = "--demo", description = "Exit after the example searches instead of serving.")
  boolean demo;

  /** Longest Ctrl-C waits for everything to close before the JVM exits anyway. */
  private static final long CLOSE_TIMEOUT_SECONDS = 60;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (qdrant != null) {
      QdrantConnection.parse(qdrant); // a malformed address stops here, with the reason
    }
    LocalMode mode =
        new LocalMode(
            new LocalMode.Settings(
                model.model,
                dataset,
                limit,
                rate,
                qdrant,
                qdrant == null || qdrantApiKey == null || qdrantApiKey.isBlank()
                    ? null
                    : qdrantApiKey,
                qdrantPort,
                collection,
                flinkPort,
                webPort,
                thumbnailSize,
                Duration.ofSeconds(indexTimeoutSeconds)),
            out);
    if (demo) {
      mode.run(null);
      return 0;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Thread running = Thread.currentThread();
    // Ctrl-C: let run() close the jobs, the endpoint and the broker before the JVM goes, whether it
    // is serving or still producing, indexing or searching (the interrupt ends those waits).
    Thread hook =
        new Thread(
            () -> {
              stopped.countDown();
              running.interrupt();
              try {
                closed.await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "local-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      mode.run(stopped);
    } catch (InterruptedException e) {
      out.println("stopped");
    } finally {
      closed.countDown();
    }
    return 0;
  }
}
