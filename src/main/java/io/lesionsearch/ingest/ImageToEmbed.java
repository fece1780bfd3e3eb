package io.lesionsearch.ingest;

import io.lesionsearch.kafka.SourceRecord;

import java.io.Serializable;

/**
 * A validated ingest message: the image (inline bytes or a URI the TaskManagers can read) and the
 * payload the point will carry, as JSON, with its source kept for dead-lettering.
 */
public record ImageToEmbed(SourceRecord source, String imageId, byte[] image, String imageUri, byte[] payloadJson)
    implements Serializable {}
