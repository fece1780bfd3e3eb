package io.lesionsearch.cli;

import io.lesionsearch.query.SearchClient;
import io.lesionsearch.query.SearchClientOptions;
import io.lesionsearch.web.WebConfig;
import io.lesionsearch.web.WebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "web",
    mixinStandardHelpOptions = true,
    description =
        "Serve the clinicians' search page against a running deployment: searches go as requests"
            + " to the query job's Kafka topic and its replies are shown as result cards. Runs until stopped (Ctrl-C).")
public final class WebCommand implements Callable<Integer> {

  @Mixin SearchClientOptions kafka;

  @Option(
      names = "--bind",
      defaultValue = WebConfig.DEFAULT_BIND,
      description =
          "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--port",
      defaultValue = "" + WebConfig.DEFAULT_PORT,
      description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--max-upload-bytes",
      defaultValue = "" + WebConfig.DEFAULT_MAX_UPLOAD_BYTES,
      description = "Largest image a user may upload (default: ${DEFAULT-VALUE}).")
  long maxUploadBytes;

  @Option(
      names = "--searches-per-minute",
      defaultValue = "" + WebConfig.DEFAULT_SEARCHES_PER_MINUTE,
      description =
          "Searches allowed per client address and minute; more get HTTP 429 (default: ${DEFAULT-VALUE}).")
  int searchesPerMinute;

  @Option(
      names = "--reply-timeout-ms",
      defaultValue = "10000",
      description =
          "How long a search waits for the query job's reply (default: ${DEFAULT-VALUE}).")
  long replyTimeoutMs;

  @Option(
      names = "--max-concurrent-searches",
      defaultValue = "" + WebConfig.DEFAULT_MAX_CONCURRENT_SEARCHES,
      description =
          "Searches in progress at once, over all clients; more get HTTP 503 with Retry-After (default: ${DEFAULT-VALUE}).")
  int maxConcurrentSearches;

  @Option(
      names = "--upload-memory-bytes",
      defaultValue = "" + WebConfig.DEFAULT_UPLOAD_MEMORY_BYTES,
      description =
          "Request bodies (uploads) held in memory at once, over all clients; more get HTTP 503 with Retry-After. At least --max-upload-bytes + "
              + WebConfig.FORM_OVERHEAD_BYTES
              + "; give the JVM a few times this in heap (default: ${DEFAULT-VALUE}).")
  long uploadMemoryBytes;

  @Option(
      names = "--allowed-host",
      paramLabel = "NAME",
      description =
          "A host name (or IP address) users reach the page by, besides the bind address, repeatable: other Host headers get HTTP 421 (DNS rebinding), and POSTs from other origins 403. Name the public host here when serving behind a reverse proxy.")
  List<String> allowedHosts = new ArrayList<>();

  @Option(
      names = "--trusted-user-header",
      paramLabel = "NAME",
      description =
          "A request header an authenticating reverse proxy sets to the signed-in user, e.g. X-Forwarded-User: every search takes its requested_by from it, and one without exactly one valid value gets HTTP 403 USER_UNKNOWN. The proxy must strip this header from what clients send.")
  String trustedUserHeader;

  @Option(
      names = "--requested-by",
      paramLabel = "NAME",
      description =
          "The requested_by of every search when no --trusted-user-header is set: this page's name as a service in the audit trail (1..200 characters).")
  String requestedBy;

  @Option(
      names = "--sample-image-id",
      paramLabel = "ID",
      description =
          "An indexed image_id the page offers as a one-click search, repeatable (at most "
              + WebConfig.MAX_SAMPLES
              + ").")
  List<String> sampleImageIds = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    WebConfig config =
        new WebConfig(
            bind,
            port,
            maxUploadBytes,
            searchesPerMinute,
            Duration.ofMillis(replyTimeoutMs),
            sampleImageIds,
            maxConcurrentSearches,
            uploadMemoryBytes,
            allowedHosts,
            trustedUserHeader,
            requestedBy);
    SearchClient client = kafka.open();
    WebServer server;
    try {
      server = WebServer.start(client::search, config);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    // The JVM waits for shutdown hooks, not for this thread: closing here is what surely runs on
    // Ctrl-C.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  client.close();
                },
                "web-shutdown"));
    System.err.println("Lesion search page: " + server.uri());
    new CountDownLatch(1).await();
    return 0;
  }
}
