package io.lesionsearch.qdrant;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * At most N requests in flight, each up to the full batch size. Flink's default (AIMD congestion
 * control) caps the points in flight at one batch, so with 1,000-point batches a second request
 * could never start, and it halves the batch after every failure, so after an outage the sink would
 * crawl back from 1-point upserts. The writer's own backoff is what slows it down while Qdrant is
 * struggling. Only used from the task's mailbox thread.
 */
final class FixedInFlightStrategy implements RateLimitingStrategy {
  private final int maxInFlightRequests;
  private final int maxBatchSize;
  private int inFlight;

  FixedInFlightStrategy(int maxInFlightRequests, int maxBatchSize) {
    this.maxInFlightRequests = maxInFlightRequests;
    this.maxBatchSize = maxBatchSize;
  }

  @Override
  public void registerInFlightRequest(RequestInfo request) {
    inFlight++;
  }

  @Override
  public void registerCompletedRequest(ResultInfo result) {
    inFlight--;
  }

  @Override
  public boolean shouldBlock(RequestInfo request) {
    return inFlight >= maxInFlightRequests;
  }

  @Override
  public int getMaxBatchSize() {
    return maxBatchSize;
  }
}
