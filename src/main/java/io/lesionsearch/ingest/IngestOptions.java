package io.lesionsearch.ingest;

import io.lesionsearch.options.FlinkOptions;
import io.lesionsearch.options.ImageOptions;
import io.lesionsearch.options.KafkaOptions;
import io.lesionsearch.options.Options;
import io.lesionsearch.options.QdrantOptions;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything the ingest job can be told, with local defaults. Given as arguments or in a properties
 * file ({@code --config FILE}, keys are the option names without dashes, Kafka client settings as
 * {@code kafka.<name>}); see {@link io.lesionsearch.options.OptionsFile}.
 */
public final class IngestOptions implements Serializable {

  @Mixin public KafkaOptions kafka = new KafkaOptions();

  @Mixin public QdrantOptions qdrant = new QdrantOptions();

  @Mixin public FlinkOptions flink = new FlinkOptions();

  @Mixin public ImageOptions images = new ImageOptions();

  @Option(names = "--topic", defaultValue = "lesion-images", description = "Topic of ingest messages (default: ${DEFAULT-VALUE}).")
  public String topic;

  @Option(names = "--group-id", defaultValue = "lesion-search-ingest", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  public String groupId;

  @Option(names = "--dead-letter-topic", defaultValue = "lesion-images-dlq", description = "Topic for records that cannot be indexed (default: ${DEFAULT-VALUE}).")
  public String deadLetterTopic;

  // Not `required` for picocli: it may come from --config, which is expanded after the first parse.
  @Option(names = "--model", description = "Model directory (model.pt + manifest.json), readable on every TaskManager. Required.")
  public String model;

  @Option(names = "--batch-size", defaultValue = "16", description = "Images per inference batch (default: ${DEFAULT-VALUE}).")
  public int batchSize;

  @Option(names = "--batch-max-delay-ms", defaultValue = "200", description = "Longest an image waits for its batch to fill (default: ${DEFAULT-VALUE}).")
  public long batchMaxDelayMs;

  @Option(names = "--upsert-batch-size", defaultValue = "1000", description = "Points per Qdrant upsert (default: ${DEFAULT-VALUE}).")
  public int upsertBatchSize;

  @Option(names = "--upsert-max-delay-ms", defaultValue = "500", description = "Longest a point waits for its upsert batch (default: ${DEFAULT-VALUE}).")
  public long upsertMaxDelayMs;

  @Option(names = "--image-root", paramLabel = "DIR", description = "A directory image_uri may read images from (repeatable); without one, image_uri is refused.")
  public List<String> imageRoots = new ArrayList<>();

  @Option(names = "--payload-field", paramLabel = "NAME", description = "A message field to store in the payload besides the HAM10000 ones (repeatable); other fields are not stored.")
  public List<String> payloadFields = new ArrayList<>();

  @Option(names = "--thumbnail-size", defaultValue = "0", description = "Longest side in pixels of a JPEG preview stored in each point's payload as `thumbnail` (base64), for pages that show hits; 0 stores none (default: ${DEFAULT-VALUE}).")
  public int thumbnailSize;

  /**
   * Parses job arguments (with {@code --config FILE} expanded in place) into validated options.
   *
   * @throws IllegalArgumentException naming the option or setting at fault
   */
  public static IngestOptions parse(String... args) {
    IngestOptions options = new IngestOptions();
    Options.parse(options, args);
    options.validate();
    return options;
  }

  private static void require(boolean ok, String message) {
    Options.require(ok, message);
  }

  /** Range checks picocli's types cannot express; the message names the option. */
  public void validate() {
    require(model != null && !model.isBlank(), "--model is required (as an argument or model= in --config)");
    require(batchSize >= 1 && batchSize <= 1024, "--batch-size must be 1..1024, got " + batchSize);
    require(batchMaxDelayMs >= 1, "--batch-max-delay-ms must be positive, got " + batchMaxDelayMs);
    require(upsertBatchSize >= 1 && upsertBatchSize <= 10_000, "--upsert-batch-size must be 1..10000, got " + upsertBatchSize);
    require(upsertMaxDelayMs >= 1, "--upsert-max-delay-ms must be positive, got " + upsertMaxDelayMs);
    // Larger previews would crowd the 1 MiB a point may take in the sink.
    require(thumbnailSize >= 0 && thumbnailSize <= 512, "--thumbnail-size must be 0 (none) to 512, got " + thumbnailSize);
    require(!topic.equals(deadLetterTopic), "--dead-letter-topic must differ from --topic");
    imageRoots.forEach(ImageFiles::check);
    new IngestMessageParser(images.maxImageBytes, payloadFields); // refuses reserved and HAM10000 names
    images.validate();
    qdrant.validate();
    flink.validate();
  }
}
