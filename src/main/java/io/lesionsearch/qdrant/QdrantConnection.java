package io.lesionsearch.qdrant;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a Qdrant server is and how to talk to it. Serializable so it can travel inside a Flink
 * sink to the TaskManagers, where each writer opens its own client.
 */
public final class QdrantConnection implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 6334;
  /** Per call; a 1,000-point upsert with wait=true takes well under a second on a healthy server. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final String host;
  private final int port;
  private final boolean tls;
  private final String apiKey;
  private final Duration requestTimeout;

  private QdrantConnection(String host, int port, boolean tls, String apiKey,
      Duration requestTimeout) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("Qdrant host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Qdrant port must be 1-65535, got " + port);
    }
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("Qdrant request timeout must be > 0, got "
          + requestTimeout);
    }
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
    this.requestTimeout = requestTimeout;
  }

  /** 127.0.0.1:6334, plaintext, no API key, 30 s per call. */
  public static QdrantConnection defaults() {
    return new QdrantConnection(DEFAULT_HOST, DEFAULT_PORT, false, null, DEFAULT_REQUEST_TIMEOUT);
  }

  public static QdrantConnection of(String host, int port) {
    return defaults().withHost(host).withPort(port);
  }

  public QdrantConnection withHost(String host) {
    return new QdrantConnection(host, port, tls, apiKey, requestTimeout);
  }

  public QdrantConnection withPort(int port) {
    return new QdrantConnection(host, port, tls, apiKey, requestTimeout);
  }

  public QdrantConnection withTls(boolean tls) {
    return new QdrantConnection(host, port, tls, apiKey, requestTimeout);
  }

  /** Null or empty means no key. */
  public QdrantConnection withApiKey(String apiKey) {
    return new QdrantConnection(host, port, tls, apiKey, requestTimeout);
  }

  public QdrantConnection withRequestTimeout(Duration requestTimeout) {
    return new QdrantConnection(host, port, tls, apiKey, requestTimeout);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean tls() {
    return tls;
  }

  public boolean hasApiKey() {
    return apiKey != null;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The official client; the caller closes it, which also closes its channel. */
  public QdrantClient open() {
    return new QdrantClient(openGrpc());
  }

  /**
   * The gRPC layer of the client. The sink keeps it to reach the channel: after an outage it
   * resets gRPC's own reconnect backoff (which grows to two minutes) so that the sink's retry
   * schedule, not gRPC's, decides when the next attempt happens.
   */
  public QdrantGrpcClient openGrpc() {
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(host, port, tls);
    if (apiKey != null) {
      b.withApiKey(apiKey);
    }
    return b.withTimeout(requestTimeout).build();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof QdrantConnection)) {
      return false;
    }
    QdrantConnection c = (QdrantConnection) o;
    return port == c.port && tls == c.tls && host.equals(c.host) && Objects.equals(apiKey, c.apiKey)
        && requestTimeout.equals(c.requestTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, port, tls, apiKey, requestTimeout);
  }

  /** Never shows the key: this string ends up in logs and the Flink web UI. */
  @Override
  public String toString() {
    return "QdrantConnection{" + (tls ? "https" : "http") + "://" + host + ":" + port
        + ", apiKey=" + (apiKey != null ? "<set>" : "<none>")
        + ", requestTimeout=" + requestTimeout.toMillis() + "ms}";
  }
}
