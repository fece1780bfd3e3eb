package io.lesionsearch.qdrantlocal;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qdrant-local}: serves the in-memory Qdrant-compatible endpoint until stopped. */
@Command(
    name = "qdrant-local",
    mixinStandardHelpOptions = true,
    description = {
      "Serve an in-memory, Qdrant-compatible gRPC endpoint (for tests and the single-machine"
          + " mode; NOT a production store - nothing is persisted).",
      "Point the official Qdrant client at the printed address. Stop with Ctrl-C."
    })
public final class QdrantLocalCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "6334",
      description = "gRPC port, 0 for any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--api-key", description = "Require this key in the api-key header.")
  String apiKey;

  @Override
  public Integer call() throws Exception {
    QdrantLocalServer server =
        QdrantLocalServer.builder().host(host).port(port).apiKey(apiKey).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "qdrant-local-shutdown"));
    System.out.println("qdrant-local listening on " + server.address()
        + (apiKey != null ? " (api-key required)" : ""));
    System.out.flush();
    server.awaitTermination();
    stopped.await();
    return 0;
  }
}
