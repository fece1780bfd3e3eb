package io.lesionsearch.web;

import io.lesionsearch.audit.RequestedBy;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the page is served and guarded.
 *
 * @param bind address to listen on; 127.0.0.1 keeps the page on this machine
 * @param port 0 for any free port
 * @param maxUploadBytes largest image a user may upload
 * @param searchesPerMinute per client address; further searches get 429
 * @param replyTimeout how long a search waits for the query job's reply
 * @param sampleImageIds indexed images the page offers to search by with one click (Kafka offers no
 *     way to list a collection, so whoever starts the page names them; the local mode names its
 *     dataset's first images)
 * @param maxConcurrentSearches searches in progress at once, over all clients; more get 503
 * @param uploadMemoryBytes request bodies (mostly uploads) held in memory at once, counted by their
 *     declared length (the largest allowed when none is declared); more get 503. The heap needs
 *     several times this (Jetty's buffer, the bytes, their base64 in the Kafka request; README
 *     measures it).
 * @param allowedHosts names, besides the bind address (and localhost when bound to loopback or
 *     every interface), the page may be reached by: the Host header must name one of them, and a
 *     POST's Origin must be the page's own or one of these
 * @param trustedUserHeader a request header an authenticating reverse proxy sets to the signed-in
 *     user: when set, every search must carry exactly one valid value of it (else 403
 *     USER_UNKNOWN), which becomes the search's requested_by; null when none
 * @param requestedBy the fixed requested_by of every search, naming this page as a service, when no
 *     trusted header is configured; null when none
 */
public record WebConfig(
    String bind,
    int port,
    long maxUploadBytes,
    int searchesPerMinute,
    Duration replyTimeout,
    List<String> sampleImageIds,
    int maxConcurrentSearches,
    long uploadMemoryBytes,
    List<String> allowedHosts,
    String trustedUserHeader,
    String requestedBy) {

  /** At most this many samples are offered; a page of buttons is not a catalogue. */
  public static final int MAX_SAMPLES = 12;

  /** Room for the form's other fields and the multipart framing beside the image. */
  public static final long FORM_OVERHEAD_BYTES = 64 * 1024;

  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 10L * 1024 * 1024;
  public static final int DEFAULT_SEARCHES_PER_MINUTE = 60;
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CONCURRENT_SEARCHES = 16;
  public static final long DEFAULT_UPLOAD_MEMORY_BYTES = 64L * 1024 * 1024;

  /** An HTTP header name (RFC 9110 token). */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");

  /** A host name or an IP literal (IPv6 in brackets); no port, scheme or path. */
  private static final Pattern HOST =
      Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\\[[0-9a-f:.]+\\]");

  public WebConfig {
    sampleImageIds = List.copyOf(sampleImageIds);
    require(
        sampleImageIds.size() <= MAX_SAMPLES,
        "at most " + MAX_SAMPLES + " sample image_ids, got " + sampleImageIds.size());
    require(bind != null && !bind.isBlank(), "--bind must name an address");
    require(port >= 0 && port <= 65_535, "--port must be 0..65535, got " + port);
    // The query job's own limit on an image is 16 MiB; a larger upload could never be searched.
    require(
        maxUploadBytes >= 1024 && maxUploadBytes <= 16L * 1024 * 1024,
        "--max-upload-bytes must be 1024..16777216, got " + maxUploadBytes);
    require(
        searchesPerMinute >= 1,
        "--searches-per-minute must be at least 1, got " + searchesPerMinute);
    require(
        replyTimeout != null && !replyTimeout.isNegative() && replyTimeout.toMillis() >= 100,
        "--reply-timeout-ms must be at least 100, got "
            + (replyTimeout == null ? null : replyTimeout.toMillis()));
    require(
        maxConcurrentSearches >= 1 && maxConcurrentSearches <= 10_000,
        "--max-concurrent-searches must be 1..10000, got " + maxConcurrentSearches);
    // Otherwise a largest allowed upload could never be admitted.
    require(
        uploadMemoryBytes >= maxUploadBytes + FORM_OVERHEAD_BYTES,
        "--upload-memory-bytes must be at least"
            + " --max-upload-bytes + "
            + FORM_OVERHEAD_BYTES
            + " ("
            + (maxUploadBytes + FORM_OVERHEAD_BYTES)
            + "), got "
            + uploadMemoryBytes);
    allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
    for (String host : allowedHosts) {
      require(
          HOST.matcher(host).matches(),
          "--allowed-host takes a host name or IP address, without scheme, port or path; got \""
              + host
              + "\"");
    }
    require(
        trustedUserHeader == null || HEADER_NAME.matcher(trustedUserHeader).matches(),
        "--trusted-user-header must be an HTTP header name (letters, digits, '-'), up to 100"
            + " characters");
    require(
        requestedBy == null || RequestedBy.isValid(requestedBy),
        "--requested-by: " + RequestedBy.problem(requestedBy).orElse(""));
    // With a trusted header every search names its user; a fixed name would never be used.
    require(
        trustedUserHeader == null || requestedBy == null,
        "--requested-by and --trusted-user-header exclude each other: the header names the user of"
            + " every search");
  }

  public static WebConfig defaults() {
    return new WebConfig(
        DEFAULT_BIND,
        DEFAULT_PORT,
        DEFAULT_MAX_UPLOAD_BYTES,
        DEFAULT_SEARCHES_PER_MINUTE,
        DEFAULT_REPLY_TIMEOUT,
        List.of(),
        DEFAULT_MAX_CONCURRENT_SEARCHES,
        DEFAULT_UPLOAD_MEMORY_BYTES,
        List.of(),
        null,
        null);
  }

  /** The largest request body a search may have: the largest upload and the rest of the form. */
  public long maxRequestBytes() {
    return maxUploadBytes + FORM_OVERHEAD_BYTES;
  }

  public WebConfig withPort(int newPort) {
    return new WebConfig(
        bind,
        newPort,
        maxUploadBytes,
        searchesPerMinute,
        replyTimeout,
        sampleImageIds,
        maxConcurrentSearches,
        uploadMemoryBytes,
        allowedHosts,
        trustedUserHeader,
        requestedBy);
  }

  public WebConfig withSamples(List<String> imageIds) {
    return new WebConfig(
        bind,
        port,
        maxUploadBytes,
        searchesPerMinute,
        replyTimeout,
        imageIds,
        maxConcurrentSearches,
        uploadMemoryBytes,
        allowedHosts,
        trustedUserHeader,
        requestedBy);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
