package io.lesionsearch.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * One line of the audit trail: who asked for what, how it ended and how long it took. Searches,
 * deletions and alias swaps share the head (time, action, requested_by, outcome, latency_ms); the
 * action's details follow. It never holds image bytes or vectors: a search is recorded by its kind,
 * filter and results, never by its query.
 *
 * @param time when the action ended, ISO-8601 UTC
 * @param action {@value #SEARCH}, {@value #DELETE} or {@value #ALIAS_SWAP}
 * @param requestedBy the user or service the request named; null when it named none
 * @param outcome {@value #OK} or {@value #ERROR}
 * @param requestId the request's id, where the action came as a request
 * @param searches a search's searches, in request order; null for other actions
 * @param results per search, the hits answered; null unless a search ended ok
 * @param deletion what a delete removed; null for other actions
 * @param aliasSwap which alias moved where; null for other actions
 * @param error why it failed; null when it did not
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "time",
  "action",
  "requested_by",
  "request_id",
  "outcome",
  "latency_ms",
  "searches",
  "results",
  "deletion",
  "alias_swap",
  "error"
})
public record AuditRecord(
    String time,
    String action,
    @JsonInclude(JsonInclude.Include.ALWAYS) String requestedBy,
    String requestId,
    String outcome,
    long latencyMs,
    List<Search> searches,
    List<List<Hit>> results,
    Deletion deletion,
    AliasSwap aliasSwap,
    Failure error)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String SEARCH = "search";
  public static final String DELETE = "delete";
  public static final String ALIAS_SWAP = "alias_swap";
  public static final String OK = "ok";
  public static final String ERROR = "error";

  /**
   * What one search asked, without its query.
   *
   * @param kind image, vector or image_id
   * @param imageId the queried image_id, for an image_id search
   * @param filter the client's filter as JSON text (see {@link AuditJson#filter}); null when none
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Search(String kind, String imageId, @JsonRawValue String filter)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** One hit of a search's answer: the point, the image it names (null if none) and the score. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({"id", "image_id", "score"})
  public record Hit(String id, String imageId, float score) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * What a deletion removed: one image, or the points a filter matched.
   *
   * @param imageId the deleted image_id; null for a deletion by filter
   * @param filter the filter as JSON text (see {@link AuditJson#filter}); null for one image
   * @param deleted how many points went, where known; null when not
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Deletion(String imageId, @JsonRawValue String filter, Long deleted)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * A re-index's switch of the alias searches use.
   *
   * @param fromCollection the collection the alias named before; null when it is new
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({"alias", "from_collection", "to_collection"})
  public record AliasSwap(String alias, String fromCollection, String toCollection)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** The error code a client was answered with, and its (bounded) message. */
  public record Failure(String code, String message) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A search that was answered: its results, one list of hits per search. */
  public static AuditRecord searchAnswered(
      String requestId,
      String requestedBy,
      long latencyMs,
      List<Search> searches,
      List<List<Hit>> results) {
    return new AuditRecord(
        now(),
        SEARCH,
        requestedBy,
        requestId,
        OK,
        latencyMs,
        List.copyOf(searches),
        List.copyOf(results),
        null,
        null,
        null);
  }

  /**
   * A search answered with an error.
   *
   * @param searches what could be read of the request; empty when nothing could
   */
  public static AuditRecord searchFailed(
      String requestId,
      String requestedBy,
      long latencyMs,
      List<Search> searches,
      String code,
      String message) {
    return new AuditRecord(
        now(),
        SEARCH,
        requestedBy,
        requestId,
        ERROR,
        latencyMs,
        List.copyOf(searches),
        null,
        null,
        null,
        new Failure(code, message));
  }

  /**
   * A deletion of one image ({@code filterJson} null) or of what a filter matches ({@code imageId}
   * null).
   *
   * @param requestId the deletion request's id; null when it came without one
   * @param deleted how many points went, where known
   * @param error null when it succeeded
   */
  public static AuditRecord deletion(
      String requestId,
      String requestedBy,
      String imageId,
      String filterJson,
      Long deleted,
      long latencyMs,
      Failure error) {
    if ((imageId == null) == (filterJson == null)) {
      throw new IllegalArgumentException("a deletion names an image_id or a filter, not both");
    }
    return new AuditRecord(
        now(),
        DELETE,
        requestedBy,
        requestId,
        error == null ? OK : ERROR,
        latencyMs,
        null,
        null,
        new Deletion(imageId, filterJson == null ? null : AuditJson.filter(filterJson), deleted),
        null,
        error);
  }

  /**
   * A re-index's alias swap.
   *
   * @param fromCollection what the alias named before; null when it did not exist
   * @param error null when it succeeded
   */
  public static AuditRecord aliasSwap(
      String requestedBy,
      String alias,
      String fromCollection,
      String toCollection,
      long latencyMs,
      Failure error) {
    return new AuditRecord(
        now(),
        ALIAS_SWAP,
        requestedBy,
        null,
        error == null ? OK : ERROR,
        latencyMs,
        null,
        null,
        null,
        new AliasSwap(alias, fromCollection, toCollection),
        error);
  }

  /**
   * This record as an error with {@code code} in place of its outcome, keeping what was asked: for
   * a reply that was replaced by an error after it was built.
   */
  public AuditRecord failedWith(String code, String message) {
    return new AuditRecord(
        time,
        action,
        requestedBy,
        requestId,
        ERROR,
        latencyMs,
        searches,
        null,
        deletion,
        aliasSwap,
        new Failure(code, message));
  }

  private static String now() {
    return Instant.now().toString();
  }
}
