package io.lesionsearch.ingest;

import io.lesionsearch.kafka.SourceRecord;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import java.io.Serializable;

/**
 * A validated ingest message: the image (inline bytes or a URI the TaskManagers can read) and the
 * payload the point will carry, with its source kept for dead-lettering. The payload is built once,
 * by the parser, as Qdrant values; it travels in their protobuf form, which Flink copies as bytes.
 *
 * @param payload a {@link Struct} of the point's payload fields, as {@link Struct#toByteArray()}
 */
public record ImageToEmbed(
    SourceRecord source, String imageId, byte[] image, String imageUri, byte[] payload)
    implements IngestMessage, Serializable {

  public ImageToEmbed(
      SourceRecord source, String imageId, byte[] image, String imageUri, Struct payload) {
    this(source, imageId, image, imageUri, payload.toByteArray());
  }

  /**
   * This message without its inline image bytes: what a record keeps once its decode has the bytes,
   * the image id and payload for its point and the source for its dead letter.
   */
  public ImageToEmbed withoutImage() {
    return image == null ? this : new ImageToEmbed(source, imageId, null, imageUri, payload);
  }
}
