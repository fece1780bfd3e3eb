package io.lesionsearch.query;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a client reaches the query job (a picocli mixin): the `search` command and the web page take the same words. */
public final class SearchClientOptions {

  @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  public String bootstrapServers;

  @Option(names = "--requests-topic", defaultValue = "lesion-search-requests", description = "The query job's request topic (default: ${DEFAULT-VALUE}).")
  public String requestsTopic;

  @Option(names = "--replies-topic", defaultValue = "lesion-search-results", description = "The query job's reply topic (default: ${DEFAULT-VALUE}).")
  public String repliesTopic;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client setting (security.protocol, sasl.*, ssl.*), repeatable.")
  public Map<String, String> kafkaProperties = new LinkedHashMap<>();

  public SearchClient open() {
    return new SearchClient(bootstrapServers, requestsTopic, repliesTopic, kafkaProperties);
  }
}
