package io.lesionsearch.ingest;

/**
 * What the embed stage hands on, in the order the messages came: an embedded image to upsert, or a
 * deletion, which waits until every image before it is embedded and handed on.
 */
public sealed interface IndexChange permits EmbeddedImage, Deletion {}
