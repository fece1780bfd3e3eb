package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The submit scripts run under bash for real; --dry-run prints what they would send, so the REST
 * requests and the flink CLI line can be checked without a cluster.
 */
class SubmitScriptTest {

  private record Run(int exit, String out, String err) {}

  @Test
  void theScriptsParse() throws Exception {
    for (String script : List.of("jobs/submit-job.sh", "jobs/submit-ingest.sh", "jobs/submit-query.sh")) {
      Run r = run(Map.of(), "bash", "-n", script);
      assertEquals(0, r.exit, script + ": " + r.err);
      assertTrue(Files.isExecutable(Path.of(script)), script + " is executable");
    }
  }

  @Test
  void restDryRunPrintsTheUploadAndARunRequestWithTheArgumentsIntact() throws Exception {
    Run r = run(Map.of("FLINK_BIN", "no-such-flink-binary"), "jobs/submit-ingest.sh", "--jobmanager", "http://flink-jm:18081/",
        "--jar", "/opt/x/lesion-search.jar", "--parallelism", "3", "--dry-run", "--", "--model", "/models/dino vits16", "--topic", "a\"b\\c");
    assertEquals(0, r.exit, r.err);
    String[] lines = r.out.strip().split("\n");
    assertEquals(2, lines.length, r.out);
    assertEquals("POST http://flink-jm:18081/jars/upload (multipart: jarfile=@/opt/x/lesion-search.jar)", lines[0]);
    String prefix = "POST http://flink-jm:18081/jars/<uploaded jar id>/run ";
    assertTrue(lines[1].startsWith(prefix), lines[1]);
    JsonNode body = new ObjectMapper().readTree(lines[1].substring(prefix.length()));
    assertEquals("io.lesionsearch.cli.Main", body.get("entryClass").asText());
    assertEquals(3, body.get("parallelism").asInt());
    List<String> args = new ArrayList<>();
    body.get("programArgsList").forEach(a -> args.add(a.asText()));
    assertEquals(List.of("ingest-job", "--model", "/models/dino vits16", "--topic", "a\"b\\c"), args);
  }

  @Test
  void withTheFlinkCliItRunsDetachedAgainstTheJobManager(@TempDir Path tmp) throws Exception {
    Path flink = Files.writeString(tmp.resolve("flink"), "#!/bin/sh\nexit 0\n");
    flink.toFile().setExecutable(true);
    Run r = run(Map.of("FLINK_BIN", flink.toString()), "jobs/submit-query.sh", "--jobmanager", "http://jm:8081", "--jar", "/j.jar",
        "--dry-run", "--model", "/m");
    assertEquals(0, r.exit, r.err);
    assertEquals(flink + " run -d -Drest.address=jm -Drest.port=8081 -c io.lesionsearch.cli.Main /j.jar query-job --model /m", r.out.strip());

    Run rest = run(Map.of("FLINK_BIN", flink.toString()), "jobs/submit-query.sh", "--rest", "--jar", "/j.jar", "--dry-run");
    assertTrue(rest.out.startsWith("POST http://localhost:8081/jars/upload"), "--rest wins over the CLI: " + rest.out);
  }

  @Test
  void wrongArgumentsAreRefusedWithUsage() throws Exception {
    Run noJob = run(Map.of(), "jobs/submit-job.sh", "search-job");
    assertEquals(2, noJob.exit);
    assertTrue(noJob.err.contains("must be ingest-job or query-job, got 'search-job'") && noJob.err.contains("Usage:"), noJob.err);
    Run noUrl = run(Map.of(), "jobs/submit-ingest.sh", "--jobmanager");
    assertEquals(2, noUrl.exit);
    assertTrue(noUrl.err.contains("--jobmanager needs a URL"), noUrl.err);
    Run badUrl = run(Map.of(), "jobs/submit-ingest.sh", "--jobmanager", "jm:8081", "--dry-run");
    assertEquals(2, badUrl.exit);
    assertTrue(badUrl.err.contains("must look like http://host:8081"), badUrl.err);
    Run badP = run(Map.of(), "jobs/submit-ingest.sh", "--parallelism", "0", "--dry-run");
    assertEquals(2, badP.exit);
    Run noJar = run(Map.of("FLINK_BIN", "no-such-flink-binary"), "jobs/submit-ingest.sh", "--jar", "/nonexistent/lesion-search.jar");
    assertEquals(1, noJar.exit);
    assertTrue(noJar.err.contains("/nonexistent/lesion-search.jar is missing; build it with: mvn -q package -DskipTests"), noJar.err);
  }

  private static Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.environment().remove("FLINK_JOBMANAGER");
    pb.environment().remove("LESION_SEARCH_JAR");
    Path err = Files.createTempFile("submit", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    String stderr = Files.readString(err);
    Files.delete(err);
    return new Run(exit, out, stderr);
  }
}
