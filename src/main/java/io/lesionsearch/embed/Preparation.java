package io.lesionsearch.embed;

/**
 * The per-item work before the model, as a DJL Translator's input step: one input (bytes, a file, a
 * message naming either) made ready for the model. Runs on decode threads, so it must be
 * thread-safe. Whatever it throws, short of an Error that breaks the JVM, becomes that input's
 * {@link EmbedResult.Failure}; it never reaches the driver.
 */
@FunctionalInterface
public interface Preparation<I> {
  Prepared prepare(I input) throws Exception;
}
