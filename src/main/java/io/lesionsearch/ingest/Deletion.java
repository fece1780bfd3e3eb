package io.lesionsearch.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * @param requestedBy who the message says asked for it (see {@link
 *     io.lesionsearch.audit.RequestedBy}), or null
 */
public record Deletion(
    SourceRecord source, String imageId, byte[] filter, String filterJson, String requestedBy)
    implements IngestMessage, IndexChange, Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static Deletion ofImage(SourceRecord source, String imageId, String requestedBy) {
    return new Deletion(source, imageId, null, null, requestedBy);
  }

  public static Deletion matching(
      SourceRecord source, Filter filter, String filterJson, String requestedBy) {
    return new Deletion(source, null, filter.toByteArray(), filterJson, requestedBy);
  }

  /**
   * The sink's operation: the point whose id derives from image_id as an upsert's does (see {@link
   * PointIds}), or the filter. Its origin, for the audit (see {@link DeletionAudit}), is a JSON
   * object of what the deletion named, who asked and the record it came in.
   *
   * @throws com.google.protobuf.InvalidProtocolBufferException if the filter bytes are no filter
   */
  public PointOp.Delete toOp() throws com.google.protobuf.InvalidProtocolBufferException {
    ObjectNode origin = JSON.createObjectNode();
    origin.put(DeletionAudit.SOURCE, source.where());
    if (requestedBy != null) {
      origin.put(DeletionAudit.REQUESTED_BY, requestedBy);
    }
    if (imageId != null) {
      origin.put(DeletionAudit.IMAGE_ID, imageId);
      return PointOp.delete(
          List.of(PointIdFactory.id(PointIds.forImageId(imageId))), origin.toString());
    }
    origin.put(DeletionAudit.FILTER, filterJson);
    return PointOp.deleteMatching(Filter.parseFrom(filter), origin.toString());
  }
}
