package io.lesionsearch.cli.local;

import io.lesionsearch.local.bench.QueryBenchmark;
import io.lesionsearch.options.ModelDirOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description =
        "Query job request-to-reply latency (p50, p99, max) through an in-JVM Kafka, open loop at a fixed rate,"
            + " and each leg's p50 and p99: client -> broker -> job -> broker -> client.")
final class QueryBenchCommand implements Callable<Integer> {

  @Mixin ModelDirOption model;

  @Option(
      names = "--kind",
      defaultValue = "vector",
      description = "vector or image queries (default: ${DEFAULT-VALUE}).")
  QueryBenchmark.Kind kind;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "Requests per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--seconds",
      defaultValue = "30",
      description = "Seconds of measurement (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--points",
      defaultValue = "10000",
      description =
          "Random unit vectors in the collection besides the image embeddings (default: ${DEFAULT-VALUE}).")
  int points;

  @Option(
      names = "--dump",
      paramLabel = "FILE",
      description =
          "Also write every measured request to FILE as CSV: its scheduled send on the JVM's uptime"
              + " clock (as -Xlog:gc*::uptime prints it), its latency and its legs.")
  Path dump;

  @Override
  public Integer call() throws Exception {
    if (rate <= 0 || rate > 10_000 || seconds < 1 || points < 0) {
      System.err.println(
          "bench query: --rate must be in (0, 10000], --seconds at least 1, --points at least 0");
      return 2;
    }
    // Refused now rather than after minutes of benchmark, when the CSV would be written.
    Path folder = dump == null ? null : dump.toAbsolutePath().getParent();
    if (folder != null && !Files.isDirectory(folder)) {
      System.err.println("bench query: --dump " + dump + ": no folder " + folder);
      return 2;
    }
    new QueryBenchmark(model.model, kind, rate, seconds, points, dump, System.out).run();
    return 0;
  }
}
