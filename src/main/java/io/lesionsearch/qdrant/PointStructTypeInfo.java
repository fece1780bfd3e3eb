package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Points.PointStruct;

/** The type of a stream of points: give it to {@code returns} or {@code transform}. */
public final class PointStructTypeInfo extends SerializerTypeInfo<PointStruct> {
  private static final long serialVersionUID = 1L;
  public static final PointStructTypeInfo INSTANCE = new PointStructTypeInfo();

  private PointStructTypeInfo() {
    super(PointStruct.class, PointStructSerializer.INSTANCE);
  }
}
