package io.lesionsearch.embed;

/**
 * One image made ready for the model: its input tensor ([3, height, width] flattened) and, when
 * asked for, a base64 JPEG preview from the same decode.
 */
public record Prepared(float[] pixels, String thumbnail) {}
