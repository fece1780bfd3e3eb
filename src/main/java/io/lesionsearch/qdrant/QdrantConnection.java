package io.lesionsearch.qdrant;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Where a Qdrant server is and how to talk to it. Serializable so it can travel inside a Flink sink
 * to the TaskManagers, where each writer opens its own client. A custom CA travels as the PEM bytes
 * read at submission, so TaskManagers need no copy of the file.
 */
public final class QdrantConnection implements Serializable {
  // 2: the inbound limit and the CA were added; a form without them would come back with limit 0.
  private static final long serialVersionUID = 2L;

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 6334;

  /**
   * Per call; a 1,000-point upsert with wait=true takes well under a second on a healthy server.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /**
   * gRPC's own default (4 MiB) refused search answers with many hits and large payloads
   * (thumbnails) as RESOURCE_EXHAUSTED; Qdrant itself sends answers of any size.
   */
  public static final int DEFAULT_MAX_INBOUND_BYTES = 64 * 1024 * 1024;

  private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

  private final String host;
  private final int port;
  private final boolean tls;
  private final String apiKey;
  private final Duration requestTimeout;
  private final int maxInboundBytes;

  /** PEM certificates to trust instead of the JVM's trust store; null for the trust store. */
  private final byte[] caPem;

  /** Where caPem came from, for messages and toString. */
  private final String caSource;

  private QdrantConnection(
      String host,
      int port,
      boolean tls,
      String apiKey,
      Duration requestTimeout,
      int maxInboundBytes,
      byte[] caPem,
      String caSource) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("Qdrant host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Qdrant port must be 1-65535, got " + port);
    }
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "Qdrant request timeout must be > 0, got " + requestTimeout);
    }
    if (maxInboundBytes < 1) {
      throw new IllegalArgumentException(
          "Qdrant max inbound message size must be > 0, got " + maxInboundBytes);
    }
    if (caPem != null && !tls) {
      throw new IllegalArgumentException("a Qdrant CA certificate needs TLS");
    }
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
    this.requestTimeout = requestTimeout;
    this.maxInboundBytes = maxInboundBytes;
    this.caPem = caPem;
    this.caSource = caSource;
  }

  /** 127.0.0.1:6334, plaintext, no API key, 30 s per call, 64 MiB answers. */
  public static QdrantConnection defaults() {
    return new QdrantConnection(
        DEFAULT_HOST,
        DEFAULT_PORT,
        false,
        null,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_INBOUND_BYTES,
        null,
        null);
  }

  /**
   * {@code HOST:PORT} (gRPC), as users give a server on the command line.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static QdrantConnection parse(String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon < 1 || colon == address.length() - 1) {
      throw new IllegalArgumentException(
          "a Qdrant server is HOST:PORT (its gRPC port, 6334 by default), got " + address);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return of(host, Integer.parseInt(address.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "a Qdrant server is HOST:PORT with a numeric port, got " + address);
    }
  }

  public static QdrantConnection of(String host, int port) {
    return defaults().withHost(host).withPort(port);
  }

  public QdrantConnection withHost(String host) {
    return new QdrantConnection(
        host, port, tls, apiKey, requestTimeout, maxInboundBytes, caPem, caSource);
  }

  public QdrantConnection withPort(int port) {
    return new QdrantConnection(
        host, port, tls, apiKey, requestTimeout, maxInboundBytes, caPem, caSource);
  }

  /** Turning TLS off also drops a trusted CA, which means nothing without TLS. */
  public QdrantConnection withTls(boolean tls) {
    return new QdrantConnection(
        host,
        port,
        tls,
        apiKey,
        requestTimeout,
        maxInboundBytes,
        tls ? caPem : null,
        tls ? caSource : null);
  }

  /** Null or empty means no key. */
  public QdrantConnection withApiKey(String apiKey) {
    return new QdrantConnection(
        host, port, tls, apiKey, requestTimeout, maxInboundBytes, caPem, caSource);
  }

  public QdrantConnection withRequestTimeout(Duration requestTimeout) {
    return new QdrantConnection(
        host, port, tls, apiKey, requestTimeout, maxInboundBytes, caPem, caSource);
  }

  /** The largest message (a search answer, mostly) the client accepts from Qdrant. */
  public QdrantConnection withMaxInboundBytes(int maxInboundBytes) {
    return new QdrantConnection(
        host, port, tls, apiKey, requestTimeout, maxInboundBytes, caPem, caSource);
  }

  /**
   * TLS, trusting only the CA certificates in this PEM file (not the JVM's trust store). The file
   * is read and checked now, where the job is submitted: the bytes travel with the connection.
   *
   * @throws IllegalArgumentException naming the file, if it cannot be read or holds no usable
   *     certificate
   */
  public QdrantConnection withTrustedCa(Path pemFile) {
    byte[] pem = readCaPem(pemFile);
    return new QdrantConnection(
        host, port, true, apiKey, requestTimeout, maxInboundBytes, pem, pemFile.toString());
  }

  /**
   * Reads and checks a PEM file of CA certificates as {@link #withTrustedCa} does.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static byte[] readCaPem(Path pemFile) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(pemFile);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the Qdrant CA certificate file " + pemFile + ": " + e, e);
    }
    checkCaPem(pem, pemFile.toString());
    return pem;
  }

  private static void checkCaPem(byte[] pem, String source) {
    // CertificateFactory would also take DER, which Netty's trust manager cannot read.
    if (!new String(pem, StandardCharsets.US_ASCII).contains(PEM_CERTIFICATE)) {
      throw new IllegalArgumentException(
          "the Qdrant CA certificate file "
              + source
              + " holds no PEM certificate (a "
              + PEM_CERTIFICATE
              + " block)");
    }
    Collection<? extends Certificate> certificates;
    try {
      certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          "the Qdrant CA certificate file "
              + source
              + " is not a valid PEM certificate: "
              + e.getMessage(),
          e);
    }
    for (Certificate c : certificates) {
      X509Certificate x509 = (X509Certificate) c;
      try {
        x509.checkValidity();
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        throw new IllegalArgumentException(
            "the Qdrant CA certificate "
                + x509.getSubjectX500Principal()
                + " in "
                + source
                + " is valid only from "
                + x509.getNotBefore().toInstant()
                + " to "
                + x509.getNotAfter().toInstant(),
            e);
      }
    }
    try {
      sslContext(pem);
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(
          "the Qdrant CA certificate file "
              + source
              + " cannot be used as a trust store: "
              + e.getMessage(),
          e);
    }
  }

  private static SslContext sslContext(byte[] caPem) throws SSLException {
    return GrpcSslContexts.forClient().trustManager(new ByteArrayInputStream(caPem)).build();
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

  public int maxInboundBytes() {
    return maxInboundBytes;
  }

  /**
   * Whether TLS trusts a CA given with {@link #withTrustedCa} rather than the JVM's trust store.
   */
  public boolean hasTrustedCa() {
    return caPem != null;
  }

  /** The official client; the caller closes it, which also closes its channel. */
  public QdrantClient open() {
    return new QdrantClient(openGrpc());
  }

  /**
   * The gRPC layer of the client. The sink keeps it to reach the channel: after an outage it resets
   * gRPC's own reconnect backoff (which grows to two minutes) so that the sink's retry schedule,
   * not gRPC's, decides when the next attempt happens. Closing it closes the channel.
   */
  public QdrantGrpcClient openGrpc() {
    // As the client's own newBuilder(host, port, tls) does, but with the inbound limit and the CA,
    // which that builder cannot set, and our version check for the client's (see
    // ServerVersionCheck).
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(channel(), true, false);
    if (apiKey != null) {
      b.withApiKey(apiKey);
    }
    QdrantGrpcClient client = b.withTimeout(requestTimeout).build();
    ServerVersionCheck.check(client, host + ":" + port);
    return client;
  }

  private ManagedChannel channel() {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(host, port)
            .maxInboundMessageSize(maxInboundBytes)
            .userAgent(
                "java-client/"
                    + ServerVersionCheck.CLIENT_VERSION
                    + " java/"
                    + System.getProperty("java.version"))
            .intercept(new ExplainFailures());
    if (!tls) {
      b.usePlaintext();
    } else if (caPem == null) {
      b.useTransportSecurity();
    } else {
      try {
        b.sslContext(sslContext(caPem));
      } catch (SSLException e) {
        // Checked when the CA was read; reaching this means this JVM's TLS differs from the
        // submitter's.
        throw new UncheckedIOException("cannot use the Qdrant CA certificate from " + caSource, e);
      }
    }
    return b.build();
  }

  /**
   * gRPC reports a refused certificate as "UNAVAILABLE: io exception" (the reason is only in the
   * cause) and an over-limit answer without naming the setting; the sink and the query job log and
   * reply with the status description, so the reason and the remedy go there.
   */
  private final class ExplainFailures implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                private boolean headersArrived;
                private boolean messageArrived;

                @Override
                public void onHeaders(Metadata responseHeaders) {
                  headersArrived = true;
                  super.onHeaders(responseHeaders);
                }

                @Override
                public void onMessage(R message) {
                  messageArrived = true;
                  super.onMessage(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  super.onClose(explain(status, headersArrived && !messageArrived), trailers);
                }
              },
              headers);
        }
      };
    }
  }

  /**
   * @param answerStarted Qdrant began an answer (sent its headers) that never arrived: Qdrant
   *     itself refuses with a status alone, so a RESOURCE_EXHAUSTED then is this channel's refusal
   *     of a message over its inbound limit. An answer Qdrant compressed is measured only while it
   *     is read, and that refusal comes as CANCELLED, caused by the RESOURCE_EXHAUSTED.
   */
  private Status explain(Status status, boolean answerStarted) {
    boolean refusedHere =
        status.getCode() == Status.Code.RESOURCE_EXHAUSTED
            || (status.getCode() == Status.Code.CANCELLED
                && status.getCause() != null
                && Status.fromThrowable(status.getCause()).getCode()
                    == Status.Code.RESOURCE_EXHAUSTED);
    if (refusedHere && answerStarted) {
      AnswerTooLargeException tooLarge = new AnswerTooLargeException(maxInboundBytes);
      return status
          .withCause(tooLarge)
          .augmentDescription(
              tooLarge.getMessage()
                  + "; raise --qdrant-max-inbound-bytes or ask for fewer hits or less payload");
    }
    if (status.getCode() == Status.Code.UNAVAILABLE) {
      for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
        if (t instanceof SSLException) {
          return status.augmentDescription(
              "TLS with Qdrant at "
                  + host
                  + ":"
                  + port
                  + " failed: "
                  + rootMessage(t)
                  + ". "
                  + (caPem != null
                      ? "Is Qdrant's certificate signed by the CA in "
                          + caSource
                          + " (--qdrant-tls-ca) and issued for "
                          + host
                          + "?"
                      : "If Qdrant's certificate is signed by a private CA, give that CA with"
                          + " --qdrant-tls-ca FILE; is it issued for "
                          + host
                          + "?"));
        }
      }
    }
    return status;
  }

  private static String rootMessage(Throwable t) {
    String message = t.getMessage();
    for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        message = c.getMessage();
      }
    }
    return message != null ? message : t.getClass().getSimpleName();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof QdrantConnection c)) {
      return false;
    }
    return port == c.port
        && tls == c.tls
        && host.equals(c.host)
        && Objects.equals(apiKey, c.apiKey)
        && requestTimeout.equals(c.requestTimeout)
        && maxInboundBytes == c.maxInboundBytes
        && Arrays.equals(caPem, c.caPem);
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, port, tls, apiKey, requestTimeout, maxInboundBytes)
        + 31 * Arrays.hashCode(caPem);
  }

  /** Never shows the key: this string ends up in logs and the Flink web UI. */
  @Override
  public String toString() {
    return "QdrantConnection{"
        + (tls ? "https" : "http")
        + "://"
        + host
        + ":"
        + port
        + (caPem != null ? ", trustedCa=" + caSource : "")
        + ", apiKey="
        + (apiKey != null ? "<set>" : "<none>")
        + ", requestTimeout="
        + requestTimeout.toMillis()
        + "ms"
        + ", maxInboundBytes="
        + maxInboundBytes
        + "}";
  }
}
