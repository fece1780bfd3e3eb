package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * An operation as a tag byte and its protobuf bytes (plus a deletion's origin): the client's own
 * wire format, shared by the stream serializer and the checkpoint state.
 */
final class PointOpCodec {
  private static final byte UPSERT = 0;
  private static final byte DELETE = 1;

  /** A protobuf message longer than this is corrupt state, not a point. */
  private static final int MAX_MESSAGE_BYTES = 1 << 30;

  private PointOpCodec() {}

  static void write(PointOp op, DataOutput out) throws IOException {
    if (op instanceof PointOp.Upsert u) {
      out.writeByte(UPSERT);
      writeBytes(u.point().toByteArray(), out);
    } else if (op instanceof PointOp.Delete d) {
      out.writeByte(DELETE);
      writeBytes(d.selector().toByteArray(), out);
      out.writeUTF(d.origin());
    }
  }

  static PointOp read(DataInput in) throws IOException {
    byte tag = in.readByte();
    switch (tag) {
      case UPSERT:
        return PointOp.upsert(PointStruct.parseFrom(readBytes(in)));
      case DELETE:
        PointsSelector selector = PointsSelector.parseFrom(readBytes(in));
        return new PointOp.Delete(selector, in.readUTF());
      default:
        throw new IOException("Corrupt point operation: unknown tag " + tag);
    }
  }

  static void writeBytes(byte[] bytes, DataOutput out) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static byte[] readBytes(DataInput in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_MESSAGE_BYTES) {
      throw new IOException("Corrupt point operation: a message of " + length + " bytes");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }
}
