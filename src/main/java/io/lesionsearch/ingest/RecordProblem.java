package io.lesionsearch.ingest;

/**
 * Why an ingest message breaks the contract in README.md ("Messages"). It travels as a dead
 * letter's {@code dlq.reason} header, where consumers branch on it, so a constant is never renamed
 * or reused; the message beside it is for people and may change.
 */
public enum RecordProblem {
  /** The record has no value. */
  EMPTY_MESSAGE,
  /** The value is not JSON, or is JSON beyond the parser's limits (nesting, string length). */
  NOT_JSON,
  /** The value is JSON but not an object. */
  NOT_AN_OBJECT,
  /** A required field ({@code image_id}) is missing, null or blank. */
  MISSING_FIELD,
  /** A field holds a value of the wrong JSON type. */
  WRONG_TYPE,
  /** A text field is longer than its limit. */
  TEXT_TOO_LONG,
  /** A number is out of its field's range, or too large to store. */
  INVALID_VALUE,
  /** An extra payload field nests objects or lists deeper than allowed. */
  NESTED_TOO_DEEP,
  /** Neither {@code image} nor {@code image_uri} is given. */
  NO_IMAGE,
  /** {@code image} is an empty string. */
  EMPTY_IMAGE,
  /** {@code image} is not valid base64. */
  INVALID_BASE64,
  /** The inline image is over the job's image limit; large images go as {@code image_uri}. */
  IMAGE_TOO_LARGE,
  /** The metadata stored as the point's payload is over its limit. */
  PAYLOAD_TOO_LARGE,
  /** {@code op} is a string other than {@code upsert} and {@code delete}. */
  UNKNOWN_OP,
  /** A delete names both {@code image_id} and {@code filter}, or neither. */
  AMBIGUOUS_DELETE,
  /** A delete's filter is no Qdrant filter this job can send, or filters on an unknown field. */
  INVALID_FILTER,
  /** A delete's filter has no condition, so it would delete every point; refused. */
  FILTER_MATCHES_ALL
}
