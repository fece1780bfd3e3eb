package io.lesionsearch.options;

import io.lesionsearch.qdrant.QdrantConnection;
import java.io.Serializable;
import picocli.CommandLine.Option;

/** Where the Qdrant server is, as every job is told it (a picocli mixin). */
public final class QdrantOptions implements Serializable {

  @Option(names = "--qdrant-host", defaultValue = "127.0.0.1", description = "Qdrant gRPC host (default: ${DEFAULT-VALUE}).")
  public String host;

  @Option(names = "--qdrant-port", defaultValue = "6334", description = "Qdrant gRPC port (default: ${DEFAULT-VALUE}).")
  public int port;

  @Option(names = "--qdrant-tls", defaultValue = "false", description = "Use TLS to Qdrant (default: ${DEFAULT-VALUE}).")
  public boolean tls;

  @Option(names = "--qdrant-api-key", defaultValue = "${env:QDRANT_API_KEY}", description = "Qdrant API key (default: the QDRANT_API_KEY environment variable).")
  public String apiKey;

  @Option(names = "--collection", defaultValue = "lesions", description = "Qdrant collection (default: ${DEFAULT-VALUE}).")
  public String collection;

  public QdrantConnection connection() {
    QdrantConnection connection = QdrantConnection.of(host, port).withTls(tls);
    return apiKey == null || apiKey.isBlank() ? connection : connection.withApiKey(apiKey);
  }

  public void validate() {
    Options.require(port >= 1 && port <= 65_535, "--qdrant-port must be 1..65535, got " + port);
    Options.require(collection != null && !collection.isBlank(), "--collection must not be empty");
  }
}
