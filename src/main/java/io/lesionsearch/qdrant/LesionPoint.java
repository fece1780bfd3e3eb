package io.lesionsearch.qdrant;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * One point for the Qdrant sink: a UUID id, the embedding and the payload as a UTF-8 JSON
 * object. Kept as raw bytes rather than protobuf or Jackson objects so that it is cheap to buffer,
 * to put in checkpoint state and to ship between operators; {@link PointConversion} builds the
 * client's {@code PointStruct} only when a batch is sent.
 */
public final class LesionPoint implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Object header, array headers and references, roughly; only the buffer's byte limit uses it. */
  private static final int OVERHEAD_BYTES = 48;

  private final String id;
  private final float[] vector;
  private final byte[] payloadJson;

  /**
   * @param id a UUID string (the ingest side derives a name-based UUID from image_id)
   * @param vector the embedding; Qdrant normalises it for a Cosine collection
   * @param payloadJson a JSON object in UTF-8; null or empty means no payload
   */
  public LesionPoint(String id, float[] vector, byte[] payloadJson) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vector, "vector");
    try {
      UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      // Fail here, next to the code that made it, not later inside a batch of 1,000.
      throw new IllegalArgumentException("Point id must be a UUID string, got '" + id + "'", e);
    }
    if (vector.length == 0) {
      throw new IllegalArgumentException("Point " + id + " has an empty vector");
    }
    this.id = id;
    this.vector = vector;
    this.payloadJson = payloadJson == null ? new byte[0] : payloadJson;
  }

  public static LesionPoint of(String id, float[] vector, String payloadJson) {
    return new LesionPoint(id, vector, payloadJson.getBytes(StandardCharsets.UTF_8));
  }

  public String id() {
    return id;
  }

  /** The array itself, not a copy: points are hot-path values and nobody mutates them. */
  public float[] vector() {
    return vector;
  }

  public byte[] payloadJson() {
    return payloadJson;
  }

  /** What the sink counts against its byte limits. */
  public long sizeInBytes() {
    return 4L * vector.length + payloadJson.length + id.length() + OVERHEAD_BYTES;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LesionPoint)) {
      return false;
    }
    LesionPoint p = (LesionPoint) o;
    return id.equals(p.id) && Arrays.equals(vector, p.vector)
        && Arrays.equals(payloadJson, p.payloadJson);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * id.hashCode() + Arrays.hashCode(vector)) + Arrays.hashCode(payloadJson);
  }

  @Override
  public String toString() {
    return "LesionPoint{id=" + id + ", dim=" + vector.length + ", payload="
        + payloadJson.length + " bytes}";
  }
}
