package io.lesionsearch.web;

import io.lesionsearch.query.SearchClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "web",
    mixinStandardHelpOptions = true,
    description = "Serve the clinicians' search page against a running deployment: searches go as requests"
        + " to the query job's Kafka topic and its replies are shown as result cards. Runs until stopped (Ctrl-C).")
public final class WebCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--requests-topic", defaultValue = "lesion-search-requests", description = "The query job's request topic (default: ${DEFAULT-VALUE}).")
  String requestsTopic;

  @Option(names = "--replies-topic", defaultValue = "lesion-search-results", description = "The query job's reply topic (default: ${DEFAULT-VALUE}).")
  String repliesTopic;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client setting (security.protocol, sasl.*, ssl.*), repeatable.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(names = "--bind", defaultValue = WebConfig.DEFAULT_BIND, description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--port", defaultValue = "" + WebConfig.DEFAULT_PORT, description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--max-upload-bytes", defaultValue = "" + WebConfig.DEFAULT_MAX_UPLOAD_BYTES, description = "Largest image a user may upload (default: ${DEFAULT-VALUE}).")
  long maxUploadBytes;

  @Option(names = "--searches-per-minute", defaultValue = "" + WebConfig.DEFAULT_SEARCHES_PER_MINUTE, description = "Searches allowed per client address and minute; more get HTTP 429 (default: ${DEFAULT-VALUE}).")
  int searchesPerMinute;

  @Option(names = "--reply-timeout-ms", defaultValue = "10000", description = "How long a search waits for the query job's reply (default: ${DEFAULT-VALUE}).")
  long replyTimeoutMs;

  @Override
  public Integer call() throws Exception {
    WebConfig config = new WebConfig(bind, port, maxUploadBytes, searchesPerMinute, Duration.ofMillis(replyTimeoutMs));
    SearchClient client = new SearchClient(bootstrapServers, requestsTopic, repliesTopic, kafkaProperties);
    WebServer server;
    try {
      server = WebServer.start(client::search, config);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    // The JVM waits for shutdown hooks, not for this thread: closing here is what surely runs on Ctrl-C.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      client.close();
    }, "web-shutdown"));
    System.err.println("Lesion search page: " + server.uri());
    new CountDownLatch(1).await();
    return 0;
  }
}
