package io.lesionsearch.qdrantlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The two commands as users reach them through the main command line. */
class QdrantLocalCommandsTest {
  @Test
  @DisplayName("'qdrant-local' is registered with --host, --port and --api-key")
  void serveCommandOptions() {
    QdrantLocalCommand c = (QdrantLocalCommand) Main.commandLine()
        .parseArgs("qdrant-local", "--port", "0", "--api-key", "k")
        .subcommand().commandSpec().userObject();
    assertEquals(0, c.port);
    assertEquals("127.0.0.1", c.host);
    assertEquals("k", c.apiKey);
    QdrantLocalCommand defaults = (QdrantLocalCommand) Main.commandLine()
        .parseArgs("qdrant-local").subcommand().commandSpec().userObject();
    assertEquals(6334, defaults.port);
    assertEquals(null, defaults.apiKey);
  }

  @Test
  @DisplayName("'bench qdrant-local' runs end to end over a loopback port and prints its figures")
  void benchSmoke() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      rc = Main.commandLine().execute("bench", "qdrant-local", "--points", "2000", "--dim", "32",
          "--queries", "20", "--batch", "500");
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
