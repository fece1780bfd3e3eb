package io.lesionsearch.local;

import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.lesionsearch.query.QueryConfig;
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
 * The whole system in this JVM: a KRaft broker with the jobs' topics, the Qdrant-compatible
 * endpoint (or a running Qdrant server) and one Flink TaskManager running the ingest and query jobs
 * with their default topic names, as a deployment would. Closing it stops the parts in reverse
 * order of their start.
 */
public final class LocalStack implements AutoCloseable {

  public static final String DEFAULT_COLLECTION = "lesions";

  /**
   * Short, so dead letters (committed with checkpoints) show while the dataset is still streaming.
   */
  private static final String CHECKPOINT_MS = "2000";

  private final List<AutoCloseable> started = new ArrayList<>();
  private final EmbeddedKafka kafka;
  private final QdrantConnection qdrant;
  private final String collection;
  private final LocalFlink flink;
  private final IngestConfig ingest;
  private final QueryConfig query;
  private final JobID ingestJob;
  private final JobID queryJob;

  /**
   * @param server a running Qdrant server to use (its gRPC HOST:PORT), or null for the embedded
   *     endpoint
   * @param apiKey the server's API key, or null
   * @param qdrantPort the embedded endpoint's gRPC port, 0 for any free one
   * @param flinkPort Flink's REST and web UI port, 0 for any free one
   * @param thumbnailSize longest side of the payload thumbnails the web page shows, 0 for none
   */
  public LocalStack(
      Path model,
      String server,
      String apiKey,
      int qdrantPort,
      String collection,
      int flinkPort,
      int thumbnailSize)
      throws Exception {
    this.collection = collection;
    try {
      kafka = start(new EmbeddedKafka());
      if (server == null) {
        QdrantLocalServer embedded = start(QdrantLocalServer.builder().port(qdrantPort).start());
        qdrant = QdrantConnection.of(embedded.host(), embedded.port());
      } else {
        qdrant = QdrantConnection.parse(server).withApiKey(apiKey);
      }
      List<String> common =
          new ArrayList<>(
              List.of(
                  "--bootstrap-servers",
                  kafka.bootstrapServers(),
                  "--qdrant-host",
                  qdrant.host(),
                  "--qdrant-port",
                  Integer.toString(qdrant.port()),
                  "--collection",
                  collection,
                  "--model",
                  model.toString(),
                  "--parallelism",
                  "1",
                  // As given: the jobs would otherwise take $QDRANT_API_KEY themselves, meant for
                  // another server.
                  "--qdrant-api-key",
                  server == null || apiKey == null ? "" : apiKey));
      List<String> ingestArgs = new ArrayList<>(common);
      ingestArgs.addAll(
          List.of(
              "--checkpoint-interval-ms",
              CHECKPOINT_MS,
              "--thumbnail-size",
              Integer.toString(thumbnailSize)));
      ingest = IngestOptions.parse(ingestArgs.toArray(String[]::new));
      query = QueryOptions.parse(common.toArray(String[]::new));
      // The broker's default (1 MiB) would refuse an inline photo the jobs and the page accept; a
      // dead letter is its input plus headers, so dead-letter topics get 1 MiB more.
      for (String topic : List.of(ingest.topic(), query.requestsTopic(), query.repliesTopic())) {
        kafka.createTopic(
            topic,
            1,
            Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES)));
      }
      for (String topic : List.of(ingest.deadLetterTopic(), query.deadLetterTopic())) {
        kafka.createTopic(
            topic,
            1,
            Map.of(
                "max.message.bytes",
                Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES + (1 << 20))));
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

  /** Where the jobs' Qdrant is: the embedded endpoint, or the server given. */
  public QdrantConnection qdrant() {
    return qdrant;
  }

  public String collection() {
    return collection;
  }

  public IngestConfig ingestConfig() {
    return ingest;
  }

  public QueryConfig queryConfig() {
    return query;
  }

  public URI flinkWebAddress() throws Exception {
    return flink.webAddress();
  }

  /**
   * Fails with the job's name when either job has stopped: nothing would be indexed or answered.
   */
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
    // Ctrl-C interrupts the main thread to end its waits; the parts must close all the same, and
    // their closing waits would end at once under the interrupt.
    boolean interrupted = Thread.interrupted();
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
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (first != null) {
      throw first;
    }
  }
}
