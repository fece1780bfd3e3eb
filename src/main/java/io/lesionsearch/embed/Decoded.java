package io.lesionsearch.embed;

/**
 * An input whose decode has ended: ready for the model, or failed. Exactly one of the two is set.
 */
public record Decoded<I>(I input, Prepared prepared, EmbedResult.Failure failure) {
  public Decoded {
    if ((prepared == null) == (failure == null)) {
      throw new IllegalArgumentException("a decoded input is either prepared or failed");
    }
  }

  public boolean ok() {
    return prepared != null;
  }

  /**
   * The same input, failed after all (its request ran out of time while it waited for the model).
   */
  public Decoded<I> fail(EmbedResult.Failure why) {
    return new Decoded<>(input, null, why);
  }
}
