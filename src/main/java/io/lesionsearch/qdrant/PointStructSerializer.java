package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Points.PointStruct;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Points between operators as their protobuf bytes. Kryo, Flink's fallback for such classes, would
 * copy a protobuf message field by field through its internals; a message is immutable, so a copy
 * is the message itself.
 */
public final class PointStructSerializer extends TypeSerializerSingleton<PointStruct> {
  private static final long serialVersionUID = 1L;
  public static final PointStructSerializer INSTANCE = new PointStructSerializer();

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public PointStruct createInstance() {
    return PointStruct.getDefaultInstance();
  }

  @Override
  public PointStruct copy(PointStruct from) {
    return from;
  }

  @Override
  public PointStruct copy(PointStruct from, PointStruct reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(PointStruct point, DataOutputView target) throws IOException {
    byte[] bytes = point.toByteArray();
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public PointStruct deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return PointStruct.parseFrom(bytes);
  }

  @Override
  public PointStruct deserialize(PointStruct reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  @Override
  public TypeSerializerSnapshot<PointStruct> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * What a savepoint records of this serializer; public with a no-argument constructor, as Flink
   * needs.
   */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<PointStruct> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
