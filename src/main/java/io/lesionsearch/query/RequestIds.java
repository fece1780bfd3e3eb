package io.lesionsearch.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * request_ids as replies carry them: twice, as the Kafka key and in the JSON. An id over {@link
 * #MAX_CHARS} is refused, and its reply goes out under a shortened id - its start and a hash of the
 * whole - so that a request_id of megabytes cannot make a reply too large for its topic.
 */
public final class RequestIds {

  /** Far above a UUID or any id a client makes; far below anything that weighs on a reply. */
  public static final int MAX_CHARS = 256;

  private static final int KEPT_CHARS = 64;

  private RequestIds() {}

  public static boolean tooLong(String requestId) {
    return requestId.length() > MAX_CHARS;
  }

  /**
   * The id a reply to an over-long request_id carries: its first 64 characters and its SHA-256's
   * first 16 hex digits.
   */
  public static String shortened(String requestId) {
    int end =
        Character.isHighSurrogate(requestId.charAt(KEPT_CHARS - 1)) ? KEPT_CHARS - 1 : KEPT_CHARS;
    return requestId.substring(0, end) + "...sha256:" + sha256(requestId).substring(0, 16);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
