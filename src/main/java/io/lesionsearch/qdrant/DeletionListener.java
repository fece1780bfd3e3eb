package io.lesionsearch.qdrant;

import java.io.Serializable;

/**
 * Told of each deletion once Qdrant has applied it (an audit trail, say). It runs on a gRPC thread,
 * before the sink takes its next operation, so it should be quick and must not throw.
 */
@FunctionalInterface
public interface DeletionListener extends Serializable {
  DeletionListener NONE = (deletion, latencyMs) -> {};

  /**
   * @param latencyMs how long the delete call took, until Qdrant acknowledged it applied
   */
  void deleted(PointOp.Delete deletion, long latencyMs);
}
