package io.lesionsearch.qdrantlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lesionsearch.qdrant.JsonValues;
import io.lesionsearch.testing.QdrantUnderTest;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Qdrant these tests run against ({@link QdrantUnderTest}: a local endpoint by default, a real
 * server with {@code -Dlesion.test.qdrant=HOST:PORT}) plus the official client, and the small
 * helpers the conformance tests share (JSON payloads, id sets, expected errors).
 *
 * <p>The server may be shared with other test runs, so a test never uses a fixed collection name
 * and never lists or drops collections it did not create: {@link #collection} gives a unique name,
 * {@link #dropCollections} (after each test) drops this fixture's, and {@link #close} whatever is
 * left.
 */
final class QdrantFixture
    implements AutoCloseable, BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The client logs every failed call at ERROR; the tests provoke many on purpose.
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.qdrant.client.QdrantClient", org.apache.logging.log4j.Level.OFF);
  }

  /** The server under test, or null for {@link #localOnly}. */
  QdrantUnderTest server;

  /** The in-process endpoint of {@link #localOnly}, else null. */
  QdrantLocalServer local;

  QdrantClient client;
  private final List<String> created = new ArrayList<>();
  private final Map<String, String> names = new java.util.HashMap<>();

  private QdrantFixture(QdrantUnderTest server, QdrantLocalServer local, QdrantClient client) {
    this.server = server;
    this.local = local;
    this.client = client;
  }

  /**
   * The Qdrant under test (local endpoint or real server), without API keys, for a test class:
   * {@code @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();} connects
   * before its tests, drops each test's collections after it, and closes after the class.
   */
  static QdrantFixture perClass() {
    return new QdrantFixture(null, null, null);
  }

  private void connect() {
    server = QdrantUnderTest.start();
    client = server.client();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    connect();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    dropCollections();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /**
   * A local endpoint whatever -Dlesion.test.qdrant says, for tests of what only the local endpoint
   * does (its refusals of features Qdrant has); only the classes named LocalOnly use it.
   */
  static QdrantFixture localOnly() {
    try {
      QdrantLocalServer local =
          QdrantLocalServer.builder().inProcess("qdrant-local-" + UUID.randomUUID()).start();
      return new QdrantFixture(null, local, local.newClient());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A collection name no other test uses; dropped by {@link #dropCollections}. */
  synchronized String collection(String prefix) {
    String name =
        server != null
            ? server.collection(prefix)
            : prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    created.add(name);
    return name;
  }

  /**
   * The current test's collection for this short name (the names the original scenarios use, such
   * as "mp" or "nested"): a unique name, the same until {@link #dropCollections}.
   */
  synchronized String name(String shortName) {
    if (created.contains(shortName)) {
      return shortName; // already a unique name
    }
    return names.computeIfAbsent(shortName, this::collection);
  }

  /** Creates the current test's collection {@link #name(String) shortName}; returns its name. */
  String create(String shortName, int dim, Distance distance) throws Exception {
    String name = name(shortName);
    client
        .createCollectionAsync(
            name, VectorParams.newBuilder().setSize(dim).setDistance(distance).build())
        .get();
    return name;
  }

  /**
   * Drops the collections this fixture named, and only those (the server may be shared). Existence
   * is checked first because deleting a missing collection fails in the client (result=false), on
   * Qdrant as here.
   */
  synchronized void dropCollections() throws Exception {
    List<String> names = new ArrayList<>(created);
    created.clear();
    this.names.clear();
    Exception first = null;
    for (String name : names) {
      // Each one on its own: one that fails must not leave the others behind.
      try {
        if (client.collectionExistsAsync(name).get()) {
          client.deleteCollectionAsync(name).get();
        }
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close(); // closes the client, drops what is left
    } else {
      client.close();
      local.close();
    }
  }

  // ------------------------------------------------------------------ points and payloads

  static PointStruct point(long id, String payloadJson, float... vector) {
    return point(PointIdFactory.id(id), payloadJson, vector);
  }

  static PointStruct point(PointId id, String payloadJson, float... vector) {
    PointStruct.Builder b =
        PointStruct.newBuilder().setId(id).setVectors(VectorsFactory.vectors(vector));
    if (payloadJson != null) {
      b.putAllPayload(payload(payloadJson));
    }
    return b.build();
  }

  /** JSON to Qdrant payload, keeping integers and doubles apart as serde_json does. */
  static Map<String, Value> payload(String json) {
    try {
      JsonNode node = JSON.readTree(json.replace('\'', '"'));
      Map<String, Value> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), value(e.getValue()));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  /** The conversion the ingest job uses, so tests write payloads as the job does. */
  static Value value(JsonNode n) {
    return JsonValues.of(n);
  }

  /** A payload back to JSON, for whole-payload comparisons. */
  static JsonNode json(Map<String, Value> payload) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    payload.forEach((k, v) -> o.set(k, json(v)));
    return o;
  }

  static JsonNode json(Value v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    switch (v.getKindCase()) {
      case NULL_VALUE:
        return f.nullNode();
      case INTEGER_VALUE:
        return f.numberNode(v.getIntegerValue());
      case DOUBLE_VALUE:
        return f.numberNode(v.getDoubleValue());
      case STRING_VALUE:
        return f.textNode(v.getStringValue());
      case BOOL_VALUE:
        return f.booleanNode(v.getBoolValue());
      case LIST_VALUE:
        {
          ArrayNode a = f.arrayNode();
          v.getListValue().getValuesList().forEach(item -> a.add(json(item)));
          return a;
        }
      default:
        return json(v.getStructValue().getFieldsMap());
    }
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json.replace('\'', '"'));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  // ------------------------------------------------------------------ result helpers

  static Set<Long> ids(List<ScoredPoint> points) {
    return points.stream()
        .map(p -> p.getId().getNum())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<Long> retrievedIds(List<RetrievedPoint> points) {
    return points.stream()
        .map(p -> p.getId().getNum())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static List<Long> orderedIds(List<RetrievedPoint> points) {
    List<Long> out = new ArrayList<>();
    points.forEach(p -> out.add(p.getId().getNum()));
    return out;
  }

  static Set<Long> setOf(long... ids) {
    Set<Long> s = new TreeSet<>();
    for (long id : ids) {
      s.add(id);
    }
    return s;
  }

  /** Waits for the call and returns the gRPC status it failed with. */
  static Status failure(Future<?> call) {
    ExecutionException e = assertThrows(ExecutionException.class, call::get);
    StatusRuntimeException s = assertInstanceOf(StatusRuntimeException.class, e.getCause());
    return s.getStatus();
  }

  static void assertFails(Status.Code code, Future<?> call) {
    assertEquals(code, failure(call).getCode());
  }
}
