package io.lesionsearch.audit;

import java.util.Optional;

/**
 * The rules for {@code requested_by}, the user or service a request is made for: 1 to {@value
 * #MAX_CHARS} characters, none of them a control or format character (which could forge or hide
 * parts of an audit line or a log viewer's display).
 */
public final class RequestedBy {

  /** The most characters (UTF-16 units) a requested_by may have. */
  public static final int MAX_CHARS = 200;

  private RequestedBy() {}

  /** Whether {@code value} may stand in an audit record as who asked. */
  public static boolean isValid(String value) {
    return problem(value).isEmpty();
  }

  /**
   * What is wrong with {@code value}, in words that never repeat it (it may be long or hostile);
   * empty when nothing is.
   */
  public static Optional<String> problem(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.of("requested_by must not be empty");
    }
    if (value.length() > MAX_CHARS) {
      return Optional.of(
          "requested_by is " + value.length() + " characters, over the limit of " + MAX_CHARS);
    }
    for (int i = 0; i < value.length(); ) {
      int c = value.codePointAt(i);
      int type = Character.getType(c);
      if (type == Character.CONTROL || type == Character.FORMAT) {
        return Optional.of(
            String.format(
                "requested_by has a control or format character (U+%04X) at index %d", c, i));
      }
      i += Character.charCount(c);
    }
    return Optional.empty();
  }
}
