package io.lesionsearch.testing;

import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.qdrant.client.QdrantClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Qdrant every test talks to, from one place. By default an in-process local endpoint on a
 * loopback port; with {@code -Dlesion.test.qdrant=HOST:PORT} (gRPC) a running server, with the key
 * from {@code -Dlesion.test.qdrant.api-key} and, for the read-only key's tests, {@code
 * -Dlesion.test.qdrant.read-only-api-key}. Several tests share one server: each takes uniquely
 * named collections with {@link #collection} and drops them on {@link #close}.
 */
public final class QdrantUnderTest implements AutoCloseable {

  public static final String PROPERTY = "lesion.test.qdrant";
  public static final String API_KEY_PROPERTY = "lesion.test.qdrant.api-key";
  public static final String READ_ONLY_API_KEY_PROPERTY = "lesion.test.qdrant.read-only-api-key";

  private final QdrantLocalServer local;
  private final String host;
  private final int port;
  private final String apiKey;
  private final String readOnlyApiKey;
  private final Set<String> collections = ConcurrentHashMap.newKeySet();
  private final List<QdrantClient> clients = new ArrayList<>();

  private QdrantUnderTest(
      QdrantLocalServer local, String host, int port, String apiKey, String readOnlyApiKey) {
    this.local = local;
    this.host = host;
    this.port = port;
    this.apiKey = apiKey;
    this.readOnlyApiKey = readOnlyApiKey;
  }

  /** Whether tests run against a real server given on the command line. */
  public static boolean real() {
    String address = System.getProperty(PROPERTY);
    return address != null && !address.isBlank();
  }

  /** The real server, or a fresh local endpoint without a key. */
  public static QdrantUnderTest start() {
    return real() ? connect() : startLocal(null, null);
  }

  /**
   * A server that checks API keys: the real one when it was given with both keys, else a fresh
   * local endpoint with these keys.
   */
  public static QdrantUnderTest startWithKeys(String localKey, String localReadOnlyKey) {
    if (real()
        && System.getProperty(API_KEY_PROPERTY) != null
        && System.getProperty(READ_ONLY_API_KEY_PROPERTY) != null) {
      return connect();
    }
    return startLocal(localKey, localReadOnlyKey);
  }

  private static QdrantUnderTest connect() {
    String address = System.getProperty(PROPERTY).trim();
    int colon = address.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException(
          "-D" + PROPERTY + " must be HOST:PORT (gRPC), got " + address);
    }
    return new QdrantUnderTest(
        null,
        address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1)),
        blankToNull(System.getProperty(API_KEY_PROPERTY)),
        blankToNull(System.getProperty(READ_ONLY_API_KEY_PROPERTY)));
  }

  private static QdrantUnderTest startLocal(String apiKey, String readOnlyApiKey) {
    try {
      QdrantLocalServer server =
          QdrantLocalServer.builder().port(0).apiKey(apiKey).readOnlyApiKey(readOnlyApiKey).start();
      return new QdrantUnderTest(server, server.host(), server.port(), apiKey, readOnlyApiKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  public boolean isLocal() {
    return local != null;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** The key that may write, or null when the server takes none. */
  public String apiKey() {
    return apiKey;
  }

  public String readOnlyApiKey() {
    return readOnlyApiKey;
  }

  public String address() {
    return host + ":" + port;
  }

  public QdrantConnection connection() {
    return QdrantConnection.of(host, port).withApiKey(apiKey);
  }

  /** A client with the writing key; closed with this object. */
  public synchronized QdrantClient client() {
    QdrantClient client = connection().open();
    clients.add(client);
    return client;
  }

  /** The options that point a job or command here: host, port and, when there is one, the key. */
  public List<String> jobArgs() {
    List<String> args =
        new ArrayList<>(List.of("--qdrant-host", host, "--qdrant-port", Integer.toString(port)));
    if (apiKey != null) {
      args.addAll(List.of("--qdrant-api-key", apiKey));
    }
    return args;
  }

  /** The same, for reaching this server through a loopback proxy. */
  public List<String> jobArgsVia(TcpProxy proxy) {
    List<String> args = jobArgs();
    args.set(1, "127.0.0.1");
    args.set(3, Integer.toString(proxy.port()));
    return args;
  }

  /** A collection name no other test uses, dropped on {@link #close}. */
  public String collection(String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    collections.add(name);
    return name;
  }

  /** For tests of the local endpoint itself; only where {@link #isLocal()}. */
  public QdrantLocalServer local() {
    if (local == null) {
      throw new IllegalStateException("this test needs the local endpoint, not " + address());
    }
    return local;
  }

  /**
   * Drops this test's collections (on a shared server), then stops a local endpoint. A name that
   * became an alias (the ingest job makes {@code NAME} an alias of {@code NAME__<model id>}) drops
   * the collections it points at and every {@code NAME__<model id>}.
   */
  @Override
  public void close() {
    if (!collections.isEmpty()) {
      try (QdrantClient client = connection().open()) {
        Set<String> names = new java.util.TreeSet<>(collections);
        try {
          for (var a : client.listAliasesAsync().get(30, TimeUnit.SECONDS)) {
            if (collections.contains(a.getAliasName())
                || collections.contains(
                    io.lesionsearch.qdrant.ModelCollections.aliasOf(a.getCollectionName()))) {
              names.add(a.getCollectionName());
            }
          }
          for (String c : client.listCollectionsAsync().get(30, TimeUnit.SECONDS)) {
            if (collections.contains(io.lesionsearch.qdrant.ModelCollections.aliasOf(c))) {
              names.add(c);
            }
          }
        } catch (Exception e) {
          // an older server without aliases: the names themselves are all there is
        }
        for (String name : names) {
          try {
            client.deleteCollectionAsync(name).get(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            // never created, or already gone
          }
        }
      }
    }
    synchronized (this) {
      clients.forEach(QdrantClient::close);
    }
    if (local != null) {
      local.close();
    }
  }
}
