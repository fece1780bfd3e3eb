package io.lesionsearch.ingest;

import io.lesionsearch.qdrant.PointOp;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * What the embed stage hands on, as the sink's operations in the same order: an embedded image as
 * the upsert of its lesion point (see {@link LesionPoints}), a deletion as a delete.
 */
public final class LesionOps implements MapFunction<IndexChange, PointOp> {
  private static final long serialVersionUID = 1L;

  @Override
  public PointOp map(IndexChange change) throws Exception {
    if (change instanceof EmbeddedImage embedded) {
      return PointOp.upsert(LesionPoints.toPoint(embedded));
    }
    return ((Deletion) change).toOp();
  }
}
