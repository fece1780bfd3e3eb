package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Common.PointId;
import java.util.Locale;

/**
 * A point id as Qdrant orders it: unsigned 64-bit numbers first, then UUIDs by their 16 bytes
 * compared unsigned. Java's {@link java.util.UUID#compareTo} compares signed longs, so UUIDs are
 * kept as two raw longs instead.
 */
final class PointKey implements Comparable<PointKey> {
  private final boolean uuid;
  private final long hi;
  private final long lo;

  private PointKey(boolean uuid, long hi, long lo) {
    this.uuid = uuid;
    this.hi = hi;
    this.lo = lo;
  }

  static PointKey ofNumber(long unsignedValue) {
    return new PointKey(false, 0L, unsignedValue);
  }

  /** Converts a wire id; a missing or malformed id is the caller's error, as in Qdrant. */
  static PointKey fromProto(PointId id) {
    switch (id.getPointIdOptionsCase()) {
      case NUM:
        return ofNumber(id.getNum());
      case UUID:
        return parseUuid(id.getUuid());
      default:
        throw Errors.invalidArgument("No ID options provided");
    }
  }

  /**
   * Accepts the forms the Rust uuid crate parses (hyphenated, simple, braced, urn); Java's
   * UUID.fromString is both too lenient (short groups) and too strict (no simple form).
   */
  static PointKey parseUuid(String text) {
    String s = text;
    if (s.length() == 45 && s.regionMatches(true, 0, "urn:uuid:", 0, 9)) {
      s = s.substring(9);
    } else if (s.length() == 38 && s.charAt(0) == '{' && s.charAt(37) == '}') {
      s = s.substring(1, 37);
    }
    String hex;
    if (s.length() == 36) {
      if (s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-' || s.charAt(23) != '-') {
        throw badUuid(text);
      }
      hex =
          s.substring(0, 8)
              + s.substring(9, 13)
              + s.substring(14, 18)
              + s.substring(19, 23)
              + s.substring(24);
    } else if (s.length() == 32) {
      hex = s;
    } else {
      throw badUuid(text);
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 32; i++) {
      int d = Character.digit(hex.charAt(i), 16);
      if (d < 0) {
        throw badUuid(text);
      }
      if (i < 16) {
        hi = (hi << 4) | d;
      } else {
        lo = (lo << 4) | d;
      }
    }
    return new PointKey(true, hi, lo);
  }

  private static RuntimeException badUuid(String text) {
    return Errors.invalidArgument("Unable to parse UUID: " + text);
  }

  boolean isUuid() {
    return uuid;
  }

  PointId toProto() {
    if (uuid) {
      return PointId.newBuilder().setUuid(uuidString()).build();
    }
    return PointId.newBuilder().setNum(lo).build();
  }

  private String uuidString() {
    String h = String.format(Locale.ROOT, "%016x%016x", hi, lo);
    return h.substring(0, 8)
        + '-'
        + h.substring(8, 12)
        + '-'
        + h.substring(12, 16)
        + '-'
        + h.substring(16, 20)
        + '-'
        + h.substring(20);
  }

  @Override
  public int compareTo(PointKey o) {
    if (uuid != o.uuid) {
      return uuid ? 1 : -1;
    }
    int c = Long.compareUnsigned(hi, o.hi);
    return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PointKey k && k.uuid == uuid && k.hi == hi && k.lo == lo;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hi * 31 + lo) ^ (uuid ? 0x5bd1e995 : 0);
  }

  @Override
  public String toString() {
    return uuid ? uuidString() : Long.toUnsignedString(lo);
  }
}
