package io.lesionsearch.ingest;

import static io.lesionsearch.config.Check.require;

import io.lesionsearch.config.FlinkConfig;
import io.lesionsearch.config.KafkaConfig;
import io.lesionsearch.config.QdrantConfig;
import io.lesionsearch.image.ImageLimits;
import java.io.Serializable;
import java.util.List;

/**
 * Everything the ingest job is told, checked once here (each message names the option at fault);
 * built from the command line by {@link IngestOptions}.
 *
 * @param model model directory (model.pt + manifest.json), readable on every TaskManager
 * @param imageRoots directories image_uri may read images from; none refuses image_uri
 * @param payloadFields message fields stored in the payload besides the HAM10000 ones
 * @param thumbnailSize longest side of the payload's JPEG preview; 0 for none
 */
public record IngestConfig(
    KafkaConfig kafka,
    QdrantConfig qdrant,
    FlinkConfig flink,
    ImageLimits images,
    String topic,
    String groupId,
    String deadLetterTopic,
    String model,
    int batchSize,
    long batchMaxDelayMs,
    int upsertBatchSize,
    long upsertMaxDelayMs,
    List<String> imageRoots,
    List<String> payloadFields,
    int thumbnailSize)
    implements Serializable {

  public IngestConfig {
    require(
        model != null && !model.isBlank(),
        "--model is required (as an argument or model= in --config)");
    require(batchSize >= 1 && batchSize <= 1024, "--batch-size must be 1..1024, got " + batchSize);
    require(batchMaxDelayMs >= 1, "--batch-max-delay-ms must be positive, got " + batchMaxDelayMs);
    require(
        upsertBatchSize >= 1 && upsertBatchSize <= 10_000,
        "--upsert-batch-size must be 1..10000, got " + upsertBatchSize);
    require(
        upsertMaxDelayMs >= 1, "--upsert-max-delay-ms must be positive, got " + upsertMaxDelayMs);
    // Larger previews would crowd the 1 MiB a point may take in the sink.
    require(
        thumbnailSize >= 0 && thumbnailSize <= 512,
        "--thumbnail-size must be 0 (none) to 512, got " + thumbnailSize);
    require(
        topic != null && !topic.equals(deadLetterTopic),
        "--dead-letter-topic must differ from --topic");
    imageRoots = List.copyOf(imageRoots);
    payloadFields = List.copyOf(payloadFields);
    imageRoots.forEach(ImageFiles::check);
    new IngestMessageParser(
        images.maxBytes(), payloadFields); // refuses reserved and HAM10000 names
  }
}
