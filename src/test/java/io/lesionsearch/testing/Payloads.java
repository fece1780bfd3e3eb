package io.lesionsearch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.qdrant.JsonValues;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Payloads written as JSON in tests, to and from the protobuf values the job carries. */
public final class Payloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  /** A JSON object as an {@code ImageToEmbed}'s payload (a protobuf Struct's bytes). */
  public static byte[] struct(String json) {
    try {
      return JsonValues.of(JSON.readTree(json)).getStructValue().toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A point's payload as a JSON object. */
  public static ObjectNode json(PointStruct point) {
    return json(point.getPayloadMap());
  }

  public static ObjectNode json(Map<String, Value> fields) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    fields.forEach((k, v) -> o.set(k, node(v)));
    return o;
  }

  private static JsonNode node(Value v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (v.getKindCase()) {
      case STRING_VALUE -> f.textNode(v.getStringValue());
      case INTEGER_VALUE -> f.numberNode(v.getIntegerValue());
      case DOUBLE_VALUE -> f.numberNode(v.getDoubleValue());
      case BOOL_VALUE -> f.booleanNode(v.getBoolValue());
      case STRUCT_VALUE -> json(v.getStructValue().getFieldsMap());
      case LIST_VALUE -> {
        ArrayNode a = f.arrayNode();
        v.getListValue().getValuesList().forEach(item -> a.add(node(item)));
        yield a;
      }
      default -> f.nullNode();
    };
  }
}
