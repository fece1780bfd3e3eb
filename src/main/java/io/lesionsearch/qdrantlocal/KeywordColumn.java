package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The string values of one top-level payload key, dictionary-encoded per slot. A keyword filter
 * over 100,000 points otherwise chases five or six pointers per point through protobuf maps and
 * strings (about 150 ns each on the development machine, more than scoring the survivors); with the
 * column it compares ints in a sequential array. Values that are not plain strings (arrays,
 * numbers, objects, null) are marked so the caller falls back to the payload for them, which keeps
 * the semantics in one place ({@link FilterEvaluator}).
 */
final class KeywordColumn implements PayloadColumn {
  static final int MISSING = -1;
  static final int OTHER = -2;

  /** The code of a string no point has. */
  static final int ABSENT = -3;

  final String key;
  private final Map<String, Integer> dictionary = new HashMap<>();
  private int[] codes;

  KeywordColumn(String key, int capacity) {
    this.key = key;
    this.codes = new int[Math.max(16, capacity)];
    Arrays.fill(codes, MISSING);
  }

  @Override
  public void ensureCapacity(int capacity) {
    if (capacity > codes.length) {
      int old = codes.length;
      codes = Arrays.copyOf(codes, capacity);
      Arrays.fill(codes, old, capacity, MISSING);
    }
  }

  @Override
  public void set(int slot, Map<String, Value> payload) {
    Value v = payload == null ? null : payload.get(key);
    if (v == null) {
      codes[slot] = MISSING;
    } else if (v.getKindCase() == Value.KindCase.STRING_VALUE) {
      String s = v.getStringValue();
      Integer code = dictionary.get(s);
      if (code == null) {
        code = dictionary.size();
        dictionary.put(s, code);
      }
      codes[slot] = code;
    } else {
      codes[slot] = OTHER;
    }
  }

  int codeOf(String s) {
    Integer code = dictionary.get(s);
    return code == null ? ABSENT : code;
  }

  int dictionarySize() {
    return dictionary.size();
  }

  /** The live code array; valid until the next write. */
  int[] codes() {
    return codes;
  }
}
