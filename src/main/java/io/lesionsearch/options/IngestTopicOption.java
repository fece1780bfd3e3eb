package io.lesionsearch.options;

import picocli.CommandLine.Option;

/**
 * The ingest job's input topic (a picocli mixin): `produce` writes where the job reads, by default
 * and by name.
 */
public final class IngestTopicOption {

  @Option(
      names = "--topic",
      defaultValue = "lesion-images",
      description = "Topic of ingest messages (default: ${DEFAULT-VALUE}).")
  public String topic;
}
