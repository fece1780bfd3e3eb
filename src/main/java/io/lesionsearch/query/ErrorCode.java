package io.lesionsearch.query;

/**
 * The stable codes of error replies. Clients branch on them, so a code is never renamed or reused;
 * the message beside it is for people and may change.
 */
public enum ErrorCode {
  /** The message is not JSON, or not a JSON object. */
  MALFORMED_JSON,
  /** A field is missing, of the wrong type, or out of its range (other than those below). */
  INVALID_REQUEST,
  /** {@code query} names no kind this job knows (image, vector, image_id). */
  UNKNOWN_QUERY_KIND,
  /** {@code filter} is not a Qdrant filter this job can pass on. */
  INVALID_FILTER,
  /** {@code limit} is outside 1..1000. */
  LIMIT_OUT_OF_RANGE,
  /** The vector's length differs from the model's (and the collection's) vector size. */
  VECTOR_SIZE_MISMATCH,
  /** The image is not valid base64, or cannot be decoded as a JPEG or PNG. */
  IMAGE_UNREADABLE,
  /** No indexed point has this image_id. */
  UNKNOWN_IMAGE_ID,
  /** The job's collection does not exist in Qdrant. */
  COLLECTION_NOT_FOUND,
  /**
   * Qdrant could not be reached, or kept answering "unavailable", until the request's time ran out.
   */
  QDRANT_UNAVAILABLE,
  /** Qdrant refused or failed the search for another reason; the message carries Qdrant's. */
  QDRANT_ERROR,
  /** The reply would exceed {@code --max-reply-bytes}: ask for fewer hits or fewer payload keys. */
  REPLY_TOO_LARGE,
  /**
   * The job has more images waiting to be decoded and embedded than it takes on, or the
   * TaskManager's pixel budget stayed in use: try again shortly.
   */
  OVERLOADED,
  /** No answer within the job's request timeout. */
  TIMEOUT,
  /** A fault of this job; the message says what. */
  INTERNAL,
  /**
   * {@code requested_by} is not a string of 1..200 characters free of control and format
   * characters.
   */
  INVALID_REQUESTED_BY
}
