package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The submit scripts run under bash for real; --dry-run prints what they would send, so the REST
 * requests and the flink CLI line can be checked without a cluster, and a stand-in for Flink's REST
 * API checks what the REST path does with the answers (curl for real).
 */
class SubmitScriptTest {

  private record Run(int exit, String out, String err) {}

  @Test
  void theScriptsParse() throws Exception {
    for (String script :
        List.of("jobs/submit-job.sh", "jobs/submit-ingest.sh", "jobs/submit-query.sh")) {
      Run r = run(Map.of(), "bash", "-n", script);
      assertEquals(0, r.exit, script + ": " + r.err);
      assertTrue(Files.isExecutable(Path.of(script)), script + " is executable");
    }
  }

  @Test
  void restDryRunPrintsTheUploadAndARunRequestWithTheArgumentsIntact() throws Exception {
    Run r =
        run(
            Map.of("FLINK_BIN", "no-such-flink-binary"),
            "jobs/submit-ingest.sh",
            "--jobmanager",
            "http://flink-jm:18081/",
            "--jar",
            "/opt/x/lesion-search.jar",
            "--parallelism",
            "3",
            "--dry-run",
            "--",
            "--model",
            "/models/dino vits16",
            "--topic",
            "a\"b\\c");
    assertEquals(0, r.exit, r.err);
    String[] lines = r.out.strip().split("\n", -1);
    assertEquals(2, lines.length, r.out);
    assertEquals(
        "POST http://flink-jm:18081/jars/upload (multipart: jarfile=@/opt/x/lesion-search.jar)",
        lines[0]);
    String prefix = "POST http://flink-jm:18081/jars/<uploaded jar id>/run ";
    assertTrue(lines[1].startsWith(prefix), lines[1]);
    JsonNode body = new ObjectMapper().readTree(lines[1].substring(prefix.length()));
    assertEquals("io.lesionsearch.cli.Main", body.get("entryClass").asText());
    assertEquals(3, body.get("parallelism").asInt());
    List<String> args = new ArrayList<>();
    body.get("programArgsList").forEach(a -> args.add(a.asText()));
    assertEquals(
        List.of("ingest-job", "--model", "/models/dino vits16", "--topic", "a\"b\\c"), args);
  }

  @Test
  void withTheFlinkCliItRunsDetachedAgainstTheJobManager(@TempDir Path tmp) throws Exception {
    Path flink = Files.writeString(tmp.resolve("flink"), "#!/bin/sh\nexit 0\n");
    flink.toFile().setExecutable(true);
    Run r =
        run(
            Map.of("FLINK_BIN", flink.toString()),
            "jobs/submit-query.sh",
            "--jobmanager",
            "http://jm:8081",
            "--jar",
            "/j.jar",
            "--dry-run",
            "--model",
            "/m");
    assertEquals(0, r.exit, r.err);
    assertEquals(
        flink
            + " run -d -Drest.address=jm -Drest.port=8081 -c io.lesionsearch.cli.Main /j.jar query-job --model /m",
        r.out.strip());

    Run rest =
        run(
            Map.of("FLINK_BIN", flink.toString()),
            "jobs/submit-query.sh",
            "--rest",
            "--jar",
            "/j.jar",
            "--dry-run");
    assertTrue(
        rest.out.startsWith("POST http://localhost:8081/jars/upload"),
        "--rest wins over the CLI: " + rest.out);
  }

  @Test
  void byDefaultItSubmitsTheClusterJar(@TempDir Path tmp) throws Exception {
    Path flink = Files.writeString(tmp.resolve("flink"), "#!/bin/sh\nexit 0\n");
    flink.toFile().setExecutable(true);
    Run r =
        run(
            Map.of("FLINK_BIN", flink.toString()),
            "jobs/submit-ingest.sh",
            "--dry-run",
            "--model",
            "/m");
    assertEquals(0, r.exit, r.err);
    String jar = Path.of("target/lesion-search-cluster.jar").toAbsolutePath().toString();
    assertTrue(
        r.out.strip().endsWith(" -c io.lesionsearch.cli.Main " + jar + " ingest-job --model /m"),
        r.out);
  }

  @Test
  void wrongArgumentsAreRefusedWithUsage() throws Exception {
    Run noJob = run(Map.of(), "jobs/submit-job.sh", "search-job");
    assertEquals(2, noJob.exit);
    assertTrue(
        noJob.err.contains("must be ingest-job or query-job, got 'search-job'")
            && noJob.err.contains("Usage:"),
        noJob.err);
    Run noUrl = run(Map.of(), "jobs/submit-ingest.sh", "--jobmanager");
    assertEquals(2, noUrl.exit);
    assertTrue(noUrl.err.contains("--jobmanager needs a URL"), noUrl.err);
    Run badUrl = run(Map.of(), "jobs/submit-ingest.sh", "--jobmanager", "jm:8081", "--dry-run");
    assertEquals(2, badUrl.exit);
    assertTrue(badUrl.err.contains("must look like http://host:8081"), badUrl.err);
    Run badP = run(Map.of(), "jobs/submit-ingest.sh", "--parallelism", "0", "--dry-run");
    assertEquals(2, badP.exit);
    Run noJar =
        run(
            Map.of("FLINK_BIN", "no-such-flink-binary"),
            "jobs/submit-ingest.sh",
            "--jar",
            "/nonexistent/lesion-search.jar");
    assertEquals(1, noJar.exit);
    assertTrue(
        noJar.err.contains(
            "/nonexistent/lesion-search.jar is missing; build it with: mvn -q package -DskipTests"),
        noJar.err);
  }

  /** A stand-in for Flink's REST API: answers uploads as told and records every request. */
  private static final class FakeFlink implements AutoCloseable {
    final HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> runBodies = new CopyOnWriteArrayList<>();

    FakeFlink(int uploadStatus, String uploadBody) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(exchange.getRequestMethod() + " " + path);
            int status = 404;
            String answer = "{\"errors\":[\"Not found: " + path + "\"]}";
            if (path.equals("/jars/upload")) {
              status = uploadStatus;
              answer = uploadBody;
            } else if (path.matches("/jars/[^/]+/run")) {
              runBodies.add(new String(body, StandardCharsets.UTF_8));
              status = 200;
              answer = "{\"jobid\":\"0123abcd\"}";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @Test
  void restPathUploadsThenRunsAgainstAClusterThatAcceptsJars(@TempDir Path tmp) throws Exception {
    Path jar = Files.write(tmp.resolve("lesion-search.jar"), new byte[] {'P', 'K', 3, 4});
    try (FakeFlink flink =
        new FakeFlink(
            200,
            "{\"filename\":\"/tmp/flink-web-x/flink-web-upload/5e1f_lesion-search.jar\",\"status\":\"success\"}")) {
      Run r =
          run(
              Map.of("FLINK_BIN", "no-such-flink-binary"),
              "jobs/submit-query.sh",
              "--jobmanager",
              flink.url(),
              "--jar",
              jar.toString(),
              "--",
              "--qdrant-tls-ca",
              "/etc/qdrant/ca.pem");
      assertEquals(0, r.exit, r.err);
      assertEquals(
          "submitted query-job as Flink job 0123abcd (" + flink.url() + "/#/job/running/0123abcd)",
          r.out.strip());
      assertEquals(
          List.of("POST /jars/upload", "POST /jars/5e1f_lesion-search.jar/run"), flink.requests);
      JsonNode body = new ObjectMapper().readTree(flink.runBodies.get(0));
      List<String> args = new ArrayList<>();
      body.get("programArgsList").forEach(a -> args.add(a.asText()));
      assertEquals(List.of("query-job", "--qdrant-tls-ca", "/etc/qdrant/ca.pem"), args);
    }
  }

  @Test
  void restPathExplainsAClusterThatRefusesJarUploadsAndPointsToTheCli(@TempDir Path tmp)
      throws Exception {
    Path jar = Files.write(tmp.resolve("lesion-search.jar"), new byte[] {'P', 'K', 3, 4});
    // 400 is what Flink 2.2 answers with web.submit.enable: false (its multipart stage knows no
    // /jars/upload route); 404 and 405 are what a router without the route may answer.
    Map<Integer, String> refusals =
        Map.of(
            400, "{\"errors\":[\"POST request not allowed\"]}",
            404, "{\"errors\":[\"Not found: /jars/upload\"]}",
            405, "{\"errors\":[\"Method not allowed\"]}");
    for (Map.Entry<Integer, String> refusal : refusals.entrySet()) {
      try (FakeFlink flink = new FakeFlink(refusal.getKey(), refusal.getValue())) {
        Run r =
            run(
                Map.of("FLINK_BIN", "no-such-flink-binary"),
                "jobs/submit-ingest.sh",
                "--jobmanager",
                flink.url(),
                "--jar",
                jar.toString(),
                "--",
                "--model",
                "/m");
        assertEquals(1, r.exit, r.err);
        assertTrue(
            r.err.contains(
                "submit: the Flink cluster at "
                    + flink.url()
                    + " refuses jar uploads (HTTP "
                    + refusal.getKey()),
            r.err);
        assertTrue(
            r.err.contains("web.submit.enable: false")
                && r.err.contains("Submit with the flink CLI instead")
                && r.err.contains("set FLINK_BIN")
                && r.err.contains("web.submit.enable: true")
                && r.err.contains("ends the jobs it runs"),
            r.err);
        assertEquals(
            List.of("POST /jars/upload"), flink.requests, "no run request after a refused upload");
      }
    }
  }

  @Test
  void restPathReportsOtherErrorsWithFlinksText(@TempDir Path tmp) throws Exception {
    Path jar = Files.write(tmp.resolve("lesion-search.jar"), new byte[] {'P', 'K', 3, 4});
    try (FakeFlink flink = new FakeFlink(413, "{\"errors\":[\"Request entity too large\"]}")) {
      Run r =
          run(
              Map.of("FLINK_BIN", "no-such-flink-binary"),
              "jobs/submit-ingest.sh",
              "--jobmanager",
              flink.url(),
              "--jar",
              jar.toString());
      assertEquals(1, r.exit, r.err);
      assertTrue(
          r.err.contains("Flink answered HTTP 413: {\"errors\":[\"Request entity too large\"]}"),
          r.err);
      assertFalse(r.err.contains("refuses jar uploads"), r.err);
    }
  }

  private static Run run(Map<String, String> env, String... command)
      throws IOException, InterruptedException {
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
