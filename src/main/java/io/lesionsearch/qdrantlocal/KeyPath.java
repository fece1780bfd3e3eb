package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A payload key path in Qdrant's syntax ({@code a.b}, {@code a[].b}, {@code a[0].b}, {@code
 * "quoted.key"}), following lib/segment/src/json_path. {@code .} walks objects only, so an array on
 * the way yields nothing unless the path says {@code []} or {@code [n]}.
 */
final class KeyPath {
  /** One step after the first key. */
  static final class Step {
    final String key; // null for an index or wildcard
    final int index; // -1 for the wildcard

    private Step(String key, int index) {
      this.key = key;
      this.index = index;
    }

    static final Step WILDCARD = new Step(null, -1);

    static Step key(String key) {
      return new Step(key, -1);
    }

    boolean isKey() {
      return key != null;
    }

    boolean isWildcard() {
      return key == null && index < 0;
    }

    boolean sameAs(Step o) {
      return isKey() ? o.isKey() && key.equals(o.key) : !o.isKey() && index == o.index;
    }
  }

  final String first;
  final List<Step> rest;

  private KeyPath(String first, List<Step> rest) {
    this.first = first;
    this.rest = rest;
  }

  static KeyPath parse(String text) {
    KeyPath p = tryParse(text);
    if (p == null) {
      throw Errors.invalidArgument("Invalid json path: '" + text + "'");
    }
    return p;
  }

  private static KeyPath tryParse(String s) {
    int[] pos = {0};
    String first = s.startsWith("\"") ? quoted(s, pos) : raw(s, pos);
    if (first == null) {
      return null;
    }
    List<Step> rest = new ArrayList<>();
    while (pos[0] < s.length()) {
      char c = s.charAt(pos[0]);
      if (c == '.') {
        pos[0]++;
        String key = pos[0] < s.length() && s.charAt(pos[0]) == '"' ? quoted(s, pos) : raw(s, pos);
        if (key == null) {
          return null;
        }
        rest.add(new Step(key, -1));
      } else if (c == '[') {
        int close = s.indexOf(']', pos[0]);
        if (close < 0) {
          return null;
        }
        String inner = s.substring(pos[0] + 1, close);
        if (inner.isEmpty()) {
          rest.add(Step.WILDCARD);
        } else {
          if (!inner.chars().allMatch(Character::isDigit)) {
            return null;
          }
          try {
            rest.add(new Step(null, Integer.parseInt(inner)));
          } catch (NumberFormatException e) {
            return null;
          }
        }
        pos[0] = close + 1;
      } else {
        return null;
      }
    }
    return new KeyPath(first, List.copyOf(rest));
  }

  private static String raw(String s, int[] pos) {
    int start = pos[0];
    int i = start;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
        i++;
      } else {
        break;
      }
    }
    if (i == start) {
      return null;
    }
    pos[0] = i;
    return s.substring(start, i);
  }

  private static String quoted(String s, int[] pos) {
    int start = pos[0] + 1;
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        return null;
      }
      if (c == '"') {
        pos[0] = i + 1;
        return s.substring(start, i);
      }
    }
    return null;
  }

  /** The same path with a trailing {@code []}, as nested conditions use it. */
  KeyPath arrayKey() {
    if (!rest.isEmpty() && rest.get(rest.size() - 1).isWildcard()) {
      return this;
    }
    List<Step> r = new ArrayList<>(rest);
    r.add(Step.WILDCARD);
    return new KeyPath(first, List.copyOf(r));
  }

  /**
   * The values the path reaches. Intermediate arrays are entered only by {@code []} or {@code [n]};
   * a leaf array is returned as one value (the condition checkers expand it).
   */
  List<Value> get(Map<String, Value> payload) {
    Value top = payload.get(first);
    if (top == null) {
      return Collections.emptyList();
    }
    if (rest.isEmpty()) {
      return Collections.singletonList(top);
    }
    List<Value> out = new ArrayList<>(2);
    collect(top, 0, out);
    return Collections.unmodifiableList(out);
  }

  private void collect(Value v, int step, List<Value> out) {
    if (step == rest.size()) {
      out.add(v);
      return;
    }
    Step s = rest.get(step);
    if (s.isKey()) {
      if (v.getKindCase() == Value.KindCase.STRUCT_VALUE) {
        Value next = v.getStructValue().getFieldsMap().get(s.key);
        if (next != null) {
          collect(next, step + 1, out);
        }
      }
    } else if (v.getKindCase() == Value.KindCase.LIST_VALUE) {
      List<Value> items = v.getListValue().getValuesList();
      if (s.isWildcard()) {
        for (Value item : items) {
          collect(item, step + 1, out);
        }
      } else if (s.index < items.size()) {
        collect(items.get(s.index), step + 1, out);
      }
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(first);
    for (Step s : rest) {
      if (s.isKey()) {
        b.append('.').append(s.key);
      } else if (s.isWildcard()) {
        b.append("[]");
      } else {
        b.append('[').append(s.index).append(']');
      }
    }
    return b.toString();
  }
}
