package io.columnseal.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** --config and --set, which every command takes. */
final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML job spec (see conf/ and README).")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override one key of the spec, e.g. --set output.mode=append; repeatable. Lists take commas.")
  List<String> sets = new ArrayList<>();

  JobConfig load() {
    return JobConfig.load(config, sets);
  }
}
