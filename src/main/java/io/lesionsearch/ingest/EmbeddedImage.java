package io.lesionsearch.ingest;

/**
 * What the embed stage hands to the lesion mapping: the message it embedded, its vector, the
 * preview made from the same decode (null when none was asked for), and which model made the vector
 * when.
 */
public record EmbeddedImage(
    ImageToEmbed image, float[] vector, String thumbnail, String modelId, long embeddedAtMillis)
    implements IndexChange {}
