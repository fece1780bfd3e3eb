import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.Ham10000Reader;
import io.lesionsearch.datasets.LesionImage;
import io.lesionsearch.local.TutorialSearches;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.query.SearchClient;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.VectorOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The checks of jobs/cluster-test.sh, run against the processes it started: compiled there with
 * javac against target/lesion-search.jar (the project's own classes: the dataset reader, point ids,
 * the tutorial's searches, SearchClient) and run with it on the classpath. Each command prints one
 * line of figures on stdout and exits 0, or prints "FAIL: reason" and exits 1; diagnostics go to
 * stderr.
 *
 * <pre>
 * bad-records --bootstrap-servers B --topic T --image JPEG --tag TAG --out FILE
 *     sends one bad record of each kind to T and appends "partition offset stage kind" per record to FILE
 * wait-points --qdrant H:P [--api-key K] --collection C --min N --timeout-s S
 *     waits until the collection holds at least N points
 * indexed --bootstrap-servers B --qdrant H:P [--api-key K] --collection C --dataset DIR --metadata F[,F...]
 *         --bad FILE --dead-letter-topic T --timeout-s S
 *     waits for every unique valid image to be a point and every bad record a dead letter, then checks
 *     that exactly those are there: no point missing, none extra, one per image_id, and the dead
 *     letters, de-duplicated by their dlq.source.* headers (they are written at least once), exactly
 *     the bad records sent, each from its stage
 * searches --bootstrap-servers B --qdrant H:P [--api-key K] --collection C --dataset DIR --metadata F --timeout-s S
 *     runs the tutorial's searches through the query job and checks every reply against a brute-force
 *     search over the collection's points
 * ping --bootstrap-servers B --timeout-s S
 *     one request to the query job; any reply means it answers
 * drop --qdrant H:P [--api-key K] --collection C
 *     deletes the collection (a shared server keeps only what it had)
 * compose --file docker-compose.yml --out DIR
 *     writes what the test runs as docker-compose.yml says: DIR/kafka.env (the kafka service's
 *     environment, NAME=VALUE lines), DIR/create-topics.sh and DIR/submit-jobs.sh (those services'
 *     bash entrypoints, as Compose hands them to bash: $$ is $)
 * </pre>
 */
public final class ClusterCheck {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INGEST_TOPIC = "lesion-images";
  private static final String REQUESTS_TOPIC = "lesion-search-requests";
  private static final String REPLIES_TOPIC = "lesion-search-results";
  /** Scores the query job returns against cosines computed here from the stored vectors. */
  private static final double SCORE_TOLERANCE = 1e-4;

  /** An invariant that does not hold: printed as FAIL and exit status 1. */
  static final class Failed extends Exception {
    Failed(String message) {
      super(message);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: ClusterCheck bad-records|wait-points|indexed|searches|ping|drop [--option value]...");
      System.exit(2);
    }
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        System.err.println("ClusterCheck: expected --option value, got " + args[i]);
        System.exit(2);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    int status;
    try {
      System.out.println(switch (args[0]) {
        case "bad-records" -> badRecords(o);
        case "wait-points" -> waitPoints(o);
        case "indexed" -> indexed(o);
        case "searches" -> searches(o);
        case "ping" -> ping(o);
        case "drop" -> drop(o);
        case "compose" -> compose(o);
        default -> throw new IllegalArgumentException("unknown command " + args[0]);
      });
      status = 0;
    } catch (Failed e) {
      System.out.println("FAIL: " + e.getMessage());
      status = 1;
    }
    System.out.flush();
    // Kafka and gRPC leave non-daemon threads behind; the answer is printed.
    Runtime.getRuntime().halt(status);
  }

  // ---------------------------------------------------------------------------------------------
  // bad records

  private record Bad(String kind, String stage, byte[] key, byte[] value) {}

  private static String badRecords(Map<String, String> o) throws Exception {
    String tag = req(o, "tag");
    byte[] jpeg = Files.readAllBytes(Path.of(req(o, "image")));
    String b64 = Base64.getEncoder().encodeToString(jpeg);
    List<Bad> bad = List.of(
        new Bad("not-json", "parse", key(tag, "not-json"), utf8("{\"image_id\": \"CT_" + tag + "_NOTJSON\", ")),
        new Bad("no-image-id", "parse", key(tag, "no-image-id"), utf8("{\"dx\": \"nv\", \"image\": \"" + b64 + "\"}")),
        new Bad("bad-base64", "parse", key(tag, "bad-base64"), utf8("{\"image_id\": \"CT_" + tag + "_B64\", \"image\": \"@@not base64@@\"}")),
        new Bad("age-out-of-range", "parse", key(tag, "age"),
            utf8("{\"image_id\": \"CT_" + tag + "_AGE\", \"age\": 400, \"image\": \"" + b64 + "\"}")),
        new Bad("not-an-image", "embed", key(tag, "not-an-image"), utf8("{\"image_id\": \"CT_" + tag + "_TEXT\", \"image\": \""
            + Base64.getEncoder().encodeToString(utf8("a clinical note, not an image")) + "\"}")),
        new Bad("truncated-jpeg", "embed", key(tag, "truncated"), utf8("{\"image_id\": \"CT_" + tag + "_TRUNC\", \"image\": \""
            + Base64.getEncoder().encodeToString(Arrays.copyOf(jpeg, Math.min(jpeg.length, 400))) + "\"}")));
    Properties p = new Properties();
    p.put("bootstrap.servers", req(o, "bootstrap-servers"));
    p.put("acks", "all");
    p.put("max.block.ms", "30000");
    StringBuilder lines = new StringBuilder();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Bad b : bad) {
        RecordMetadata m = producer.send(new ProducerRecord<>(req(o, "topic"), b.key(), b.value())).get(30, TimeUnit.SECONDS);
        lines.append(m.partition()).append(' ').append(m.offset()).append(' ').append(b.stage()).append(' ').append(b.kind()).append('\n');
      }
    }
    Files.writeString(Path.of(req(o, "out")), lines, StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    Map<String, Long> stages = bad.stream().collect(Collectors.groupingBy(Bad::stage, TreeMap::new, Collectors.counting()));
    return "sent " + bad.size() + " bad records " + stages;
  }

  private static byte[] key(String tag, String kind) {
    return utf8("ct-bad-" + tag + "-" + kind);
  }

  // ---------------------------------------------------------------------------------------------
  // points

  private static String waitPoints(Map<String, String> o) throws Exception {
    long min = Long.parseLong(req(o, "min"));
    long deadline = deadline(o);
    try (QdrantClient qdrant = qdrant(o)) {
      long count;
      while ((count = count(qdrant, req(o, "collection"))) < min) {
        if (System.nanoTime() > deadline) {
          throw new Failed("the collection holds " + count + " points after " + req(o, "timeout-s") + " s, expected at least " + min);
        }
        Thread.sleep(100);
      }
      return "points=" + count;
    }
  }

  private static String indexed(Map<String, String> o) throws Exception {
    Set<String> expected = new TreeSet<>();
    for (String metadata : req(o, "metadata").split(",")) {
      Ham10000Reader.read(Path.of(req(o, "dataset")), Path.of(metadata)).images().forEach(i -> expected.add(i.imageId()));
    }
    Map<String, String> badStages = new TreeMap<>(); // "partition/offset" -> stage
    Map<String, String> badKinds = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of(req(o, "bad")))) {
      String[] f = line.trim().split(" ");
      badStages.put(f[0] + "/" + f[1], f[2]);
      badKinds.put(f[0] + "/" + f[1], f[3]);
    }
    String collection = req(o, "collection");
    long deadline = deadline(o);
    long started = System.nanoTime();
    try (QdrantClient qdrant = qdrant(o)) {
      long count;
      DeadLetters dlq;
      while (true) {
        count = count(qdrant, collection);
        dlq = deadLetters(req(o, "bootstrap-servers"), req(o, "dead-letter-topic"));
        if (count >= expected.size() && dlq.unique.keySet().containsAll(badStages.keySet())) {
          break;
        }
        if (System.nanoTime() > deadline) {
          Set<String> missingDlq = new TreeSet<>(badStages.keySet());
          missingDlq.removeAll(dlq.unique.keySet());
          throw new Failed("after " + req(o, "timeout-s") + " s: " + count + " of " + expected.size() + " points, "
              + dlq.unique.size() + " unique dead letters; bad records without a dead letter: "
              + missingDlq.stream().map(k -> k + " " + badKinds.get(k)).toList());
        }
        Thread.sleep(250);
      }
      double waited = (System.nanoTime() - started) / 1e9;

      // Exactly the unique valid images: every one a point, with its own id, and nothing else.
      Map<String, String> points = new TreeMap<>(); // point id -> payload image_id
      for (RetrievedPoint p : scroll(qdrant, collection, false)) {
        String id = p.getId().getUuid();
        if (points.put(id, p.getPayloadMap().containsKey("image_id") ? p.getPayloadMap().get("image_id").getStringValue() : null) != null) {
          throw new Failed("point " + id + " came twice from one scroll");
        }
      }
      List<String> missing = new ArrayList<>();
      for (String imageId : expected) {
        String id = PointIds.forImageId(imageId).toString();
        String stored = points.remove(id);
        if (stored == null) {
          missing.add(imageId);
        } else if (!stored.equals(imageId)) {
          throw new Failed("point " + id + " of " + imageId + " holds image_id " + stored);
        }
      }
      if (!missing.isEmpty() || !points.isEmpty()) {
        throw new Failed(missing.size() + " unique valid images are not points " + first(missing) + "; "
            + points.size() + " points are not valid images sent " + first(new ArrayList<>(points.values())));
      }

      // Exactly the bad records, once each after de-duplication, each from its stage.
      Set<String> extra = new TreeSet<>(dlq.unique.keySet());
      extra.removeAll(badStages.keySet());
      if (!extra.isEmpty()) {
        throw new Failed(extra.size() + " dead letters are not bad records sent: " + first(new ArrayList<>(extra))
            + " (" + dlq.unique.get(extra.iterator().next()) + ")");
      }
      for (Map.Entry<String, String> b : badStages.entrySet()) {
        String stage = dlq.unique.get(b.getKey()).stage;
        if (!b.getValue().equals(stage)) {
          throw new Failed("the " + badKinds.get(b.getKey()) + " record at " + b.getKey() + " is a dead letter of stage "
              + stage + ", expected " + b.getValue() + " (" + dlq.unique.get(b.getKey()).message + ")");
        }
      }
      if (dlq.foreign > 0) {
        throw new Failed(dlq.foreign + " dead letters lack dlq.source.* headers or name another topic");
      }
      return String.format("points=%d (every unique valid image once, none missing, none extra) dead_letters=%d unique of %d written (at least once; the %d bad records sent, by stage %s) after %.1f s",
          expected.size(), dlq.unique.size(), dlq.raw, badStages.size(),
          badStages.values().stream().collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting())), waited);
    }
  }

  private record Letter(String stage, String message) {
    @Override
    public String toString() {
      return stage + ": " + message;
    }
  }

  private static final class DeadLetters {
    final Map<String, Letter> unique = new TreeMap<>();
    long raw;
    long foreign;
  }

  /** The whole dead-letter topic, by dlq.source.partition/offset. */
  private static DeadLetters deadLetters(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("enable.auto.commit", "false");
    p.put("fetch.max.wait.ms", "50");
    DeadLetters out = new DeadLetters();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in 30 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.raw++;
          String source = header(r, "dlq.source.topic");
          String partition = header(r, "dlq.source.partition");
          String offset = header(r, "dlq.source.offset");
          if (!INGEST_TOPIC.equals(source) || partition == null || offset == null) {
            out.foreign++;
            continue;
          }
          out.unique.putIfAbsent(partition + "/" + offset, new Letter(header(r, "dlq.stage"), header(r, "dlq.error.message")));
        }
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // searches

  private record Point(String id, float[] vector, Map<String, Object> payload) {}

  private static String searches(Map<String, String> o) throws Exception {
    List<LesionImage> images = Ham10000Reader.read(Path.of(req(o, "dataset")), Path.of(req(o, "metadata"))).images();
    LesionImage query = images.get(0);
    Map<String, Point> points = new LinkedHashMap<>();
    try (QdrantClient qdrant = qdrant(o)) {
      for (RetrievedPoint p : scroll(qdrant, req(o, "collection"), true)) {
        VectorOutput v = p.getVectors().getVector();
        List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
        float[] vector = new float[data.size()];
        for (int i = 0; i < vector.length; i++) {
          vector[i] = data.get(i);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        p.getPayloadMap().forEach((k, value) -> payload.put(k, plain(value)));
        points.put(p.getId().getUuid(), new Point(p.getId().getUuid(), normalized(vector), payload));
      }
    }
    String queryId = PointIds.forImageId(query.imageId()).toString();
    if (!points.containsKey(queryId)) {
      throw new Failed("the query image " + query.imageId() + " is not indexed");
    }
    long deadline = deadline(o);
    int checkedHits = 0;
    double selfScore = Double.NaN;
    List<TutorialSearches.Example> examples = TutorialSearches.of(query, images);
    List<Long> took = new ArrayList<>();
    try (SearchClient client = new SearchClient(req(o, "bootstrap-servers"), REQUESTS_TOPIC, REPLIES_TOPIC, Map.of())) {
      for (TutorialSearches.Example example : examples) {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        long sent = System.nanoTime();
        JsonNode reply;
        try {
          reply = client.search(example.request().deepCopy(), Duration.ofMillis(left)).get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new Failed("\"" + example.title() + "\": no reply (" + e.getCause().getMessage() + ")");
        }
        took.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
        if (!"ok".equals(reply.path("status").asText())) {
          throw new Failed("\"" + example.title() + "\" was answered " + reply.path("error"));
        }
        ObjectNode request = example.request();
        List<JsonNode> specs = new ArrayList<>();
        List<JsonNode> hitLists = new ArrayList<>();
        if (request.has("searches")) {
          request.get("searches").forEach(specs::add);
          reply.path("results").forEach(r -> hitLists.add(r.path("hits")));
        } else {
          specs.add(request);
          hitLists.add(reply.path("hits"));
        }
        if (specs.size() != hitLists.size()) {
          throw new Failed("\"" + example.title() + "\": " + specs.size() + " searches, " + hitLists.size() + " results");
        }
        for (int i = 0; i < specs.size(); i++) {
          String where = "\"" + example.title() + "\"" + (specs.size() > 1 ? " search " + (i + 1) : "");
          checkedHits += check(where, specs.get(i), hitLists.get(i), points, query.imageId());
        }
        if (example.title().startsWith("Top 10")) {
          JsonNode top = reply.path("hits").path(0);
          if (!query.imageId().equals(top.path("image_id").asText()) || top.path("score").asDouble() < 0.9999) {
            throw new Failed("the query image should find itself first at about 1.0 (the query job embeds as the ingest job did), found "
                + top.path("image_id").asText() + " at " + top.path("score").asDouble());
          }
          selfScore = top.path("score").asDouble();
        }
      }
    }
    took.sort(null);
    return String.format("searches=%d correct (%d hits checked against brute force over %d points; %s found itself at %.4f; reply p50 %d ms, max %d ms)",
        examples.size(), checkedHits, points.size(), query.imageId(), selfScore, took.get(took.size() / 2), took.get(took.size() - 1));
  }

  /** One search's hits against the brute-force answer; returns the hits checked. */
  private static int check(String where, JsonNode spec, JsonNode hits, Map<String, Point> points, String queryImageId) throws Failed {
    JsonNode q = spec.path("query");
    float[] vector;
    String self = null;
    if (q.has("image")) {
      // The query image is indexed: its stored vector is what the query job should compute.
      vector = points.get(PointIds.forImageId(queryImageId).toString()).vector();
    } else if (q.has("image_id")) {
      Point p = points.get(PointIds.forImageId(q.get("image_id").asText()).toString());
      if (p == null) {
        throw new Failed(where + ": " + q.get("image_id").asText() + " is not indexed");
      }
      vector = p.vector();
      self = q.path("include_self").asBoolean(false) ? null : p.id();
    } else {
      throw new Failed(where + ": no image or image_id query to check");
    }
    int limit = spec.path("limit").asInt(10);
    int offset = spec.path("offset").asInt(0);
    double threshold = spec.has("score_threshold") ? spec.get("score_threshold").asDouble() : Double.NEGATIVE_INFINITY;
    JsonNode filter = spec.path("filter");

    List<Map.Entry<String, Double>> candidates = new ArrayList<>();
    for (Point p : points.values()) {
      if (!p.id().equals(self) && (filter.isMissingNode() || matches(filter, p))) {
        candidates.add(Map.entry(p.id(), dot(vector, p.vector())));
      }
    }
    candidates.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    long eligible = candidates.stream().filter(c -> c.getValue() > threshold + SCORE_TOLERANCE).count();
    long possible = candidates.stream().filter(c -> c.getValue() > threshold - SCORE_TOLERANCE).count();
    long wantMin = Math.max(0, Math.min(limit, eligible - offset));
    long wantMax = Math.max(0, Math.min(limit, possible - offset));
    if (hits.size() < wantMin || hits.size() > wantMax) {
      throw new Failed(where + ": " + hits.size() + " hits, brute force finds " + wantMin
          + (wantMax != wantMin ? ".." + wantMax : "") + " (limit " + limit + ", " + candidates.size() + " points pass the filter)");
    }
    Map<String, Double> cosines = new HashMap<>();
    candidates.forEach(c -> cosines.put(c.getKey(), c.getValue()));
    double previous = Double.POSITIVE_INFINITY;
    Set<String> returned = new LinkedHashSet<>();
    for (JsonNode hit : hits) {
      String id = hit.path("id").asText();
      double score = hit.path("score").asDouble();
      Double cosine = cosines.get(id);
      if (cosine == null) {
        throw new Failed(where + ": hit " + hit.path("image_id").asText() + " does not pass the filter " + filter
            + (id.equals(self) ? " (it is the query image itself)" : ""));
      }
      if (Math.abs(cosine - score) > SCORE_TOLERANCE) {
        throw new Failed(where + ": " + hit.path("image_id").asText() + " scored " + score + ", its cosine is " + cosine);
      }
      if (score > previous + 1e-9) {
        throw new Failed(where + ": scores out of order at " + hit.path("image_id").asText());
      }
      if (score <= threshold) {
        throw new Failed(where + ": " + hit.path("image_id").asText() + " scored " + score + ", not above " + threshold);
      }
      if (!hit.path("image_id").asText().equals(points.get(id).payload().get("image_id"))) {
        throw new Failed(where + ": hit " + id + " carries image_id " + hit.path("image_id").asText());
      }
      previous = score;
      returned.add(id);
    }
    // None better left out: every point passing the filter that beats the last hit is among the hits.
    double floor = hits.size() == 0 ? threshold : previous;
    for (Map.Entry<String, Double> c : candidates.subList(Math.min(offset, candidates.size()), candidates.size())) {
      if (c.getValue() > floor + SCORE_TOLERANCE && !returned.contains(c.getKey())) {
        throw new Failed(where + ": " + points.get(c.getKey()).payload().get("image_id") + " (cosine " + c.getValue()
            + ") passes the filter and beats the last hit (" + floor + ") but is missing");
      }
    }
    JsonNode selector = spec.path("with_payload");
    if (selector.has("exclude")) {
      for (JsonNode hit : hits) {
        for (JsonNode key : selector.get("exclude")) {
          if (hit.path("payload").has(key.asText())) {
            throw new Failed(where + ": payload key " + key.asText() + " was excluded but came back");
          }
        }
      }
    }
    return hits.size();
  }

  /** Qdrant's filter semantics for what the tutorial's searches use: must, should, must_not; match value/any/except, range, has_id. */
  private static boolean matches(JsonNode filter, Point p) throws Failed {
    for (String clause : List.of("must", "should", "must_not")) {
      JsonNode conditions = filter.path(clause);
      if (conditions.isMissingNode()) {
        continue;
      }
      List<JsonNode> list = new ArrayList<>();
      if (conditions.isArray()) {
        conditions.forEach(list::add);
      } else {
        list.add(conditions);
      }
      int matched = 0;
      for (JsonNode c : list) {
        if (condition(c, p)) {
          matched++;
        }
      }
      switch (clause) {
        case "must" -> { if (matched < list.size()) return false; }
        case "should" -> { if (!list.isEmpty() && matched == 0) return false; }
        default -> { if (matched > 0) return false; }
      }
    }
    Set<String> known = Set.of("must", "should", "must_not");
    for (var it = filter.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new Failed("the check cannot evaluate filter clause " + f);
      }
    }
    return true;
  }

  private static boolean condition(JsonNode c, Point p) throws Failed {
    if (c.has("has_id")) {
      for (JsonNode id : c.get("has_id")) {
        if (id.asText().equals(p.id())) {
          return true;
        }
      }
      return false;
    }
    if (c.has("must") || c.has("should") || c.has("must_not")) {
      return matches(c, p);
    }
    Object value = p.payload().get(c.path("key").asText());
    List<Object> values = value instanceof List<?> l ? new ArrayList<>(l) : value == null ? List.of() : List.of(value);
    if (c.has("match")) {
      JsonNode m = c.get("match");
      if (m.has("value")) {
        return values.stream().anyMatch(v -> same(v, m.get("value")));
      }
      if (m.has("any")) {
        return values.stream().anyMatch(v -> anyOf(v, m.get("any")));
      }
      if (m.has("except")) {
        return !values.isEmpty() && values.stream().anyMatch(v -> !anyOf(v, m.get("except")));
      }
    }
    if (c.has("range")) {
      JsonNode r = c.get("range");
      return values.stream().anyMatch(v -> v instanceof Number n
          && (!r.has("gt") || n.doubleValue() > r.get("gt").asDouble())
          && (!r.has("gte") || n.doubleValue() >= r.get("gte").asDouble())
          && (!r.has("lt") || n.doubleValue() < r.get("lt").asDouble())
          && (!r.has("lte") || n.doubleValue() <= r.get("lte").asDouble()));
    }
    throw new Failed("the check cannot evaluate condition " + c);
  }

  private static boolean anyOf(Object v, JsonNode list) {
    for (JsonNode x : list) {
      if (same(v, x)) {
        return true;
      }
    }
    return false;
  }

  private static boolean same(Object v, JsonNode x) {
    if (v instanceof Number n) {
      return x.isNumber() && n.doubleValue() == x.asDouble();
    }
    if (v instanceof Boolean b) {
      return x.isBoolean() && b == x.asBoolean();
    }
    return v != null && x.isTextual() && v.equals(x.asText());
  }

  private static Object plain(JsonWithInt.Value v) {
    return switch (v.getKindCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INTEGER_VALUE -> v.getIntegerValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BOOL_VALUE -> v.getBoolValue();
      case LIST_VALUE -> v.getListValue().getValuesList().stream().map(ClusterCheck::plain).toList();
      default -> null;
    };
  }

  private static float[] normalized(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  // ---------------------------------------------------------------------------------------------
  // the query job answers; the collection goes

  private static String ping(Map<String, String> o) throws Exception {
    long deadline = deadline(o);
    try (SearchClient client = new SearchClient(req(o, "bootstrap-servers"), REQUESTS_TOPIC, REPLIES_TOPIC, Map.of())) {
      ObjectNode request = JSON.createObjectNode();
      request.putObject("query").put("image_id", "cluster-test-ping");
      request.put("limit", 1);
      long sent = System.nanoTime();
      JsonNode reply;
      try {
        reply = client.search(request, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new Failed("the query job did not answer: " + e.getCause().getMessage());
      }
      String answer = "ok".equals(reply.path("status").asText()) ? "ok" : reply.path("error").path("code").asText();
      return "answered=" + answer + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent) + " ms";
    }
  }

  private static String drop(Map<String, String> o) throws Exception {
    try (QdrantClient qdrant = qdrant(o)) {
      String collection = req(o, "collection");
      if (!qdrant.collectionExistsAsync(collection).get(30, TimeUnit.SECONDS)) {
        return "collection " + collection + " absent";
      }
      // The ingest job made the name an alias of <name>__<model id>; Qdrant deletes collections
      // only by their own name, and deleting one drops its aliases.
      String physical = collection;
      for (io.qdrant.client.grpc.Collections.AliasDescription a : qdrant.listAliasesAsync().get(30, TimeUnit.SECONDS)) {
        if (a.getAliasName().equals(collection)) {
          physical = a.getCollectionName();
        }
      }
      qdrant.deleteCollectionAsync(physical).get(30, TimeUnit.SECONDS);
      return "collection " + physical + (physical.equals(collection) ? "" : " (alias " + collection + ")") + " deleted";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // docker-compose.yml's own scripts and settings

  private static String compose(Map<String, String> o) throws Exception {
    // Flink's shaded Jackson YAML, inside the jar; the services read here use no anchors.
    JsonNode services = new org.apache.flink.shaded.jackson2.com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
        .readTree(Path.of(req(o, "file")).toFile()).get("services").toString().transform(ClusterCheck::tree);
    Path out = Path.of(req(o, "out"));
    Files.createDirectories(out);
    StringBuilder env = new StringBuilder();
    services.get("kafka").get("environment").fields().forEachRemaining(e -> env.append(e.getKey()).append('=').append(e.getValue().asText()).append('\n'));
    Files.writeString(out.resolve("kafka.env"), env);
    for (String service : List.of("create-topics", "submit-jobs")) {
      JsonNode entrypoint = services.get(service).get("entrypoint");
      if (!"/bin/bash".equals(entrypoint.get(0).asText()) || !"-c".equals(entrypoint.get(1).asText())) {
        throw new Failed(service + "'s entrypoint is no longer /bin/bash -c SCRIPT");
      }
      Files.writeString(out.resolve(service + ".sh"), entrypoint.get(2).asText().replace("$$", "$"));
    }
    return "kafka.env, create-topics.sh, submit-jobs.sh";
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static QdrantClient qdrant(Map<String, String> o) {
    QdrantConnection c = QdrantConnection.parse(req(o, "qdrant"));
    if (o.containsKey("api-key") && !o.get("api-key").isEmpty()) {
      c = c.withApiKey(o.get("api-key"));
    }
    return c.open();
  }

  private static long count(QdrantClient qdrant, String collection) throws Exception {
    // The sink creates the collection with its first batch.
    if (!qdrant.collectionExistsAsync(collection).get(30, TimeUnit.SECONDS)) {
      return 0;
    }
    return qdrant.countAsync(collection, null, true).get(30, TimeUnit.SECONDS);
  }

  private static List<RetrievedPoint> scroll(QdrantClient qdrant, String collection, boolean vectors) throws Exception {
    List<RetrievedPoint> all = new ArrayList<>();
    PointId offset = null;
    do {
      ScrollPoints.Builder b = ScrollPoints.newBuilder().setCollectionName(collection).setLimit(1000)
          .setWithPayload(WithPayloadSelectorFactory.enable(true))
          .setWithVectors(WithVectorsSelectorFactory.enable(vectors));
      if (offset != null) {
        b.setOffset(offset);
      }
      ScrollResponse r = qdrant.scrollAsync(b.build()).get(60, TimeUnit.SECONDS);
      all.addAll(r.getResultList());
      offset = r.hasNextPageOffset() ? r.getNextPageOffset() : null;
    } while (offset != null);
    return all;
  }

  private static long deadline(Map<String, String> o) {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(req(o, "timeout-s")));
  }

  private static String req(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String first(List<String> items) {
    return items.stream().limit(5).toList() + (items.size() > 5 ? "..." : "");
  }
}
