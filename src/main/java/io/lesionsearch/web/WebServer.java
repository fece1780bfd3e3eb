package io.lesionsearch.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;
import io.lesionsearch.audit.RequestedBy;
import io.lesionsearch.datasets.Diagnosis;
import io.lesionsearch.query.RequestParser;
import io.lesionsearch.query.SearchClientFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clinicians' page and its small JSON API on Javalin (Jetty): {@code GET /} the page (plain
 * HTML, JS and CSS from the classpath), {@code GET /api/vocabulary} what the filters offer, and
 * {@code POST /api/search} (multipart form) one search through the {@link SearchBackend}. Uploads
 * over the limit get 413, clients over their rate 429, and searches beyond the server's concurrency
 * or upload-memory bounds 503, each with a message the page shows as is. A refusal made before the
 * body is read closes the connection instead of reading the upload ({@code Connection: close}), so
 * a client cannot make the server take in what it refused. Requests for a Host the server is not
 * configured for (DNS rebinding) get 421, and POSTs from another site's page (CSRF) 403 (see {@link
 * HostGuard}). The {@code web} command and the local mode both start one.
 */
public final class WebServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a client told the server is busy should wait before trying again, in seconds. */
  static final String BUSY_RETRY_AFTER_SECONDS = "2";

  private final Javalin app;
  private final WebConfig config;

  private WebServer(Javalin app, WebConfig config) {
    this.app = app;
    this.config = config;
  }

  public static WebServer start(SearchBackend backend, WebConfig config) {
    RateLimiter limiter = new RateLimiter(config.searchesPerMinute());
    SearchAdmission admission =
        new SearchAdmission(config.maxConcurrentSearches(), config.uploadMemoryBytes());
    HostGuard guard = new HostGuard(config.bind(), config.allowedHosts());
    Javalin app =
        Javalin.create(
            c -> {
              c.showJavalinBanner = false;
              c.jetty.defaultHost = config.bind();
              c.jetty.defaultPort = config.port();
              c.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), SizeUnit.BYTES);
              c.jetty.multipartConfig.maxTotalRequestSize(config.maxRequestBytes(), SizeUnit.BYTES);
              c.jetty.multipartConfig.maxInMemoryFileSize(
                  (int) Math.min(Integer.MAX_VALUE, config.maxUploadBytes()), SizeUnit.BYTES);
              c.staticFiles.add(
                  files -> {
                    files.hostedPath = "/";
                    files.directory = "/web";
                    files.location = Location.CLASSPATH;
                    files.headers =
                        Map.of("Content-Security-Policy", CSP, "Cache-Control", "no-cache");
                  });
            });
    Handlers handlers = new Handlers(backend, config, limiter, admission);
    // Before every request, the page and its files included: a rebinding page must not read them
    // either.
    app.before(ctx -> guard.check(ctx.method().name(), ctx.header("Host"), ctx.header("Origin")));
    app.get("/api/vocabulary", handlers::vocabulary);
    app.post("/api/search", handlers::search);
    app.exception(WebError.class, (e, ctx) -> Handlers.refuseUnread(ctx, e));
    app.exception(Exception.class, handlers::unexpected);
    app.start();
    UnreadBody.install(app);
    LOG.info("Lesion search page on http://{}:{}/", config.bind(), app.port());
    return new WebServer(app, config);
  }

  /** Images come as data URLs; nothing is loaded from anywhere but this server. */
  private static final String CSP =
      "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'";

  public int port() {
    return app.port();
  }

  public URI uri() {
    String host = config.bind().equals("0.0.0.0") ? "127.0.0.1" : config.bind();
    return URI.create(
        "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
  }

  public void stop() {
    app.stop();
  }

  @Override
  public void close() {
    stop();
  }

  private record Handlers(
      SearchBackend backend, WebConfig config, RateLimiter limiter, SearchAdmission admission) {

    void vocabulary(Context ctx) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode diagnoses = body.putArray("diagnoses");
      for (Diagnosis d : Diagnosis.values()) {
        diagnoses
            .addObject()
            .put("value", d.longName())
            .put("code", d.code())
            .put("label", d.label());
      }
      BodySites.ALL.forEach(body.putArray("body_sites")::add);
      config.sampleImageIds().forEach(body.putArray("samples")::add);
      body.put("max_results", SearchForm.MAX_RESULTS);
      body.put("default_results", SearchForm.DEFAULT_RESULTS);
      body.put("max_upload_bytes", config.maxUploadBytes());
      ctx.json(body);
    }

    void search(Context ctx) {
      String requestedBy;
      try {
        requestedBy = requestedBy(ctx);
      } catch (WebError unknown) {
        refuseUnread(ctx, unknown);
        return;
      }
      long wait = limiter.acquire(ctx.ip());
      if (wait > 0) {
        ctx.header("Retry-After", Long.toString(wait));
        refuseUnread(
            ctx,
            new WebError(
                429,
                "RATE_LIMITED",
                "Too many searches from this computer (at most "
                    + config.searchesPerMinute()
                    + " a minute). Try again in "
                    + wait
                    + " s."));
        return;
      }
      long declared = ctx.contentLength();
      if (declared > config.maxRequestBytes()) {
        refuseUnread(ctx, tooLarge(declared));
        return;
      }
      SearchAdmission.Ticket ticket;
      try {
        // A body of unknown length may grow to the limit, and is counted so.
        ticket = admission.admit(declared >= 0 ? declared : config.maxRequestBytes());
      } catch (WebError busy) {
        refuseUnread(ctx, busy);
        return;
      }
      boolean handedOver = false;
      try {
        CompletableFuture<Void> answered = answer(ctx, requestedBy);
        // However the search ends (reply, error, timeout, the client gone), this runs once it has.
        var unused = answered.whenComplete((r, e) -> ticket.close());
        ctx.future(() -> answered);
        handedOver = true;
      } finally {
        if (!handedOver) {
          ticket.close();
        }
      }
    }

    /** Reads the form and sends the search; the future completes once the answer is in ctx. */
    private CompletableFuture<Void> answer(Context ctx, String requestedBy) {
      if (!ctx.isMultipartFormData()) {
        refuseUnread(
            ctx,
            new WebError(
                400, "INVALID_INPUT", "Send the search as a multipart form (as the page does)."));
        return CompletableFuture.completedFuture(null);
      }
      Map<String, List<String>> fields;
      UploadedFile file;
      try {
        fields = ctx.formParamMap();
        file = ctx.uploadedFile("image");
      } catch (RuntimeException e) {
        if (!isMultipartLimit(e)) {
          throw e;
        }
        refuseUnread(ctx, tooLarge(Math.max(ctx.contentLength(), config.maxUploadBytes() + 1)));
        return CompletableFuture.completedFuture(null);
      }
      ObjectNode request;
      try {
        request = SearchForm.read(fields, image(file)).toRequest();
      } catch (WebError e) {
        fail(ctx, e);
        return CompletableFuture.completedFuture(null);
      }
      if (requestedBy != null) {
        request.put(RequestParser.REQUESTED_BY, requestedBy);
      }
      long started = System.nanoTime();
      Duration timeout = config.replyTimeout();
      CompletableFuture<JsonNode> reply;
      try {
        reply = backend.search(request, timeout);
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      // Javalin's thread is free while the reply is awaited; the backend's own timeout comes first,
      // this one only guards against a backend that has none.
      return reply
          .orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
          .handle(
              (json, error) -> {
                try {
                  if (error != null) {
                    throw backendFailure(error, timeout);
                  }
                  ObjectNode page = ResultCards.fromReply(json);
                  page.put(
                      "elapsed_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                  ctx.json(page);
                } catch (WebError e) {
                  fail(ctx, e);
                }
                return null;
              });
    }

    /**
     * Who the search is for: the trusted header's one valid value when a header is configured (the
     * proxy in front vouches for it), else the configured service name, else no one.
     */
    private String requestedBy(Context ctx) throws WebError {
      String header = config.trustedUserHeader();
      if (header == null) {
        return config.requestedBy();
      }
      List<String> values = Collections.list(ctx.req().getHeaders(header));
      if (values.size() != 1 || !RequestedBy.isValid(values.get(0))) {
        LOG.warn(
            "Search refused: {} {} of the trusted user header {}",
            values.size(),
            values.size() == 1 ? "invalid value" : "values",
            header);
        throw new WebError(
            403,
            "USER_UNKNOWN",
            "This page does not know who you are: sign in again through the clinic's portal. If"
                + " this keeps happening, ask the administrator to check the page's proxy.");
      }
      return values.get(0);
    }

    private byte[] image(UploadedFile file) throws WebError {
      if (file == null
          || (file.size() == 0 && (file.filename() == null || file.filename().isBlank()))) {
        return null; // no file chosen
      }
      if (file.size() > config.maxUploadBytes()) {
        throw tooLarge(file.size());
      }
      try (InputStream in = file.content()) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new WebError(400, "UPLOAD_FAILED", "The upload did not arrive complete; try again.");
      }
    }

    private WebError tooLarge(long bytes) {
      return new WebError(
          413,
          "UPLOAD_TOO_LARGE",
          "The image is too large: "
              + megabytes(bytes)
              + ", and the limit is "
              + megabytes(config.maxUploadBytes())
              + ". Upload a smaller JPEG or PNG (a photo exported at a lower resolution will do).");
    }

    private static WebError backendFailure(Throwable error, Duration timeout) {
      Throwable cause = error;
      while ((cause instanceof CompletionException || cause instanceof ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof SearchClientFailedException) {
        LOG.warn(
            "Search refused: {}", cause.getMessage()); // the client logged the cause with its trace
        return new WebError(
            502,
            "BACKEND_UNAVAILABLE",
            "The search service cannot be reached from this server"
                + " any more (its Kafka access failed). Ask the administrator to check it and restart the page's server.");
      }
      if (cause instanceof TimeoutException) {
        return new WebError(
            504,
            "BACKEND_TIMEOUT",
            "The search service did not answer within "
                + seconds(timeout)
                + ". The query job may be stopped or overloaded: try again, and if this keeps"
                + " happening ask the administrator to check it.");
      }
      LOG.warn("Search backend failed", cause);
      return new WebError(
          502,
          "BACKEND_UNAVAILABLE",
          "The search service could not be reached ("
              + cause.getClass().getSimpleName()
              + "). Try again shortly, or ask the administrator to check Kafka.");
    }

    void unexpected(Exception e, Context ctx) {
      LOG.error("Unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
      fail(
          ctx,
          new WebError(
              500, "INTERNAL", "Something went wrong on the server; the details are in its log."));
    }

    /**
     * Jetty's multipart parser refuses a part or a request over the limits (from a client that sent
     * no length) with an IllegalStateException, which is the only one reading a form can throw: the
     * multipart config is always set.
     */
    private static boolean isMultipartLimit(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof IllegalStateException) {
          return true;
        }
      }
      return false;
    }

    /**
     * Answers without reading the rest of the body: the connection closes after the answer instead.
     */
    static void refuseUnread(Context ctx, WebError e) {
      UnreadBody.closeAfterAnswer(ctx);
      fail(ctx, e);
    }

    static void fail(Context ctx, WebError e) {
      if (e.status() == 503 && ctx.res().getHeader("Retry-After") == null) {
        ctx.header("Retry-After", BUSY_RETRY_AFTER_SECONDS);
      }
      ObjectNode body = JSON.createObjectNode();
      body.putObject("error").put("code", e.code()).put("message", e.getMessage());
      ctx.status(e.status()).json(body);
    }

    private static String megabytes(long bytes) {
      return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1_048_576.0);
    }

    private static String seconds(Duration d) {
      long ms = d.toMillis();
      return ms % 1000 == 0
          ? ms / 1000 + " s"
          : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
  }
}
