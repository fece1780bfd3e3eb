package io.lesionsearch.options;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How any client reaches Kafka (a picocli mixin): the jobs, `produce`, `search` and the web page
 * take the same words.
 */
public final class KafkaClientOptions {

  // The same default everywhere, so that the tools and the jobs meet without options.
  @Option(
      names = "--bootstrap-servers",
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  public String bootstrapServers;

  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description = "A Kafka client setting (security.protocol, sasl.*, ssl.*), repeatable.")
  public Map<String, String> properties = new LinkedHashMap<>();
}
