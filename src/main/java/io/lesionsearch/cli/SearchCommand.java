package io.lesionsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.audit.RequestedBy;
import io.lesionsearch.query.ReplyTable;
import io.lesionsearch.query.RequestParser;
import io.lesionsearch.query.SearchClient;
import io.lesionsearch.query.SearchClientFailedException;
import io.lesionsearch.query.SearchClientOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description =
        "Send one search to the query job and print its reply as a table, or as JSON with --json.")
final class SearchCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Query query;

  static final class Query {
    @Option(
        names = "--image",
        paramLabel = "FILE",
        description = "A JPEG or PNG to find similar cases for.")
    Path image;

    @Option(
        names = "--vector",
        paramLabel = "JSON",
        description = "A query vector, e.g. [0.1, ...] (384 numbers).")
    String vector;

    @Option(
        names = "--image-id",
        paramLabel = "ID",
        description = "An indexed image whose stored vector is the query.")
    String imageId;
  }

  @Option(
      names = "--include-self",
      description = "With --image-id: the image itself may be among the hits.")
  boolean includeSelf;

  @Option(
      names = "--filter",
      paramLabel = "JSON",
      description = "A Qdrant filter, as in Qdrant's REST API.")
  String filter;

  @Option(
      names = "--limit",
      defaultValue = "10",
      description = "Hits to return, 1..1000 (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--offset", description = "Hits to skip.")
  Integer offset;

  @Option(names = "--threshold", description = "Only hits scoring above this.")
  Double threshold;

  @Option(
      names = "--group-by",
      paramLabel = "KEY",
      description =
          "Group the hits by this payload key, e.g. lesion_id (one of lesion_id, dx, dx_code,"
              + " dx_type, sex, localization); --limit then counts groups.")
  String groupBy;

  @Option(
      names = "--group-size",
      paramLabel = "N",
      description = "With --group-by: hits per group, 1..10 (the job's default: 1).")
  Integer groupSize;

  @Option(
      names = "--payload",
      paramLabel = "SPEC",
      description =
          "true, false, comma-separated keys, or with_payload JSON such as '{\"exclude\": [\"lesion_id\"]}' (default: true).")
  String payload;

  @Option(
      names = "--requested-by",
      paramLabel = "NAME",
      description =
          "The user or service this search is for, recorded in the query job's audit trail (1..200 characters, no control characters).")
  String requestedBy;

  @Option(names = "--json", description = "Print the reply as it came, one JSON line.")
  boolean json;

  @Mixin SearchClientOptions kafka;

  @Option(
      names = "--timeout-ms",
      defaultValue = "30000",
      description = "How long to wait for the reply (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Override
  public Integer call() throws Exception {
    ObjectNode request = request();
    PrintWriter out = spec.commandLine().getOut();
    JsonNode reply;
    try (SearchClient client = kafka.open()) {
      reply = client.search(request, Duration.ofMillis(timeoutMs)).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException
          || e.getCause() instanceof SearchClientFailedException) {
        // No reply came: a timeout, or Kafka refused the client (authorization, a missing topic).
        spec.commandLine().getErr().println("search: " + e.getCause().getMessage());
        return 3;
      }
      throw e;
    }
    if (json) {
      out.println(JSON.writeValueAsString(reply));
    } else {
      ReplyTable.print(reply, out);
    }
    out.flush();
    return "ok".equals(reply.path("status").asText()) ? 0 : 1;
  }

  ObjectNode request() throws Exception {
    ObjectNode request = JSON.createObjectNode();
    if (requestedBy != null) {
      Optional<String> problem = RequestedBy.problem(requestedBy);
      if (problem.isPresent()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--requested-by: " + problem.get());
      }
      request.put(RequestParser.REQUESTED_BY, requestedBy);
    }
    ObjectNode q = request.putObject("query");
    if (query.image != null) {
      q.put("image", Base64.getEncoder().encodeToString(Files.readAllBytes(query.image)));
    } else if (query.vector != null) {
      q.set("vector", JSON.readTree(query.vector));
    } else {
      q.put("image_id", query.imageId);
      if (includeSelf) {
        q.put("include_self", true);
      }
    }
    if (filter != null) {
      request.set("filter", JSON.readTree(filter));
    }
    request.put("limit", limit);
    if (offset != null) {
      request.put("offset", offset);
    }
    if (threshold != null) {
      request.put("score_threshold", threshold);
    }
    if (payload != null) {
      request.set("with_payload", payloadSelector(payload));
    }
    // The job checks both (and refuses --group-size alone), so its reply says what is wrong.
    if (groupBy != null) {
      request.put("group_by", groupBy);
    }
    if (groupSize != null) {
      request.put("group_size", groupSize);
    }
    return request;
  }

  static JsonNode payloadSelector(String spec) throws Exception {
    String s = spec.trim();
    if (s.startsWith("[") || s.startsWith("{") || s.equals("true") || s.equals("false")) {
      return JSON.readTree(s);
    }
    ArrayNode keys = JSON.createArrayNode();
    for (String key : s.split(",", -1)) {
      if (!key.isBlank()) {
        keys.add(key.trim());
      }
    }
    return keys;
  }
}
