package io.lesionsearch.web;

/**
 * A search the gateway answers with an error: the HTTP status, a stable code the page may branch
 * on, and a message written for the clinician who will read it.
 */
public final class WebError extends Exception {

  private final int status;
  private final String code;

  public WebError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
