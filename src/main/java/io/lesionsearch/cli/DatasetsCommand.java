package io.lesionsearch.cli;

import picocli.CommandLine.Command;

/** Groups the dataset tools: make a synthetic set, check a real one. */
@Command(
    name = "datasets",
    mixinStandardHelpOptions = true,
    description = "Make or check datasets in HAM10000's layout (metadata CSV + image folders).",
    subcommands = {SynthCommand.class, DatasetCheckCommand.class})
final class DatasetsCommand {}
