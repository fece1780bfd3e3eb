package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Map;

/**
 * Which payload values a Qdrant payload index of each type takes (ValueIndexer::get_value in
 * lib/segment/src/index/field_index/*), so that CollectionInfo can report an index's point count as
 * Qdrant does: the points holding at least one value the index takes at its key, a leaf array
 * expanded one level (ValueIndexer::get_values).
 */
final class IndexedValues {
  private IndexedValues() {}

  /** The points among these payloads that an index of this type on this key would hold. */
  static long count(String key, PayloadSchemaType type, Iterable<Map<String, Value>> payloads) {
    KeyPath path = KeyPath.parse(key);
    long n = 0;
    for (Map<String, Value> payload : payloads) {
      if (holds(path.get(payload), type)) {
        n++;
      }
    }
    return n;
  }

  private static boolean holds(List<Value> values, PayloadSchemaType type) {
    for (Value v : values) {
      if (v.getKindCase() == Value.KindCase.LIST_VALUE) {
        for (Value item : v.getListValue().getValuesList()) {
          if (takes(type, item)) {
            return true;
          }
        }
      } else if (takes(type, v)) {
        return true;
      }
    }
    return false;
  }

  static boolean takes(PayloadSchemaType type, Value v) {
    switch (type) {
      case Keyword:
      case Text:
        return v.getKindCase() == Value.KindCase.STRING_VALUE;
      case Integer:
        // utils.rs value_to_integer: an integer, or a double with no fraction that fits an i64.
        if (v.getKindCase() == Value.KindCase.INTEGER_VALUE) {
          return true;
        }
        if (v.getKindCase() == Value.KindCase.DOUBLE_VALUE) {
          double d = v.getDoubleValue();
          return (double) (long) d == d;
        }
        return false;
      case Float:
        return v.getKindCase() == Value.KindCase.INTEGER_VALUE
            || v.getKindCase() == Value.KindCase.DOUBLE_VALUE;
      case Bool:
        return v.getKindCase() == Value.KindCase.BOOL_VALUE;
      case Uuid:
        if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
          return false;
        }
        try {
          PointKey.parseUuid(v.getStringValue());
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      case Datetime:
        return v.getKindCase() == Value.KindCase.STRING_VALUE && isDatetime(v.getStringValue());
      case Geo:
        {
          if (v.getKindCase() != Value.KindCase.STRUCT_VALUE) {
            return false;
          }
          Map<String, Value> o = v.getStructValue().getFieldsMap();
          Double lon = number(o.get("lon"));
          Double lat = number(o.get("lat"));
          // GeoPoint::new refuses coordinates out of range.
          return lon != null && lat != null && Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
        }
      default:
        return false;
    }
  }

  private static Double number(Value v) {
    if (v == null) {
      return null;
    }
    switch (v.getKindCase()) {
      case INTEGER_VALUE:
        return (double) v.getIntegerValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      default:
        return null;
    }
  }

  /** A date and a time (to the minute, seconds and fraction optional); " " is read as "T". */
  private static final DateTimeFormatter LOCAL =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral('T')
          .appendPattern("HH:mm")
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .toFormatter();

  /** As LOCAL, then an offset: Z, +hh:mm or +hhmm. */
  private static final DateTimeFormatter OFFSET =
      new DateTimeFormatterBuilder().append(LOCAL).appendPattern("[XXX][XX][X]").toFormatter();

  /**
   * The strings DateTimePayloadType::from_str (lib/segment/src/types.rs) parses: RFC 3339, the same
   * with a space or an offset without colon, a local date-time to the minute or finer, a date
   * alone.
   */
  static boolean isDatetime(String text) {
    String s =
        text.length() > 10 && text.charAt(10) == ' '
            ? text.substring(0, 10) + 'T' + text.substring(11)
            : text;
    try {
      OffsetDateTime.parse(s, OFFSET);
      return true;
    } catch (DateTimeParseException e) {
      // try the forms without an offset
    }
    try {
      LocalDateTime.parse(s, LOCAL);
      return true;
    } catch (DateTimeParseException e) {
      // a date alone?
    }
    try {
      LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
