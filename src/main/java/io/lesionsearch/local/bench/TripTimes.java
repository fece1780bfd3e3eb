package io.lesionsearch.local.bench;

import io.lesionsearch.query.SearchClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Each waiting request's Kafka timestamps, as the search client reports them. */
final class TripTimes implements SearchClient.Trips {

  /** What is known of one request's trip; -1 where not (yet) known. */
  static final class Trip {
    private volatile long appendedMs = -1;
    private volatile long jobReceivedMs = -1;
    private volatile long replyMs = -1;
    private volatile long readNanos = -1;

    long appendedMs() {
      return appendedMs;
    }

    long jobReceivedMs() {
      return jobReceivedMs;
    }

    long replyMs() {
      return replyMs;
    }

    long readNanos() {
      return readNanos;
    }
  }

  private final Map<String, Trip> trips = new ConcurrentHashMap<>();

  @Override
  public void requestAppended(String requestId, long timestampMs) {
    trips.computeIfAbsent(requestId, id -> new Trip()).appendedMs = timestampMs;
  }

  @Override
  public void replyRead(String requestId, long timestampMs, long jobReceivedMs, long readNanos) {
    Trip trip = trips.computeIfAbsent(requestId, id -> new Trip());
    trip.jobReceivedMs = jobReceivedMs;
    trip.replyMs = timestampMs;
    trip.readNanos = readNanos;
  }

  /** The request's trip, forgotten here; null when nothing was reported for it. */
  Trip remove(String requestId) {
    return trips.remove(requestId);
  }
}
