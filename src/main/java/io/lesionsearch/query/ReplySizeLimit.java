package io.lesionsearch.query;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Every reply passes here on its way to the replies topic, hits and errors alike: one larger than
 * {@code --max-reply-bytes} (key and value together) is answered REPLY_TOO_LARGE instead, since the
 * topic would refuse it and its request would go unanswered.
 */
public final class ReplySizeLimit implements MapFunction<Reply, Reply> {

  private final int maxBytes;

  public ReplySizeLimit(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public Reply map(Reply reply) {
    return Replies.withinLimit(reply, maxBytes);
  }
}
