package io.lesionsearch.config;

import static io.lesionsearch.config.Check.require;

import io.lesionsearch.qdrant.QdrantConnection;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where the Qdrant server is, and the collection a job works on.
 *
 * @param tlsCa PEM file of the CA that signed the server's certificate, or null for the JVM's CAs;
 *     a String, as Path is not Serializable
 * @param apiKey null or blank for none
 * @param maxInboundBytes largest gRPC message accepted from Qdrant
 */
public record QdrantConfig(
    String host,
    int port,
    boolean tls,
    String tlsCa,
    String apiKey,
    int maxInboundBytes,
    String collection)
    implements Serializable {

  public QdrantConfig {
    require(port >= 1 && port <= 65_535, "--qdrant-port must be 1..65535, got " + port);
    require(collection != null && !collection.isBlank(), "--collection must not be empty");
    // Below 1 MiB even a few hits with thumbnails would not fit.
    require(
        maxInboundBytes >= 1 << 20,
        "--qdrant-max-inbound-bytes must be at least 1048576 (1 MiB), got " + maxInboundBytes);
    if (hasTlsCa(tlsCa)) {
      try {
        QdrantConnection.readCaPem(Path.of(tlsCa));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--qdrant-tls-ca: " + e.getMessage(), e);
      }
    }
  }

  /** Reads the CA file if one is given: call where the job is submitted, not on a TaskManager. */
  public QdrantConnection connection() {
    QdrantConnection connection =
        QdrantConnection.of(host, port).withTls(tls).withMaxInboundBytes(maxInboundBytes);
    if (hasTlsCa(tlsCa)) {
      connection = connection.withTrustedCa(Path.of(tlsCa));
    }
    return apiKey == null || apiKey.isBlank() ? connection : connection.withApiKey(apiKey);
  }

  private static boolean hasTlsCa(String tlsCa) {
    return tlsCa != null && !tlsCa.isBlank();
  }

  /** Never the key itself: configurations end up in logs. */
  @Override
  public String toString() {
    return "QdrantConfig[host="
        + host
        + ", port="
        + port
        + ", tls="
        + tls
        + ", tlsCa="
        + tlsCa
        + ", apiKey="
        + (apiKey == null || apiKey.isBlank() ? "none" : "***")
        + ", maxInboundBytes="
        + maxInboundBytes
        + ", collection="
        + collection
        + "]";
  }
}
