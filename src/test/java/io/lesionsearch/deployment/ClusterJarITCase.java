package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The two jars `mvn package` makes (this runs after it, in `mvn verify`): the cluster jar Flink is
 * given carries neither the local-only packages nor the in-JVM broker, and its main still starts;
 * the full jar keeps them for `java -jar` and jobs/run-local.sh.
 */
class ClusterJarITCase {

  private static final Path CLUSTER = Path.of("target/lesion-search-cluster.jar");
  private static final Path FULL = Path.of("target/lesion-search.jar");

  @Test
  void theClusterJarLeavesTheLocalOnlyPackagesAndTheBrokerOut() throws Exception {
    try (JarFile cluster = new JarFile(CLUSTER.toFile());
        JarFile full = new JarFile(FULL.toFile())) {
      List<String> local =
          cluster.stream().map(e -> e.getName()).filter(LocalOnlyPackages::contains).toList();
      assertEquals(List.of(), local);
      assertEquals(
          null,
          cluster.getEntry("kafka/server/KafkaRaftServer.class"),
          "the broker stays in the full jar");
      assertTrue(cluster.getEntry("io/lesionsearch/cli/Main.class") != null);
      assertTrue(cluster.getEntry("org/apache/kafka/clients/producer/KafkaProducer.class") != null);
      assertTrue(full.getEntry("io/lesionsearch/cli/local/LocalCommand.class") != null);
      assertTrue(full.getEntry("io/lesionsearch/qdrantlocal/QdrantLocalServer.class") != null);
      assertTrue(full.getEntry("kafka/server/KafkaRaftServer.class") != null);
    }
  }

  @Test
  void theClusterJarsHelpListsOnlyTheClusterCommands() throws Exception {
    String help = run(CLUSTER, "--help");
    assertTrue(
        help.contains("ingest-job") && help.contains("query-job") && help.contains("web"), help);
    assertFalse(help.contains("qdrant-local") || help.contains("\n  local "), help);
    assertTrue(run(FULL, "--help").contains("qdrant-local"));
  }

  private static String run(Path jar, String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("lesion-search-help", ".txt");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -jar " + jar + " did not finish");
      String text = Files.readString(out, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), text);
      assertFalse(
          text.contains("NoClassDefFoundError") || text.contains("ClassNotFoundException"), text);
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
