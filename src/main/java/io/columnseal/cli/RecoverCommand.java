package io.columnseal.cli;

import io.columnseal.jobs.RecoverJob;
import io.columnseal.jobs.RecoveredRun;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "recover", mixinStandardHelpOptions = true,
    description = {"Finish the encrypt runs of a dataset that stopped between their data commit and their manifest "
        + "commit (the next encrypt with output.mode=append or overwrite does the same first).",
        "Exit 1 if a run is left alone because its driver may still be running.",
        "Reads manifest.path from --config/--set."})
final class RecoverCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Option(names = "--dataset", required = true, paramLabel = "PATH", description = "The encrypted dataset.")
  String dataset;

  @Option(names = "--force", description = "Take runs whose driver ran on another host for dead now, "
      + "instead of after an hour. Use only when you know that driver stopped.")
  boolean force;

  @Override
  public Integer call() {
    JobConfig config = options.load();
    List<RecoveredRun> runs = RecoverJob.run(Sparks.session("columnseal recover"), dataset,
        config.get("manifest.path"), force);
    if (runs.isEmpty()) {
      System.out.println("recover " + dataset + ": no unfinished run");
    }
    boolean leftAlone = false;
    for (RecoveredRun r : runs) {
      System.out.println("recover " + dataset + ": " + r.describe());
      leftAlone |= RecoveredRun.LEFT_ALONE.equals(r.outcome);
    }
    return leftAlone ? ExitCodes.FAILED : ExitCodes.OK;
  }
}
