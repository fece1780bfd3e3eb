package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Points.PointStruct;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

/**
 * Buffered operations in checkpoint state, in their order, each as a tag and its protobuf bytes
 * (see {@link PointOpCodec}): the client's own wire format, so the state needs no layout of its own
 * and does not depend on Java serialization. Change {@link #getVersion()} and keep reading old
 * versions if that ever changes.
 */
public final class PointStateSerializer extends AsyncSinkWriterStateSerializer<PointOp> {
  /**
   * 3: operations (upserts and deletions); 2: protobuf points only, read as upserts; version 1 held
   * id, vector and payload JSON field by field.
   */
  static final int VERSION = 3;

  static final int POINTS_ONLY_VERSION = 2;

  @Override
  protected void serializeRequestToStream(PointOp op, DataOutputStream out) throws IOException {
    PointOpCodec.write(op, out);
  }

  @Override
  protected PointOp deserializeRequestFromStream(long requestSize, DataInputStream in)
      throws IOException {
    return PointOpCodec.read(in);
  }

  @Override
  public BufferedRequestState<PointOp> deserialize(int version, byte[] serialized)
      throws IOException {
    if (version == VERSION) {
      return super.deserialize(version, serialized);
    }
    if (version == POINTS_ONLY_VERSION) {
      List<RequestEntryWrapper<PointOp>> ops = new ArrayList<>();
      for (RequestEntryWrapper<PointStruct> entry :
          new PointsOnly().deserialize(version, serialized).getBufferedRequestEntries()) {
        ops.add(
            new RequestEntryWrapper<>(PointOp.upsert(entry.getRequestEntry()), entry.getSize()));
      }
      return new BufferedRequestState<>(ops);
    }
    throw new IOException("Qdrant sink state of version " + version + " cannot be read");
  }

  @Override
  public int getVersion() {
    return VERSION;
  }

  /** Version 2: each buffered point as its protobuf bytes, nothing else. */
  static final class PointsOnly extends AsyncSinkWriterStateSerializer<PointStruct> {
    @Override
    protected void serializeRequestToStream(PointStruct point, DataOutputStream out)
        throws IOException {
      PointOpCodec.writeBytes(point.toByteArray(), out);
    }

    @Override
    protected PointStruct deserializeRequestFromStream(long requestSize, DataInputStream in)
        throws IOException {
      return PointStruct.parseFrom(PointOpCodec.readBytes(in));
    }

    @Override
    public int getVersion() {
      return POINTS_ONLY_VERSION;
    }
  }
}
