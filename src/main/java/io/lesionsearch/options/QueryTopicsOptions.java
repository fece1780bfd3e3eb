package io.lesionsearch.options;

import picocli.CommandLine.Option;

/**
 * The query job's two topics (a picocli mixin): the job, `search` and the web page must name the
 * same ones.
 */
public final class QueryTopicsOptions {

  @Option(
      names = "--requests-topic",
      defaultValue = "lesion-search-requests",
      description = "Topic of search requests (default: ${DEFAULT-VALUE}).")
  public String requestsTopic;

  @Option(
      names = "--replies-topic",
      defaultValue = "lesion-search-results",
      description = "Topic of the query job's replies (default: ${DEFAULT-VALUE}).")
  public String repliesTopic;
}
