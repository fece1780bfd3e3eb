package io.lesionsearch.query;

import io.lesionsearch.options.KafkaClientOptions;
import io.lesionsearch.options.QueryTopicsOptions;
import picocli.CommandLine.Mixin;

/**
 * How a client reaches the query job (a picocli mixin): the `search` command and the web page take
 * the same words.
 */
public final class SearchClientOptions {

  @Mixin private KafkaClientOptions kafka = new KafkaClientOptions();

  @Mixin private QueryTopicsOptions topics = new QueryTopicsOptions();

  public SearchClient open() {
    return new SearchClient(
        kafka.bootstrapServers, topics.requestsTopic, topics.repliesTopic, kafka.properties);
  }
}
