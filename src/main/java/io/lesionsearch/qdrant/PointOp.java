package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One change the sink applies to the collection, in the order the stream carries them: an upsert of
 * a point, or a deletion of the points an id list or a filter selects. Consecutive upserts go out
 * as one request; a deletion is a request of its own, so that it lands after the upserts before it
 * and before those after it.
 */
public sealed interface PointOp extends Serializable permits PointOp.Upsert, PointOp.Delete {

  /** A deletion's origin is a label for a log line, not a document. */
  int MAX_ORIGIN_CHARS = 8192;

  /** What the request carries of this operation, for the sink's batch-size limits. */
  long sizeInBytes();

  static Upsert upsert(PointStruct point) {
    return new Upsert(point);
  }

  /**
   * @param origin what asked for the deletion, for the deletion listener (an audit): short, and
   *     never the data itself
   */
  static Delete delete(List<PointId> ids, String origin) {
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("a deletion by id needs at least one id");
    }
    return new Delete(
        PointsSelector.newBuilder()
            .setPoints(PointsIdsList.newBuilder().addAllIds(ids).build())
            .build(),
        origin);
  }

  /**
   * @param origin as for {@link #delete(List, String)}
   */
  static Delete deleteMatching(Filter filter, String origin) {
    return new Delete(PointsSelector.newBuilder().setFilter(filter).build(), origin);
  }

  /** Writes one point, replacing any of the same id. */
  record Upsert(PointStruct point) implements PointOp {
    private static final long serialVersionUID = 1L;

    public Upsert {
      Objects.requireNonNull(point, "point");
    }

    @Override
    public long sizeInBytes() {
      return point.getSerializedSize();
    }
  }

  /**
   * Removes the selected points; points that are not there are no error, so a replay changes
   * nothing.
   */
  record Delete(PointsSelector selector, String origin) implements PointOp {
    private static final long serialVersionUID = 1L;

    public Delete {
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(origin, "origin");
      if (origin.length() > MAX_ORIGIN_CHARS) {
        throw new IllegalArgumentException(
            "a deletion's origin is at most " + MAX_ORIGIN_CHARS + " characters");
      }
      if (selector.getPointsSelectorOneOfCase()
          == PointsSelector.PointsSelectorOneOfCase.POINTSSELECTORONEOF_NOT_SET) {
        throw new IllegalArgumentException("a deletion needs ids or a filter");
      }
    }

    @Override
    public long sizeInBytes() {
      return (long) selector.getSerializedSize() + origin.length();
    }
  }
}
