package io.lesionsearch.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The real Flink runtime in the test JVM: one TaskManager with two slots, as a small cluster has.
 */
public final class Flink {
  private Flink() {}

  public static MiniClusterExtension miniCluster() {
    Configuration config = new Configuration();
    // A job that cannot get its slots should fail the test in seconds, not after the 5-minute
    // default.
    config.setString("slot.request.timeout", "20 s");
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(config)
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());
  }
}
