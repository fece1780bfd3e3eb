package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a Qdrant filter into a {@link PointPredicate}, reproducing
 * lib/segment/src/payload_storage/query_checker.rs and condition_checker.rs and the gRPC conversion
 * in lib/api/src/grpc/conversions.rs. Compiling once per request keeps the per-point work to map
 * lookups and comparisons, and lets malformed or unsupported conditions fail the request before any
 * point is read.
 */
final class FilterEvaluator {
  private FilterEvaluator() {}

  /**
   * The filter as a predicate. Conversion errors (an invalid key path, a malformed match, an
   * unsupported condition) are thrown here; the request validation Qdrant runs first (a field
   * condition with only a key) is {@link Validation#filter}'s, not this method's: a request Qdrant
   * does not validate (Delete by filter) keeps such a condition, which matches no point.
   */
  static PointPredicate compile(Filter filter) {
    return compile(filter, true);
  }

  /**
   * @param optimized whether Qdrant evaluates this filter through its optimised filter (a request's
   *     filter, and filters in it as conditions), which drops a min_should without conditions;
   *     inside a nested condition it checks filters directly, where such a min_should matches
   *     nothing (lib/segment/src/index/struct_payload_index/read_view/optimizer.rs,
   *     payload_storage/query_checker.rs)
   */
  private static PointPredicate compile(Filter filter, boolean optimized) {
    // gRPC drops conditions with no type; an empty list then counts as absent (true).
    List<PointPredicate> should = conditions(filter.getShouldList(), optimized);
    List<PointPredicate> must = conditions(filter.getMustList(), optimized);
    List<PointPredicate> mustNot = conditions(filter.getMustNotList(), optimized);
    final List<PointPredicate> minShould;
    final long minCount;
    List<PointPredicate> minShouldConditions =
        filter.hasMinShould()
            ? conditions(filter.getMinShould().getConditionsList(), optimized)
            : List.of();
    if (filter.hasMinShould() && !(optimized && minShouldConditions.isEmpty())) {
      minShould = minShouldConditions;
      minCount = filter.getMinShould().getMinCount();
    } else {
      minShould = null;
      minCount = 0;
    }
    PointPredicate[] shouldArr = should.toArray(new PointPredicate[0]);
    PointPredicate[] mustArr = must.toArray(new PointPredicate[0]);
    PointPredicate[] mustNotArr = mustNot.toArray(new PointPredicate[0]);
    PointPredicate[] minArr = minShould == null ? null : minShould.toArray(new PointPredicate[0]);
    if (shouldArr.length == 0 && mustNotArr.length == 0 && minArr == null && mustArr.length == 1) {
      return mustArr[0];
    }
    return new FilterNode(shouldArr, minArr, minCount, mustArr, mustNotArr);
  }

  /** should AND min_should AND must AND NOT must_not, as query_checker.rs check_filter. */
  private static final class FilterNode implements PointPredicate {
    private final PointPredicate[] should;
    private final PointPredicate[] minShould; // null when absent
    private final long minCount;
    private final PointPredicate[] must;
    private final PointPredicate[] mustNot;

    FilterNode(
        PointPredicate[] should,
        PointPredicate[] minShould,
        long minCount,
        PointPredicate[] must,
        PointPredicate[] mustNot) {
      this.should = should;
      this.minShould = minShould;
      this.minCount = minCount;
      this.must = must;
      this.mustNot = mustNot;
    }

    @Override
    public boolean test(PointKey id, Map<String, Value> payload) {
      return bind(new PointSource() {
            @Override
            public PointKey id(int slot) {
              return id;
            }

            @Override
            public Map<String, Value> payload(int slot) {
              return payload;
            }

            @Override
            public KeywordColumn keywordColumn(String topLevelKey) {
              return null;
            }

            @Override
            public NumberColumn numberColumn(String topLevelKey) {
              return null;
            }
          })
          .test(0);
    }

    @Override
    public SlotTest bind(PointSource source) {
      SlotTest[] sh = bindAll(should, source);
      SlotTest[] ms = minShould == null ? null : bindAll(minShould, source);
      SlotTest[] mu = bindAll(must, source);
      SlotTest[] mn = bindAll(mustNot, source);
      long min = minCount;
      return slot -> {
        if (sh.length > 0) {
          boolean any = false;
          for (SlotTest t : sh) {
            if (t.test(slot)) {
              any = true;
              break;
            }
          }
          if (!any) {
            return false;
          }
        }
        if (ms != null) {
          long passed = 0;
          for (SlotTest t : ms) {
            if (passed >= min) {
              break;
            }
            if (t.test(slot)) {
              passed++;
            }
          }
          if (passed < min) {
            return false;
          }
        }
        for (SlotTest t : mu) {
          if (!t.test(slot)) {
            return false;
          }
        }
        for (SlotTest t : mn) {
          if (t.test(slot)) {
            return false;
          }
        }
        return true;
      };
    }

    private static SlotTest[] bindAll(PointPredicate[] ps, PointSource source) {
      SlotTest[] out = new SlotTest[ps.length];
      for (int i = 0; i < ps.length; i++) {
        out[i] = ps[i].bind(source);
      }
      return out;
    }
  }

  private static List<PointPredicate> conditions(List<Condition> list, boolean optimized) {
    List<PointPredicate> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      PointPredicate p = condition(list.get(i), optimized);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  private static PointPredicate condition(Condition c, boolean optimized) {
    switch (c.getConditionOneOfCase()) {
      case FIELD:
        return field(c.getField());
      case IS_EMPTY:
        {
          KeyPath path = KeyPath.parse(c.getIsEmpty().getKey());
          return (id, payload) -> {
            for (Value v : path.get(payload)) {
              if (!isNullOrEmptyList(v)) {
                return false;
              }
            }
            return true;
          };
        }
      case IS_NULL:
        {
          KeyPath path = KeyPath.parse(c.getIsNull().getKey());
          return (id, payload) -> {
            for (Value v : path.get(payload)) {
              if (v.getKindCase() == Value.KindCase.NULL_VALUE) {
                return true;
              }
            }
            return false;
          };
        }
      case HAS_ID:
        {
          Set<PointKey> ids = new HashSet<>();
          for (PointId id : c.getHasId().getHasIdList()) {
            ids.add(PointKey.fromProto(id));
          }
          return (id, payload) -> id != null && ids.contains(id);
        }
      case FILTER:
        return compile(c.getFilter(), optimized);
      case NESTED:
        {
          if (!c.getNested().hasFilter()) {
            throw Errors.invalidArgument("Nested condition must have a filter");
          }
          KeyPath path = KeyPath.parse(c.getNested().getKey()).arrayKey();
          PointPredicate inner = compile(c.getNested().getFilter(), false);
          // Ids and vectors are not visible inside a nested object, as in Qdrant.
          return (id, payload) -> {
            for (Value v : path.get(payload)) {
              if (v.getKindCase() == Value.KindCase.STRUCT_VALUE
                  && inner.test(null, v.getStructValue().getFieldsMap())) {
                return true;
              }
            }
            return false;
          };
        }
      case HAS_VECTOR:
        {
          // The only vector a qdrant-local collection has is the unnamed one, and every point
          // carries it; any other name is a vector the collection does not have.
          boolean has = c.getHasVector().getHasVector().isEmpty();
          return (id, payload) -> id != null && has;
        }
      case CONDITIONONEOF_NOT_SET:
        return null;
      default:
        throw Errors.unsupported("the filter condition " + c.getConditionOneOfCase());
    }
  }

  private static boolean isNullOrEmptyList(Value v) {
    switch (v.getKindCase()) {
      case NULL_VALUE:
        return true;
      case LIST_VALUE:
        return v.getListValue().getValuesCount() == 0;
      default:
        return false;
    }
  }

  /** A check of one (non-array) value against a match or range. */
  @FunctionalInterface
  private interface ValueCheck {
    boolean matches(Value v);
  }

  private static PointPredicate field(FieldCondition fc) {
    if (Validation.keyOnly(fc)) {
      // Where Qdrant lets it through (Delete by filter), FieldCondition::check and check_empty
      // are false for a condition without any check, whatever the point holds; the key path is
      // still converted first, so a bad one fails as on Qdrant.
      KeyPath.parse(fc.getKey());
      return (id, payload) -> false;
    }
    if (fc.hasGeoBoundingBox() || fc.hasGeoRadius() || fc.hasGeoPolygon()) {
      throw Errors.unsupported("geo conditions (key '" + fc.getKey() + "')");
    }
    if (fc.hasDatetimeRange()) {
      throw Errors.unsupported("datetime_range conditions (key '" + fc.getKey() + "')");
    }
    KeyPath path = KeyPath.parse(fc.getKey());
    final ValueCheck valuesCount = fc.hasValuesCount() ? valuesCount(fc.getValuesCount()) : null;
    List<ValueCheck> checks = new ArrayList<>(2);
    if (fc.hasMatch()) {
      checks.add(match(fc.getMatch()));
    }
    if (fc.hasRange()) {
      checks.add(range(fc.getRange()));
    }
    final Boolean isEmpty = fc.hasIsEmpty() ? fc.getIsEmpty() : null;
    final Boolean isNull = fc.hasIsNull() ? fc.getIsNull() : null;
    ValueCheck[] arr = checks.toArray(new ValueCheck[0]);

    // Qdrant's FieldCondition::check: values_count, then is_empty, then is_null take precedence
    // over match/range; otherwise an array is expanded one level and matches when any element does.
    ValueCheck onValue =
        v -> {
          if (valuesCount != null) {
            return valuesCount.matches(v);
          }
          if (isEmpty != null) {
            return checkIsEmpty(isEmpty, v);
          }
          if (isNull != null) {
            return checkIsNull(isNull, v);
          }
          if (v.getKindCase() == Value.KindCase.LIST_VALUE) {
            for (Value item : v.getListValue().getValuesList()) {
              for (ValueCheck c : arr) {
                if (c.matches(item)) {
                  return true;
                }
              }
            }
            return false;
          }
          for (ValueCheck c : arr) {
            if (c.matches(v)) {
              return true;
            }
          }
          return false;
        };
    // A missing key: only is_empty/is_null can be satisfied (FieldCondition::check_empty in Qdrant;
    // not values_count, whose own check_empty FieldCondition does not consult).
    final boolean whenMissing = isEmpty != null ? isEmpty : isNull != null ? !isNull : false;

    PointPredicate generic;
    if (path.rest.isEmpty()) {
      String key = path.first;
      generic =
          (id, payload) -> {
            Value v = payload.get(key);
            return v == null ? whenMissing : onValue.matches(v);
          };
    } else {
      generic =
          (id, payload) -> {
            List<Value> values = path.get(payload);
            if (values.isEmpty()) {
              return whenMissing;
            }
            for (Value v : values) {
              if (onValue.matches(v)) {
                return true;
              }
            }
            return false;
          };
    }
    boolean columnar =
        path.rest.isEmpty() && isEmpty == null && isNull == null && valuesCount == null;
    if (columnar && fc.hasRange() && !fc.hasMatch()) {
      return new RangeNode(path.first, new RangeBounds(fc.getRange()), generic);
    }
    if (columnar && fc.hasMatch() && !fc.hasRange()) {
      switch (fc.getMatch().getMatchValueCase()) {
        case KEYWORD:
          return new KeywordNode(path.first, List.of(fc.getMatch().getKeyword()), false, generic);
        case KEYWORDS:
          return new KeywordNode(
              path.first, fc.getMatch().getKeywords().getStringsList(), false, generic);
        case EXCEPT_KEYWORDS:
          return new KeywordNode(
              path.first, fc.getMatch().getExceptKeywords().getStringsList(), true, generic);
        default:
          break;
      }
    }
    return generic;
  }

  /**
   * A condition on a top-level key, answered from one of the collection's columns where the scan
   * has them; values the column does not hold, and points tested one at a time, take the generic
   * check, so both paths give the same answer.
   */
  private abstract static class ColumnNode implements PointPredicate {
    final String key;
    private final PointPredicate generic;

    ColumnNode(String key, PointPredicate generic) {
      this.key = key;
      this.generic = generic;
    }

    @Override
    public final boolean test(PointKey id, Map<String, Value> payload) {
      return generic.test(id, payload);
    }

    @Override
    public final SlotTest bind(PointSource source) {
      SlotTest byColumn = bindColumn(source);
      return byColumn != null ? byColumn : PointPredicate.super.bind(source);
    }

    /** The test reading the column, or null when the source has none. */
    abstract SlotTest bindColumn(PointSource source);

    final boolean generic(PointSource source, int slot) {
      return generic.test(source.id(slot), source.payload(slot));
    }
  }

  /** A keyword match (value, any or except), from the {@link KeywordColumn} for plain strings. */
  private static final class KeywordNode extends ColumnNode {
    private final List<String> strings;
    private final boolean except;

    KeywordNode(String key, List<String> strings, boolean except, PointPredicate generic) {
      super(key, generic);
      this.strings = strings;
      this.except = except;
    }

    @Override
    SlotTest bindColumn(PointSource source) {
      KeywordColumn column = source.keywordColumn(key);
      if (column == null) {
        return null;
      }
      int[] codes = column.codes();
      java.util.BitSet listed = new java.util.BitSet(column.dictionarySize());
      for (String s : strings) {
        int code = column.codeOf(s);
        if (code >= 0) {
          listed.set(code);
        }
      }
      boolean exc = except;
      // A missing key fails every match, MatchExcept included.
      return slot -> {
        int c = codes[slot];
        if (c >= 0) {
          return listed.get(c) != exc;
        }
        return c != KeywordColumn.MISSING && generic(source, slot);
      };
    }
  }

  /** A range, from the {@link NumberColumn} for plain numbers. */
  private static final class RangeNode extends ColumnNode {
    private final RangeBounds bounds;

    RangeNode(String key, RangeBounds bounds, PointPredicate generic) {
      super(key, generic);
      this.bounds = bounds;
    }

    @Override
    SlotTest bindColumn(PointSource source) {
      NumberColumn column = source.numberColumn(key);
      if (column == null) {
        return null;
      }
      double[] values = column.values();
      byte[] kinds = column.kinds();
      RangeBounds b = bounds;
      // A missing key fails a range (there is no is_empty or is_null beside it).
      return slot -> {
        byte kind = kinds[slot];
        if (kind == NumberColumn.NUMBER) {
          return b.contains(values[slot]);
        }
        return kind != NumberColumn.MISSING && generic(source, slot);
      };
    }
  }

  private static boolean checkIsEmpty(boolean isEmpty, Value v) {
    switch (v.getKindCase()) {
      case NULL_VALUE:
        return isEmpty;
      case LIST_VALUE:
        return (v.getListValue().getValuesCount() == 0) == isEmpty;
      default:
        return !isEmpty;
    }
  }

  private static boolean checkIsNull(boolean isNull, Value v) {
    switch (v.getKindCase()) {
      case NULL_VALUE:
        return isNull;
      case LIST_VALUE:
        {
          boolean anyNull = false;
          for (Value item : v.getListValue().getValuesList()) {
            if (item.getKindCase() == Value.KindCase.NULL_VALUE) {
              anyNull = true;
              break;
            }
          }
          return anyNull == isNull;
        }
      default:
        return !isNull;
    }
  }

  private static ValueCheck match(Match m) {
    switch (m.getMatchValueCase()) {
      case KEYWORD:
        {
          String want = m.getKeyword();
          return v ->
              v.getKindCase() == Value.KindCase.STRING_VALUE && want.equals(v.getStringValue());
        }
      case INTEGER:
        {
          long want = m.getInteger();
          // A stored double never matches an integer, even 10.0 (serde's as_i64 is None).
          return v ->
              v.getKindCase() == Value.KindCase.INTEGER_VALUE && v.getIntegerValue() == want;
        }
      case BOOLEAN:
        {
          boolean want = m.getBoolean();
          return v -> v.getKindCase() == Value.KindCase.BOOL_VALUE && v.getBoolValue() == want;
        }
      case KEYWORDS:
        {
          Set<String> any = new HashSet<>(m.getKeywords().getStringsList());
          return v ->
              v.getKindCase() == Value.KindCase.STRING_VALUE && any.contains(v.getStringValue());
        }
      case INTEGERS:
        {
          Set<Long> any = new HashSet<>(m.getIntegers().getIntegersList());
          return v ->
              v.getKindCase() == Value.KindCase.INTEGER_VALUE && any.contains(v.getIntegerValue());
        }
      case EXCEPT_KEYWORDS:
        {
          Set<String> except = new HashSet<>(m.getExceptKeywords().getStringsList());
          return v -> {
            switch (v.getKindCase()) {
              case STRING_VALUE:
                return !except.contains(v.getStringValue());
              case NULL_VALUE:
                return false;
              default:
                return true; // a value of another type is not in the except list
            }
          };
        }
      case EXCEPT_INTEGERS:
        {
          Set<Long> except = new HashSet<>(m.getExceptIntegers().getIntegersList());
          return v -> {
            switch (v.getKindCase()) {
              case INTEGER_VALUE:
                return !except.contains(v.getIntegerValue());
              case NULL_VALUE:
                return false;
              default:
                return true;
            }
          };
        }
      case TEXT:
      case PHRASE:
        {
          // Without a full-text index Qdrant matches a substring (condition_checker.rs), case
          // and all; with one it matches tokens, which PointsService refuses (textMatchKeys).
          String want =
              m.getMatchValueCase() == Match.MatchValueCase.TEXT ? m.getText() : m.getPhrase();
          return v ->
              v.getKindCase() == Value.KindCase.STRING_VALUE && v.getStringValue().contains(want);
        }
      case TEXT_ANY:
        {
          // str::split_whitespace: Unicode white space, no empty tokens; none matches nothing.
          List<String> tokens = new ArrayList<>();
          for (String t : WHITE_SPACE.split(m.getTextAny(), -1)) {
            if (!t.isEmpty()) {
              tokens.add(t);
            }
          }
          return v -> {
            if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
              return false;
            }
            for (String t : tokens) {
              if (v.getStringValue().contains(t)) {
                return true;
              }
            }
            return false;
          };
        }
      case MATCHVALUE_NOT_SET:
        throw Errors.invalidArgument("Malformed Match condition");
      default:
        throw Errors.unsupported("the match condition " + m.getMatchValueCase());
    }
  }

  private static final java.util.regex.Pattern WHITE_SPACE =
      java.util.regex.Pattern.compile("\\p{IsWhite_Space}+");

  /**
   * ValuesCount::check_count_from: null counts 0, an array its length (not expanded), any other
   * value 1.
   */
  private static ValueCheck valuesCount(ValuesCount c) {
    final boolean hasLt = c.hasLt();
    final boolean hasGt = c.hasGt();
    final boolean hasLte = c.hasLte();
    final boolean hasGte = c.hasGte();
    final long lt = c.getLt();
    final long gt = c.getGt();
    final long lte = c.getLte();
    final long gte = c.getGte();
    return v -> {
      long n;
      switch (v.getKindCase()) {
        case NULL_VALUE:
          n = 0;
          break;
        case LIST_VALUE:
          n = v.getListValue().getValuesCount();
          break;
        default:
          n = 1;
      }
      // Unsigned on the wire (uint64); counts are small, so a "negative" bound is huge.
      return (!hasLt || Long.compareUnsigned(n, lt) < 0)
          && (!hasGt || Long.compareUnsigned(n, gt) > 0)
          && (!hasLte || Long.compareUnsigned(n, lte) <= 0)
          && (!hasGte || Long.compareUnsigned(n, gte) >= 0);
    };
  }

  /**
   * The full key of every full-text match (text, phrase, text_any) in the filter, a nested
   * condition's inner keys under {@code key[].}: the keys whose answers a text index would change.
   */
  static Set<String> textMatchKeys(Filter f) {
    Set<String> out = new HashSet<>();
    textMatchKeys(f, "", out);
    return out;
  }

  private static void textMatchKeys(Filter f, String prefix, Set<String> out) {
    List<Condition> all = new ArrayList<>(f.getShouldList());
    all.addAll(f.getMustList());
    all.addAll(f.getMustNotList());
    all.addAll(f.getMinShould().getConditionsList());
    for (Condition c : all) {
      switch (c.getConditionOneOfCase()) {
        case FIELD:
          if (c.getField().hasMatch()) {
            switch (c.getField().getMatch().getMatchValueCase()) {
              case TEXT:
              case PHRASE:
              case TEXT_ANY:
                out.add(prefix + c.getField().getKey());
                break;
              default:
                break;
            }
          }
          break;
        case FILTER:
          textMatchKeys(c.getFilter(), prefix, out);
          break;
        case NESTED:
          {
            String key = prefix + c.getNested().getKey();
            textMatchKeys(
                c.getNested().getFilter(), key.endsWith("[]") ? key + "." : key + "[].", out);
            break;
          }
        default:
          break;
      }
    }
  }

  private static ValueCheck range(Range r) {
    RangeBounds bounds = new RangeBounds(r);
    return v -> {
      switch (v.getKindCase()) {
        case INTEGER_VALUE:
          return bounds.contains((double) v.getIntegerValue());
        case DOUBLE_VALUE:
          return bounds.contains(v.getDoubleValue());
        default:
          return false;
      }
    };
  }

  /** A range's bounds, shared by the payload check and the column check so both decide alike. */
  private static final class RangeBounds {
    private final boolean hasLt;
    private final boolean hasGt;
    private final boolean hasLte;
    private final boolean hasGte;
    private final double lt;
    private final double gt;
    private final double lte;
    private final double gte;

    RangeBounds(Range r) {
      hasLt = r.hasLt();
      hasGt = r.hasGt();
      hasLte = r.hasLte();
      hasGte = r.hasGte();
      lt = r.getLt();
      gt = r.getGt();
      lte = r.getLte();
      gte = r.getGte();
    }

    boolean contains(double x) {
      return (!hasLt || x < lt)
          && (!hasGt || x > gt)
          && (!hasLte || x <= lte)
          && (!hasGte || x >= gte);
    }
  }
}
