package io.lesionsearch.ingest;

import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.DeadLetterSerializer;

import io.lesionsearch.embed.ModelLoadException;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.qdrant.LesionPoint;
import io.lesionsearch.qdrant.QdrantSink;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import java.util.function.UnaryOperator;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * Wires the ingest stages: Kafka records, contract checks, batched embedding, Qdrant upserts, and one
 * dead-letter topic for whatever any stage could not index. Point ids derive from image_id, so with
 * checkpointing (on by default) a replay after a failure overwrites points instead of adding any.
 */
public final class IngestJob {

  public static final String NAME = "lesion-search ingest";
  /** The broker's default transaction.max.timeout.ms; the Kafka sink's own default (1 h) exceeds it. */
  private static final String TRANSACTION_TIMEOUT_MS = "900000";

  private IngestJob() {}

  public static void build(StreamExecutionEnvironment env, IngestOptions o) throws ModelLoadException {
    build(env, o, UnaryOperator.identity());
  }

  /** {@code afterParse} lets tests put a failure between the stages; the job itself passes identity. */
  static void build(
      StreamExecutionEnvironment env, IngestOptions o, UnaryOperator<DataStream<ImageToEmbed>> afterParse)
      throws ModelLoadException {
    o.validate();
    o.flink.applyTo(env);
    // Every stage builds new objects and never changes its input, so chained stages may hand
    // records over without Flink's defensive deep copy (an image is tens of KB).
    env.getConfig().enableObjectReuse();
    // Read at submission so a wrong model directory fails before the job starts, and the collection
    // gets the model's vector size.
    ModelManifest manifest = ModelManifest.read(Path.of(o.model));
    OutputTag<DeadLetter> deadLetters = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    SingleOutputStreamOperator<ImageToEmbed> images = env
        .fromSource(o.kafka.source(o.topic, o.groupId), WatermarkStrategy.noWatermarks(), "kafka " + o.topic).uid("kafka-source")
        .process(new ParseFunction(new IngestMessageParser(o.maxImageBytes), deadLetters)).name("parse").uid("parse");

    SingleOutputStreamOperator<LesionPoint> points = afterParse.apply(images)
        .transform("embed", TypeInformation.of(LesionPoint.class),
            new EmbedOperator(o.model, o.batchSize, o.batchMaxDelayMs, o.maxImageBytes, deadLetters, o.thumbnailSize))
        .uid("embed");

    points.sinkTo(qdrantSink(o, manifest.embeddingSize())).name("qdrant " + o.qdrant.collection).uid("qdrant-sink");

    images.getSideOutput(deadLetters)
        .union(points.getSideOutput(deadLetters))
        .sinkTo(deadLetterSink(o)).name("kafka " + o.deadLetterTopic).uid("dead-letter-sink");
  }

  private static QdrantSink qdrantSink(IngestOptions o, int vectorSize) {
    return QdrantSink.builder()
        .connection(o.qdrant.connection())
        .collection(o.qdrant.collection)
        .maxBatchSize(o.upsertBatchSize)
        .maxBufferedRequests(Math.max(QdrantSink.DEFAULT_MAX_BUFFERED_REQUESTS, 2 * o.upsertBatchSize))
        // One upsert at a time per writer: with two, a retried older batch could land after a newer
        // one and leave an image's previous metadata in place.
        .maxInFlightRequests(1)
        .maxTimeInBufferMs(o.upsertMaxDelayMs)
        .ensureCollection(vectorSize)
        .build();
  }

  private static KafkaSink<DeadLetter> deadLetterSink(IngestOptions o) {
    Properties producer = o.kafka.clientProperties();
    producer.putIfAbsent("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
    producer.putIfAbsent("max.request.size", Integer.toString(maxDeadLetterBytes(o)));
    // Exactly once needs checkpoints to commit its transactions; without them, at least once.
    boolean exactlyOnce = o.flink.checkpointing();
    return KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(o.kafka.bootstrapServers)
        .setRecordSerializer(new DeadLetterSerializer(o.deadLetterTopic))
        .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
        .setTransactionalIdPrefix("lesion-search-ingest-" + o.groupId + "-dlq")
        .setKafkaProducerConfig(producer)
        .build();
  }

  static int maxDeadLetterBytes(IngestOptions o) {
    return DeadLetterSerializer.maxRecordBytes(o.maxImageBytes);
  }
}
