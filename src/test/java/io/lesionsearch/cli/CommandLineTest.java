package io.lesionsearch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user types them, through the same picocli parsing as the jar's main. */
class CommandLineTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Run(int exit, String out, String err) {
    List<JsonNode> jsonLines() throws Exception {
      List<JsonNode> lines = new java.util.ArrayList<>();
      for (String line : out.strip().split("\n", -1)) {
        lines.add(JSON.readTree(line));
      }
      return lines;
    }
  }

  private static synchronized Run run(String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      var cmd = Main.commandLine();
      cmd.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
      int exit = cmd.execute(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void helpListsTheCommands() {
    Run r = run("--help");
    assertEquals(0, r.exit);
    assertTrue(r.out.contains("embed") && r.out.contains("bench"), r.out);
  }

  @Test
  void embedPrintsOneJsonLinePerImageAndReportsBadOnes(@TempDir Path tmp) throws Exception {
    Path bad = Files.writeString(tmp.resolve("notes.txt"), "not an image");
    Run r =
        run(
            "embed",
            "--model",
            TestData.model("vit-s16-d1/fp32").toString(),
            TestData.image("lesion-600x450.jpg").toString(),
            bad.toString(),
            TestData.image("lesion-rgb.png").toString());
    assertEquals(1, r.exit, "some images failed, so the exit status says so");
    List<JsonNode> lines = r.jsonLines();
    assertEquals(3, lines.size());
    assertEquals(384, lines.get(0).get("vector").size());
    assertTrue(lines.get(0).get("file").asText().endsWith("lesion-600x450.jpg"));
    assertEquals("NOT_AN_IMAGE", lines.get(1).get("error").get("reason").asText());
    assertEquals(384, lines.get(2).get("vector").size());

    JsonNode ref = TestData.json("reference/model/vit-s16-d1/fp32.json");
    float max = 0;
    for (int i = 0; i < 384; i++) {
      max =
          Math.max(
              max,
              (float)
                  Math.abs(
                      lines.get(0).get("vector").get(i).asDouble()
                          - ref.get("single").get(i).asDouble()));
    }
    assertTrue(max <= 1e-4f, "printed vector differs from PyTorch by " + max);
  }

  @Test
  void pixelsPrintsThePreprocessedTensor() throws Exception {
    Run r = run("embed", "--pixels", TestData.image("lesion-600x450.jpg").toString());
    assertEquals(0, r.exit, r.err);
    JsonNode line = r.jsonLines().get(0);
    assertEquals("[3,224,224]", line.get("shape").toString());
    assertEquals(3 * 224 * 224, line.get("values").size());
    JsonNode first = TestData.json("reference/preprocess/index.json").get("images");
    for (JsonNode entry : first) {
      if (entry.has("pixels_first_values")) {
        for (int i = 0; i < 4; i++) {
          assertEquals(
              entry.get("pixels_first_values").get(i).asDouble(),
              line.get("values").get(i).asDouble(),
              1e-6);
        }
      }
    }
  }

  @Test
  void ingestJobTakesItsModelFromAConfigFileAndRefusesUnknownSettings(@TempDir Path tmp)
      throws Exception {
    // Fails at the model check, which proves the file's model= reached the job without starting it.
    Path good =
        Files.writeString(
            tmp.resolve("ingest.properties"), "model=/nonexistent/model-from-file\ntopic=feed\n");
    Run r = run("ingest-job", "--config", good.toString());
    assertEquals(1, r.exit);
    assertTrue(r.err.contains("/nonexistent/model-from-file"), r.err);

    Path bad = Files.writeString(tmp.resolve("bad.properties"), "model=/m\nbach-size=3\n");
    r = run("ingest-job", "--config", bad.toString());
    assertTrue(r.exit != 0);
    assertTrue(r.err.contains("unknown setting(s)") && r.err.contains("bach-size"), r.err);

    r = run("ingest-job", "--topic", "t");
    assertTrue(r.exit != 0);
    assertTrue(r.err.contains("--model is required"), r.err);
  }

  @Test
  void embedNeedsAModeAndAnExistingModel() {
    assertEquals(2, run("embed", TestData.image("lesion-600x450.jpg").toString()).exit);
    Run r =
        run(
            "embed",
            "--model",
            "/nonexistent/model",
            TestData.image("lesion-600x450.jpg").toString());
    assertTrue(r.exit != 0);
    assertTrue(r.err.contains("/nonexistent/model"), r.err);
  }

  @Test
  void whoAsksIsCheckedBeforeAnythingIsSent() {
    Run search = run("search", "--image-id", "ISIC_1", "--requested-by", "dr.k\u202E");
    assertEquals(2, search.exit, search.err);
    assertTrue(
        search.err.contains("--requested-by: requested_by has a control or format"), search.err);
    Run web =
        run("web", "--port", "0", "--requested-by", "web-page", "--trusted-user-header", "X-User");
    assertEquals(1, web.exit, web.err);
    assertTrue(web.err.contains("exclude each other"), web.err);
    Run header = run("web", "--port", "0", "--trusted-user-header", "X User:");
    assertEquals(1, header.exit, header.err);
    assertTrue(
        header.err.contains("--trusted-user-header must be an HTTP header name"), header.err);
  }
}
