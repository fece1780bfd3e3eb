package io.lesionsearch.web;

import java.time.Duration;
import java.util.List;

/**
 * The page's configuration as the tests vary it, the rest as {@link WebConfig#defaults()} has it.
 */
final class WebConfigs {
  private WebConfigs() {}

  static WebConfig of(
      String bind, int port, long maxUploadBytes, int searchesPerMinute, Duration replyTimeout) {
    return of(bind, port, maxUploadBytes, searchesPerMinute, replyTimeout, List.of());
  }

  /** Memory for uploads as shipped, or enough for the largest upload when that is more. */
  static WebConfig of(
      String bind,
      int port,
      long maxUploadBytes,
      int searchesPerMinute,
      Duration replyTimeout,
      List<String> sampleImageIds) {
    return new WebConfig(
        bind,
        port,
        maxUploadBytes,
        searchesPerMinute,
        replyTimeout,
        sampleImageIds,
        WebConfig.DEFAULT_MAX_CONCURRENT_SEARCHES,
        Math.max(
            WebConfig.DEFAULT_UPLOAD_MEMORY_BYTES, maxUploadBytes + WebConfig.FORM_OVERHEAD_BYTES),
        List.of(),
        null,
        null);
  }

  static WebConfig withLimits(WebConfig c, int maxConcurrentSearches, long uploadMemoryBytes) {
    return new WebConfig(
        c.bind(),
        c.port(),
        c.maxUploadBytes(),
        c.searchesPerMinute(),
        c.replyTimeout(),
        c.sampleImageIds(),
        maxConcurrentSearches,
        uploadMemoryBytes,
        c.allowedHosts(),
        c.trustedUserHeader(),
        c.requestedBy());
  }

  static WebConfig withAllowedHosts(WebConfig c, List<String> hosts) {
    return new WebConfig(
        c.bind(),
        c.port(),
        c.maxUploadBytes(),
        c.searchesPerMinute(),
        c.replyTimeout(),
        c.sampleImageIds(),
        c.maxConcurrentSearches(),
        c.uploadMemoryBytes(),
        hosts,
        c.trustedUserHeader(),
        c.requestedBy());
  }

  /** Who the page's searches are for: a header a proxy sets, or a fixed service name. */
  static WebConfig withRequester(WebConfig c, String trustedUserHeader, String requestedBy) {
    return new WebConfig(
        c.bind(),
        c.port(),
        c.maxUploadBytes(),
        c.searchesPerMinute(),
        c.replyTimeout(),
        c.sampleImageIds(),
        c.maxConcurrentSearches(),
        c.uploadMemoryBytes(),
        c.allowedHosts(),
        trustedUserHeader,
        requestedBy);
  }
}
