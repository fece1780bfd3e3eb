package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local-only: it needs a Qdrant serving TLS with the test CA's certificate, which is the local
 * endpoint started here; the real server under test ({@code -Dlesion.test.qdrant}) serves
 * plaintext.
 *
 * <p>The jobs' Qdrant connection against the local endpoint serving real TLS on a loopback port,
 * with the test CA under src/test/resources/tls (see the README there): trust, refusal, the CA's
 * bytes travelling with the connection, and the inbound message limit.
 */
class QdrantTlsLocalOnlyTest {
  private static final Path TLS = Path.of("src/test/resources/tls");
  private static final Path CA = TLS.resolve("ca.pem");
  private static final String KEY = "tls-test-key";
  private static final String COLLECTION = "tls";

  /** 12 points of 200 KB payload each: a 2.4 MB answer, between the 1 MiB and the default limit. */
  private static final int POINTS = 12;

  private static final int PAYLOAD_CHARS = 200_000;

  /**
   * grpc-java logs each frame that arrives after the over-limit answer was refused (client) and the
   * stream the refusal cancelled (server), through java.util.logging, which forgets a logger's
   * level once nothing holds the logger.
   */
  private static final List<java.util.logging.Logger> QUIET =
      List.of(
          java.util.logging.Logger.getLogger("io.grpc.internal.AbstractClientStream"),
          java.util.logging.Logger.getLogger(
              "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler"));

  static QdrantLocalServer server;

  @BeforeAll
  static void start() throws Exception {
    // The client logs every failed call at ERROR; these tests fail calls on purpose.
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.qdrant.client.QdrantClient", org.apache.logging.log4j.Level.OFF);
    QUIET.forEach(l -> l.setLevel(java.util.logging.Level.SEVERE));
    server =
        QdrantLocalServer.builder()
            .port(0)
            .apiKey(KEY)
            .tls(TLS.resolve("server.pem").toFile(), TLS.resolve("server.key").toFile())
            .start();
    try (QdrantClient c = trusting("localhost").open()) {
      c.createCollectionAsync(
              COLLECTION, VectorParams.newBuilder().setSize(2).setDistance(Distance.Cosine).build())
          .get();
      List<PointStruct> points = new ArrayList<>();
      for (int i = 0; i < POINTS; i++) {
        points.add(
            PointStruct.newBuilder()
                .setId(PointIdFactory.id(i + 1))
                .setVectors(VectorsFactory.vectors(1f, i))
                .putAllPayload(Map.of("blob", ValueFactory.value("x".repeat(PAYLOAD_CHARS))))
                .build());
      }
      c.upsertAsync(COLLECTION, points).get();
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static QdrantConnection trusting(String host) {
    return QdrantConnection.of(host, server.port()).withTrustedCa(CA).withApiKey(KEY);
  }

  private static SearchPoints search(int limit, boolean payload) {
    return SearchPoints.newBuilder()
        .setCollectionName(COLLECTION)
        .addVector(1f)
        .addVector(0f)
        .setLimit(limit)
        .setWithPayload(WithPayloadSelectorFactory.enable(payload))
        .build();
  }

  private static Status failure(Future<?> call) {
    ExecutionException e = assertThrows(ExecutionException.class, call::get);
    return assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus();
  }

  @Test
  void aClientTrustingTheCaConnectsAndSearchesByNameAndByAddress() throws Exception {
    for (String host : List.of("localhost", "127.0.0.1")) {
      QdrantConnection c = trusting(host);
      assertTrue(c.tls() && c.hasTrustedCa(), c.toString());
      try (QdrantClient client = c.open()) {
        List<ScoredPoint> hits = client.searchAsync(search(3, false)).get();
        assertEquals(
            List.of(1L, 2L, 3L), hits.stream().map(h -> h.getId().getNum()).toList(), host);
      }
    }
  }

  @Test
  void aClientWithoutTheCaIsRefusedWithTheReasonAndTheRemedy() throws Exception {
    // --qdrant-tls alone: the JVM's trust store, which does not know the test CA.
    QdrantConnection jvmTrust =
        QdrantConnection.of("localhost", server.port()).withTls(true).withApiKey(KEY);
    try (QdrantClient client = jvmTrust.open()) {
      Status s = failure(client.listCollectionsAsync());
      assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
      assertTrue(
          s.getDescription().contains("TLS with Qdrant at localhost:" + server.port() + " failed"),
          s.getDescription());
      assertTrue(
          s.getDescription().contains("give that CA with --qdrant-tls-ca FILE"),
          s.getDescription());
      assertTrue(
          s.getDescription().contains("certification path"),
          "the JDK's reason: " + s.getDescription());
      assertTrue(
          causes(s.getCause()).stream().anyMatch(SSLException.class::isInstance), s.toString());
    }
  }

  @Test
  void aClientTrustingAnotherCaIsRefusedNamingTheCaFile() throws Exception {
    Path other = TLS.resolve("other-ca.pem");
    QdrantConnection c =
        QdrantConnection.of("localhost", server.port()).withTrustedCa(other).withApiKey(KEY);
    try (QdrantClient client = c.open()) {
      Status s = failure(client.listCollectionsAsync());
      assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
      assertTrue(
          s.getDescription().contains("signed by the CA in " + other + " (--qdrant-tls-ca)"),
          s.getDescription());
    }
  }

  @Test
  void aPlaintextClientGetsNoAnswerFromATlsServer() throws Exception {
    try (QdrantClient client =
        QdrantConnection.of("localhost", server.port()).withApiKey(KEY).open()) {
      assertEquals(Status.Code.UNAVAILABLE, failure(client.listCollectionsAsync()).getCode());
    }
  }

  @Test
  void theCaTravelsInsideTheConnectionSoTaskManagersNeedNoFile(@TempDir Path tmp) throws Exception {
    Path copy = Files.copy(CA, tmp.resolve("ca.pem"));
    QdrantConnection submitted =
        QdrantConnection.of("localhost", server.port()).withTrustedCa(copy).withApiKey(KEY);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(submitted);
    }
    Files.delete(copy);
    QdrantConnection onTaskManager;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      onTaskManager = (QdrantConnection) in.readObject();
    }
    assertEquals(submitted, onTaskManager);
    assertFalse(onTaskManager.toString().contains(KEY), onTaskManager.toString());
    try (QdrantGrpcClient grpc = onTaskManager.openGrpc();
        QdrantClient client = new QdrantClient(grpc)) {
      assertEquals(List.of(COLLECTION), client.listCollectionsAsync().get());
      grpc.channel().resetConnectBackoff(); // the sink's use of the channel still works
    }
  }

  @Test
  void anAnswerOverTheInboundLimitIsRefusedAndALargerLimitAcceptsIt() throws Exception {
    QdrantConnection small = trusting("localhost").withMaxInboundBytes(1 << 20);
    try (QdrantClient client = small.open()) {
      assertEquals(
          1, client.searchAsync(search(1, true)).get().size(), "a 200 KB answer fits in 1 MiB");
      Status s = failure(client.searchAsync(search(POINTS, true)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
      assertTrue(
          s.getDescription().contains("raise --qdrant-max-inbound-bytes"), s.getDescription());
      assertTrue(s.getDescription().contains("(1048576 bytes)"), s.getDescription());
    }
    QdrantConnection byDefault = trusting("localhost");
    assertEquals(64 << 20, byDefault.maxInboundBytes());
    try (QdrantClient client = byDefault.open()) {
      List<ScoredPoint> hits = client.searchAsync(search(POINTS, true)).get();
      assertEquals(POINTS, hits.size());
      assertEquals(
          PAYLOAD_CHARS, hits.get(POINTS - 1).getPayloadOrThrow("blob").getStringValue().length());
    }
  }

  @Test
  void aTlsServerRefusesToHandOutPlaintextChannels() {
    assertTrue(server.tls());
    assertThrows(IllegalStateException.class, server::newChannel);
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> out = new ArrayList<>();
    for (; t != null; t = t.getCause()) {
      out.add(t);
    }
    return out;
  }
}
