package io.lesionsearch.embed;

/** What became of one input: its vector, or the reason it has none. */
public record Embedded<I>(I input, EmbedResult result) {}
