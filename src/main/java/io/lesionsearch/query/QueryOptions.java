package io.lesionsearch.query;

import io.lesionsearch.options.FlinkOptions;
import io.lesionsearch.options.ImageOptions;
import io.lesionsearch.options.KafkaOptions;
import io.lesionsearch.options.Options;
import io.lesionsearch.options.QdrantOptions;
import java.io.Serializable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything the query job can be told, with local defaults; the same conventions as the ingest job
 * (arguments, or {@code --config FILE} with keys without dashes and {@code kafka.*} client settings).
 */
public final class QueryOptions implements Serializable {

  @Mixin public KafkaOptions kafka = new KafkaOptions();

  @Mixin public QdrantOptions qdrant = new QdrantOptions();

  @Mixin public FlinkOptions flink = new FlinkOptions();

  @Mixin public ImageOptions images = new ImageOptions();

  @Option(names = "--requests-topic", defaultValue = "lesion-search-requests", description = "Topic of search requests (default: ${DEFAULT-VALUE}).")
  public String requestsTopic;

  @Option(names = "--replies-topic", defaultValue = "lesion-search-results", description = "Topic of replies (default: ${DEFAULT-VALUE}).")
  public String repliesTopic;

  @Option(names = "--dead-letter-topic", defaultValue = "lesion-search-requests-dlq", description = "Topic for requests without a readable request_id (default: ${DEFAULT-VALUE}).")
  public String deadLetterTopic;

  @Option(names = "--group-id", defaultValue = "lesion-search-query", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  public String groupId;

  // Not `required` for picocli: it may come from --config, which is expanded after the first parse.
  @Option(names = "--model", description = "Model directory (model.pt + manifest.json), the same model the collection was indexed with. Required.")
  public String model;

  @Option(names = "--in-flight", defaultValue = "100", description = "Requests one parallel instance works on at once (default: ${DEFAULT-VALUE}).")
  public int inFlight;

  @Option(names = "--request-timeout-ms", defaultValue = "5000", description = "Longest a request may take; then it is answered TIMEOUT (default: ${DEFAULT-VALUE}).")
  public long requestTimeoutMs;

  // Kafka's default message.max.bytes is 1 MiB (1048588 with the record overhead).
  @Option(names = "--max-reply-bytes", defaultValue = "1000000", description = "Largest reply, key and value together; a larger one is answered REPLY_TOO_LARGE. Keep below the replies topic's max.message.bytes (default: ${DEFAULT-VALUE}).")
  public int maxReplyBytes;

  @Option(names = "--max-image-searches", defaultValue = "4", description = "Image searches one request may hold (default: ${DEFAULT-VALUE}).")
  public int maxImageSearches;

  @Option(names = "--max-hits-per-request", defaultValue = "10000", description = "The most limit + offset, summed over a request's searches (default: ${DEFAULT-VALUE}).")
  public long maxHitsPerRequest;

  @Option(names = "--max-queued-images", defaultValue = "32", description = "Query images one parallel instance holds waiting to be decoded or embedded; more are answered OVERLOADED (default: ${DEFAULT-VALUE}).")
  public int maxQueuedImages;

  /** Parses job arguments (with {@code --config FILE} expanded in place) into validated options. */
  public static QueryOptions parse(String... args) {
    QueryOptions options = new QueryOptions();
    Options.parse(options, args);
    options.validate();
    return options;
  }

  public void validate() {
    Options.require(model != null && !model.isBlank(), "--model is required (as an argument or model= in --config)");
    Options.require(inFlight >= 1 && inFlight <= 10_000, "--in-flight must be 1..10000, got " + inFlight);
    Options.require(requestTimeoutMs >= 100, "--request-timeout-ms must be at least 100, got " + requestTimeoutMs);
    // So that an error reply always fits: a request_id of up to 256 characters (1 KiB of UTF-8) as
    // key and in the JSON, and a message of up to 300 characters.
    Options.require(maxReplyBytes >= 4096, "--max-reply-bytes must be at least 4096, got " + maxReplyBytes);
    Options.require(maxImageSearches >= 0 && maxImageSearches <= RequestParser.MAX_SEARCHES,
        "--max-image-searches must be 0.." + RequestParser.MAX_SEARCHES + ", got " + maxImageSearches);
    Options.require(maxHitsPerRequest >= RequestParser.MAX_LIMIT,
        "--max-hits-per-request must be at least " + RequestParser.MAX_LIMIT + ", got " + maxHitsPerRequest);
    Options.require(maxQueuedImages >= 1, "--max-queued-images must be at least 1, got " + maxQueuedImages);
    images.validate();
    Options.require(!requestsTopic.equals(repliesTopic) && !requestsTopic.equals(deadLetterTopic),
        "--requests-topic must differ from --replies-topic and --dead-letter-topic");
    qdrant.validate();
    flink.validate();
  }
}
