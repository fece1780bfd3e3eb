package io.lesionsearch.local;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One Flink MiniCluster that runs several jobs side by side, as a session cluster does: the local
 * mode's ingest and query jobs share its TaskManager, and so its model, like on a real cluster.
 * {@code StreamExecutionEnvironment.execute} would start a private cluster per job instead.
 */
public final class LocalFlink implements AutoCloseable {

  private final MiniCluster cluster;
  private final List<JobID> jobs = new CopyOnWriteArrayList<>();

  /**
   * Starts a cluster with one TaskManager of {@code slots} slots; {@code restPort} 0 picks a free
   * port.
   */
  public LocalFlink(int slots, int restPort) throws Exception {
    Configuration config = new Configuration();
    config.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    config.set(RestOptions.ADDRESS, "127.0.0.1");
    config.set(RestOptions.PORT, restPort);
    // A job that cannot get its slots should say so in seconds, not after the 5-minute default.
    config.setString("slot.request.timeout", "30 s");
    // No Kerberos or cloud credentials here: without this the token manager warns, at every start,
    // that it obtained none.
    config.set(SecurityOptions.DELEGATION_TOKENS_ENABLED, false);
    cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(config)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
  }

  /** A fresh environment whose job {@link #submit} runs on this cluster. */
  public StreamExecutionEnvironment environment() {
    return StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
  }

  /** Submits the job built in {@code env} and returns without waiting for it to end. */
  public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(name);
    JobID job = cluster.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
    jobs.add(job);
    return job;
  }

  public URI webAddress() throws Exception {
    return cluster.getRestAddress().get(1, TimeUnit.MINUTES);
  }

  /**
   * Streaming jobs never end by themselves: a terminal state means the job failed or was cancelled.
   */
  public boolean isRunning(JobID job) throws Exception {
    return !cluster.getJobStatus(job).get(10, TimeUnit.SECONDS).isGloballyTerminalState();
  }

  /**
   * Cancels the jobs and waits for them to end before the cluster goes: a TaskManager that stops
   * under running tasks fails each of them, and Flink logs every failure with its stack trace.
   */
  @Override
  public void close() throws Exception {
    try {
      for (JobID job : jobs) {
        if (!cluster.getJobStatus(job).get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
          cluster.cancelJob(job).get(10, TimeUnit.SECONDS);
        }
      }
      for (JobID job : jobs) {
        cluster.requestJobResult(job).get(1, TimeUnit.MINUTES);
      }
    } finally {
      cluster.closeAsync().get(1, TimeUnit.MINUTES);
    }
  }
}
