package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.kafka.DeadLetterSerializer;
import io.lesionsearch.query.QueryOptions;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * docker-compose.yml and flink-conf/config.yaml must agree with each other and with the jobs'
 * option defaults, which the test reads from the option classes rather than repeating them.
 */
class DeploymentConfigTest {

  private static final List<String> QUERY_TOPICS =
      List.of(
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
    assertTrue(
        text(services, "kafka", "image").matches("apache/kafka:\\d+\\.\\d+\\.\\d+"),
        text(services, "kafka", "image"));
    assertTrue(
        text(services, "qdrant", "image").matches("qdrant/qdrant:v\\d+\\.\\d+\\.\\d+"),
        text(services, "qdrant", "image"));
    for (String flink : List.of("jobmanager", "taskmanager", "taskmanager-gpu", "submit-jobs")) {
      assertEquals(
          "flink:2.2.1-java17",
          text(services, flink, "image"),
          flink + " runs the Flink version the jar is built with");
    }
    assertEquals(text(services, "kafka", "image"), text(services, "create-topics", "image"));
  }

  @Test
  void topicsAreTheJobsDefaults() throws Exception {
    String create = services.get("create-topics").get("entrypoint").toString();
    List<String> topics =
        new ArrayList<>(List.of(ingestDefault("--topic"), ingestDefault("--dead-letter-topic")));
    topics.addAll(QUERY_TOPICS);
    for (String topic : topics) {
      assertTrue(
          create.contains(" " + topic + " ") || create.contains(" " + topic + ";"),
          topic + " is created: " + create);
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
    assertTrue(
        text(services, "kafka", "environment", "KAFKA_ADVERTISED_LISTENERS")
            .contains("INTERNAL://kafka:" + kafkaPort));
    String submit = services.get("submit-jobs").get("entrypoint").toString();
    assertTrue(submit.contains("--bootstrap-servers kafka:" + kafkaPort), submit);
    assertTrue(
        submit.contains("--qdrant-host qdrant") && !submit.contains("--qdrant-port"),
        "the default Qdrant port: " + submit);
    assertEquals("6334", ingestDefault("--qdrant-port"));
    assertTrue(
        ports("qdrant").stream().anyMatch(p -> p.endsWith(":6334:6334")),
        ports("qdrant").toString());
    assertTrue(
        services.get("qdrant").get("volumes").toString().contains(":/qdrant/storage"),
        "Qdrant keeps its data in a volume");
  }

  @Test
  void oneApiKeyVariableReachesQdrantAndTheJobs() throws Exception {
    assertTrue(ingestDefault("--qdrant-api-key").contains("env:QDRANT_API_KEY"));
    assertTrue(
        text(services, "qdrant", "environment", "QDRANT__SERVICE__API_KEY")
            .startsWith("${QDRANT_API_KEY"));
    for (String service : List.of("jobmanager", "taskmanager", "taskmanager-gpu", "submit-jobs")) {
      assertTrue(
          text(services, service, "environment", "QDRANT_API_KEY").startsWith("${QDRANT_API_KEY"),
          service);
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
    assertEquals(
        "org.apache.flink.externalresource.gpu.GPUDriverFactory",
        flinkConf.get("external-resource.gpu.driver-factory.class").asText());
    assertTrue(
        flinkConf
            .get("external-resource.gpu.param.discovery-script.path")
            .asText()
            .endsWith("nvidia-gpu-discovery.sh"));
    assertEquals("exponential-delay", flinkConf.get("restart-strategy.type").asText());
    assertEquals(
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
        flinkConf.get("metrics.reporter.prom.factory.class").asText());
    assertTrue(
        flinkConf.get("rest.server.max-content-length").asLong() > 300L * 1024 * 1024,
        "the shaded jar is about 210 MB");

    String opens =
        Files.readString(Path.of("pom.xml"))
            .replaceAll("(?s).*<jvm.opens>(.*)</jvm.opens>.*", "$1");
    assertTrue(
        flinkConf.get("env.java.opts.all").asText().startsWith(opens),
        "config.yaml's JVM opens are pom.xml's");
  }

  @Test
  void composeRunsFlinkWithThisConfigurationAndADurableCheckpointDirectory() {
    String checkpoints = flinkConf.get("execution.checkpointing.dir").asText();
    assertTrue(checkpoints.startsWith("file:///flink-data/"), checkpoints);
    for (String flink : List.of("jobmanager", "taskmanager", "taskmanager-gpu")) {
      String volumes = services.get(flink).get("volumes").toString();
      assertTrue(
          volumes.contains("./flink-conf:/opt/lesion-search/flink-conf"),
          flink + " mounts flink-conf/");
      assertTrue(
          volumes.contains("flink-data:/flink-data"), flink + " shares the checkpoint volume");
      assertTrue(
          volumes.contains(
              "${LESION_SEARCH_JAR:-./target/lesion-search-cluster.jar}:/opt/lesion-search/lesion-search.jar:ro"),
          flink + " mounts the cluster jar, without the local mode: " + volumes);
      assertTrue(
          volumes.contains("./target/flink-lib:/opt/flink/lib/"),
          flink + " has DJL in Flink's lib/");
    }
    assertEquals(
        "ai.djl.",
        flinkConf.get("classloader.parent-first-patterns.additional").asText(),
        "DJL from lib/ before the job's jar, so two jobs share PyTorch's native library");
    String cpu = text(services, "taskmanager", "environment", "FLINK_PROPERTIES");
    assertFalse(
        cpu.contains("taskmanager.numberOfTaskSlots"),
        "CPU TaskManagers keep flink-conf's slots: " + cpu);
    assertEquals(
        2,
        services.get("taskmanager").get("scale").asInt()
            * flinkConf.get("taskmanager.numberOfTaskSlots").asInt(),
        "a slot for each of the two jobs, on TaskManagers of their own (as jobs/cluster-test.sh runs them)");
    assertTrue(
        flinkConf.has("jobmanager.memory.process.size"),
        "a JobManager without a memory size stops at start");
    assertTrue(compose.get("volumes").has("flink-data"));
    assertTrue(
        services
            .get("jobmanager")
            .get("entrypoint")
            .toString()
            .contains("/opt/lesion-search/flink-conf/config.yaml /opt/flink/conf/config.yaml"));
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
    assertFalse(
        flinkConf.has("external-resources"),
        "listing gpu for every TaskManager would stop CPU-only ones at start");
    for (String tm : List.of("taskmanager", "taskmanager-gpu")) {
      JsonNode env = services.get(tm).get("environment");
      assertEquals(
          flinkConf.get("containerized.taskmanager.env.MALLOC_MMAP_THRESHOLD_").asText(),
          env.get("MALLOC_MMAP_THRESHOLD_").asText());
      assertEquals(
          flinkConf.get("containerized.taskmanager.env.MALLOC_TRIM_THRESHOLD_").asText(),
          env.get("MALLOC_TRIM_THRESHOLD_").asText());
    }
  }

  @Test
  void bothJobsAreSubmittedWithTheSubmitScripts() {
    String submit = services.get("submit-jobs").get("entrypoint").toString();
    assertTrue(
        submit.contains("jobs/submit-ingest.sh") && submit.contains("jobs/submit-query.sh"),
        submit);
    assertEquals(
        "service_completed_successfully",
        services
            .get("submit-jobs")
            .get("depends_on")
            .get("create-topics")
            .get("condition")
            .asText());
    assertEquals(
        "service_healthy",
        services.get("submit-jobs").get("depends_on").get("jobmanager").get("condition").asText());
    assertEquals("no", text(services, "submit-jobs", "restart"));
    String volumes = services.get("submit-jobs").get("volumes").toString();
    assertTrue(
        volumes.contains(
            "${LESION_SEARCH_JAR:-./target/lesion-search-cluster.jar}:/opt/lesion-search/lesion-search.jar:ro"),
        "the jobs are submitted from the cluster jar: " + volumes);
    assertTrue(submit.contains("--jar /opt/lesion-search/lesion-search.jar"), submit);
  }

  @Test
  void publishedPortsListenOnLoopbackUnlessWidenedOnPurpose() {
    Pattern bound = Pattern.compile("\\$\\{LESION_BIND_ADDRESS:-127\\.0\\.0\\.1\\}:(\\d+):(\\d+)");
    List<String> published = new ArrayList<>();
    services
        .fields()
        .forEachRemaining(
            service -> {
              assertFalse(
                  service.getValue().has("network_mode"),
                  service.getKey() + ": host networking would publish every port");
              for (String port : ports(service.getKey())) {
                Matcher m = bound.matcher(port);
                assertTrue(
                    m.matches(),
                    service.getKey()
                        + " publishes "
                        + port
                        + " beyond ${LESION_BIND_ADDRESS:-127.0.0.1}");
                published.add(m.group(1));
              }
            });
    // Compose substitutes the default when the variable is unset: loopback.
    assertEquals(
        "127.0.0.1:8081:8081",
        ports("jobmanager").get(0).replaceAll("\\$\\{LESION_BIND_ADDRESS:-([^}]*)\\}", "$1"));
    assertEquals(List.of("6333", "6334", "8081", "9094"), published.stream().sorted().toList());
    assertTrue(
        text(services, "kafka", "environment", "KAFKA_ADVERTISED_LISTENERS")
            .contains("HOST://${LESION_KAFKA_HOST:-localhost}:9094"),
        "Kafka tells host clients the address they can reach");
  }

  @Test
  void everyVariableComposeReadsIsDocumented() throws Exception {
    String raw = Files.readString(Path.of("docker-compose.yml"));
    String readme = Files.readString(Path.of("README.md"));
    Matcher m = Pattern.compile("(?<!\\$)\\$\\{([A-Z_]+)").matcher(raw);
    List<String> variables = new ArrayList<>();
    while (m.find()) {
      variables.add(m.group(1));
    }
    assertTrue(
        variables.containsAll(
            List.of("LESION_BIND_ADDRESS", "QDRANT_API_KEY", "QDRANT_READ_ONLY_API_KEY")),
        variables.toString());
    for (String v : variables) {
      assertTrue(readme.contains(v), "README names " + v);
    }
  }

  @Test
  void flinkRefusesJarUploadsAndComposeSubmitsWithTheCli() {
    assertTrue(flinkConf.has("web.submit.enable"), "set explicitly: Flink's default is true");
    assertFalse(
        flinkConf.get("web.submit.enable").asBoolean(true),
        "no jar upload and run through the web UI or /jars");
    String submit = services.get("submit-jobs").get("entrypoint").toString();
    assertFalse(
        submit.contains("--rest"),
        "the REST path needs /jars/upload, which the cluster refuses: " + submit);
    assertTrue(
        text(services, "submit-jobs", "image").startsWith("flink:"),
        "the Flink image has the flink CLI the scripts use");
  }

  @Test
  void deadLetterTopicsTakeTheirInputsLargestRecordPlusHeaders(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("calls.log");
    fake(tmp.resolve("bin/kafka-topics.sh"), "topics");
    fake(tmp.resolve("bin/kafka-configs.sh"), "configs");
    Run r =
        runEntrypoint(
            "create-topics",
            Map.of("/opt/kafka/bin/", tmp.resolve("bin") + "/"),
            Map.of("LOG", log.toString()));
    assertEquals(0, r.exit, r.err);
    Map<String, Long> created = new TreeMap<>();
    Map<String, Long> altered = new TreeMap<>();
    for (String call : Files.readAllLines(log)) {
      Matcher bytes = Pattern.compile("max\\.message\\.bytes=(\\d+)").matcher(call);
      assertTrue(bytes.find(), call);
      if (call.startsWith("topics ")) {
        assertTrue(call.contains(" --create --if-not-exists "), call);
        created.put(argAfter(call, "--topic"), Long.parseLong(bytes.group(1)));
      } else {
        altered.put(argAfter(call, "--entity-name"), Long.parseLong(bytes.group(1)));
      }
    }
    assertEquals(created, altered, "topics made by an earlier compose file get the same limits");

    long headers = DeadLetterSerializer.maxRecordBytes(0);
    assertEquals(1 << 20, headers);
    String ingestInput = ingestDefault("--topic");
    String ingestDlq = ingestDefault("--dead-letter-topic");
    String requests = defaultOf(QueryOptions.class, "--requests-topic");
    String queryDlq = defaultOf(QueryOptions.class, "--dead-letter-topic");
    assertEquals(
        16L << 20,
        created.get(ingestInput),
        "README's 12 MiB inline image after base64 assumes 16 MiB");
    assertEquals(16L << 20, created.get(requests));
    assertTrue(created.get(ingestDlq) >= created.get(ingestInput) + headers, created.toString());
    assertTrue(created.get(queryDlq) >= created.get(requests) + headers, created.toString());
    assertTrue(
        created.get(defaultOf(QueryOptions.class, "--replies-topic"))
            >= Long.parseLong(defaultOf(QueryOptions.class, "--max-reply-bytes")),
        "a reply the job sends fits its topic");
    long broker = Long.parseLong(text(services, "kafka", "environment", "KAFKA_MESSAGE_MAX_BYTES"));
    assertTrue(
        broker >= created.values().stream().mapToLong(Long::longValue).max().orElseThrow(),
        "the broker's message.max.bytes admits the largest topic's: " + broker + " " + created);
  }

  @Test
  void theQueryJobIsSubmittedWithTheReadOnlyKeyAndTheIngestJobWithTheFullOne(@TempDir Path tmp)
      throws Exception {
    assertTrue(
        text(services, "qdrant", "environment", "QDRANT__SERVICE__READ_ONLY_API_KEY")
            .startsWith("${QDRANT_READ_ONLY_API_KEY:?"),
        "Qdrant's service.read_only_api_key, required like the full key");
    assertTrue(
        text(services, "submit-jobs", "environment", "QDRANT_READ_ONLY_API_KEY")
            .startsWith("${QDRANT_READ_ONLY_API_KEY:?"));
    for (String service : List.of("jobmanager", "taskmanager", "taskmanager-gpu")) {
      assertFalse(
          services.get(service).get("environment").has("QDRANT_READ_ONLY_API_KEY"),
          service + " never needs it: the key travels in the job");
    }
    Path log = tmp.resolve("calls.log");
    fake(tmp.resolve("jobs/submit-ingest.sh"), "ingest key=$QDRANT_API_KEY");
    fake(tmp.resolve("jobs/submit-query.sh"), "query key=$QDRANT_API_KEY");
    Files.createDirectories(tmp.resolve("flink/conf"));
    Map<String, String> paths =
        Map.of(
            "/opt/lesion-search/jobs/",
            tmp.resolve("jobs") + "/",
            "/opt/lesion-search/flink-conf/",
            Path.of("flink-conf").toAbsolutePath() + "/",
            "/opt/flink/conf/",
            tmp.resolve("flink/conf") + "/");
    Run r =
        runEntrypoint(
            "submit-jobs",
            paths,
            Map.of(
                "LOG",
                log.toString(),
                "QDRANT_API_KEY",
                "full-key",
                "QDRANT_READ_ONLY_API_KEY",
                "read-key"));
    assertEquals(0, r.exit, r.err);
    List<String> calls = Files.readAllLines(log);
    assertEquals(2, calls.size(), calls.toString());
    assertEquals(
        Files.readString(Path.of("flink-conf/config.yaml")),
        Files.readString(tmp.resolve("flink/conf/config.yaml")),
        "the flink CLI submits with the cluster's configuration");
    assertTrue(calls.get(0).startsWith("ingest key=full-key "), calls.get(0));
    assertTrue(calls.get(1).startsWith("query key=read-key "), calls.get(1));
    for (String call : calls) {
      assertFalse(
          call.contains("--qdrant-api-key"),
          "an argument would override the variable (and show in ps): " + call);
    }

    Files.delete(log);
    Run same =
        runEntrypoint(
            "submit-jobs",
            paths,
            Map.of("LOG", log.toString(), "QDRANT_API_KEY", "k", "QDRANT_READ_ONLY_API_KEY", "k"));
    assertEquals(1, same.exit);
    assertTrue(same.err.contains("QDRANT_READ_ONLY_API_KEY equals QDRANT_API_KEY"), same.err);
    assertFalse(Files.exists(log), "nothing submitted");
  }

  private record Run(int exit, String err) {}

  /**
   * Runs a service's bash entrypoint as Compose would after its own substitution ($$ to $), with
   * the container's paths mapped to the test's fakes.
   */
  private static Run runEntrypoint(
      String service, Map<String, String> paths, Map<String, String> env) throws Exception {
    JsonNode entrypoint = services.get(service).get("entrypoint");
    assertEquals("/bin/bash", entrypoint.get(0).asText());
    assertEquals("-c", entrypoint.get(1).asText());
    String script = entrypoint.get(2).asText();
    assertFalse(
        script.replace("$$", "").contains("$"),
        service + ": a single $ is substituted by Compose at up, not by the shell");
    script = script.replace("$$", "$");
    for (Map.Entry<String, String> p : paths.entrySet()) {
      assertTrue(script.contains(p.getKey()), service + " uses " + p.getKey());
      script = script.replace(p.getKey(), p.getValue());
    }
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Path err = Files.createTempFile("entrypoint", ".err");
    pb.redirectError(err.toFile());
    int exit = pb.start().waitFor();
    String stderr = Files.readString(err);
    Files.delete(err);
    return new Run(exit, stderr);
  }

  /** An executable that appends "WHAT ARGS" to $LOG; WHAT may refer to the environment. */
  private static void fake(Path script, String what) throws Exception {
    Files.createDirectories(script.getParent());
    Files.writeString(script, "#!/bin/bash\necho \"" + what + " $*\" >> \"$LOG\"\n");
    assertTrue(script.toFile().setExecutable(true));
  }

  private static String argAfter(String call, String option) {
    Matcher m = Pattern.compile(Pattern.quote(option) + " (\\S+)").matcher(call);
    assertTrue(m.find(), option + " in " + call);
    return m.group(1);
  }

  private static int property(String properties, String key) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s*(\\d+)\\s*$").matcher(properties);
    assertTrue(m.find(), key + " in " + properties);
    return Integer.parseInt(m.group(1));
  }

  private static List<String> ports(String service) {
    List<String> ports = new ArrayList<>();
    JsonNode published = services.get(service).get("ports");
    if (published != null) {
      published.forEach(p -> ports.add(p.asText()));
    }
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

  /**
   * The default as written in the @Option annotation (before ${env:...} is interpolated), mixins
   * included.
   */
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
