package io.lesionsearch.qdrant;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Buffered points in checkpoint state: id, vector and payload bytes written field by field, so
 * the format is compact and does not depend on Java serialization of the class. Change
 * {@link #getVersion()} and keep reading old versions if the layout ever changes.
 */
public final class LesionPointStateSerializer extends AsyncSinkWriterStateSerializer<LesionPoint> {
  static final int VERSION = 1;

  @Override
  protected void serializeRequestToStream(LesionPoint p, DataOutputStream out) throws IOException {
    out.writeUTF(p.id());
    float[] v = p.vector();
    out.writeInt(v.length);
    for (float f : v) {
      out.writeFloat(f);
    }
    byte[] payload = p.payloadJson();
    out.writeInt(payload.length);
    out.write(payload);
  }

  @Override
  protected LesionPoint deserializeRequestFromStream(long requestSize, DataInputStream in)
      throws IOException {
    String id = in.readUTF();
    int dim = in.readInt();
    if (dim <= 0 || dim > (1 << 20)) {
      throw new IOException("Corrupt sink state: vector dimension " + dim + " for point " + id);
    }
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = in.readFloat();
    }
    int len = in.readInt();
    if (len < 0 || len > (1 << 30)) {
      throw new IOException("Corrupt sink state: payload length " + len + " for point " + id);
    }
    byte[] payload = new byte[len];
    in.readFully(payload);
    return new LesionPoint(id, v, payload);
  }

  @Override
  public int getVersion() {
    return VERSION;
  }
}
