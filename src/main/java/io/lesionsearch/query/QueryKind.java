package io.lesionsearch.query;

/**
 * What a search starts from; the names are the request's {@code query} keys and the audit log's
 * words.
 */
public enum QueryKind {
  IMAGE("image"),
  VECTOR("vector"),
  IMAGE_ID("image_id");

  private final String key;

  QueryKind(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }
}
