package io.lesionsearch.qdrant;

/**
 * The type of a stream of point operations (the sink's input for upserts and deletions): give it to
 * {@code returns} or {@code transform}.
 */
public final class PointOpTypeInfo extends SerializerTypeInfo<PointOp> {
  private static final long serialVersionUID = 1L;
  public static final PointOpTypeInfo INSTANCE = new PointOpTypeInfo();

  private PointOpTypeInfo() {
    super(PointOp.class, PointOpSerializer.INSTANCE);
  }
}
