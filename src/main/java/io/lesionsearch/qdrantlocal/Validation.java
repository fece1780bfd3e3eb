package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import java.util.ArrayList;
import java.util.List;

/**
 * Qdrant's request validation, which runs before anything else on the server (before the collection
 * is looked up and before the API key's access is checked): the rules that lib/api/build.rs
 * attaches to the gRPC messages and lib/api/src/grpc/validate.rs adds, worded as
 * lib/collection/src/operations/validation.rs describes them. Every failure of one request is
 * reported in one INVALID_ARGUMENT, "Validation error in body: [a: ...; b: ...]" (Qdrant lists them
 * in hash order; here they come in field order).
 */
final class Validation {
  /** Characters no collection name may contain (common::validation INVALID_NAME_CHARS). */
  private static final char[] INVALID_NAME_CHARS = {
    '<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\u001F'
  };

  /** What existing-collection requests refuse (validate_collection_name_legacy). */
  private static final char[] LEGACY_INVALID_NAME_CHARS = {'/', '\0'};

  private final List<String> errors = new ArrayList<>();

  /** A collection name in a request about an existing collection (length 1-255, legacy chars). */
  Validation collectionName(String field, String name) {
    length(field, name, 1, 255);
    invalidChars(field, name, LEGACY_INVALID_NAME_CHARS);
    return this;
  }

  /** The name of a collection to create: length 1-255 and no filesystem-unsafe character. */
  Validation newCollectionName(String field, String name) {
    length(field, name, 1, 255);
    invalidChars(field, name, INVALID_NAME_CHARS);
    return this;
  }

  private void length(String field, String value, int min, int max) {
    // The validator crate counts characters (Unicode scalar values), not UTF-16 units.
    int n = value.codePointCount(0, value.length());
    if (n < min || n > max) {
      add(
          field,
          "value "
              + jsonString(value)
              + " invalid, must be from "
              + min
              + " to "
              + max
              + " characters");
    }
  }

  /** A string that must not be empty (length(min = 1)). */
  Validation notEmpty(String field, String value) {
    if (value.isEmpty()) {
      add(field, "value \"\" invalid, must be at least 1 characters");
    }
    return this;
  }

  private void invalidChars(String field, String name, char[] invalid) {
    // Qdrant names the first character of its list that occurs, not the first in the name.
    for (char c : invalid) {
      if (name.indexOf(c) >= 0) {
        add(field, "collection name cannot contain \"" + c + "\" char");
        return;
      }
    }
  }

  /** range(min = 1) on an unsigned field present in the request (limit, timeout). */
  Validation atLeastOne(String field, boolean present, long value) {
    if (present && value == 0) {
      add(field, "value 0 invalid, must be 1 or larger");
    }
    return this;
  }

  /** range(min = from, max = to) on a size. */
  Validation range(String field, long value, long from, long to) {
    if (value < from || value > to) {
      add(field, "value " + value + " invalid, must be from " + from + " to " + to);
    }
    return this;
  }

  /**
   * A filter's conditions, recursively: a field condition needs at least one of match, range, geo,
   * values_count, is_empty or is_null (validate.rs, Validate for grpc::FieldCondition). The paths
   * are the validator's: a Condition's one-of is {@code condition_one_of}, a nested condition's
   * filter {@code condition_one_of.filter}.
   */
  Validation filter(String path, boolean present, Filter f) {
    if (present) {
      filter(path, f);
    }
    return this;
  }

  private void filter(String path, Filter f) {
    conditions(path + ".should", f.getShouldList());
    conditions(path + ".must", f.getMustList());
    conditions(path + ".must_not", f.getMustNotList());
    if (f.hasMinShould()) {
      conditions(path + ".min_should.conditions", f.getMinShould().getConditionsList());
    }
  }

  private void conditions(String path, List<Condition> list) {
    for (int i = 0; i < list.size(); i++) {
      Condition c = list.get(i);
      String at = path + "[" + i + "].condition_one_of";
      switch (c.getConditionOneOfCase()) {
        case FIELD:
          if (keyOnly(c.getField())) {
            // A ValidationError without a message is shown as "Validation error: CODE [PARAMS]".
            add(
                at + ".match",
                "Validation error: At least one field condition must be specified" + " [{}]");
          }
          break;
        case FILTER:
          filter(at, c.getFilter());
          break;
        case NESTED:
          if (c.getNested().hasFilter()) {
            filter(at + ".filter", c.getNested().getFilter());
          }
          break;
        default:
          break;
      }
    }
  }

  /** A field condition with only a key; Qdrant's checker finds it false for every point. */
  static boolean keyOnly(FieldCondition fc) {
    return !fc.hasMatch()
        && !fc.hasRange()
        && !fc.hasDatetimeRange()
        && !fc.hasGeoBoundingBox()
        && !fc.hasGeoRadius()
        && !fc.hasGeoPolygon()
        && !fc.hasValuesCount()
        && !fc.hasIsEmpty()
        && !fc.hasIsNull();
  }

  Validation add(String field, String problem) {
    errors.add(field + ": " + problem);
    return this;
  }

  boolean ok() {
    return errors.isEmpty();
  }

  /** Throws the one INVALID_ARGUMENT that lists every failure, if there is any. */
  void check() {
    if (!errors.isEmpty()) {
      throw Errors.invalidArgument("Validation error in body: [" + String.join("; ", errors) + "]");
    }
  }

  /** A string as serde_json writes it, which is how the validator shows a rejected value. */
  static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        case '\b':
          b.append("\\b");
          break;
        case '\f':
          b.append("\\f");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }
}
