package io.lesionsearch.query;

import io.lesionsearch.embed.ModelLoadException;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.ModelVariants;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.DeadLetterSerializer;
import io.lesionsearch.kafka.KafkaRecords;
import io.lesionsearch.kafka.KafkaSources;
import io.lesionsearch.kafka.TolerantKafkaSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * Wires the query stages: Kafka requests, contract checks (error replies at once, dead letters for
 * requests no one could recognise a reply to), async search, audit log, replies. Tuned for latency:
 * records leave network buffers at once and replies are sent without waiting for a checkpoint.
 */
public final class QueryJob {

  public static final String NAME = "lesion-search query";

  private QueryJob() {}

  public static void build(StreamExecutionEnvironment env, QueryConfig o)
      throws ModelLoadException {
    o.flink().applyTo(env);
    // Flink holds records up to 100 ms to fill a network buffer; a search cannot afford that.
    env.setBufferTimeout(0);
    env.getConfig().enableObjectReuse();
    // Read at submission: a wrong model directory fails before the job starts, and vectors in
    // requests are checked against the first model's size.
    ModelManifest manifest = manifests(o.models()).get(0);
    OutputTag<Reply> errorReplies =
        new OutputTag<>("error-replies", TypeInformation.of(Reply.class));
    OutputTag<DeadLetter> deadLetters =
        new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    SingleOutputStreamOperator<SearchRequest> requests =
        env.fromSource(
                KafkaSources.records(
                    o.kafka(), o.requestsTopic(), o.groupId(), o.flink().checkpointing()),
                WatermarkStrategy.noWatermarks(),
                "kafka " + o.requestsTopic())
            .uid("kafka-source")
            .process(
                new ParseRequests(
                    new RequestParser(
                        manifest.embeddingSize(),
                        o.images().maxBytes(),
                        o.maxImageSearches(),
                        o.maxHitsPerRequest()),
                    errorReplies,
                    deadLetters))
            .name("parse")
            .uid("parse");

    DataStream<Reply> answered =
        AsyncDataStream.unorderedWait(
                requests,
                new SearchFunction(
                    o.qdrant().connection(),
                    o.qdrant().collection(),
                    o.models(),
                    o.requestTimeoutMs(),
                    o.images(),
                    o.maxQueuedImages()),
                o.requestTimeoutMs(),
                TimeUnit.MILLISECONDS,
                o.inFlight())
            .name("search")
            .uid("search");

    // Error replies and answers leave through sinks of their own instead of a union: a union gives
    // the reply stages two inputs, which Flink never chains, so every reply would cross a network
    // channel (serialized, and handed to another task thread). Kept apart, the whole job is one
    // chain in one thread per parallel instance.
    replies(answered, o, "");
    replies(requests.getSideOutput(errorReplies), o, "error-");

    requests
        .getSideOutput(deadLetters)
        .sinkTo(
            sink(
                o,
                new DeadLetterSerializer(o.deadLetterTopic()),
                DeadLetterSerializer.maxRecordBytes(o.images().maxBytes())))
        .name("kafka " + o.deadLetterTopic())
        .uid("dead-letter-sink");
  }

  /** Size check, audit line and the replies topic, for one stream of replies. */
  private static void replies(DataStream<Reply> replies, QueryConfig o, String uidPrefix) {
    replies
        .map(new ReplySizeLimit(o.maxReplyBytes()))
        .name(uidPrefix + "reply size")
        .uid(uidPrefix + "reply-size")
        .map(new AuditLog())
        .name(uidPrefix + "audit")
        .uid(uidPrefix + "audit")
        .sinkTo(
            sink(
                o, new ReplySerializer(o.repliesTopic()), o.maxReplyBytes() + REPLY_OVERHEAD_BYTES))
        .name(uidPrefix + "kafka " + o.repliesTopic())
        .uid(uidPrefix + "reply-sink");
  }

  /**
   * The manifests of the job's models, refused when two share a model id: the collection's model id
   * must pick one.
   */
  static List<ModelManifest> manifests(List<String> models) throws ModelLoadException {
    List<ModelManifest> manifests = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String dir : models) {
      ModelManifest manifest = ModelVariants.manifest(Path.of(dir));
      if (!ids.add(manifest.modelId())) {
        throw new ModelLoadException(
            Path.of(dir),
            "another --model directory has model id '"
                + manifest.modelId()
                + "' too; the query job's models must have different model ids");
      }
      manifests.add(manifest);
    }
    return manifests;
  }

  /** Kafka's record framing beside a reply's key and value. */
  private static final int REPLY_OVERHEAD_BYTES = 1024;

  /**
   * At least once, sent as soon as it is produced: an exactly-once sink would hold every reply back
   * until the next checkpoint commits. A restart may therefore repeat a reply; clients de-duplicate
   * by request_id. A record Kafka refuses anyway is replaced by a small one, never fails the job.
   */
  private static <T> TolerantKafkaSink<T> sink(
      QueryConfig o, KafkaRecords<T> records, int maxRecordBytes) {
    Properties producer = o.kafka().clientProperties();
    producer.putIfAbsent("linger.ms", "0");
    producer.putIfAbsent("max.request.size", Integer.toString(maxRecordBytes));
    return new TolerantKafkaSink<>(o.kafka().bootstrapServers(), producer, records);
  }
}
