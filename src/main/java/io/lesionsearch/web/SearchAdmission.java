package io.lesionsearch.web;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the searches in progress and the request bytes they hold in memory, over all clients. A
 * search is admitted before its body is read, so a refused one costs neither memory nor a thread;
 * the caller answers 503 and the client retries. Whatever way a search ends, its {@link Ticket} is
 * closed and gives back exactly what it took.
 */
final class SearchAdmission {

  private final int maxSearches;
  private final long maxBytes;
  private final AtomicInteger searches = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  SearchAdmission(int maxSearches, long maxBytes) {
    this.maxSearches = maxSearches;
    this.maxBytes = maxBytes;
  }

  /**
   * @param requestBytes what the search's body will hold in memory at most
   */
  Ticket admit(long requestBytes) throws WebError {
    if (searches.incrementAndGet() > maxSearches) {
      searches.decrementAndGet();
      throw new WebError(
          503,
          "SEARCH_BUSY",
          "The server is busy with other searches (at most "
              + maxSearches
              + " at once). Try again in a few seconds.");
    }
    long held;
    do {
      held = bytes.get();
      if (held + requestBytes > maxBytes) {
        searches.decrementAndGet();
        throw new WebError(
            503,
            "UPLOADS_BUSY",
            "The server is busy receiving other images. Try again in a few seconds.");
      }
    } while (!bytes.compareAndSet(held, held + requestBytes));
    return new Ticket(requestBytes);
  }

  int searches() {
    return searches.get();
  }

  long bytes() {
    return bytes.get();
  }

  /** One admitted search's share; closing it more than once gives it back once. */
  final class Ticket implements AutoCloseable {

    private final long requestBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Ticket(long requestBytes) {
      this.requestBytes = requestBytes;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        bytes.addAndGet(-requestBytes);
        searches.decrementAndGet();
      }
    }
  }
}
