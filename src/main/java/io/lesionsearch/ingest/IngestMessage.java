package io.lesionsearch.ingest;

/**
 * A validated ingest message: an image to embed and index, or a deletion. Both travel on one
 * stream, so a deletion stays behind the upserts sent before it.
 */
public sealed interface IngestMessage permits ImageToEmbed, Deletion {}
