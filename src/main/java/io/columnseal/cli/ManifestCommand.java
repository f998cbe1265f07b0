package io.columnseal.cli;

import io.columnseal.jobs.dataset.DatasetException;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.ManifestAuthentication;
import io.columnseal.jobs.dataset.ManifestHistory;
import io.columnseal.manifest.ManifestStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Reading a dataset's key manifest; no KMS call. */
@Command(name = "manifest", mixinStandardHelpOptions = true,
    description = "Read a dataset's key manifest (no KMS call); authenticate it once under manifest.macKey.",
    subcommands = {ManifestCommand.Log.class, ManifestCommand.Checkpoint.class, ManifestCommand.Authenticate.class})
final class ManifestCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** No subcommand given: show them, and say it was a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.err);
    return ExitCodes.USAGE;
  }

  @Command(name = "log", mixinStandardHelpOptions = true,
      description = {"List the commits: number, time, kind, run, master key ARNs involved, DEKs added/rewrapped, "
          + "files added/removed, rows. Reads manifest.path from --config/--set."})
  static final class Log implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", required = true, paramLabel = "PATH", description = "The encrypted dataset.")
    String dataset;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
      JobConfig config = options.load();
      ManifestHistory h = ManifestHistory.read(Sparks.hadoopConfiguration(), dataset, config.get("manifest.path"));
      System.out.print(json ? h.toJson() + "\n" : h.toTerminal());
      return ExitCodes.OK;
    }
  }

  @Command(name = "checkpoint", mixinStandardHelpOptions = true,
      description = {"Write a checkpoint of the latest manifest version now (docs/FORMAT.md 5.10), so readers open "
          + "it without replaying the log: the one step that upgrades a long log of an older release. "
          + "Reads manifest.path from --config/--set."})
  static final class Checkpoint implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", required = true, paramLabel = "PATH", description = "The encrypted dataset.")
    String dataset;

    @Override
    public Integer call() {
      JobConfig config = options.load();
      org.apache.hadoop.fs.Path dir = DatasetFiles.manifestDir(dataset, config.get("manifest.path"));
      ManifestStore store = ManifestStore.at(dir, Sparks.hadoopConfiguration());
      long version = store.checkpoint().orElseThrow(() -> new DatasetException("no columnseal manifest at " + dir
          + ": " + dataset + " is not a columnseal dataset (if its manifest lives elsewhere, set manifest.path)"));
      System.out.println("manifest checkpoint of version " + version + " written: " + store.checkpointPath(version));
      return ExitCodes.OK;
    }
  }

  @Command(name = "authenticate", mixinStandardHelpOptions = true,
      description = {"Give a dataset written without manifest.macKey its first MAC (docs/FORMAT.md 5.4.1): prints "
          + "what it vouches for (version, head digest, live files, DEKs per master key), then writes a MAC'd commit "
          + "that changes nothing. Check the printed state first: writers never do this on their own. "
          + "Needs manifest.macKey and kms.provider (--config/--set)."})
  static final class Authenticate implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", required = true, paramLabel = "PATH", description = "The encrypted dataset.")
    String dataset;

    @Override
    public Integer call() {
      JobConfig config = options.load();
      String macKey = io.columnseal.jobs.dataset.KeyTrust.macKey(config.get("manifest.macKey"));
      if (macKey == null || config.get("kms.provider") == null) {
        throw new io.columnseal.ConfigException("manifest authenticate needs manifest.macKey and kms.provider"
            + " (GenerateMac and VerifyMac are KMS calls)");
      }
      org.apache.hadoop.conf.Configuration conf = Sparks.hadoopConfiguration();
      config.manifestSettings(conf);
      io.columnseal.manifest.ManifestMacKey key = io.columnseal.jobs.dataset.KeyTrust.macKey(config.keyService(), macKey);
      ManifestAuthentication a = ManifestAuthentication.inspect(
          DatasetFiles.manifestDir(dataset, config.get("manifest.path")), conf, key, dataset);
      if (a.alreadyAuthenticated) {
        System.out.println("manifest authenticate " + dataset + ": " + a.describe() + "; already authenticated by"
            + " manifest.macKey " + macKey + ", nothing written");
        return ExitCodes.OK;
      }
      System.out.println("manifest authenticate " + dataset + ": vouching for " + a.describe());
      io.columnseal.manifest.Commit c = a.commit(java.time.Instant.now());
      System.out.println("manifest authenticate " + dataset + ": commit " + c.number() + " written with a MAC under "
          + "manifest.macKey " + macKey + "; readers with the key now open the dataset");
      return ExitCodes.OK;
    }
  }
}
