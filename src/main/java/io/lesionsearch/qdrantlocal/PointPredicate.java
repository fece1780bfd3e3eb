package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Map;

/** A compiled filter: decides for one point, given its id (null inside nested objects). */
@FunctionalInterface
interface PointPredicate {
  PointPredicate ALWAYS =
      new PointPredicate() {
        @Override
        public boolean test(PointKey id, Map<String, Value> payload) {
          return true;
        }

        @Override
        public SlotTest bind(PointSource source) {
          return slot -> true;
        }
      };

  boolean test(PointKey id, Map<String, Value> payload);

  /**
   * The same decision by slot, for one scan of one collection. Conditions that can use the
   * collection's keyword or number columns override this; the rest read the point's payload.
   */
  default SlotTest bind(PointSource source) {
    return slot -> test(source.id(slot), source.payload(slot));
  }

  /** A bound predicate; valid only while the scan holds the collection's read lock. */
  @FunctionalInterface
  interface SlotTest {
    boolean test(int slot);
  }

  /** The points of the collection being scanned. */
  interface PointSource {
    PointKey id(int slot);

    Map<String, Value> payload(int slot);

    KeywordColumn keywordColumn(String topLevelKey);

    NumberColumn numberColumn(String topLevelKey);
  }
}
