package io.lesionsearch.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.config.QdrantConfig;
import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.query.QueryConfig;
import io.lesionsearch.query.QueryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The --qdrant-* options both jobs share: the inbound limit and the custom CA, checked where the
 * job is submitted so that a bad file stops the submission, not the TaskManagers.
 */
class QdrantOptionsTest {
  private static final Path TLS = Path.of("src/test/resources/tls");

  @TempDir Path tmp;

  @Test
  void byDefaultPlaintextWithA64MibInboundLimit() {
    for (QdrantConfig o :
        new QdrantConfig[] {
          IngestOptions.parse("--model", "m").qdrant(), QueryOptions.parse("--model", "m").qdrant()
        }) {
      assertEquals(64 * 1024 * 1024, o.maxInboundBytes());
      assertNull(o.tlsCa());
      QdrantConnection c = o.connection();
      assertFalse(c.tls());
      assertFalse(c.hasTrustedCa());
      assertEquals(64 * 1024 * 1024, c.maxInboundBytes());
    }
  }

  @Test
  void theInboundLimitIsSetAndCheckedInBothJobs() {
    assertEquals(
        128 << 20,
        QueryOptions.parse("--model", "m", "--qdrant-max-inbound-bytes", "134217728")
            .qdrant()
            .connection()
            .maxInboundBytes());
    assertEquals(
        2 << 20,
        IngestOptions.parse("--model", "m", "--qdrant-max-inbound-bytes", "2097152")
            .qdrant()
            .connection()
            .maxInboundBytes());
    expect(
        "--qdrant-max-inbound-bytes must be at least 1048576 (1 MiB), got 1000",
        "--qdrant-max-inbound-bytes",
        "1000");
  }

  @Test
  void aCaFileImpliesTlsAndItsBytesTravelWithTheConnection() throws Exception {
    Path ca = Files.copy(TLS.resolve("ca.pem"), tmp.resolve("ca.pem"));
    QueryConfig o =
        QueryOptions.parse(
            "--model", "m", "--qdrant-host", "qdrant", "--qdrant-tls-ca", ca.toString());
    assertFalse(o.qdrant().tls(), "no --qdrant-tls needed");
    QdrantConnection c = o.qdrant().connection();
    assertTrue(c.tls());
    assertTrue(c.hasTrustedCa());
    assertTrue(c.toString().contains("https://qdrant:6334, trustedCa=" + ca), c.toString());
    Files.delete(ca);
    assertEquals(c, c.withHost("qdrant"), "the connection holds the certificate, not the path");
  }

  @Test
  void aCaFileComesFromAConfigFileToo() throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("ingest.properties"),
            String.join(
                "\n",
                "model=m",
                "qdrant-tls-ca=" + TLS.resolve("ca.pem"),
                "qdrant-max-inbound-bytes=33554432"));
    IngestConfig o = IngestOptions.parse("--config", file.toString());
    assertTrue(o.qdrant().connection().hasTrustedCa());
    assertEquals(32 << 20, o.qdrant().connection().maxInboundBytes());
  }

  @Test
  void aBadCaFileStopsTheSubmissionNamingTheFileAndTheFault() throws Exception {
    Path missing = tmp.resolve("no-such-ca.pem");
    expect(
        "--qdrant-tls-ca: cannot read the Qdrant CA certificate file " + missing,
        "--qdrant-tls-ca",
        missing.toString());

    Path key = TLS.resolve("server.key");
    expect(
        "--qdrant-tls-ca: the Qdrant CA certificate file " + key + " holds no PEM certificate",
        "--qdrant-tls-ca",
        key.toString());

    Path der =
        Files.write(
            tmp.resolve("ca.der"),
            java.util.Base64.getMimeDecoder()
                .decode(
                    Files.readString(TLS.resolve("ca.pem")).replaceAll("-----[A-Z ]+-----", "")));
    expect(
        "the Qdrant CA certificate file " + der + " holds no PEM certificate",
        "--qdrant-tls-ca",
        der.toString());

    Path damaged =
        Files.writeString(
            tmp.resolve("damaged.pem"),
            Files.readString(TLS.resolve("ca.pem")).replaceFirst("(?m)^MII", "MIX"));
    expect(
        "the Qdrant CA certificate file " + damaged + " is not a valid PEM certificate",
        "--qdrant-tls-ca",
        damaged.toString());

    Path expired = TLS.resolve("expired-ca.pem");
    expect(
        "CN=lesion-search expired test CA in " + expired + " is valid only from 2000-01-01",
        "--qdrant-tls-ca",
        expired.toString());
  }

  private static void expect(String message, String... qdrantArgs) {
    for (boolean query : new boolean[] {false, true}) {
      String[] args = new String[qdrantArgs.length + 2];
      args[0] = "--model";
      args[1] = "m";
      System.arraycopy(qdrantArgs, 0, args, 2, qdrantArgs.length);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> {
                if (query) {
                  QueryOptions.parse(args);
                } else {
                  IngestOptions.parse(args);
                }
              });
      assertTrue(e.getMessage().contains(message), e.getMessage());
    }
  }
}
