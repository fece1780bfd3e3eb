package io.lesionsearch.qdrantlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Common.PointId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One generated case of {@link DifferentialSearchITCase}: a collection (distance, dimension, points
 * upserted in batches) and the operations run on it in order. Filters are kept as the REST filter
 * JSON the project accepts ({@link io.lesionsearch.query.FilterJson}), so a failing case prints as
 * JSON that can be pasted into a request. {@link #toString} is what jqwik prints for the original
 * and the shrunk sample.
 */
record DifferentialCase(Distance distance, int dim, List<List<Point>> batches, List<Op> ops) {

  /**
   * A point id the way Qdrant orders and prints it: unsigned 64-bit numbers first, then UUIDs by
   * their 16 bytes compared unsigned. {@code wire} is the form sent on upsert (Qdrant also parses
   * upper case, simple, braced and urn UUIDs); answers always carry the canonical lower-case
   * hyphenated form. Deliberately not the endpoint's own PointKey: the oracle must not share code
   * with what it checks.
   */
  record Pid(boolean uuid, long hi, long lo, String wire) implements Comparable<Pid> {
    static Pid num(long unsigned) {
      return new Pid(false, 0, unsigned, Long.toUnsignedString(unsigned));
    }

    static Pid uuid(UUID u, int form) {
      String canonical = u.toString();
      String wire;
      switch (form) {
        case 1 -> wire = canonical.toUpperCase(Locale.ROOT);
        case 2 -> wire = canonical.replace("-", "");
        case 3 -> wire = "{" + canonical + "}";
        case 4 -> wire = "urn:uuid:" + canonical;
        default -> wire = canonical;
      }
      return new Pid(true, u.getMostSignificantBits(), u.getLeastSignificantBits(), wire);
    }

    /** The id as Qdrant prints it in answers. */
    String canonical() {
      return uuid ? new UUID(hi, lo).toString() : Long.toUnsignedString(lo);
    }

    PointId wireProto() {
      return uuid
          ? PointId.newBuilder().setUuid(wire).build()
          : PointId.newBuilder().setNum(lo).build();
    }

    /** The id as it appears in an answer. */
    static String canonical(PointId id) {
      return id.hasNum() ? Long.toUnsignedString(id.getNum()) : id.getUuid();
    }

    /** The id in has_id JSON: a number, or a hyphenated UUID (what FilterJson parses). */
    JsonNode json() {
      JsonNodeFactory f = JsonNodeFactory.instance;
      if (!uuid) {
        return lo >= 0
            ? f.numberNode(lo)
            : f.numberNode(new java.math.BigInteger(Long.toUnsignedString(lo)));
      }
      return f.textNode(wire.length() == 36 ? wire : canonical());
    }

    @Override
    public int compareTo(Pid o) {
      if (uuid != o.uuid) {
        return uuid ? 1 : -1;
      }
      int c = Long.compareUnsigned(hi, o.hi);
      return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    // Identity is the id, not the form it was sent in.
    @Override
    public boolean equals(Object o) {
      return o instanceof Pid p && p.uuid == uuid && p.hi == hi && p.lo == lo;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hi * 31 + lo) ^ (uuid ? 1 : 0);
    }

    @Override
    public String toString() {
      return uuid && !wire.equals(canonical())
          ? canonical() + " (sent as " + wire + ")"
          : canonical();
    }
  }

  record Point(Pid id, float[] vector, ObjectNode payload) {
    @Override
    public String toString() {
      return id + " " + Arrays.toString(vector) + " " + payload;
    }
  }

  /** An operation on the collection, run in order against every target. */
  sealed interface Op permits Search, SearchBatch, Count, Scroll, DeleteByFilter, Broken {}

  enum Api {
    SEARCH,
    QUERY
  }

  /**
   * Nearest search by Search or Query. {@code byId} (Query only) searches with a stored point's
   * vector and leaves that point out. {@code threshold} may be null.
   */
  record Search(
      Api api,
      float[] vector,
      Pid byId,
      ObjectNode filter,
      int limit,
      int offset,
      Float threshold,
      boolean withPayload,
      boolean withVectors)
      implements Op {
    @Override
    public String toString() {
      return api.name().toLowerCase(Locale.ROOT)
          + "("
          + (byId != null ? "by id " + byId : Arrays.toString(vector))
          + (filter != null ? ", filter " + filter : "")
          + ", limit "
          + limit
          + (offset > 0 ? ", offset " + offset : "")
          + (threshold != null ? ", score_threshold " + threshold : "")
          + (withPayload ? ", with_payload" : "")
          + (withVectors ? ", with_vectors" : "")
          + ")";
    }
  }

  /** What the inner requests of a batch name as their collection (Qdrant uses the outer name). */
  enum InnerNames {
    /** The batch's own collection. */
    SAME,
    /** Another, nonexistent collection: Qdrant ignores it. */
    OTHER,
    /**
     * None: Qdrant 1.18.3 refuses the batch (INVALID_ARGUMENT "search_points[0].collection_name:
     * value \"\" invalid, must be from 1 to 255 characters"; query_points alike). The local
     * endpoint answered it until this test found that.
     */
    EMPTY
  }

  /**
   * SearchBatch or QueryBatch, sent as raw gRPC so that the inner requests' collection names are
   * what the case says (the client's searchBatchAsync rewrites them, queryBatchAsync does not).
   */
  record SearchBatch(Api api, List<Search> searches, InnerNames innerNames) implements Op {
    @Override
    public String toString() {
      return api.name().toLowerCase(Locale.ROOT)
          + "_batch"
          + (innerNames != InnerNames.SAME
              ? "(inner collection" + " names " + innerNames + ")"
              : "")
          + searches;
    }
  }

  record Count(ObjectNode filter) implements Op {
    @Override
    public String toString() {
      return "count(exact" + (filter != null ? ", filter " + filter : "") + ")";
    }
  }

  record Scroll(ObjectNode filter, Pid offset, int limit) implements Op {
    @Override
    public String toString() {
      return "scroll(limit "
          + limit
          + (offset != null ? ", offset " + offset : "")
          + (filter != null ? ", filter " + filter : "")
          + ")";
    }
  }

  record DeleteByFilter(ObjectNode filter) implements Op {
    @Override
    public String toString() {
      return "delete(filter " + filter + ")";
    }
  }

  /**
   * A request Qdrant refuses: one fault, put into an otherwise valid search. Qdrant's answers were
   * read from the server (v1.18.3) and its sources (lib/api/src/grpc/conversions.rs, validation,
   * json_path/parse.rs).
   */
  enum Fault {
    /**
     * A query vector one longer than the collection's: INVALID_ARGUMENT "Vector dimension error".
     */
    WRONG_DIMENSION,
    /** limit 0: INVALID_ARGUMENT "limit: value 0 invalid, must be 1 or larger". */
    LIMIT_ZERO,
    /** A has_id UUID that does not parse: INVALID_ARGUMENT "Unable to parse UUID". */
    BAD_UUID,
    /** A FieldCondition with a key and nothing else, anywhere in the filter: INVALID_ARGUMENT. */
    KEY_ONLY_CONDITION,
    /** A key that is not a JSON path (e.g. {@code a..b}): INVALID_ARGUMENT "Invalid json path". */
    BAD_KEY_PATH,
    /**
     * A nested condition without a filter: INVALID_ARGUMENT "Nested condition must have a filter".
     */
    NESTED_WITHOUT_FILTER,
    /** A collection that does not exist: NOT_FOUND. */
    MISSING_COLLECTION,
    /** Query by the id of a point that does not exist: NOT_FOUND "No point with id N found". */
    QUERY_BY_MISSING_ID
  }

  /**
   * A faulty request: {@code search} is a valid search and {@code fault} is put into it; {@code
   * place} picks where in the filter a faulty condition goes (must, should, must_not, min_should,
   * or inside a nested filter) and {@code badKey} which invalid path is used.
   */
  record Broken(Fault fault, Search search, int place, String badKey) implements Op {
    @Override
    public String toString() {
      return "broken("
          + fault
          + (fault == Fault.BAD_KEY_PATH ? " '" + badKey + "'" : "")
          + ", place "
          + place
          + ", "
          + search
          + ")";
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append("\n  collection: ").append(distance).append(", dim ").append(dim);
    int n = 0;
    for (int i = 0; i < batches.size(); i++) {
      b.append("\n  upsert batch ").append(i).append(':');
      for (Point p : batches.get(i)) {
        b.append("\n    ").append(p);
        n++;
      }
    }
    if (n == 0) {
      b.append("\n  (no points)");
    }
    for (int i = 0; i < ops.size(); i++) {
      b.append("\n  op ").append(i).append(": ").append(ops.get(i));
    }
    return b.append('\n').toString();
  }
}
