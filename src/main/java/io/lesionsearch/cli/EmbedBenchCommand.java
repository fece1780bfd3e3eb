package io.lesionsearch.cli;

import io.lesionsearch.bench.EmbedBenchmark;
import io.lesionsearch.options.DeviceOption;
import io.lesionsearch.options.ModelDirOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Model-only and end-to-end (decode + preprocess + infer) images/s on synthetic 600x450 JPEGs,",
      "measured in the same run. Make the full-depth test model first:",
      "  /usr/bin/python3 jobs/model/make_test_model.py --depth 12 --dtype bfloat16"
    })
final class EmbedBenchCommand implements Callable<Integer> {

  @Mixin ModelDirOption model;

  @Mixin DeviceOption device;

  @Option(
      names = "--batch",
      defaultValue = "16",
      description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "Measured seconds per phase (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup",
      defaultValue = "5",
      description = "Unmeasured warm-up seconds (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--decode-threads",
      description = "Decode/preprocess threads (default: available cores).")
  Integer decodeThreads;

  @Override
  public Integer call() throws Exception {
    int threads =
        decodeThreads != null ? decodeThreads : Runtime.getRuntime().availableProcessors();
    new EmbedBenchmark(model.model, device.device, batch, threads, warmup, seconds, System.out)
        .run();
    return 0;
  }
}
