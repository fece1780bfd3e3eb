package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Points.PointStruct;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of a stream of points: give it to {@code returns} or {@code transform}. */
public final class PointStructTypeInfo extends TypeInformation<PointStruct> {
  private static final long serialVersionUID = 1L;
  public static final PointStructTypeInfo INSTANCE = new PointStructTypeInfo();

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
  public Class<PointStruct> getTypeClass() {
    return PointStruct.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<PointStruct> createSerializer(SerializerConfig config) {
    return PointStructSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "PointStruct";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PointStructTypeInfo;
  }

  @Override
  public int hashCode() {
    return PointStructTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof PointStructTypeInfo;
  }
}
