package io.lesionsearch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonPeerTest {

  @TempDir Path dir;

  /** A stand-in peer: a shell script that prints what peer.py prints, and echoes its arguments. */
  private PythonPeer peer(String body) throws IOException {
    Path script = Files.writeString(dir.resolve("peer.sh"), body);
    return new PythonPeer("sh", script, dir, 16, 2, 1, 3, 12);
  }

  @Test
  void readsBothPhasesAndPassesTheSettings() throws Exception {
    PythonPeer peer =
        peer(
            """
            echo "warning: something on stderr" >&2
            echo '{"peer": "end-to-end", "dtype": "'$4'", "images_per_s": 17.25, "torch": "2.15.0",\
             "transformers": "4.57.6", "threads": '$8', "attn": "sdpa", "depth": '${14}'}'
            echo '{"peer": "model-only", "dtype": "'$4'", "images_per_s": 18.5, "torch": "2.15.0",\
             "transformers": "4.57.6", "threads": '$8', "attn": "sdpa"}'
            """);

    List<PythonPeer.Phase> phases = peer.run("bfloat16");

    assertThat(phases)
        .extracting(
            PythonPeer.Phase::phase, PythonPeer.Phase::dtype, PythonPeer.Phase::imagesPerSecond)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("end-to-end", "bfloat16", 17.25),
            org.assertj.core.groups.Tuple.tuple("model-only", "bfloat16", 18.5));
    assertThat(phases.get(0).versions())
        .isEqualTo("torch 2.15.0, transformers 4.57.6, 2 threads, attention sdpa, depth 12");
  }

  @Test
  void aFailingPeerFailsWithItsLastLines() throws Exception {
    PythonPeer peer = peer("echo 'ModuleNotFoundError: No module named torch' >&2; exit 1\n");

    assertThatThrownBy(() -> peer.run("float32"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited 1")
        .hasMessageContaining("No module named torch");
  }

  @Test
  void comparisonUsesMediansAndRatiosToEachPeerRow() {
    PeerComparison table = new PeerComparison("project, bf16");
    String fp32 = PeerComparison.peerRow("float32");
    table.add(fp32, 10, 20);
    table.add(fp32, 12, 22);
    table.add(fp32, 50, 21); // a disturbed round moves no median
    table.add("project, bf16", 40, 80);
    table.add("project, bf16", 36, 84);
    table.add("project, bf16", 38, 1);

    assertThat(table.median(fp32, 0)).isEqualTo(12);
    assertThat(table.median("project, bf16", 1)).isEqualTo(80);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    table.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("median of 3 rounds")
        .containsPattern("project / peer, float32 \\(the tutorial as written\\) +3\\.17x +3\\.81x");
  }

  @Test
  void jpegFolderRoundTripsAndRefusesAnEmptyFolder() throws Exception {
    List<byte[]> jpegs = List.of(new byte[] {1, 2}, new byte[] {3});
    Path folder = JpegFolder.write(jpegs);
    Files.writeString(folder.resolve("notes.txt"), "not an image");

    assertThat(JpegFolder.read(folder)).containsExactlyElementsOf(jpegs);
    JpegFolder.delete(folder);
    assertThat(folder).doesNotExist();
    assertThatThrownBy(() -> JpegFolder.read(dir)).hasMessageContaining("no *.jpg");
  }
}
