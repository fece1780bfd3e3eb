package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Points.PointStruct;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Buffered points in checkpoint state, each as its protobuf bytes: the client's own wire format, so
 * the state needs no layout of its own and does not depend on Java serialization. Change {@link
 * #getVersion()} and keep reading old versions if that ever changes.
 */
public final class PointStateSerializer extends AsyncSinkWriterStateSerializer<PointStruct> {
  /** 2: protobuf points; version 1 held id, vector and payload JSON field by field. */
  static final int VERSION = 2;

  @Override
  protected void serializeRequestToStream(PointStruct point, DataOutputStream out)
      throws IOException {
    byte[] bytes = point.toByteArray();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Override
  protected PointStruct deserializeRequestFromStream(long requestSize, DataInputStream in)
      throws IOException {
    int length = in.readInt();
    if (length < 0 || length > (1 << 30)) {
      throw new IOException("Corrupt sink state: a point of " + length + " bytes");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return PointStruct.parseFrom(bytes);
  }

  @Override
  public int getVersion() {
    return VERSION;
  }
}
