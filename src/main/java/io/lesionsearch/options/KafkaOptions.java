package io.lesionsearch.options;

import io.lesionsearch.config.KafkaConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a job reaches Kafka (a picocli mixin); topics and groups stay per job. */
public final class KafkaOptions {

  @Mixin public KafkaClientOptions client = new KafkaClientOptions();

  @Option(
      names = "--starting-offsets",
      defaultValue = "committed",
      description =
          "committed (falling back to earliest), earliest or latest (default: ${DEFAULT-VALUE}).")
  public KafkaConfig.StartingOffsets startingOffsets;

  public KafkaConfig toConfig() {
    return new KafkaConfig(client.bootstrapServers, startingOffsets, client.properties);
  }
}
