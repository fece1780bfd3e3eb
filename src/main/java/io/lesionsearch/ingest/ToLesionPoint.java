package io.lesionsearch.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.qdrant.LesionPoint;
import io.lesionsearch.qdrant.PointIds;
import java.time.Instant;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * An embedded image as the point the Qdrant sink writes: id from image_id, and the message's payload
 * with when and by which model it was embedded and, when made, its preview.
 */
final class ToLesionPoint implements MapFunction<EmbeddedImage, LesionPoint> {

  /** The payload key of the base64 JPEG preview (see {@code --thumbnail-size}). */
  static final String THUMBNAIL = "thumbnail";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public LesionPoint map(EmbeddedImage e) throws Exception {
    ObjectNode payload = (ObjectNode) JSON.readTree(e.image().payloadJson());
    payload.put("ingested_at", Instant.ofEpochMilli(e.embeddedAtMillis()).toString());
    payload.put("model_id", e.modelId());
    if (e.thumbnail() != null) {
      payload.put(THUMBNAIL, e.thumbnail());
    }
    return new LesionPoint(PointIds.forImageId(e.image().imageId()).toString(), e.vector(), JSON.writeValueAsBytes(payload));
  }
}
