package io.lesionsearch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * datasets synth / check and produce's refusal of bad rows, as typed (no broker needed: they stop
 * before Kafka).
 */
class DatasetCommandsTest {

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int exit = cmd.execute(args);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void synthWritesASetThatCheckFindsClean(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("synthetic");
    Run synth = run("datasets", "synth", "--count", "5", "--out", out.toString(), "--seed", "9");
    assertEquals(0, synth.exit, synth.err);
    assertTrue(synth.out.startsWith("wrote 5 images of "), synth.out);
    assertTrue(synth.err.contains("synth: 5/5 images"), synth.err);
    assertEquals(6, Files.readAllLines(out.resolve("HAM10000_metadata.csv")).size());

    Run check = run("datasets", "check", "--dataset", out.toString());
    assertEquals(0, check.exit, check.err);
    assertTrue(check.out.contains("5 rows, 5 usable images"), check.out);

    assertEquals(
        2, run("datasets", "synth", "--count", "0", "--out", tmp.resolve("x").toString()).exit);
  }

  @Test
  void badRowsAreListedAndStopProduceUnlessSkipped(@TempDir Path tmp) throws Exception {
    Files.writeString(
        tmp.resolve("HAM10000_metadata.csv"),
        "lesion_id,image_id,dx,dx_type,age,sex,localization\nHAM_1,ISIC_1,mel,histo,50,male,back\n");
    Run check = run("datasets", "check", "--dataset", tmp.toString());
    assertEquals(1, check.exit);
    assertTrue(check.err.contains("line 2 (ISIC_1): no image file ISIC_1.jpg"), check.err);

    Run produce = run("produce", "--dataset", tmp.toString(), "--bootstrap-servers", "127.0.0.1:1");
    assertEquals(1, produce.exit);
    assertTrue(
        produce.err.contains("line 2 (ISIC_1)")
            && produce.err.contains("nothing sent")
            && produce.err.contains("--skip-bad-rows"),
        produce.err);

    // With --skip-bad-rows it goes on to Kafka, which here is not there: a clear error, not a hang.
    Run skip =
        run(
            "produce",
            "--dataset",
            tmp.toString(),
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--skip-bad-rows",
            "--connect-timeout-s",
            "1");
    assertEquals(1, skip.exit);
    assertTrue(
        skip.err.contains("skipping 1 bad rows, sending 0 images")
            && skip.err.contains("Kafka at 127.0.0.1:1 is unreachable"),
        skip.err);
  }

  @Test
  void produceRefusesInlineAndUriTogether() {
    Run r = run("produce", "--dataset", "datasets/sample", "--inline", "--uri");
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("mutually exclusive"), r.err);
  }
}
