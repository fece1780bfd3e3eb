package io.lesionsearch.ingest;

import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrant.JsonValues;
import io.lesionsearch.qdrant.PointIds;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.Points.PointStruct;
import java.time.Instant;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * The lesion mapping: an embedded image becomes the Qdrant point the generic sink writes. Its id
 * derives from image_id (see {@link PointIds}); its payload is the parser's plus what the embed
 * stage knows: when, with which model, and the preview.
 */
public final class LesionPoints implements MapFunction<EmbeddedImage, PointStruct> {
  private static final long serialVersionUID = 1L;

  @Override
  public PointStruct map(EmbeddedImage embedded) throws Exception {
    return toPoint(embedded);
  }

  /**
   * @throws com.google.protobuf.InvalidProtocolBufferException if the image's payload is no
   *     protobuf Struct
   */
  public static PointStruct toPoint(EmbeddedImage embedded) throws Exception {
    ImageToEmbed image = embedded.image();
    PointStruct.Builder point =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(PointIds.forImageId(image.imageId())))
            .setVectors(VectorsFactory.vectors(embedded.vector()))
            .putAllPayload(Struct.parseFrom(image.payload()).getFieldsMap())
            .putPayload(
                LesionPayload.INGESTED_AT,
                JsonValues.of(Instant.ofEpochMilli(embedded.embeddedAtMillis()).toString()))
            .putPayload(LesionPayload.MODEL_ID, JsonValues.of(embedded.modelId()));
    if (embedded.thumbnail() != null) {
      point.putPayload(LesionPayload.THUMBNAIL, JsonValues.of(embedded.thumbnail()));
    }
    return point.build();
  }
}
