package io.lesionsearch.ingest;

import io.lesionsearch.embed.ModelLoadException;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.ModelVariants;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.DeadLetterSerializer;
import io.lesionsearch.kafka.KafkaSources;
import io.lesionsearch.kafka.TolerantKafkaSink;
import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrant.PointOp;
import io.lesionsearch.qdrant.PointOpTypeInfo;
import io.lesionsearch.qdrant.QdrantSink;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * Wires the ingest stages: Kafka records, contract checks, batched embedding, Qdrant upserts and
 * deletions (audited), and one dead-letter topic for whatever any stage could not index. Point ids
 * derive from image_id, so with checkpointing (on by default) a replay after a failure overwrites
 * points instead of adding any.
 */
public final class IngestJob {

  public static final String NAME = "lesion-search ingest";

  private IngestJob() {}

  public static void build(StreamExecutionEnvironment env, IngestConfig o)
      throws ModelLoadException {
    build(env, o, UnaryOperator.identity(), false);
  }

  /**
   * The same job over what the topic holds when it starts, then it ends: a re-index into a new
   * collection.
   */
  public static void buildBounded(StreamExecutionEnvironment env, IngestConfig o)
      throws ModelLoadException {
    build(env, o, UnaryOperator.identity(), true);
  }

  static void build(
      StreamExecutionEnvironment env,
      IngestConfig o,
      UnaryOperator<DataStream<IngestMessage>> afterParse)
      throws ModelLoadException {
    build(env, o, afterParse, false);
  }

  /**
   * {@code afterParse} lets tests put a failure between the stages; the job itself passes identity.
   */
  private static void build(
      StreamExecutionEnvironment env,
      IngestConfig o,
      UnaryOperator<DataStream<IngestMessage>> afterParse,
      boolean bounded)
      throws ModelLoadException {
    o.flink().applyTo(env);
    // Every stage builds new objects and never changes its input, so chained stages may hand
    // records over without Flink's defensive deep copy (an image is tens of KB).
    env.getConfig().enableObjectReuse();
    // Read at submission so a wrong model directory fails before the job starts, and the collection
    // gets the model's vector size.
    ModelManifest manifest = ModelVariants.manifest(Path.of(o.model()));
    OutputTag<DeadLetter> deadLetters =
        new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    SingleOutputStreamOperator<IngestMessage> images =
        env.fromSource(
                KafkaSources.records(
                    o.kafka(), o.topic(), o.groupId(), o.flink().checkpointing(), bounded),
                WatermarkStrategy.noWatermarks(),
                "kafka " + o.topic())
            .uid("kafka-source")
            .process(
                new ParseFunction(
                    new IngestMessageParser(o.images().maxBytes(), o.payloadFields()), deadLetters))
            .name("parse")
            .uid("parse");

    EmbedSettings embed =
        new EmbedSettings(
            o.model(),
            o.batchSize(),
            o.batchMaxDelayMs(),
            o.thumbnailSize(),
            o.images(),
            o.imageRoots());
    // Images and deletions share one stream from the source to the sink (parallelism and
    // forward partitioning alike), so a Kafka partition's order, and so an image_id's, holds.
    SingleOutputStreamOperator<IndexChange> embedded =
        afterParse
            .apply(images)
            .transform(
                "embed",
                TypeInformation.of(IndexChange.class),
                new EmbedOperator(embed, deadLetters))
            .uid("embed");
    DataStream<PointOp> points =
        embedded
            .map(new LesionOps())
            .returns(PointOpTypeInfo.INSTANCE)
            .name("lesion points")
            .uid("lesion-points");

    points
        .sinkTo(qdrantSink(o, manifest))
        .name("qdrant " + o.qdrant().collection())
        .uid("qdrant-sink");

    images
        .getSideOutput(deadLetters)
        .union(embedded.getSideOutput(deadLetters))
        .sinkTo(deadLetterSink(o))
        .name("kafka " + o.deadLetterTopic())
        .uid("dead-letter-sink");
  }

  private static QdrantSink<PointOp> qdrantSink(IngestConfig o, ModelManifest manifest) {
    return QdrantSink.builder()
        .connection(o.qdrant().connection())
        .collection(o.qdrant().collection())
        .maxBatchSize(o.upsertBatchSize())
        .maxBufferedRequests(
            Math.max(QdrantSink.DEFAULT_MAX_BUFFERED_REQUESTS, 2 * o.upsertBatchSize()))
        // One request at a time per writer: with two, a retried older batch could land after a
        // newer one and leave an image's previous metadata in place, or bring back a deleted one.
        .maxInFlightRequests(1)
        .maxTimeInBufferMs(o.upsertMaxDelayMs())
        .ensureCollection(manifest.embeddingSize(), manifest.modelId(), LesionPayload.INDEXES)
        .onDeleted(new DeletionAudit())
        .buildForOperations();
  }

  /**
   * At least once, and never failed by one letter: a dead letter too large for the producer or the
   * topic is replaced by a stub (see {@link DeadLetterSerializer}).
   */
  private static TolerantKafkaSink<DeadLetter> deadLetterSink(IngestConfig o) {
    Properties producer = o.kafka().clientProperties();
    producer.putIfAbsent("max.request.size", Integer.toString(maxDeadLetterBytes(o)));
    return new TolerantKafkaSink<>(
        o.kafka().bootstrapServers(), producer, new DeadLetterSerializer(o.deadLetterTopic()));
  }

  static int maxDeadLetterBytes(IngestConfig o) {
    return DeadLetterSerializer.maxRecordBytes(o.images().maxBytes());
  }
}
