package io.lesionsearch.embed;

import java.nio.file.Path;

/** A model directory that cannot be used, with the path and the problem in the message. */
public final class ModelLoadException extends Exception {
  public ModelLoadException(Path where, String problem) {
    this(where, problem, null);
  }

  public ModelLoadException(Path where, String problem, Throwable cause) {
    super(where + ": " + problem, cause);
  }
}
