package io.lesionsearch.query;

import static io.lesionsearch.config.Check.require;

import io.lesionsearch.config.FlinkConfig;
import io.lesionsearch.config.KafkaConfig;
import io.lesionsearch.config.QdrantConfig;
import io.lesionsearch.image.ImageLimits;
import java.io.Serializable;
import java.util.List;

/**
 * Everything the query job is told, checked once here (each message names the option at fault);
 * built from the command line by {@link QueryOptions}.
 *
 * @param models model directories: the model the collection was indexed with, and during an upgrade
 *     the new one; an image query is embedded with the model of the collection it searches, the
 *     first for a collection that records no model
 * @param inFlight requests one parallel instance works on at once
 * @param maxReplyBytes largest reply, key and value together
 * @param maxQueuedImages query images one parallel instance holds waiting; more are answered
 *     OVERLOADED
 */
public record QueryConfig(
    KafkaConfig kafka,
    QdrantConfig qdrant,
    FlinkConfig flink,
    ImageLimits images,
    String requestsTopic,
    String repliesTopic,
    String deadLetterTopic,
    String groupId,
    List<String> models,
    int inFlight,
    long requestTimeoutMs,
    int maxReplyBytes,
    int maxImageSearches,
    long maxHitsPerRequest,
    int maxQueuedImages)
    implements Serializable {

  public QueryConfig {
    require(
        models != null && !models.isEmpty() && models.stream().noneMatch(String::isBlank),
        "--model is required (as an argument or model= in --config)");
    models = List.copyOf(models);
    require(inFlight >= 1 && inFlight <= 10_000, "--in-flight must be 1..10000, got " + inFlight);
    require(
        requestTimeoutMs >= 100,
        "--request-timeout-ms must be at least 100, got " + requestTimeoutMs);
    // So that an error reply always fits: a request_id of up to 256 characters (1 KiB of UTF-8) as
    // key and in the JSON, and a message of up to 300 characters.
    require(maxReplyBytes >= 4096, "--max-reply-bytes must be at least 4096, got " + maxReplyBytes);
    require(
        maxImageSearches >= 0 && maxImageSearches <= RequestParser.MAX_SEARCHES,
        "--max-image-searches must be 0.."
            + RequestParser.MAX_SEARCHES
            + ", got "
            + maxImageSearches);
    require(
        maxHitsPerRequest >= RequestParser.MAX_LIMIT,
        "--max-hits-per-request must be at least "
            + RequestParser.MAX_LIMIT
            + ", got "
            + maxHitsPerRequest);
    require(maxQueuedImages >= 1, "--max-queued-images must be at least 1, got " + maxQueuedImages);
    require(
        requestsTopic != null
            && !requestsTopic.equals(repliesTopic)
            && !requestsTopic.equals(deadLetterTopic),
        "--requests-topic must differ from --replies-topic and --dead-letter-topic");
  }
}
