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
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
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

/**
 * A qdrant-local server on the in-process transport plus the official client, and the small
 * helpers the conformance tests share (JSON payloads, id sets, expected errors).
 */
final class LocalQdrant implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The client logs every failed call at ERROR; the tests provoke many on purpose.
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.qdrant.client.QdrantClient", org.apache.logging.log4j.Level.OFF);
  }

  final QdrantLocalServer server;
  final QdrantClient client;

  private LocalQdrant(QdrantLocalServer server) {
    this.server = server;
    this.client = server.newClient();
  }

  static LocalQdrant inProcess() {
    try {
      return new LocalQdrant(
          QdrantLocalServer.builder().inProcess("qdrant-local-" + UUID.randomUUID()).start());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  void dropAll() throws Exception {
    for (String name : client.listCollectionsAsync().get()) {
      client.deleteCollectionAsync(name).get();
    }
  }

  void create(String name, int dim, Distance distance) throws Exception {
    client.createCollectionAsync(name,
        VectorParams.newBuilder().setSize(dim).setDistance(distance).build()).get();
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }

  // ------------------------------------------------------------------ points and payloads

  static PointStruct point(long id, String payloadJson, float... vector) {
    return point(PointIdFactory.id(id), payloadJson, vector);
  }

  static PointStruct point(PointId id, String payloadJson, float... vector) {
    PointStruct.Builder b = PointStruct.newBuilder().setId(id).setVectors(VectorsFactory.vectors(vector));
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

  static Value value(JsonNode n) {
    Value.Builder v = Value.newBuilder();
    if (n.isNull()) {
      v.setNullValue(NullValue.NULL_VALUE);
    } else if (n.isIntegralNumber()) {
      v.setIntegerValue(n.longValue());
    } else if (n.isNumber()) {
      v.setDoubleValue(n.doubleValue());
    } else if (n.isTextual()) {
      v.setStringValue(n.textValue());
    } else if (n.isBoolean()) {
      v.setBoolValue(n.booleanValue());
    } else if (n.isArray()) {
      ListValue.Builder l = ListValue.newBuilder();
      n.forEach(item -> l.addValues(value(item)));
      v.setListValue(l);
    } else {
      Struct.Builder s = Struct.newBuilder();
      n.fields().forEachRemaining(e -> s.putFields(e.getKey(), value(e.getValue())));
      v.setStructValue(s);
    }
    return v.build();
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
    return points.stream().map(p -> p.getId().getNum()).collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<Long> retrievedIds(List<RetrievedPoint> points) {
    return points.stream().map(p -> p.getId().getNum()).collect(Collectors.toCollection(TreeSet::new));
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
