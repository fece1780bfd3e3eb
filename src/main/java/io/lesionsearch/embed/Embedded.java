package io.lesionsearch.embed;

import io.lesionsearch.image.ImageDecodeException;

/** What became of one input: its vector, or the reason it has none. Exactly one of the two is set. */
public record Embedded<T>(T input, float[] vector, ImageDecodeException error) {
  public boolean ok() {
    return error == null;
  }
}
