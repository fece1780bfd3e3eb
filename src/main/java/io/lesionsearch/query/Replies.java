package io.lesionsearch.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.audit.AuditJson;
import io.lesionsearch.audit.AuditRecord;
import io.lesionsearch.kafka.BoundedText;
import io.lesionsearch.payload.LesionPayload;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.GroupId;
import io.qdrant.client.grpc.Points.PointGroup;
import io.qdrant.client.grpc.Points.ScoredPoint;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds replies and their audit lines. A single search is answered with {@code hits}; a batch
 * ({@code searches}) with {@code results}, one {@code {"hits": [...]}} per search, in request
 * order. A grouped search has {@code "groups": [{"id": ..., "hits": [...]}]} in place of its {@code
 * hits}, best group first.
 */
public final class Replies {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Replies() {}

  public static Reply ok(SearchRequest request, List<SearchResult> results) {
    long took = System.currentTimeMillis() - request.receivedAtMillis();
    ObjectNode reply =
        JSON.createObjectNode()
            .put("request_id", request.requestId())
            .put("status", "ok")
            .put("took_ms", took);
    List<List<AuditRecord.Hit>> auditResults = new ArrayList<>();
    ArrayNode batch = request.batch() ? reply.putArray("results") : null;
    for (int i = 0; i < results.size(); i++) {
      SearchSpec spec = request.searches().get(i);
      SearchResult result = results.get(i);
      ObjectNode target = request.batch() ? batch.addObject() : reply;
      // The audit record lists every hit of the search, grouped or not, in reply order.
      List<AuditRecord.Hit> auditHits = new ArrayList<>();
      if (result.grouped()) {
        ArrayNode groups = target.putArray("groups");
        for (PointGroup g : result.groups()) {
          ObjectNode group = groups.addObject();
          group.set("id", groupId(g.getId()));
          hits(g.getHitsList(), spec, group.putArray("hits"), auditHits);
        }
      } else {
        hits(result.hits(), spec, target.putArray("hits"), auditHits);
      }
      auditResults.add(auditHits);
    }
    AuditRecord audit =
        AuditRecord.searchAnswered(
            request.requestId(),
            request.requestedBy(),
            took,
            asked(request.searches()),
            auditResults);
    return new Reply(request.requestId(), bytes(reply), audit, request.receivedAtMillis());
  }

  private static void hits(
      List<ScoredPoint> points, SearchSpec spec, ArrayNode hits, List<AuditRecord.Hit> auditHits) {
    for (ScoredPoint p : points) {
      ObjectNode hit = hit(p, spec);
      hits.add(hit);
      JsonNode imageId = hit.get("image_id");
      auditHits.add(
          new AuditRecord.Hit(
              hit.get("id").asText(), imageId.isNull() ? null : imageId.asText(), p.getScore()));
    }
  }

  /** A group's key as JSON: the string, or the number (Qdrant sends integers as unsigned). */
  static JsonNode groupId(GroupId id) {
    return switch (id.getKindCase()) {
      case STRING_VALUE -> JSON.getNodeFactory().textNode(id.getStringValue());
      case INTEGER_VALUE -> JSON.getNodeFactory().numberNode(id.getIntegerValue());
      case UNSIGNED_VALUE ->
          id.getUnsignedValue() >= 0
              ? JSON.getNodeFactory().numberNode(id.getUnsignedValue())
              : JSON.getNodeFactory()
                  .numberNode(new BigInteger(Long.toUnsignedString(id.getUnsignedValue())));
      default -> JSON.getNodeFactory().nullNode();
    };
  }

  public static Reply error(SearchRequest request, ErrorCode code, String message) {
    return error(
        request.requestId(),
        request.receivedAtMillis(),
        request.searches(),
        request.requestedBy(),
        code,
        message);
  }

  /**
   * @param searches what could be read of the request, for the audit log; empty when nothing could
   */
  public static Reply error(
      String requestId,
      long receivedAtMillis,
      List<SearchSpec> searches,
      ErrorCode code,
      String message) {
    return error(requestId, receivedAtMillis, searches, null, code, message);
  }

  /**
   * @param searches what could be read of the request, for the audit log; empty when nothing could
   * @param requestedBy who the request named, for the audit log; null when none, or none valid
   */
  public static Reply error(
      String requestId,
      long receivedAtMillis,
      List<SearchSpec> searches,
      String requestedBy,
      ErrorCode code,
      String message) {
    long took = System.currentTimeMillis() - receivedAtMillis;
    String shortMessage = message == null ? code.name() : BoundedText.message(message);
    ObjectNode reply = JSON.createObjectNode().put("request_id", requestId).put("status", "error");
    reply.putObject("error").put("code", code.name()).put("message", shortMessage);
    AuditRecord audit =
        AuditRecord.searchFailed(
            requestId, requestedBy, took, asked(searches), code.name(), shortMessage);
    return new Reply(requestId, bytes(reply), audit, receivedAtMillis);
  }

  private static ObjectNode hit(ScoredPoint p, SearchSpec spec) {
    ObjectNode hit = JSON.createObjectNode();
    hit.put("id", id(p.getId()));
    Value imageId = p.getPayloadMap().get(LesionPayload.IMAGE_ID);
    if (imageId != null && imageId.hasStringValue()) {
      hit.put("image_id", imageId.getStringValue());
    } else {
      hit.putNull("image_id");
    }
    hit.put("score", p.getScore());
    if (spec.showPayload()) {
      Map<String, Value> payload = p.getPayloadMap();
      if (spec.hideImageId()) {
        payload = new HashMap<>(payload);
        payload.remove(RequestParser.IMAGE_ID);
      }
      hit.set("payload", PayloadJson.object(payload));
    }
    return hit;
  }

  /**
   * {@code reply}, or REPLY_TOO_LARGE in its place when its key and value together exceed {@code
   * maxBytes}: the replies topic would refuse it. The audit line keeps what was asked.
   */
  public static Reply withinLimit(Reply reply, int maxBytes) {
    int size = reply.sizeInBytes();
    if (size <= maxBytes) {
      return reply;
    }
    String message =
        "the reply would be "
            + size
            + " bytes, over the limit of "
            + maxBytes
            + "; ask for fewer hits"
            + " (limit) or fewer payload keys (with_payload, e.g. {\"exclude\": [\"thumbnail\"]})";
    ObjectNode json =
        JSON.createObjectNode().put("request_id", reply.requestId()).put("status", "error");
    json.putObject("error").put("code", ErrorCode.REPLY_TOO_LARGE.name()).put("message", message);
    return new Reply(
        reply.requestId(),
        bytes(json),
        reply.audit().failedWith(ErrorCode.REPLY_TOO_LARGE.name(), message),
        reply.receivedAtMillis());
  }

  static String id(PointId id) {
    return id.hasUuid() ? id.getUuid() : Long.toUnsignedString(id.getNum());
  }

  /** What was asked, without the query itself: the kind, never the image bytes or the vector. */
  private static List<AuditRecord.Search> asked(List<SearchSpec> searches) {
    List<AuditRecord.Search> asked = new ArrayList<>();
    for (SearchSpec s : searches) {
      asked.add(
          new AuditRecord.Search(
              s.kind().key(),
              s.kind() == QueryKind.IMAGE_ID
                  ? BoundedText.of(s.imageId(), RequestIds.MAX_CHARS)
                  : null,
              s.filterJson() == null ? null : AuditJson.filter(s.filterJson())));
    }
    return asked;
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
