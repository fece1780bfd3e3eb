package io.lesionsearch.options;

import io.lesionsearch.qdrant.QdrantConnection;
import java.io.Serializable;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Qdrant server is, as every job is told it (a picocli mixin). */
public final class QdrantOptions implements Serializable {

  @Option(names = "--qdrant-host", defaultValue = "127.0.0.1", description = "Qdrant gRPC host (default: ${DEFAULT-VALUE}).")
  public String host;

  @Option(names = "--qdrant-port", defaultValue = "6334", description = "Qdrant gRPC port (default: ${DEFAULT-VALUE}).")
  public int port;

  @Option(names = "--qdrant-tls", defaultValue = "false", description = "Use TLS to Qdrant, trusting the JVM's CA certificates (default: ${DEFAULT-VALUE}).")
  public boolean tls;

  // A String, not a Path: the options are Serializable and Path is not.
  @Option(names = "--qdrant-tls-ca", paramLabel = "FILE", description = "PEM file of the CA certificate(s) that signed Qdrant's certificate, trusted instead of the JVM's; implies --qdrant-tls. Read where the job is submitted: TaskManagers need no copy.")
  public String tlsCa;

  @Option(names = "--qdrant-api-key", defaultValue = "${env:QDRANT_API_KEY}", description = "Qdrant API key (default: the QDRANT_API_KEY environment variable where the job is submitted).")
  public String apiKey;

  @Option(names = "--qdrant-max-inbound-bytes", defaultValue = "" + QdrantConnection.DEFAULT_MAX_INBOUND_BYTES, description = "Largest gRPC message accepted from Qdrant, in bytes; a larger search answer fails as RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}, 64 MiB; gRPC's own is 4 MiB).")
  public int maxInboundBytes;

  @Option(names = "--collection", defaultValue = "lesions", description = "Qdrant collection (default: ${DEFAULT-VALUE}).")
  public String collection;

  /** Reads the CA file if one is given: call where the job is submitted, not on a TaskManager. */
  public QdrantConnection connection() {
    QdrantConnection connection = QdrantConnection.of(host, port).withTls(tls)
        .withMaxInboundBytes(maxInboundBytes);
    if (hasTlsCa()) {
      connection = connection.withTrustedCa(Path.of(tlsCa));
    }
    return apiKey == null || apiKey.isBlank() ? connection : connection.withApiKey(apiKey);
  }

  private boolean hasTlsCa() {
    return tlsCa != null && !tlsCa.isBlank();
  }

  public void validate() {
    Options.require(port >= 1 && port <= 65_535, "--qdrant-port must be 1..65535, got " + port);
    Options.require(collection != null && !collection.isBlank(), "--collection must not be empty");
    // Below 1 MiB even a few hits with thumbnails would not fit.
    Options.require(maxInboundBytes >= 1 << 20,
        "--qdrant-max-inbound-bytes must be at least 1048576 (1 MiB), got " + maxInboundBytes);
    if (hasTlsCa()) {
      try {
        QdrantConnection.readCaPem(Path.of(tlsCa));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--qdrant-tls-ca: " + e.getMessage(), e);
      }
    }
  }
}
