package io.lesionsearch.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.kafka.BoundedText;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads search requests. A readable request goes on to the search; one that breaks the contract is
 * answered at once with an error reply (side output), keyed by its request_id, or by the Kafka key
 * when the JSON has none or cannot be read; one with neither is dead-lettered, since no client
 * could recognise a reply to it.
 */
public final class ParseRequests extends ProcessFunction<SourceRecord, SearchRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(ParseRequests.class);

  public static final String STAGE = "parse-request";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RequestParser parser;
  private final OutputTag<Reply> errorReplies;
  private final OutputTag<DeadLetter> deadLetters;

  public ParseRequests(
      RequestParser parser, OutputTag<Reply> errorReplies, OutputTag<DeadLetter> deadLetters) {
    this.parser = parser;
    this.errorReplies = errorReplies;
    this.deadLetters = deadLetters;
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<SearchRequest> out) {
    long received = System.currentTimeMillis();
    String key =
        record.key() == null || record.key().length == 0
            ? null
            : new String(record.key(), StandardCharsets.UTF_8);
    JsonNode root;
    try {
      if (record.value() == null || record.value().length == 0) {
        throw new QueryException(ErrorCode.MALFORMED_JSON, "empty message (no value)");
      }
      root = read(record.value());
    } catch (QueryException e) {
      answerOrDeadLetter(key, received, null, e, record, ctx);
      return;
    }
    String requestedBy = validRequestedBy(root);
    JsonNode id = root.get("request_id");
    String requestId = id != null && id.isTextual() && !id.asText().isBlank() ? id.asText() : key;
    try {
      if (requestId == null) {
        throw new QueryException(ErrorCode.INVALID_REQUEST, "request_id is missing");
      }
      if (id != null && !id.isNull() && !id.isTextual()) {
        throw new QueryException(
            ErrorCode.INVALID_REQUEST, "request_id must be a string, got " + id.getNodeType());
      }
      if (RequestIds.tooLong(requestId)) {
        throw new QueryException(
            ErrorCode.INVALID_REQUEST,
            "request_id is "
                + requestId.length()
                + " characters, over the limit of "
                + RequestIds.MAX_CHARS
                + "; this reply carries it shortened");
      }
      out.collect(parser.parse(requestId, root, received));
    } catch (QueryException e) {
      answerOrDeadLetter(requestId, received, requestedBy, e, record, ctx);
    } catch (RuntimeException | StackOverflowError e) {
      // A bug of ours must cost this request an error reply, not the job a restart that reads the
      // same request again, forever.
      LOG.error("Request {} could not be parsed", requestId, e);
      answerOrDeadLetter(
          requestId,
          received,
          requestedBy,
          new QueryException(
              ErrorCode.INTERNAL,
              "the request could not be read (" + e.getClass().getSimpleName() + ")"),
          record,
          ctx);
    }
  }

  private static JsonNode read(byte[] value) throws QueryException {
    JsonNode root;
    try {
      root = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      throw new QueryException(ErrorCode.MALFORMED_JSON, BoundedText.notJson(e));
    } catch (IOException e) {
      throw new QueryException(
          ErrorCode.MALFORMED_JSON, "unreadable message: " + e.getClass().getSimpleName());
    }
    if (root == null || !root.isObject()) {
      throw new QueryException(
          ErrorCode.MALFORMED_JSON,
          "expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
    }
    return root;
  }

  /** Who a refused request named, so that its audit line says so; null unless that is valid. */
  private static String validRequestedBy(JsonNode root) {
    try {
      return RequestParser.requestedBy(root);
    } catch (QueryException e) {
      return null;
    }
  }

  private void answerOrDeadLetter(
      String requestId,
      long received,
      String requestedBy,
      QueryException e,
      SourceRecord record,
      Context ctx) {
    if (requestId == null) {
      ctx.output(
          deadLetters,
          DeadLetter.of(
              record,
              STAGE,
              e.code(),
              e.code().name(),
              "no request_id (neither in the message nor as the Kafka key): " + e.getMessage()));
    } else {
      String replyId = RequestIds.tooLong(requestId) ? RequestIds.shortened(requestId) : requestId;
      ctx.output(
          errorReplies,
          Replies.error(replyId, received, List.of(), requestedBy, e.code(), e.getMessage()));
    }
  }
}
