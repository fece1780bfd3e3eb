package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Map;

/** A compiled filter: decides for one point, given its id (null inside nested objects). */
@FunctionalInterface
interface PointPredicate {
  PointPredicate ALWAYS = (id, payload) -> true;

  boolean test(PointKey id, Map<String, Value> payload);
}
