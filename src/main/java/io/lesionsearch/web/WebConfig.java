package io.lesionsearch.web;

import java.time.Duration;
import java.util.List;

/**
 * How the page is served and guarded.
 *
 * @param bind address to listen on; 127.0.0.1 keeps the page on this machine
 * @param port 0 for any free port (tests)
 * @param maxUploadBytes largest image a user may upload
 * @param searchesPerMinute per client address; further searches get 429
 * @param replyTimeout how long a search waits for the query job's reply
 * @param sampleImageIds indexed images the page offers to search by with one click (Kafka offers no
 *     way to list a collection, so whoever starts the page names them; the local mode names its
 *     dataset's first images)
 */
public record WebConfig(String bind, int port, long maxUploadBytes, int searchesPerMinute, Duration replyTimeout,
    List<String> sampleImageIds) {

  /** At most this many samples are offered; a page of buttons is not a catalogue. */
  public static final int MAX_SAMPLES = 12;

  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 10L * 1024 * 1024;
  public static final int DEFAULT_SEARCHES_PER_MINUTE = 60;
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);

  public WebConfig(String bind, int port, long maxUploadBytes, int searchesPerMinute, Duration replyTimeout) {
    this(bind, port, maxUploadBytes, searchesPerMinute, replyTimeout, List.of());
  }

  public WebConfig {
    sampleImageIds = List.copyOf(sampleImageIds);
    require(sampleImageIds.size() <= MAX_SAMPLES, "at most " + MAX_SAMPLES + " sample image_ids, got " + sampleImageIds.size());
    require(bind != null && !bind.isBlank(), "--bind must name an address");
    require(port >= 0 && port <= 65_535, "--port must be 0..65535, got " + port);
    // The query job's own limit on an image is 16 MiB; a larger upload could never be searched.
    require(maxUploadBytes >= 1024 && maxUploadBytes <= 16L * 1024 * 1024,
        "--max-upload-bytes must be 1024..16777216, got " + maxUploadBytes);
    require(searchesPerMinute >= 1, "--searches-per-minute must be at least 1, got " + searchesPerMinute);
    require(replyTimeout != null && !replyTimeout.isNegative() && replyTimeout.toMillis() >= 100,
        "--reply-timeout-ms must be at least 100, got " + (replyTimeout == null ? null : replyTimeout.toMillis()));
  }

  public static WebConfig defaults() {
    return new WebConfig(DEFAULT_BIND, DEFAULT_PORT, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_SEARCHES_PER_MINUTE,
        DEFAULT_REPLY_TIMEOUT);
  }

  public WebConfig withPort(int newPort) {
    return new WebConfig(bind, newPort, maxUploadBytes, searchesPerMinute, replyTimeout, sampleImageIds);
  }

  public WebConfig withSamples(List<String> imageIds) {
    return new WebConfig(bind, port, maxUploadBytes, searchesPerMinute, replyTimeout, imageIds);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
