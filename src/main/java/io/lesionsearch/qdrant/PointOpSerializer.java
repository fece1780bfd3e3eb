package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Points.PointStruct;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Point operations between operators as a tag and their protobuf bytes (see {@link PointOpCodec}),
 * for the reasons {@link PointStructSerializer} gives; an operation is immutable, so a copy is the
 * operation itself.
 */
public final class PointOpSerializer extends TypeSerializerSingleton<PointOp> {
  private static final long serialVersionUID = 1L;
  public static final PointOpSerializer INSTANCE = new PointOpSerializer();

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public PointOp createInstance() {
    return PointOp.upsert(PointStruct.getDefaultInstance());
  }

  @Override
  public PointOp copy(PointOp from) {
    return from;
  }

  @Override
  public PointOp copy(PointOp from, PointOp reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(PointOp op, DataOutputView target) throws IOException {
    PointOpCodec.write(op, target);
  }

  @Override
  public PointOp deserialize(DataInputView source) throws IOException {
    return PointOpCodec.read(source);
  }

  @Override
  public PointOp deserialize(PointOp reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    PointOpCodec.write(PointOpCodec.read(source), target);
  }

  @Override
  public TypeSerializerSnapshot<PointOp> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * What a savepoint records of this serializer; public with a no-argument constructor, as Flink
   * needs.
   */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<PointOp> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
