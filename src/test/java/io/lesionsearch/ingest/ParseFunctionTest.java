package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * Every message ends as an image to embed or as a dead letter of the parse stage with its typed
 * reason.
 */
class ParseFunctionTest {

  private static final OutputTag<DeadLetter> DLQ =
      new OutputTag<>("dlq", TypeInformation.of(DeadLetter.class));

  @Test
  void aValidMessageGoesOnAndABreachIsADeadLetterWithItsProblem() throws Exception {
    SourceRecord good = record(0, "{\"image_id\": \"a\", \"image_uri\": \"/data/a.jpg\"}");
    SourceRecord noImage = record(1, "{\"image_id\": \"b\"}");
    try (OneInputStreamOperatorTestHarness<SourceRecord, IngestMessage> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new ParseFunction(new IngestMessageParser(1000), DLQ))) {
      harness.processElement(good, 0);
      harness.processElement(noImage, 0);

      assertEquals(
          List.of("a"),
          harness.extractOutputValues().stream().map(m -> ((ImageToEmbed) m).imageId()).toList());
      List<DeadLetter> dead =
          harness.getSideOutput(DLQ).stream().map(StreamRecord::getValue).toList();
      assertEquals(1, dead.size(), dead.toString());
      DeadLetter letter = dead.get(0);
      assertEquals(ParseFunction.STAGE, letter.stage());
      assertEquals(RecordProblem.NO_IMAGE.name(), letter.reason());
      assertEquals(InvalidRecordException.class.getName(), letter.errorClass());
      assertArrayEquals(
          noImage.value(), letter.source().value(), "the original record, for replay");
    }
  }

  private static SourceRecord record(long offset, String json) {
    return new SourceRecord("in", 0, offset, null, json.getBytes(StandardCharsets.UTF_8));
  }
}
