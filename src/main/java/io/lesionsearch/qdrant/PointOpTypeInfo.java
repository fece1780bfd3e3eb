package io.lesionsearch.qdrant;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of a stream of point operations (the sink's input for upserts and deletions): give it to
 * {@code returns} or {@code transform}.
 */
public final class PointOpTypeInfo extends TypeInformation<PointOp> {
  private static final long serialVersionUID = 1L;
  public static final PointOpTypeInfo INSTANCE = new PointOpTypeInfo();

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<PointOp> getTypeClass() {
    return PointOp.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<PointOp> createSerializer(SerializerConfig config) {
    return PointOpSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "PointOp";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PointOpTypeInfo;
  }

  @Override
  public int hashCode() {
    return PointOpTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof PointOpTypeInfo;
  }
}
