package io.lesionsearch.options;

import io.lesionsearch.config.QdrantConfig;
import io.lesionsearch.qdrant.QdrantConnection;
import picocli.CommandLine.Option;

/** Where the Qdrant server is, as every job is told it (a picocli mixin). */
public final class QdrantOptions {

  @Option(
      names = "--qdrant-host",
      defaultValue = "127.0.0.1",
      description = "Qdrant gRPC host (default: ${DEFAULT-VALUE}).")
  public String host;

  @Option(
      names = "--qdrant-port",
      defaultValue = "6334",
      description = "Qdrant gRPC port (default: ${DEFAULT-VALUE}).")
  public int port;

  @Option(
      names = "--qdrant-tls",
      defaultValue = "false",
      description =
          "Use TLS to Qdrant, trusting the JVM's CA certificates (default: ${DEFAULT-VALUE}).")
  public boolean tls;

  @Option(
      names = "--qdrant-tls-ca",
      paramLabel = "FILE",
      description =
          "PEM file of the CA certificate(s) that signed Qdrant's certificate, trusted instead of the JVM's; implies --qdrant-tls. Read where the job is submitted: TaskManagers need no copy.")
  public String tlsCa;

  @Option(
      names = "--qdrant-api-key",
      defaultValue = "${env:QDRANT_API_KEY}",
      description =
          "Qdrant API key (default: the QDRANT_API_KEY environment variable where the job is submitted).")
  public String apiKey;

  @Option(
      names = "--qdrant-max-inbound-bytes",
      defaultValue = "" + QdrantConnection.DEFAULT_MAX_INBOUND_BYTES,
      description =
          "Largest gRPC message accepted from Qdrant, in bytes; a larger search answer fails as RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}, 64 MiB; gRPC's own is 4 MiB).")
  public int maxInboundBytes;

  @Option(
      names = "--collection",
      defaultValue = "lesions",
      description = "Qdrant collection (default: ${DEFAULT-VALUE}).")
  public String collection;

  public QdrantConfig toConfig() {
    return new QdrantConfig(host, port, tls, tlsCa, apiKey, maxInboundBytes, collection);
  }
}
