package io.lesionsearch.query;

import io.lesionsearch.options.FlinkOptions;
import io.lesionsearch.options.ImageOptions;
import io.lesionsearch.options.KafkaOptions;
import io.lesionsearch.options.Options;
import io.lesionsearch.options.QdrantOptions;
import io.lesionsearch.options.QueryTopicsOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything the query job can be told, with local defaults; the same conventions as the ingest job
 * (arguments, or {@code --config FILE} with keys without dashes and {@code kafka.*} client
 * settings).
 */
public final class QueryOptions {

  @Mixin private KafkaOptions kafka = new KafkaOptions();

  @Mixin private QdrantOptions qdrant = new QdrantOptions();

  @Mixin private FlinkOptions flink = new FlinkOptions();

  @Mixin private ImageOptions images = new ImageOptions();

  @Mixin private QueryTopicsOptions topics = new QueryTopicsOptions();

  @Option(
      names = "--dead-letter-topic",
      defaultValue = "lesion-search-requests-dlq",
      description = "Topic for requests without a readable request_id (default: ${DEFAULT-VALUE}).")
  private String deadLetterTopic;

  @Option(
      names = "--group-id",
      defaultValue = "lesion-search-query",
      description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  private String groupId;

  // Not `required` for picocli: it may come from --config, which is expanded after the first parse.
  @Option(
      names = "--model",
      paramLabel = "DIR",
      split = ",",
      description =
          "Model directory (manifest.json + model.pt or model.onnx), or an export directory (export_model.py --out) whose fastest variant on the device runs: the same model the collection was indexed with. Required. Repeat it (or give DIR,DIR) to hold the old and the new model during an upgrade: an image query is embedded with the model of the collection it searches; the first is used for collections that record no model.")
  private List<String> models = new ArrayList<>();

  @Option(
      names = "--in-flight",
      defaultValue = "100",
      description = "Requests one parallel instance works on at once (default: ${DEFAULT-VALUE}).")
  private int inFlight;

  @Option(
      names = "--request-timeout-ms",
      defaultValue = "5000",
      description =
          "Longest a request may take; then it is answered TIMEOUT (default: ${DEFAULT-VALUE}).")
  private long requestTimeoutMs;

  // Kafka's default message.max.bytes is 1 MiB (1048588 with the record overhead).
  @Option(
      names = "--max-reply-bytes",
      defaultValue = "1000000",
      description =
          "Largest reply, key and value together; a larger one is answered REPLY_TOO_LARGE. Keep below the replies topic's max.message.bytes (default: ${DEFAULT-VALUE}).")
  private int maxReplyBytes;

  @Option(
      names = "--max-image-searches",
      defaultValue = "4",
      description = "Image searches one request may hold (default: ${DEFAULT-VALUE}).")
  private int maxImageSearches;

  @Option(
      names = "--max-hits-per-request",
      defaultValue = "10000",
      description =
          "The most limit + offset, summed over a request's searches (default: ${DEFAULT-VALUE}).")
  private long maxHitsPerRequest;

  @Option(
      names = "--max-queued-images",
      defaultValue = "32",
      description =
          "Query images one parallel instance holds waiting to be decoded or embedded; more are answered OVERLOADED (default: ${DEFAULT-VALUE}).")
  private int maxQueuedImages;

  /**
   * Parses job arguments (with {@code --config FILE} expanded in place) into the job's
   * configuration.
   *
   * @throws IllegalArgumentException naming the option or setting at fault
   */
  public static QueryConfig parse(String... args) {
    QueryOptions options = new QueryOptions();
    Options.parse(options, args);
    options.models = commandLineWins(options.models, args);
    return options.toConfig();
  }

  /**
   * The models of the command line when it names any, else those of the --config file: the file's
   * settings are placed before the command line's, and a repeatable option would add the two up
   * where every other option lets the command line win.
   */
  private static List<String> commandLineWins(List<String> parsed, String... args) {
    int given = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--model") && i + 1 < args.length) {
        given += args[++i].split(",", -1).length;
      } else if (args[i].startsWith("--model=")) {
        given += args[i].substring("--model=".length()).split(",", -1).length;
      }
    }
    return given == 0
        ? parsed
        : List.copyOf(
            parsed.subList(parsed.size() - Math.min(given, parsed.size()), parsed.size()));
  }

  public QueryConfig toConfig() {
    return new QueryConfig(
        kafka.toConfig(),
        qdrant.toConfig(),
        flink.toConfig(),
        images.toLimits(),
        topics.requestsTopic,
        topics.repliesTopic,
        deadLetterTopic,
        groupId,
        models,
        inFlight,
        requestTimeoutMs,
        maxReplyBytes,
        maxImageSearches,
        maxHitsPerRequest,
        maxQueuedImages);
  }
}
