package io.lesionsearch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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

    PythonPeer.Run run = peer.run("bfloat16", false);
    List<PythonPeer.Phase> phases = run.phases();

    assertThat(phases)
        .extracting(
            PythonPeer.Phase::phase, PythonPeer.Phase::dtype, PythonPeer.Phase::imagesPerSecond)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("end-to-end", "bfloat16", 17.25),
            org.assertj.core.groups.Tuple.tuple("model-only", "bfloat16", 18.5));
    assertThat(phases.get(0).versions())
        .isEqualTo("torch 2.15.0, transformers 4.57.6, 2 threads, attention sdpa, depth 12");
    assertThat(run.ceiling()).isEmpty();
  }

  /** Prints the ceiling only when called with --ceiling (the 16th argument). */
  private static final String PEER_WITH_CEILING =
      """
      echo '{"peer": "end-to-end", "dtype": "'$4'", "images_per_s": 12.0, "threads": 2}'
      echo '{"peer": "model-only", "dtype": "'$4'", "images_per_s": 13.0, "threads": 2}'
      if [ "${16}" = "--ceiling" ]; then
        echo '{"peer": "ceiling", "gflop_per_image": 9.2, "matmul_gflops": 138.0, "threads": 2}'
      fi
      """;

  @Test
  void readsTheCeilingWhenAskedForIt() throws Exception {
    PythonPeer peer = peer(PEER_WITH_CEILING);

    PythonPeer.Run run = peer.run("float32", true);

    assertThat(run.phases()).hasSize(2);
    assertThat(run.ceiling()).contains(new PythonPeer.Ceiling(9.2, 138.0));
    assertThat(run.ceiling().orElseThrow().imagesPerSecond()).isCloseTo(15.0, within(1e-9));
    assertThat(peer.run("float32", false).ceiling()).isEmpty();
  }

  @Test
  void aPeerThatMeasuresNoCeilingWhenAskedFails() throws Exception {
    PythonPeer peer = peer(PEER_WITH_CEILING.replace("\"${16}\"", "\"${15}\""));

    assertThatThrownBy(() -> peer.run("float32", true))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited 0");
  }

  @Test
  void comparisonPlacesPeerProjectAndTargetAgainstTheCeiling() {
    PeerComparison table = new PeerComparison("project, onnx-fp32", true);
    String fp32 = PeerComparison.peerRow("float32");
    table.add(fp32, 12, 13);
    table.add("project, onnx-fp32", 11, 12);
    table.ceiling(new PythonPeer.Ceiling(9.2, 138.0));
    table.ceiling(new PythonPeer.Ceiling(9.2, 184.0));
    table.ceiling(new PythonPeer.Ceiling(9.2, 9.2)); // a disturbed round moves no median

    assertThat(table.ceilingImagesPerSecond()).isCloseTo(15.0, within(1e-9));
    String printed = printed(table);
    assertThat(printed)
        .contains("median of 3 rounds: 9.20 GFLOP per image at 138.0 GFLOP/s")
        .contains("= 15.0 images/s")
        .contains(
            "model-only / ceiling: peer, float32 (the tutorial as written) 0.87;"
                + " project, onnx-fp32 0.80")
        .contains("3x the peer in float32, end to end: 36.0 images/s = 2.40x the ceiling");
  }

  @Test
  void aProjectThatDoesNotComputeInFloat32IsNotPlacedAgainstTheFloat32Ceiling() {
    PeerComparison table = new PeerComparison("project, onnx-int8", false);
    table.add(PeerComparison.peerRow("float32"), 12, 13);
    table.add("project, onnx-int8", 18, 19);
    table.ceiling(new PythonPeer.Ceiling(9.2, 138.0));

    assertThat(printed(table))
        .contains("model-only / ceiling: peer, float32 (the tutorial as written) 0.87")
        .doesNotContain("project, onnx-int8 1.27");
  }

  private static String printed(PeerComparison table) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    table.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aFailingPeerFailsWithItsLastLines() throws Exception {
    PythonPeer peer = peer("echo 'ModuleNotFoundError: No module named torch' >&2; exit 1\n");

    assertThatThrownBy(() -> peer.run("float32", false))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited 1")
        .hasMessageContaining("No module named torch");
  }

  @Test
  void comparisonUsesMediansAndRatiosToEachPeerRow() {
    PeerComparison table = new PeerComparison("project, bf16", false);
    String fp32 = PeerComparison.peerRow("float32");
    table.add(fp32, 10, 20);
    table.add(fp32, 12, 22);
    table.add(fp32, 50, 21); // a disturbed round moves no median
    table.add("project, bf16", 40, 80);
    table.add("project, bf16", 36, 84);
    table.add("project, bf16", 38, 1);

    assertThat(table.median(fp32, 0)).isEqualTo(12);
    assertThat(table.median("project, bf16", 1)).isEqualTo(80);
    assertThat(printed(table))
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
