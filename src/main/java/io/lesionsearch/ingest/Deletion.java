package io.lesionsearch.ingest;

import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.qdrant.PointOp;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Common.Filter;
import java.io.Serializable;
import java.util.List;

/**
 * A request to delete points: one image's, by its image_id (a tombstone or {@code
 * {"op":"delete","image_id":...}}), or every point a filter matches. The filter travels as its
 * protobuf bytes, which Flink copies as bytes, and as the JSON it was given, bounded, for the
 * audit.
 *
 * @param imageId the image whose point goes, or null for a deletion by filter
 * @param filter a {@link Filter} as {@link Filter#toByteArray()}, or null for a deletion by id
 * @param filterJson the filter as the message gave it, for the audit, or null
 */
public record Deletion(SourceRecord source, String imageId, byte[] filter, String filterJson)
    implements IngestMessage, IndexChange, Serializable {

  public static Deletion ofImage(SourceRecord source, String imageId) {
    return new Deletion(source, imageId, null, null);
  }

  public static Deletion matching(SourceRecord source, Filter filter, String filterJson) {
    return new Deletion(source, null, filter.toByteArray(), filterJson);
  }

  /**
   * The sink's operation: the point whose id derives from image_id as an upsert's does (see {@link
   * PointIds}), or the filter; its origin, for the audit, names the image or the filter.
   *
   * @throws com.google.protobuf.InvalidProtocolBufferException if the filter bytes are no filter
   */
  public PointOp.Delete toOp() throws com.google.protobuf.InvalidProtocolBufferException {
    if (imageId != null) {
      return PointOp.delete(
          List.of(PointIdFactory.id(PointIds.forImageId(imageId))), "image_id=" + imageId);
    }
    return PointOp.deleteMatching(Filter.parseFrom(filter), "filter=" + filterJson);
  }
}
