package io.lesionsearch.options;

import io.lesionsearch.config.FlinkConfig;
import picocli.CommandLine.Option;

/** How a job runs on Flink, as every job is told it (a picocli mixin). */
public final class FlinkOptions {

  @Option(names = "--parallelism", description = "Job parallelism (default: the cluster's).")
  public Integer parallelism;

  @Option(
      names = "--checkpoint-interval-ms",
      defaultValue = "10000",
      description = "Checkpoint interval; 0 turns checkpointing off (default: ${DEFAULT-VALUE}).")
  public long checkpointIntervalMs;

  public FlinkConfig toConfig() {
    return new FlinkConfig(parallelism, checkpointIntervalMs);
  }
}
