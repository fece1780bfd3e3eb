package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lesionsearch.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The query job's graph as Flink plans it: one chain, so a request and its reply never cross a
 * network channel (serialization, a hand-over to another thread, a buffer waiting to be flushed).
 */
class QueryJobGraphTest {

  @Test
  void theWholeJobIsOneChain() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    QueryJob.build(
        env, QueryOptions.parse("--model", TestData.model("vit-s16-d1/bf16").toString()));
    List<String> tasks = new ArrayList<>();
    for (JobVertex v : env.getStreamGraph().getJobGraph().getVertices()) {
      tasks.add(v.getName());
    }
    assertEquals(1, tasks.size(), () -> "tasks: " + tasks);
  }
}
