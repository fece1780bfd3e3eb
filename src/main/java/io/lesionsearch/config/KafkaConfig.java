package io.lesionsearch.config;

import static io.lesionsearch.config.Check.require;

import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * How a job reaches Kafka; topics and groups stay per job.
 *
 * @param properties Kafka client settings for sources and producers (security.protocol, sasl.*,
 *     ssl.*)
 */
public record KafkaConfig(
    String bootstrapServers, StartingOffsets startingOffsets, Map<String, String> properties)
    implements Serializable {

  public enum StartingOffsets {
    COMMITTED,
    EARLIEST,
    LATEST
  }

  public KafkaConfig {
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(),
        "--bootstrap-servers must not be empty");
    require(startingOffsets != null, "--starting-offsets must be committed, earliest or latest");
    properties = Map.copyOf(properties);
  }

  /** A fresh copy of the client settings, for one source or producer to add its own to. */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.putAll(properties);
    return p;
  }

  /**
   * Client settings may hold passwords (sasl.jaas.config, ssl.*.password): only their names are
   * shown.
   */
  @Override
  public String toString() {
    return "KafkaConfig[bootstrapServers="
        + bootstrapServers
        + ", startingOffsets="
        + startingOffsets
        + ", properties="
        + new TreeSet<>(properties.keySet())
        + "]";
  }
}
