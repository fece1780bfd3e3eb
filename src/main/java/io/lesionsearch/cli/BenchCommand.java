package io.lesionsearch.cli;

import picocli.CommandLine.Command;

/**
 * Groups the benchmarks; each stage contributes its own subcommand. Those that start the embedded
 * services are added by {@link Main} where the jar has them.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure throughput and latency of a stage.",
    subcommands = {EmbedBenchCommand.class})
public final class BenchCommand {}
