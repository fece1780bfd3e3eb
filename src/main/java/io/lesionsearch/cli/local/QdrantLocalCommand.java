package io.lesionsearch.cli.local;

import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import java.io.File;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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
  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "6334",
      description = "gRPC port, 0 for any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--api-key", description = "Require this key in the api-key header.")
  String apiKey;

  @Option(
      names = "--read-only-api-key",
      description = "Also accept this key, for reads only (as Qdrant's service.read_only_api_key).")
  String readOnlyApiKey;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Serve TLS with this certificate chain (needs --tls-key).")
  File tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Unencrypted PKCS#8 private key (BEGIN PRIVATE KEY) of --tls-cert.")
  File tlsKey;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
    }
    QdrantLocalServer.Builder builder =
        QdrantLocalServer.builder()
            .host(host)
            .port(port)
            .apiKey(apiKey)
            .readOnlyApiKey(readOnlyApiKey);
    if (tlsCert != null) {
      builder.tls(tlsCert, tlsKey);
    }
    QdrantLocalServer server = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "qdrant-local-shutdown"));
    System.out.println(
        "qdrant-local listening on "
            + server.address()
            + (server.tls() ? " (TLS)" : "")
            + (apiKey != null || readOnlyApiKey != null ? " (api-key required)" : ""));
    System.out.flush();
    server.awaitTermination();
    stopped.await();
    return 0;
  }
}
