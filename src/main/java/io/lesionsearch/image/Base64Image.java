package io.lesionsearch.image;

import java.util.Base64;

/**
 * Image bytes sent inline in JSON as base64, as both the ingest and the search messages carry them.
 */
public final class Base64Image {
  private Base64Image() {}

  /**
   * Decodes base64 text, ignoring line breaks and other whitespace but refusing any other
   * character.
   *
   * @throws IllegalArgumentException saying what is wrong: too large (checked before any buffer is
   *     allocated), not base64, or empty
   */
  public static byte[] decode(String text, int maxBytes) {
    long decodedSize = decodedSize(text);
    if (decodedSize > maxBytes) {
      throw new IllegalArgumentException(
          "image is about " + decodedSize + " bytes, over the limit of " + maxBytes + " bytes");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      bytes = decodeWrapped(text);
    }
    if (bytes.length == 0) {
      throw new IllegalArgumentException("image is empty");
    }
    return bytes;
  }

  /** About how many bytes the text decodes to: exact for unwrapped base64 without padding. */
  public static long decodedSize(String text) {
    return (long) text.length() * 3 / 4;
  }

  /**
   * Line breaks are common in base64 and harmless; anything else illegal must be refused, not
   * skipped as the MIME decoder would. Most images come unwrapped and decode at the first try,
   * without a scan for whitespace.
   */
  private static byte[] decodeWrapped(String text) {
    StringBuilder b = new StringBuilder(text.length());
    text.chars().filter(c -> !Character.isWhitespace(c)).forEach(c -> b.append((char) c));
    try {
      return Base64.getDecoder().decode(b.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("image is not valid base64: " + e.getMessage());
    }
  }
}
