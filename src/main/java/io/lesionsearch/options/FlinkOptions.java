package io.lesionsearch.options;

import java.io.Serializable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/** How a job runs on Flink, as every job is told it (a picocli mixin). */
public final class FlinkOptions implements Serializable {

  @Option(names = "--parallelism", description = "Job parallelism (default: the cluster's).")
  public Integer parallelism;

  @Option(names = "--checkpoint-interval-ms", defaultValue = "10000", description = "Checkpoint interval; 0 turns checkpointing off (default: ${DEFAULT-VALUE}).")
  public long checkpointIntervalMs;

  public boolean checkpointing() {
    return checkpointIntervalMs > 0;
  }

  public void applyTo(StreamExecutionEnvironment env) {
    if (parallelism != null) {
      env.setParallelism(parallelism);
    }
    if (checkpointing()) {
      env.enableCheckpointing(checkpointIntervalMs);
    }
  }

  public void validate() {
    Options.require(parallelism == null || parallelism >= 1, "--parallelism must be at least 1, got " + parallelism);
    Options.require(checkpointIntervalMs >= 0, "--checkpoint-interval-ms must be 0 or more, got " + checkpointIntervalMs);
  }
}
