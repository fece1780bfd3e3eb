package io.lesionsearch.cli.local;

import io.lesionsearch.local.bench.IngestBenchmark;
import io.lesionsearch.options.ModelDirOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Ingest job images/s from an in-JVM Kafka through Flink into the local Qdrant endpoint, next to model-only images/s.")
final class IngestBenchCommand implements Callable<Integer> {

  @Mixin ModelDirOption model;

  @Option(
      names = "--count",
      defaultValue = "2000",
      description = "Images to ingest (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--parallelism",
      defaultValue = "1",
      description = "Job parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--model-seconds",
      defaultValue = "15",
      description = "Seconds of the model-only measurement (default: ${DEFAULT-VALUE}).")
  int modelSeconds;

  @Override
  public Integer call() throws Exception {
    if (count < 10 || parallelism < 1 || modelSeconds < 1) {
      System.err.println(
          "bench ingest: --count must be at least 10, --parallelism and --model-seconds at least 1");
      return 2;
    }
    new IngestBenchmark(model.model, count, parallelism, modelSeconds, System.out).run();
    return 0;
  }
}
