package io.lesionsearch.config;

import static io.lesionsearch.config.Check.require;

import java.io.Serializable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How a job runs on Flink.
 *
 * @param parallelism the job's parallelism, or null for the cluster's
 * @param checkpointIntervalMs 0 turns checkpointing off
 */
public record FlinkConfig(Integer parallelism, long checkpointIntervalMs) implements Serializable {

  public FlinkConfig {
    require(
        parallelism == null || parallelism >= 1,
        "--parallelism must be at least 1, got " + parallelism);
    require(
        checkpointIntervalMs >= 0,
        "--checkpoint-interval-ms must be 0 or more, got " + checkpointIntervalMs);
  }

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
}
