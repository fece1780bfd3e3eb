package io.lesionsearch.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Map;

/** Qdrant payload values back to the JSON they were ingested as. */
final class PayloadJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PayloadJson() {}

  static ObjectNode object(Map<String, Value> fields) {
    ObjectNode o = NODES.objectNode();
    fields.forEach((k, v) -> o.set(k, value(v)));
    return o;
  }

  static JsonNode value(Value v) {
    switch (v.getKindCase()) {
      case STRING_VALUE:
        return NODES.textNode(v.getStringValue());
      case INTEGER_VALUE:
        return NODES.numberNode(v.getIntegerValue());
      case DOUBLE_VALUE:
        return NODES.numberNode(v.getDoubleValue());
      case BOOL_VALUE:
        return NODES.booleanNode(v.getBoolValue());
      case STRUCT_VALUE:
        return object(v.getStructValue().getFieldsMap());
      case LIST_VALUE:
        {
          ArrayNode a = NODES.arrayNode();
          v.getListValue().getValuesList().forEach(e -> a.add(value(e)));
          return a;
        }
      default:
        return NODES.nullNode();
    }
  }
}
