package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.query.QueryOptions;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * docker-compose.yml and flink-conf/config.yaml must agree with each other and with the jobs'
 * option defaults, which the test reads from the option classes rather than repeating them.
 */
class DeploymentConfigTest {

  private static final List<String> QUERY_TOPICS = List.of(
      defaultOf(QueryOptions.class, "--requests-topic"),
      defaultOf(QueryOptions.class, "--replies-topic"),
      defaultOf(QueryOptions.class, "--dead-letter-topic"));

  private static JsonNode compose;
  private static JsonNode services;
  private static JsonNode flinkConf;

  @BeforeAll
  static void read() throws Exception {
    // SnakeYAML resolves the anchors and merge keys (<<: *flink) as Compose does; Jackson's YAML
    // parser leaves them unresolved. The result is handled as Jackson's tree either way.
    Object yaml = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
    compose = new ObjectMapper().valueToTree(yaml);
    services = compose.get("services");
    flinkConf = new YAMLMapper().readTree(Path.of("flink-conf/config.yaml").toFile());
  }

  @Test
  void imagesArePinned() {
    assertTrue(text(services, "kafka", "image").matches("apache/kafka:\\d+\\.\\d+\\.\\d+"), text(services, "kafka", "image"));
    assertTrue(text(services, "qdrant", "image").matches("qdrant/qdrant:v\\d+\\.\\d+\\.\\d+"), text(services, "qdrant", "image"));
    for (String flink : List.of("jobmanager", "taskmanager", "taskmanager-gpu", "submit-jobs")) {
      assertEquals("flink:2.2.1-java17", text(services, flink, "image"), flink + " runs the Flink version the jar is built with");
    }
    assertEquals(text(services, "kafka", "image"), text(services, "create-topics", "image"));
  }

  @Test
  void topicsAreTheJobsDefaults() throws Exception {
    String create = services.get("create-topics").get("entrypoint").toString();
    List<String> topics = new ArrayList<>(List.of(ingestDefault("--topic"), ingestDefault("--dead-letter-topic")));
    topics.addAll(QUERY_TOPICS);
    for (String topic : topics) {
      assertTrue(create.contains(" " + topic + " ") || create.contains(" " + topic + ";"), topic + " is created: " + create);
    }
    // The submitted jobs keep the default topics and collection, so nothing else must know them.
    String submit = services.get("submit-jobs").get("entrypoint").toString();
    for (String option : List.of("--topic", "--dead-letter-topic", "--collection")) {
      assertFalse(submit.contains(option), "submit-jobs keeps the default " + option);
    }
    assertEquals("lesions", ingestDefault("--collection"));
  }

  @Test
  void kafkaAndQdrantListenWhereTheJobsLookByDefault() throws Exception {
    String kafkaPort = ingestDefault("--bootstrap-servers").replaceAll(".*:", "");
    assertEquals("9092", kafkaPort);
    assertTrue(text(services, "kafka", "environment", "KAFKA_ADVERTISED_LISTENERS").contains("INTERNAL://kafka:" + kafkaPort));
    String submit = services.get("submit-jobs").get("entrypoint").toString();
    assertTrue(submit.contains("--bootstrap-servers kafka:" + kafkaPort), submit);
    assertTrue(submit.contains("--qdrant-host qdrant") && !submit.contains("--qdrant-port"), "the default Qdrant port: " + submit);
    assertEquals("6334", ingestDefault("--qdrant-port"));
    assertTrue(ports("qdrant").contains("6334:6334"), ports("qdrant").toString());
    assertTrue(services.get("qdrant").get("volumes").toString().contains(":/qdrant/storage"), "Qdrant keeps its data in a volume");
  }

  @Test
  void oneApiKeyVariableReachesQdrantAndTheJobs() throws Exception {
    assertTrue(ingestDefault("--qdrant-api-key").contains("env:QDRANT_API_KEY"));
    assertTrue(text(services, "qdrant", "environment", "QDRANT__SERVICE__API_KEY").startsWith("${QDRANT_API_KEY"));
    for (String service : List.of("jobmanager", "taskmanager", "taskmanager-gpu", "submit-jobs")) {
      assertTrue(text(services, service, "environment", "QDRANT_API_KEY").startsWith("${QDRANT_API_KEY"), service);
    }
  }

  @Test
  void produceAndIngestMeetWithoutOptions() throws Exception {
    Class<?> produce = Class.forName("io.lesionsearch.cli.ProduceCommand");
    assertEquals(ingestDefault("--topic"), defaultOf(produce, "--topic"));
    assertEquals(ingestDefault("--bootstrap-servers"), defaultOf(produce, "--bootstrap-servers"));
  }

  @Test
  void flinkConfigurationHasTheClusterSettings() throws Exception {
    int slots = flinkConf.get("taskmanager.numberOfTaskSlots").asInt();
    assertEquals(slots, flinkConf.get("external-resource.gpu.amount").asInt(), "one slot per GPU");
    assertEquals("org.apache.flink.externalresource.gpu.GPUDriverFactory", flinkConf.get("external-resource.gpu.driver-factory.class").asText());
    assertTrue(flinkConf.get("external-resource.gpu.param.discovery-script.path").asText().endsWith("nvidia-gpu-discovery.sh"));
    assertEquals("exponential-delay", flinkConf.get("restart-strategy.type").asText());
    assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", flinkConf.get("metrics.reporter.prom.factory.class").asText());
    assertTrue(flinkConf.get("rest.server.max-content-length").asLong() > 300L * 1024 * 1024, "the shaded jar is about 210 MB");

    String opens = Files.readString(Path.of("pom.xml")).replaceAll("(?s).*<jvm.opens>(.*)</jvm.opens>.*", "$1");
    assertTrue(flinkConf.get("env.java.opts.all").asText().startsWith(opens), "config.yaml's JVM opens are pom.xml's");
  }

  @Test
  void composeRunsFlinkWithThisConfigurationAndADurableCheckpointDirectory() {
    String checkpoints = flinkConf.get("execution.checkpointing.dir").asText();
    assertTrue(checkpoints.startsWith("file:///flink-data/"), checkpoints);
    for (String flink : List.of("jobmanager", "taskmanager", "taskmanager-gpu")) {
      String volumes = services.get(flink).get("volumes").toString();
      assertTrue(volumes.contains("./flink-conf:/opt/lesion-search/flink-conf"), flink + " mounts flink-conf/");
      assertTrue(volumes.contains("flink-data:/flink-data"), flink + " shares the checkpoint volume");
      assertTrue(volumes.contains("lesion-search.jar"), flink + " mounts the jar");
      assertTrue(volumes.contains("./target/flink-lib:/opt/flink/lib/"), flink + " has DJL in Flink's lib/");
    }
    assertEquals("ai.djl.", flinkConf.get("classloader.parent-first-patterns.additional").asText(),
        "DJL from lib/ before the job's jar, so two jobs share PyTorch's native library");
    String cpu = text(services, "taskmanager", "environment", "FLINK_PROPERTIES");
    assertEquals(2, property(cpu, "taskmanager.numberOfTaskSlots"), "a slot for each of the two jobs");
    assertTrue(compose.get("volumes").has("flink-data"));
    assertTrue(services.get("jobmanager").get("entrypoint").toString().contains("/opt/lesion-search/flink-conf/config.yaml /opt/flink/conf/config.yaml"));
  }

  @Test
  void theGpuTaskManagerHasOneSlotPerReservedGpu() {
    JsonNode gpu = services.get("taskmanager-gpu");
    assertEquals("[\"gpu\"]", gpu.get("profiles").toString());
    JsonNode device = gpu.get("deploy").get("resources").get("reservations").get("devices").get(0);
    assertEquals("nvidia", device.get("driver").asText());
    int gpus = device.get("count").asInt();
    String properties = text(services, "taskmanager-gpu", "environment", "FLINK_PROPERTIES");
    assertTrue(properties.contains("external-resources: gpu"), properties);
    assertEquals(gpus, property(properties, "taskmanager.numberOfTaskSlots"));
    assertEquals(gpus, property(properties, "external-resource.gpu.amount"));
    assertFalse(flinkConf.has("external-resources"), "listing gpu for every TaskManager would stop CPU-only ones at start");
    for (String tm : List.of("taskmanager", "taskmanager-gpu")) {
      JsonNode env = services.get(tm).get("environment");
      assertEquals(flinkConf.get("containerized.taskmanager.env.MALLOC_MMAP_THRESHOLD_").asText(), env.get("MALLOC_MMAP_THRESHOLD_").asText());
      assertEquals(flinkConf.get("containerized.taskmanager.env.MALLOC_TRIM_THRESHOLD_").asText(), env.get("MALLOC_TRIM_THRESHOLD_").asText());
    }
  }

  @Test
  void bothJobsAreSubmittedWithTheSubmitScripts() {
    String submit = services.get("submit-jobs").get("entrypoint").toString();
    assertTrue(submit.contains("jobs/submit-ingest.sh") && submit.contains("jobs/submit-query.sh"), submit);
    assertEquals("service_completed_successfully", services.get("submit-jobs").get("depends_on").get("create-topics").get("condition").asText());
    assertEquals("service_healthy", services.get("submit-jobs").get("depends_on").get("jobmanager").get("condition").asText());
    assertEquals("no", text(services, "submit-jobs", "restart"));
  }

  private static int property(String properties, String key) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s*(\\d+)\\s*$").matcher(properties);
    assertTrue(m.find(), key + " in " + properties);
    return Integer.parseInt(m.group(1));
  }

  private static List<String> ports(String service) {
    List<String> ports = new ArrayList<>();
    services.get(service).get("ports").forEach(p -> ports.add(p.asText()));
    return ports;
  }

  private static String text(JsonNode node, String... path) {
    for (String p : path) {
      node = node.get(p);
      if (node == null) {
        throw new AssertionError("docker-compose.yml has no " + String.join(".", path));
      }
    }
    return node.asText();
  }

  private static String ingestDefault(String option) throws Exception {
    return defaultOf(IngestOptions.class, option);
  }

  /** The default as written in the @Option annotation (before ${env:...} is interpolated), mixins included. */
  private static String defaultOf(Class<?> type, String option) {
    String found = findDefault(type, option);
    if (found == null) {
      throw new AssertionError(type.getSimpleName() + " has no option " + option);
    }
    return found;
  }

  private static String findDefault(Class<?> type, String option) {
    for (Field f : type.getDeclaredFields()) {
      Option o = f.getAnnotation(Option.class);
      if (o != null && List.of(o.names()).contains(option)) {
        return o.defaultValue();
      }
      if (f.isAnnotationPresent(Mixin.class)) {
        String inMixin = findDefault(f.getType(), option);
        if (inMixin != null) {
          return inMixin;
        }
      }
    }
    return null;
  }
}
