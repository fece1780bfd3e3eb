package io.lesionsearch.ingest;

import io.lesionsearch.options.FlinkOptions;
import io.lesionsearch.options.ImageOptions;
import io.lesionsearch.options.IngestTopicOption;
import io.lesionsearch.options.KafkaOptions;
import io.lesionsearch.options.Options;
import io.lesionsearch.options.QdrantOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything the ingest job can be told, with local defaults. Given as arguments or in a properties
 * file ({@code --config FILE}, keys are the option names without dashes, Kafka client settings as
 * {@code kafka.<name>}); see {@link io.lesionsearch.options.OptionsFile}.
 */
public final class IngestOptions {

  @Mixin private KafkaOptions kafka = new KafkaOptions();

  @Mixin private QdrantOptions qdrant = new QdrantOptions();

  @Mixin private FlinkOptions flink = new FlinkOptions();

  @Mixin private ImageOptions images = new ImageOptions();

  @Mixin private IngestTopicOption topic = new IngestTopicOption();

  @Option(
      names = "--group-id",
      defaultValue = "lesion-search-ingest",
      description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  private String groupId;

  @Option(
      names = "--dead-letter-topic",
      defaultValue = "lesion-images-dlq",
      description = "Topic for records that cannot be indexed (default: ${DEFAULT-VALUE}).")
  private String deadLetterTopic;

  // Not `required` for picocli: it may come from --config, which is expanded after the first parse.
  @Option(
      names = "--model",
      description =
          "Model directory (manifest.json + model.pt or model.onnx), or an export directory (export_model.py --out) whose fastest variant on the device runs; readable on every TaskManager. Required.")
  private String model;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      description = "Images per inference batch (default: ${DEFAULT-VALUE}).")
  private int batchSize;

  @Option(
      names = "--batch-max-delay-ms",
      defaultValue = "200",
      description = "Longest an image waits for its batch to fill (default: ${DEFAULT-VALUE}).")
  private long batchMaxDelayMs;

  @Option(
      names = "--upsert-batch-size",
      defaultValue = "1000",
      description = "Points per Qdrant upsert (default: ${DEFAULT-VALUE}).")
  private int upsertBatchSize;

  @Option(
      names = "--upsert-max-delay-ms",
      defaultValue = "500",
      description = "Longest a point waits for its upsert batch (default: ${DEFAULT-VALUE}).")
  private long upsertMaxDelayMs;

  @Option(
      names = "--image-root",
      paramLabel = "DIR",
      description =
          "A directory image_uri may read images from (repeatable); without one, image_uri is refused.")
  private List<String> imageRoots = new ArrayList<>();

  @Option(
      names = "--payload-field",
      paramLabel = "NAME",
      description =
          "A message field to store in the payload besides the HAM10000 ones (repeatable); other fields are not stored.")
  private List<String> payloadFields = new ArrayList<>();

  @Option(
      names = "--thumbnail-size",
      defaultValue = "0",
      description =
          "Longest side in pixels of a JPEG preview stored in each point's payload as `thumbnail` (base64), for pages that show hits; 0 stores none (default: ${DEFAULT-VALUE}).")
  private int thumbnailSize;

  /**
   * Parses job arguments (with {@code --config FILE} expanded in place) into the job's
   * configuration.
   *
   * @throws IllegalArgumentException naming the option or setting at fault
   */
  public static IngestConfig parse(String... args) {
    IngestOptions options = new IngestOptions();
    Options.parse(options, args);
    return options.toConfig();
  }

  public IngestConfig toConfig() {
    return new IngestConfig(
        kafka.toConfig(),
        qdrant.toConfig(),
        flink.toConfig(),
        images.toLimits(),
        topic.topic,
        groupId,
        deadLetterTopic,
        model,
        batchSize,
        batchMaxDelayMs,
        upsertBatchSize,
        upsertMaxDelayMs,
        imageRoots,
        payloadFields,
        thumbnailSize);
  }
}
