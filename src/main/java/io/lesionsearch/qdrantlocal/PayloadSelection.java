package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What part of a payload a call returns. Include and exclude patterns are compared with the path of
 * every value while the payload is walked, as Qdrant's {@code PayloadSelector::process} does:
 * include keeps a value when the pattern and the path are prefixes of one another (so {@code
 * a.b[].c} keeps {@code a}, {@code a.b}, its elements and their {@code c}); exclude drops a value
 * when the pattern is a prefix of its path.
 */
final class PayloadSelection {
  static final PayloadSelection NONE = new PayloadSelection(Mode.NONE, List.of());
  static final PayloadSelection ALL = new PayloadSelection(Mode.ALL, List.of());

  private enum Mode {
    NONE,
    ALL,
    INCLUDE,
    EXCLUDE
  }

  private final Mode mode;
  private final List<KeyPath> patterns;

  private PayloadSelection(Mode mode, List<KeyPath> patterns) {
    this.mode = mode;
    this.patterns = patterns;
  }

  /**
   * @param present whether the request carried the selector at all
   * @param defaultAll what the RPC returns without one: Scroll returns payload, Search/Query/Get do
   *     not
   */
  static PayloadSelection of(boolean present, WithPayloadSelector selector, boolean defaultAll) {
    if (!present) {
      return defaultAll ? ALL : NONE;
    }
    switch (selector.getSelectorOptionsCase()) {
      case ENABLE:
        return selector.getEnable() ? ALL : NONE;
      case INCLUDE:
        return new PayloadSelection(Mode.INCLUDE, parse(selector.getInclude().getFieldsList()));
      case EXCLUDE:
        return new PayloadSelection(Mode.EXCLUDE, parse(selector.getExclude().getFieldsList()));
      default:
        return defaultAll ? ALL : NONE;
    }
  }

  private static List<KeyPath> parse(List<String> fields) {
    List<KeyPath> out = new ArrayList<>(fields.size());
    for (String f : fields) {
      out.add(KeyPath.parse(f));
    }
    return out;
  }

  boolean isNone() {
    return mode == Mode.NONE;
  }

  Map<String, Value> apply(Map<String, Value> payload) {
    switch (mode) {
      case NONE:
        return Collections.emptyMap();
      case ALL:
        return payload;
      default:
        Map<String, Value> out = new LinkedHashMap<>();
        List<KeyPath.Step> walked = new ArrayList<>();
        for (Map.Entry<String, Value> e : payload.entrySet()) {
          if (keep(e.getKey(), walked)) {
            out.put(e.getKey(), filter(e.getKey(), walked, e.getValue()));
          }
        }
        return Collections.unmodifiableMap(out);
    }
  }

  private Value filter(String first, List<KeyPath.Step> walked, Value v) {
    switch (v.getKindCase()) {
      case LIST_VALUE:
        {
          ListValue.Builder list = ListValue.newBuilder();
          walked.add(KeyPath.Step.WILDCARD);
          if (keep(first, walked)) {
            for (Value item : v.getListValue().getValuesList()) {
              list.addValues(filter(first, walked, item));
            }
          }
          walked.remove(walked.size() - 1);
          return Value.newBuilder().setListValue(list).build();
        }
      case STRUCT_VALUE:
        {
          Struct.Builder struct = Struct.newBuilder();
          for (Map.Entry<String, Value> e : v.getStructValue().getFieldsMap().entrySet()) {
            walked.add(KeyPath.Step.key(e.getKey()));
            if (keep(first, walked)) {
              struct.putFields(e.getKey(), filter(first, walked, e.getValue()));
            }
            walked.remove(walked.size() - 1);
          }
          return Value.newBuilder().setStructValue(struct).build();
        }
      default:
        return v;
    }
  }

  private boolean keep(String first, List<KeyPath.Step> walked) {
    if (mode == Mode.INCLUDE) {
      for (KeyPath p : patterns) {
        if (p.first.equals(first) && prefixEither(p.rest, walked)) {
          return true;
        }
      }
      return false;
    }
    for (KeyPath p : patterns) {
      if (p.first.equals(first) && p.rest.size() <= walked.size() && prefixEither(p.rest, walked)) {
        return false;
      }
    }
    return true;
  }

  private static boolean prefixEither(List<KeyPath.Step> a, List<KeyPath.Step> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      if (!a.get(i).sameAs(b.get(i))) {
        return false;
      }
    }
    return true;
  }
}
