package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Arrays;
import java.util.Map;

/**
 * The numbers of one top-level payload key, by slot, for range conditions. A range over the payload
 * maps cost about as much as scoring every point in the query benchmark (two hash lookups and a
 * protobuf kind switch per point); here it is one byte and one double per point. Values that are
 * not plain numbers (arrays, strings, objects, null) are marked {@link #OTHER}, so the caller falls
 * back to the payload for them and the semantics stay in one place ({@link FilterEvaluator}).
 */
final class NumberColumn implements PayloadColumn {
  static final byte MISSING = 0;
  static final byte NUMBER = 1;
  static final byte OTHER = 2;

  final String key;
  private double[] values;
  private byte[] kinds;

  NumberColumn(String key, int capacity) {
    this.key = key;
    int n = Math.max(16, capacity);
    this.values = new double[n];
    this.kinds = new byte[n];
  }

  @Override
  public void ensureCapacity(int capacity) {
    if (capacity > kinds.length) {
      values = Arrays.copyOf(values, capacity);
      kinds = Arrays.copyOf(kinds, capacity);
    }
  }

  @Override
  public void set(int slot, Map<String, Value> payload) {
    Value v = payload == null ? null : payload.get(key);
    if (v == null) {
      kinds[slot] = MISSING;
    } else if (v.getKindCase() == Value.KindCase.INTEGER_VALUE) {
      kinds[slot] = NUMBER;
      values[slot] = (double) v.getIntegerValue();
    } else if (v.getKindCase() == Value.KindCase.DOUBLE_VALUE) {
      kinds[slot] = NUMBER;
      values[slot] = v.getDoubleValue();
    } else {
      kinds[slot] = OTHER;
    }
  }

  /** The live value array; read an entry only where {@link #kinds()} says NUMBER. */
  double[] values() {
    return values;
  }

  /** The live kind array (MISSING, NUMBER or OTHER per slot); valid until the next write. */
  byte[] kinds() {
    return kinds;
  }
}
