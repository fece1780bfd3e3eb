package io.lesionsearch.qdrantlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.cli.Main;
import io.lesionsearch.testing.QdrantUnderTest;
import io.qdrant.client.QdrantClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code bench qdrant-local --against HOST:PORT}: the same load on the local endpoint and another
 * server, side by side. Against a second local endpoint by default, against the server given with
 * {@code -Dlesion.test.qdrant} (and its key) when there is one.
 */
class DifferentialBenchTest {

  private static String[] run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      rc = Main.commandLine().execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new String[] {
      Integer.toString(rc), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  @DisplayName(
      "--against prints every figure for both and their ratio, finds the same hits on both, and leaves no"
          + " collection behind")
  void againstAnotherServer() throws Exception {
    try (QdrantUnderTest target = QdrantUnderTest.start()) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "bench",
                  "qdrant-local",
                  "--points",
                  "2000",
                  "--dim",
                  "32",
                  "--queries",
                  "20",
                  "--batch",
                  "500",
                  "--against",
                  target.address()));
      if (target.apiKey() != null) {
        args.addAll(List.of("--api-key", target.apiKey()));
      }
      String[] r = run(args.toArray(new String[0]));
      String text = r[1];
      assertEquals("0", r[0], text + r[2]);
      assertTrue(text.contains("filter label=mel keeps 250 of 2000 points on both"), text);
      // Exact search over the same points: both must return the same ten ids for every query.
      assertTrue(
          text.contains("same top-10 ids on both: 20 of 20 filtered, 20 of 20 unfiltered searches"),
          text);
      for (String figure :
          List.of(
              "upsert, first pass (points/s)",
              "upsert, second pass (points/s)",
              "search, filter label=mel, p50 (ms)",
              "search, filter label=mel, p99 (ms)",
              "search, no filter, p50 (ms)",
              "search, no filter, p99 (ms)")) {
        Matcher m =
            Pattern.compile(Pattern.quote(figure) + "\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)")
                .matcher(text);
        assertTrue(m.find(), figure + " row missing:\n" + text);
        double local = Double.parseDouble(m.group(1));
        double remote = Double.parseDouble(m.group(2));
        double ratio = Double.parseDouble(m.group(3));
        assertTrue(local > 0 && remote > 0, figure + ": " + m.group());
        // the ratio is the two figures' own, to the two decimals printed
        assertEquals(local / remote, ratio, 0.01 + 0.03 * ratio, figure + ": " + m.group());
      }
      // On a shared server the bench's collections must be gone afterwards.
      Matcher prefix =
          Pattern.compile("collections (bench-qdrant-local-[0-9a-f]{8})\\*").matcher(text);
      assertTrue(prefix.find(), text);
      try (QdrantClient client = target.connection().open()) {
        for (String name : client.listCollectionsAsync().get()) {
          assertTrue(
              !name.startsWith(prefix.group(1)),
              "left behind on " + target.address() + ": " + name);
        }
      }
    }
  }

  @Test
  @DisplayName("--against without a port is refused before anything runs")
  void againstNeedsHostAndPort() {
    String[] r =
        run(
            "bench",
            "qdrant-local",
            "--points",
            "10",
            "--dim",
            "4",
            "--queries",
            "1",
            "--against",
            "localhost");
    assertEquals("2", r[0], r[1] + r[2]);
    assertTrue(r[2].contains("--against must be HOST:PORT"), r[2]);
  }
}
