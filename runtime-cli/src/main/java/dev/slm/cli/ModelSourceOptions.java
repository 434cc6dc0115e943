package dev.slm.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How {@code run} and {@code chat} find a model they are given by name. */
final class ModelSourceOptions {
    @Mixin
    StoreOptions store;

    @Option(names = "--offline", description = "Never touch the network: a model not pulled yet is an error.")
    boolean offline;
}
