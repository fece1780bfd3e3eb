package io.lesionsearch.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Iterator;
import java.util.Map;

/**
 * Parsed JSON as Qdrant payload values. Integral numbers that fit a long become integer values, so
 * an "age": 75 can be matched and range-filtered as Qdrant users expect; larger ones and other
 * numbers become doubles (Qdrant's integers are i64).
 */
public final class JsonValues {
  private JsonValues() {}

  public static Value of(JsonNode node) {
    Value.Builder v = Value.newBuilder();
    if (node.isNull() || node.isMissingNode()) {
      v.setNullValue(NullValue.NULL_VALUE);
    } else if (node.isIntegralNumber() && node.canConvertToLong()) {
      v.setIntegerValue(node.longValue());
    } else if (node.isNumber()) {
      v.setDoubleValue(node.doubleValue());
    } else if (node.isTextual()) {
      v.setStringValue(node.textValue());
    } else if (node.isBoolean()) {
      v.setBoolValue(node.booleanValue());
    } else if (node.isArray()) {
      ListValue.Builder list = ListValue.newBuilder();
      node.forEach(item -> list.addValues(of(item)));
      v.setListValue(list);
    } else if (node.isObject()) {
      Struct.Builder struct = Struct.newBuilder();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        struct.putFields(field.getKey(), of(field.getValue()));
      }
      v.setStructValue(struct);
    } else {
      throw new IllegalArgumentException("no Qdrant value for JSON " + node.getNodeType());
    }
    return v.build();
  }

  public static Value of(String text) {
    return Value.newBuilder().setStringValue(text).build();
  }
}
