package io.lesionsearch.ingest;

import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Validates each ingest message, an image or a deletion; a breach of the contract becomes a dead
 * letter typed by its {@link RecordProblem}.
 */
public final class ParseFunction extends ProcessFunction<SourceRecord, IngestMessage> {

  public static final String STAGE = "parse";

  private final IngestMessageParser parser;
  private final OutputTag<DeadLetter> deadLetters;

  public ParseFunction(IngestMessageParser parser, OutputTag<DeadLetter> deadLetters) {
    this.parser = parser;
    this.deadLetters = deadLetters;
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<IngestMessage> out) {
    try {
      out.collect(parser.read(record));
    } catch (InvalidRecordException e) {
      ctx.output(deadLetters, DeadLetter.of(record, STAGE, e.problem(), e));
    }
  }
}
