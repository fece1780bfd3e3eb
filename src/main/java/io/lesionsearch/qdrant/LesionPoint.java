package io.lesionsearch.qdrant;

import java.io.Serializable;

/** Placeholder with the agreed shape; replaced by the Qdrant sink branch at merge. */
public record LesionPoint(String id, float[] vector, byte[] payloadJson) implements Serializable {}
