package io.lesionsearch.config;

/**
 * The one check every configuration record makes: the message names the option (or setting) at
 * fault.
 */
public final class Check {
  private Check() {}

  public static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
