package io.lesionsearch.qdrant;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link LesionPoint} to the client's {@code PointStruct}. The payload JSON is streamed straight
 * into Qdrant {@code Value}s (no intermediate tree): integral numbers that fit a long become
 * integer values, so an "age": 75 can be matched and range-filtered as Qdrant users expect; other
 * numbers become doubles; an absent key stays absent.
 */
public final class PointConversion {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PointConversion() {}

  public static PointStruct toPointStruct(LesionPoint p) {
    PointStruct.Builder b = PointStruct.newBuilder()
        .setId(PointIdFactory.id(UUID.fromString(p.id())))
        .setVectors(VectorsFactory.vectors(p.vector()));
    byte[] json = p.payloadJson();
    if (json.length > 0) {
      try {
        b.putAllPayload(payload(json));
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Point " + p.id() + " has an invalid payload: " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /** A JSON object's fields as Qdrant values. */
  static Map<String, Value> payload(byte[] json) throws IOException {
    try (JsonParser parser = JSON.getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("payload must be a JSON object");
      }
      Struct struct = readObject(parser);
      if (parser.nextToken() != null) {
        throw new IllegalArgumentException("trailing content after the payload object");
      }
      return struct.getFieldsMap();
    }
  }

  /** The parser is on START_OBJECT; returns with it on the matching END_OBJECT. */
  private static Struct readObject(JsonParser parser) throws IOException {
    Struct.Builder s = Struct.newBuilder();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      s.putFields(key, readValue(parser));
    }
    return s.build();
  }

  private static Value readValue(JsonParser parser) throws IOException {
    JsonToken t = parser.currentToken();
    switch (t) {
      case VALUE_STRING:
        return Value.newBuilder().setStringValue(parser.getText()).build();
      case VALUE_NUMBER_INT:
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          // Qdrant's integers are i64; a larger one can only be kept approximately.
          return Value.newBuilder().setDoubleValue(parser.getDoubleValue()).build();
        }
        return Value.newBuilder().setIntegerValue(parser.getLongValue()).build();
      case VALUE_NUMBER_FLOAT:
        return Value.newBuilder().setDoubleValue(parser.getDoubleValue()).build();
      case VALUE_TRUE:
        return Value.newBuilder().setBoolValue(true).build();
      case VALUE_FALSE:
        return Value.newBuilder().setBoolValue(false).build();
      case VALUE_NULL:
        return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
      case START_ARRAY: {
        List<Value> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(readValue(parser));
        }
        return Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(items)).build();
      }
      case START_OBJECT:
        return Value.newBuilder().setStructValue(readObject(parser)).build();
      default:
        throw new IllegalArgumentException("unexpected JSON token " + t);
    }
  }
}
