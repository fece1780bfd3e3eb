package io.lesionsearch.kafka;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Texts that end up in records and logs, cut to a size: an error message must never echo unbounded
 * input (a metadata value, an id, a filter) into a dead letter, a reply or a log line.
 */
public final class BoundedText {

  /** Long enough for any message of ours, short enough that no echo of input grows large. */
  public static final int MESSAGE_CHARS = 300;

  private BoundedText() {}

  /** {@code text} if it has at most {@code max} characters, else its start and how much was cut. */
  public static String of(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int end = max;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // never split a character in two
    }
    return text.substring(0, end) + "... (" + (text.length() - end) + " more characters)";
  }

  public static String message(String text) {
    return of(text, MESSAGE_CHARS);
  }

  /**
   * Why a message is not JSON, by where the parser stopped: never Jackson's own excerpt of the
   * input, which could be a slice of an image. A document over Jackson's limits (nesting, number or
   * string length) has no location and is told by the limit's message.
   */
  public static String notJson(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    return message(
        at == null
            ? "not valid JSON: " + e.getOriginalMessage()
            : "not valid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr());
  }
}
