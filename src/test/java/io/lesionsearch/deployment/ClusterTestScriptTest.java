package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * jobs/cluster-test.sh runs the deployment for real (in .ci/run, after mvn verify); this keeps what
 * it runs in step with what the project ships, without starting anything: flink-conf/config.yaml as
 * shipped with only addresses, ports, directories and memory sizes overridden, docker-compose.yml's
 * own scripts and TaskManagers, and the Flink and Kafka versions the jar is built with.
 */
class ClusterTestScriptTest {

  /**
   * What the test may override in flink-conf/config.yaml: addresses, ports, directories, memory
   * sizes.
   */
  private static final Set<String> OVERRIDABLE =
      Set.of(
          "jobmanager.rpc.address",
          "jobmanager.rpc.port",
          "jobmanager.bind-host",
          "rest.address",
          "rest.bind-address",
          "rest.port",
          "taskmanager.host",
          "taskmanager.bind-host",
          "execution.checkpointing.dir",
          "execution.checkpointing.savepoint-dir",
          "io.tmp.dirs",
          "web.tmpdir",
          "jobmanager.memory.process.size",
          "taskmanager.memory.process.size");

  private static String script;
  private static JsonNode services;
  private static JsonNode flinkConf;

  @BeforeAll
  static void read() throws Exception {
    script = Files.readString(Path.of("jobs/cluster-test.sh"));
    services =
        new ObjectMapper()
            .valueToTree(new Yaml().load(Files.readString(Path.of("docker-compose.yml"))))
            .get("services");
    flinkConf = new YAMLMapper().readTree(Path.of("flink-conf/config.yaml").toFile());
  }

  @Test
  void theScriptsParseAndAreExecutable() throws Exception {
    for (String file : List.of("jobs/cluster-test.sh", "jobs/cluster/bin/flink")) {
      Process p = new ProcessBuilder("bash", "-n", file).redirectErrorStream(true).start();
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), file + ": " + out);
      assertTrue(Files.isExecutable(Path.of(file)), file + " is executable");
    }
    assertTrue(
        Files.readString(Path.of(".ci/run")).contains("jobs/cluster-test.sh"),
        ".ci/run runs the cluster test");
  }

  @Test
  void flinkRunsWithTheShippedConfigurationAndOnlyPlacesAndMemoryOverridden() {
    assertTrue(
        script.contains("cp flink-conf/config.yaml \"$flink_home/conf/config.yaml\""),
        "the shipped file, unchanged");
    List<String> keys = new ArrayList<>();
    keys.addAll(arrayKeys("flink_places"));
    keys.addAll(arrayKeys("flink_memory"));
    assertTrue(keys.size() >= 10, keys.toString());
    for (String key : keys) {
      assertTrue(
          OVERRIDABLE.contains(key),
          key + " is neither an address, a port, a directory nor a memory size");
    }
    // The only other setting: README's REST submission window, set back afterwards.
    Matcher d =
        Pattern.compile("-D (\\S+?)=")
            .matcher(script.replaceAll("(?m)^\\s*#.*$", "").replaceAll("\"", ""));
    while (d.find()) {
      assertTrue(
          OVERRIDABLE.contains(d.group(1)) || d.group(1).equals("web.submit.enable"),
          "-D " + d.group(1));
    }
    assertFalse(flinkConf.get("web.submit.enable").asBoolean(true), "shipped with uploads off");
  }

  @Test
  void itRunsDockerComposesOwnScriptsAndTaskManagers() {
    assertTrue(
        script.contains("compose_script create-topics "), "topics by compose's create-topics");
    assertTrue(script.contains("compose_script submit-jobs "), "jobs by compose's submit-jobs");
    assertTrue(
        script.contains("check compose compose --file docker-compose.yml"),
        "compose's scripts and Kafka settings, read from the file");
    assertEquals(
        services.get("taskmanager").get("scale").asInt(),
        Integer.parseInt(constant("TASKMANAGERS")),
        "as many TaskManagers as compose runs");
    JsonNode env = services.get("taskmanager").get("environment");
    for (String malloc : List.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")) {
      assertTrue(
          script.contains(malloc + "=" + env.get(malloc).asText()),
          malloc + " as compose's TaskManagers have it");
    }
    assertTrue(
        services
            .get("taskmanager")
            .get("volumes")
            .toString()
            .contains("./target/flink-lib:/opt/flink/lib/djl"));
    assertTrue(
        script.contains("ln -s \"$here/target/flink-lib\" \"$flink_home/lib/djl\""),
        "DJL in lib/djl, as compose mounts it");
  }

  @Test
  void theClustersJarsAreTheVersionsTheJarIsBuiltWith() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    String cluster = Files.readString(Path.of("jobs/cluster/pom.xml"));
    for (String version : List.of("flink.version", "kafka.version")) {
      assertEquals(property(pom, version), property(cluster, version), version);
    }
    String image = services.get("kafka").get("image").asText();
    assertEquals(
        "apache/kafka:" + property(pom, "kafka.version"),
        image,
        "compose's broker is the one the test runs");
    assertEquals(
        "flink:" + property(pom, "flink.version") + "-java17",
        services.get("jobmanager").get("image").asText());
  }

  private static List<String> arrayKeys(String name) {
    Matcher m = Pattern.compile("(?s)\\n" + name + "=\\((.*?)\\n?\\)").matcher(script);
    assertTrue(m.find(), name + "=( ... ) in jobs/cluster-test.sh");
    List<String> keys = new ArrayList<>();
    Matcher kv = Pattern.compile("\"([a-z.-]+)=").matcher(m.group(1));
    while (kv.find()) {
      keys.add(kv.group(1));
    }
    return keys;
  }

  private static String constant(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(script);
    assertTrue(m.find(), name + " in jobs/cluster-test.sh");
    return m.group(1);
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
    assertTrue(m.find(), name);
    return m.group(1);
  }
}
