package io.lesionsearch.query;

import java.io.Serializable;

/**
 * One search of a request, checked and ready for Qdrant: where its vector comes from, and the rest
 * of the Qdrant request ({@code SearchPoints} without collection and vector) as protobuf bytes,
 * because Flink cannot serialise protobuf messages itself.
 *
 * @param image the decoded image bytes for {@link QueryKind#IMAGE}
 * @param vector the query vector for {@link QueryKind#VECTOR}
 * @param imageId the indexed image whose stored vector is the query, for {@link QueryKind#IMAGE_ID}
 * @param includeSelf whether an image_id query may return that image itself
 * @param searchPoints the serialised {@code SearchPoints} template
 * @param filterJson the filter as the client sent it, for the audit log; null when none
 * @param showPayload whether hits carry a payload object
 * @param hideImageId whether image_id was asked for only to name the hits, not as payload
 * @param groupBy the payload key the hits are grouped by (Qdrant's SearchGroups); null for a plain
 *     search, where {@code searchPoints}' limit counts hits rather than groups
 * @param groupSize the most hits per group; 0 when not grouped
 * @param modelId the model a {@link QueryKind#VECTOR} query says its vector is of; null when it
 *     does not say
 */
public record SearchSpec(
    QueryKind kind,
    byte[] image,
    float[] vector,
    String imageId,
    boolean includeSelf,
    byte[] searchPoints,
    String filterJson,
    boolean showPayload,
    boolean hideImageId,
    String groupBy,
    int groupSize,
    String modelId)
    implements Serializable {

  /** A search that names no model. */
  public SearchSpec(
      QueryKind kind,
      byte[] image,
      float[] vector,
      String imageId,
      boolean includeSelf,
      byte[] searchPoints,
      String filterJson,
      boolean showPayload,
      boolean hideImageId,
      String groupBy,
      int groupSize) {
    this(
        kind,
        image,
        vector,
        imageId,
        includeSelf,
        searchPoints,
        filterJson,
        showPayload,
        hideImageId,
        groupBy,
        groupSize,
        null);
  }

  /** The same search, saying its vector is of this model. */
  public SearchSpec withModelId(String id) {
    return new SearchSpec(
        kind,
        image,
        vector,
        imageId,
        includeSelf,
        searchPoints,
        filterJson,
        showPayload,
        hideImageId,
        groupBy,
        groupSize,
        id);
  }

  public boolean grouped() {
    return groupBy != null;
  }
}
