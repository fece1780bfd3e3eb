package io.lesionsearch.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two commands as users reach them through the main command line: what only the local endpoint
 * has (its own options, TLS flags and benchmark), so these always start a local endpoint.
 */
class LocalOnlyCommandLineTest {
  @Test
  @DisplayName("'qdrant-local' is registered with --host, --port and --api-key")
  void serveCommandOptions() {
    QdrantLocalCommand c =
        (QdrantLocalCommand)
            Main.commandLine()
                .parseArgs("qdrant-local", "--port", "0", "--api-key", "k")
                .subcommand()
                .commandSpec()
                .userObject();
    assertEquals(0, c.port);
    assertEquals("127.0.0.1", c.host);
    assertEquals("k", c.apiKey);
    QdrantLocalCommand defaults =
        (QdrantLocalCommand)
            Main.commandLine().parseArgs("qdrant-local").subcommand().commandSpec().userObject();
    assertEquals(6334, defaults.port);
    assertEquals(null, defaults.apiKey);
    assertEquals(null, defaults.readOnlyApiKey);
    assertEquals(null, defaults.tlsCert);
  }

  @Test
  @DisplayName(
      "'qdrant-local' takes a read-only key and a TLS certificate and key, which go together")
  void readOnlyKeyAndTlsOptions() {
    QdrantLocalCommand c =
        (QdrantLocalCommand)
            Main.commandLine()
                .parseArgs(
                    "qdrant-local",
                    "--read-only-api-key",
                    "r",
                    "--tls-cert",
                    "c.pem",
                    "--tls-key",
                    "k.pem")
                .subcommand()
                .commandSpec()
                .userObject();
    assertEquals("r", c.readOnlyApiKey);
    assertEquals(new java.io.File("c.pem"), c.tlsCert);
    assertEquals(new java.io.File("k.pem"), c.tlsKey);

    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      rc = Main.commandLine().execute("qdrant-local", "--port", "0", "--tls-cert", "c.pem");
    } finally {
      System.setErr(original);
    }
    assertEquals(2, rc, "refused before it starts serving");
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("--tls-cert and --tls-key go together"),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("'bench query --dump' into a missing folder is refused before the benchmark starts")
  void benchQueryDumpFolderIsCheckedFirst(@TempDir Path dir) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      rc =
          Main.commandLine()
              .execute(
                  "bench",
                  "query",
                  "--model",
                  dir.toString(),
                  "--dump",
                  dir.resolve("missing").resolve("latency.csv").toString());
    } finally {
      System.setErr(original);
    }
    assertEquals(2, rc);
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("--dump")
            && err.toString(StandardCharsets.UTF_8).contains("no folder"),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("'bench qdrant-local' runs end to end over a loopback port and prints its figures")
  void benchSmoke() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      rc =
          Main.commandLine()
              .execute(
                  "bench",
                  "qdrant-local",
                  "--points",
                  "2000",
                  "--dim",
                  "32",
                  "--queries",
                  "20",
                  "--batch",
                  "500");
    } finally {
      System.setOut(original);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text);
    assertTrue(text.contains("points/s"), text);
    assertTrue(text.contains("keyword filter label=mel (250 of 2000 points"), text);
    assertTrue(text.contains("p50"), text);
    assertTrue(text.contains("heap after GC"), text);
  }
}
