package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Payload values as Qdrant stores them after its proto-to-JSON conversion
 * (lib/api/src/conversions/json.rs): a value with no kind becomes null and a non-finite double is
 * refused (JSON has no NaN). Integers and doubles stay distinct, which the integer match relies on.
 * Most payloads need no change, so they are only rebuilt when one does.
 */
public final class PayloadValues {
  private static final Value NULL = Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();

  private PayloadValues() {}

  static Map<String, Value> normalize(Map<String, Value> payload) {
    boolean clean = true;
    for (Value v : payload.values()) {
      if (!isClean(v)) {
        clean = false;
        break;
      }
    }
    if (clean) {
      return payload;
    }
    Map<String, Value> out = new LinkedHashMap<>();
    for (Map.Entry<String, Value> e : payload.entrySet()) {
      out.put(e.getKey(), fix(e.getValue()));
    }
    return out;
  }

  private static boolean isClean(Value v) {
    switch (v.getKindCase()) {
      case KIND_NOT_SET:
        return false;
      case DOUBLE_VALUE:
        if (!Double.isFinite(v.getDoubleValue())) {
          throw Errors.invalidArgument("cannot convert to json number");
        }
        return true;
      case LIST_VALUE:
        for (Value item : v.getListValue().getValuesList()) {
          if (!isClean(item)) {
            return false;
          }
        }
        return true;
      case STRUCT_VALUE:
        for (Value item : v.getStructValue().getFieldsMap().values()) {
          if (!isClean(item)) {
            return false;
          }
        }
        return true;
      default:
        return true;
    }
  }

  private static Value fix(Value v) {
    switch (v.getKindCase()) {
      case KIND_NOT_SET:
        return NULL;
      case LIST_VALUE:
        {
          ListValue.Builder b = ListValue.newBuilder();
          for (Value item : v.getListValue().getValuesList()) {
            b.addValues(fix(item));
          }
          return Value.newBuilder().setListValue(b).build();
        }
      case STRUCT_VALUE:
        {
          Struct.Builder b = Struct.newBuilder();
          for (Map.Entry<String, Value> e : v.getStructValue().getFieldsMap().entrySet()) {
            b.putFields(e.getKey(), fix(e.getValue()));
          }
          return Value.newBuilder().setStructValue(b).build();
        }
      default:
        return v;
    }
  }

  /** A rough heap size of a payload, for the benchmark's memory report. */
  public static long estimateBytes(Map<String, Value> payload) {
    long bytes = 48;
    for (Map.Entry<String, Value> e : payload.entrySet()) {
      bytes += 40 + 2L * e.getKey().length() + estimateBytes(e.getValue());
    }
    return bytes;
  }

  private static long estimateBytes(Value v) {
    switch (v.getKindCase()) {
      case STRING_VALUE:
        return 40L + 56 + v.getStringValue().length();
      case LIST_VALUE:
        {
          long b = 64;
          for (Value item : v.getListValue().getValuesList()) {
            b += 8 + estimateBytes(item);
          }
          return b;
        }
      case STRUCT_VALUE:
        return 40 + estimateBytes(v.getStructValue().getFieldsMap());
      default:
        return 32;
    }
  }
}
