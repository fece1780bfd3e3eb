package io.lesionsearch.cli;

import picocli.CommandLine.Command;

/** Groups the benchmarks; each stage contributes its own subcommand. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure throughput and latency of a stage.",
    subcommands = {EmbedBenchCommand.class, IngestBenchCommand.class, QueryBenchCommand.class, io.lesionsearch.qdrantlocal.QdrantLocalBenchCommand.class})
public final class BenchCommand {}
