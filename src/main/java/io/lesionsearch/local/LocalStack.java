package io.lesionsearch.local;

import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.lesionsearch.query.QueryJob;
import io.lesionsearch.query.QueryOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole system in this JVM: a KRaft broker with the jobs' topics, the Qdrant-compatible endpoint
 * and one Flink TaskManager running the ingest and query jobs with their default topic names, as a
 * deployment would. Closing it stops the parts in reverse order of their start.
 */
public final class LocalStack implements AutoCloseable {

  public static final String COLLECTION = "lesions";
  /** Short, so dead letters (committed with checkpoints) show while the dataset is still streaming. */
  private static final String CHECKPOINT_MS = "2000";

  private final List<AutoCloseable> started = new ArrayList<>();
  private final EmbeddedKafka kafka;
  private final QdrantLocalServer qdrant;
  private final LocalFlink flink;
  private final IngestOptions ingest;
  private final QueryOptions query;
  private final JobID ingestJob;
  private final JobID queryJob;

  /**
   * @param qdrantPort the endpoint's gRPC port, 0 for any free one
   * @param flinkPort Flink's REST and web UI port, 0 for any free one
   * @param thumbnailSize longest side of the payload thumbnails the web page shows, 0 for none
   */
  public LocalStack(Path model, int qdrantPort, int flinkPort, int thumbnailSize) throws Exception {
    try {
      kafka = start(new EmbeddedKafka());
      qdrant = start(QdrantLocalServer.builder().port(qdrantPort).start());
      ingest = IngestOptions.parse(
          "--bootstrap-servers", kafka.bootstrapServers(), "--qdrant-port", Integer.toString(qdrant.port()),
          "--collection", COLLECTION, "--model", model.toString(), "--parallelism", "1",
          "--checkpoint-interval-ms", CHECKPOINT_MS, "--thumbnail-size", Integer.toString(thumbnailSize));
      query = QueryOptions.parse(
          "--bootstrap-servers", kafka.bootstrapServers(), "--qdrant-port", Integer.toString(qdrant.port()),
          "--collection", COLLECTION, "--model", model.toString(), "--parallelism", "1");
      // The broker's default (1 MiB) would refuse an inline photo the jobs and the page accept; a
      // dead letter is its input plus headers, so dead-letter topics get 1 MiB more.
      for (String topic : List.of(ingest.topic, query.requestsTopic, query.repliesTopic)) {
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
      }
      for (String topic : List.of(ingest.deadLetterTopic, query.deadLetterTopic)) {
        kafka.createTopic(topic, 1, Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES + (1 << 20))));
      }
      // One slot per job; both share the TaskManager's one copy of the model.
      flink = start(new LocalFlink(2, flinkPort));
      StreamExecutionEnvironment ingestEnv = flink.environment();
      IngestJob.build(ingestEnv, ingest);
      ingestJob = flink.submit(ingestEnv, IngestJob.NAME);
      StreamExecutionEnvironment queryEnv = flink.environment();
      QueryJob.build(queryEnv, query);
      queryJob = flink.submit(queryEnv, QueryJob.NAME);
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private <T extends AutoCloseable> T start(T part) {
    started.add(part);
    return part;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public QdrantLocalServer qdrant() {
    return qdrant;
  }

  public IngestOptions ingestOptions() {
    return ingest;
  }

  public QueryOptions queryOptions() {
    return query;
  }

  public URI flinkWebAddress() throws Exception {
    return flink.webAddress();
  }

  /** Fails with the job's name when either job has stopped: nothing would be indexed or answered. */
  public void checkJobsRunning() throws Exception {
    if (!flink.isRunning(ingestJob)) {
      throw new IllegalStateException("the ingest job has stopped; see the log for its failure");
    }
    if (!flink.isRunning(queryJob)) {
      throw new IllegalStateException("the query job has stopped; see the log for its failure");
    }
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    started.clear();
    if (first != null) {
      throw first;
    }
  }
}
