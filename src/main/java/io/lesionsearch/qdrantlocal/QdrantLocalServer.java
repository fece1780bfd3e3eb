package io.lesionsearch.qdrantlocal;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory, Qdrant-compatible gRPC endpoint: the Qdrant, Collections and Points services over
 * either a loopback TCP port (Netty) or an in-process transport for tests. The official {@link
 * QdrantClient} talks to it unchanged.
 *
 * <p>For tests and the single-machine mode only: nothing is persisted, there is no index beyond a
 * full scan, and it is not a production store; production uses the real qdrant/qdrant server.
 *
 * <pre>{@code
 * try (QdrantLocalServer server = QdrantLocalServer.builder().port(0).start();
 *      QdrantClient client = server.newClient()) {
 *   ...
 * }
 * }</pre>
 */
public final class QdrantLocalServer implements AutoCloseable {
  /** Qdrant's default gRPC request limit (service.max_request_size_mb = 32). */
  static final int MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

  private static final int FLOW_CONTROL_WINDOW_BYTES = 8 * 1024 * 1024;

  private final Server server;
  private final String host;
  private final String inProcessName;
  private final String apiKey;
  private final Builder settings;
  private final CollectionRegistry registry;

  private QdrantLocalServer(Server server, Builder settings, CollectionRegistry registry) {
    this.server = server;
    this.host = settings.host;
    this.inProcessName = settings.inProcessName;
    this.apiKey = settings.apiKey;
    this.settings = settings;
    this.registry = registry;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings for one server; every setting has a default. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 0;
    private String inProcessName;
    private String apiKey;
    private String readOnlyApiKey;
    private File tlsCertChain;
    private File tlsPrivateKey;
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private CollectionRegistry registry;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.host = host;
      b.port = port;
      b.inProcessName = inProcessName;
      b.apiKey = apiKey;
      b.readOnlyApiKey = readOnlyApiKey;
      b.tlsCertChain = tlsCertChain;
      b.tlsPrivateKey = tlsPrivateKey;
      b.interceptors.addAll(interceptors);
      return b;
    }

    /**
     * Wrap every service in this interceptor (outside the API-key check), so a test can count or
     * inspect the calls a client makes, as a proxy in front of a real server would.
     */
    public Builder interceptor(ServerInterceptor interceptor) {
      interceptors.add(interceptor);
      return this;
    }

    /** Address to bind; 127.0.0.1 by default so nothing outside the machine can reach it. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** TCP port; 0 (the default) picks a free one, see {@link #port()}. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Serve on grpc-java's in-process transport under this name instead of TCP. */
    public Builder inProcess(String name) {
      this.inProcessName = name;
      return this;
    }

    /** Require this key in the {@code api-key} header (as Qdrant's service.api_key). */
    public Builder apiKey(String key) {
      this.apiKey = key;
      return this;
    }

    /** A key that may call only read RPCs (as Qdrant's service.read_only_api_key). */
    public Builder readOnlyApiKey(String key) {
      this.readOnlyApiKey = key;
      return this;
    }

    /**
     * Serve TLS with this certificate chain and private key (PEM files; the key unencrypted PKCS#8,
     * {@code BEGIN PRIVATE KEY}), as Qdrant's service.enable_tls with tls.cert and tls.key. TCP
     * only. Clients must trust the chain's CA: {@link #newChannel()} and {@link #newClient()} are
     * plaintext and refuse such a server.
     */
    public Builder tls(File certChain, File privateKey) {
      this.tlsCertChain = certChain;
      this.tlsPrivateKey = privateKey;
      return this;
    }

    public QdrantLocalServer start() throws IOException {
      CollectionRegistry registry =
          this.registry != null ? this.registry : new CollectionRegistry();
      if (tlsCertChain != null && inProcessName != null) {
        throw new IllegalStateException("TLS needs a TCP port, not the in-process transport");
      }
      io.grpc.ServerBuilder<?> b;
      if (inProcessName != null) {
        b = InProcessServerBuilder.forName(inProcessName);
      } else {
        // A 1,000-point upsert of 384-d vectors is about 1.6 MB; with Netty's default 1 MiB
        // window every such call waits for window updates, which halves upsert throughput.
        NettyServerBuilder netty =
            NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES);
        if (tlsCertChain != null) {
          netty.sslContext(GrpcSslContexts.forServer(tlsCertChain, tlsPrivateKey).build());
        }
        b = netty;
      }
      b.maxInboundMessageSize(MAX_MESSAGE_BYTES);
      ApiKeyInterceptor auth =
          apiKey != null || readOnlyApiKey != null
              ? new ApiKeyInterceptor(apiKey, readOnlyApiKey)
              : null;
      add(b, new HealthService(), auth);
      add(b, GrpcHealthService.definition(), auth);
      add(b, new CollectionsService(registry), auth);
      add(b, new PointsService(registry), auth);
      Server server = b.build().start();
      return new QdrantLocalServer(server, copy().port(server.getPort()), registry);
    }

    private void add(
        io.grpc.ServerBuilder<?> b, io.grpc.BindableService service, ApiKeyInterceptor auth) {
      add(b, service.bindService(), auth);
    }

    private void add(
        io.grpc.ServerBuilder<?> b, io.grpc.ServerServiceDefinition def, ApiKeyInterceptor auth) {
      if (auth != null) {
        def = ServerInterceptors.intercept(def, auth);
      }
      // intercept() runs the last-added interceptor first: these go outside the key check.
      b.addService(ServerInterceptors.intercept(def, interceptors));
    }
  }

  /** The bound TCP port, or -1 for an in-process server. */
  public int port() {
    return inProcessName != null ? -1 : server.getPort();
  }

  public String host() {
    return host;
  }

  /** {@code host:port}, or {@code in-process:NAME}. */
  public String address() {
    return inProcessName != null ? "in-process:" + inProcessName : host + ":" + port();
  }

  /** Whether this server serves TLS ({@link Builder#tls}). */
  public boolean tls() {
    return settings.tlsCertChain != null;
  }

  /**
   * A plaintext channel to this server; the caller shuts it down.
   *
   * @throws IllegalStateException for a TLS server, whose CA only the caller knows
   */
  public ManagedChannel newChannel() {
    if (tls()) {
      throw new IllegalStateException(
          "this server serves TLS: connect with a channel that trusts"
              + " its CA (QdrantConnection.withTrustedCa)");
    }
    if (inProcessName != null) {
      return InProcessChannelBuilder.forName(inProcessName)
          .maxInboundMessageSize(MAX_MESSAGE_BYTES)
          .build();
    }
    return Grpc.newChannelBuilderForAddress(host, port(), InsecureChannelCredentials.create())
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .build();
  }

  /**
   * The official client, connected to this server with its API key if one is set. Closing the
   * client closes its channel.
   */
  public QdrantClient newClient() {
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(newChannel(), true);
    if (apiKey != null) {
      b.withApiKey(apiKey);
    }
    return new QdrantClient(b.build());
  }

  /**
   * Starts a new server on the same address with the same settings and the same collections and
   * points, as a real Qdrant restarting on its storage would. Close this one first: the port must
   * be free. Lets tests stop the endpoint for a while and bring it back without losing data.
   */
  public QdrantLocalServer restart() throws IOException {
    Builder b = settings.copy();
    b.registry = registry;
    return b.start();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, lets running ones finish for a few seconds, then cuts them off. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
