package io.lesionsearch.qdrantlocal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.lesionsearch.testing.QdrantUnderTest;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.VersionsCompatibilityChecker;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The version call (qdrant.Qdrant/HealthCheck) as Qdrant answers it (src/tonic/mod.rs, VersionInfo
 * in lib/api/src/rest/models.rs), and what the official client does with it when it is built.
 */
class HealthCheckTest {
  static QdrantUnderTest server;

  @BeforeAll
  static void start() {
    server = QdrantUnderTest.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName(
      "HealthCheck answers Qdrant's title, an x.y.z version the client accepts and the"
          + " 40-hex commit of the build")
  void versionInfo() throws Exception {
    HealthCheckReply reply = server.client().healthCheckAsync().get();
    assertEquals("qdrant - vector search engine", reply.getTitle());
    assertTrue(reply.getVersion().matches("\\d+\\.\\d+\\.\\d+"), reply.getVersion());
    // The client compares its own version with this one when it is built (major equal, minor
    // within one); the project pins client 1.18.3, the same release as the server it runs with.
    String clientVersion = QdrantGrpcClient.class.getPackage().getImplementationVersion();
    assertEquals("1.18.3", clientVersion, "the client jar this test expects");
    assertTrue(
        VersionsCompatibilityChecker.isCompatible(clientVersion, reply.getVersion()),
        reply.getVersion());
    // Built from a git checkout, Qdrant reports the commit (GIT_COMMIT_ID, lib/api/build.rs).
    assertTrue(reply.hasCommit() && reply.getCommit().matches("[0-9a-f]{40}"), reply.toString());
  }

  /** grpc.health.v1.Health/Check with an empty request; the answer's bytes. */
  static byte[] grpcHealthCheck(String host, int port) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create()).build();
    try {
      return ClientCalls.blockingUnaryCall(
          channel,
          GrpcHealthService.CHECK,
          CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
          new byte[0]);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  @DisplayName("the standard gRPC health check (grpc.health.v1.Health/Check) answers SERVING")
  void grpcHealthProtocol() {
    // HealthCheckResponse { status: SERVING (1) }
    assertArrayEquals(new byte[] {0x08, 0x01}, grpcHealthCheck(server.host(), server.port()));
  }

  @Test
  @DisplayName(
      "building the official client against it logs no version warning (neither"
          + " 'Failed to obtain server version' nor 'incompatible')")
  void clientVersionCheckIsQuiet() {
    Logger logger = (Logger) LogManager.getLogger(QdrantGrpcClient.class);
    List<String> warnings = new ArrayList<>();
    AbstractAppender capture =
        new AbstractAppender("capture-version-check", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
              warnings.add(event.getMessage().getFormattedMessage());
            }
          }
        };
    capture.start();
    Level before = logger.getLevel();
    logger.addAppender(capture);
    logger.setLevel(Level.WARN);
    try {
      // server.client() builds through QdrantConnection, as the jobs do; the check runs in build().
      QdrantClient client = server.client();
      assertTrue(client != null);
    } finally {
      logger.removeAppender(capture);
      logger.setLevel(before);
      capture.stop();
    }
    assertEquals(List.of(), warnings);
  }
}
