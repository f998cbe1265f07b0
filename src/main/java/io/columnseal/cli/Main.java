package io.columnseal.cli;

import io.columnseal.ColumnsealException;
import io.columnseal.ConfigException;
import io.columnseal.Failures;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code jobs/columnseal <command>}: parses the command line, runs the command, and turns what
 * happened into an exit code (see {@link ExitCodes}). A failure prints one line that names the
 * cause; our messages never hold key bytes or cell values, and another library's message is
 * never printed (it may quote data): {@link Failures} names it by type.
 */
@Command(name = "columnseal", mixinStandardHelpOptions = true, version = "columnseal 0.1.0",
    usageHelpWidth = 120,
    description = "Encrypt sensitive columns of datasets with AWS KMS envelope encryption, on Spark.",
    footer = {"", "Environment: COLUMNSEAL_VERBOSE=1 is --verbose. See README.md for the launcher's COLUMNSEAL_* variables."},
    subcommands = {EncryptCommand.class, DecryptCommand.class, VerifyCommand.class, RecoverCommand.class,
        RewrapCommand.class, ManifestCommand.class, KeysCommand.class, CompareCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Show Spark's and Hadoop's logs and the stack trace of a failure (they may quote data).")
  boolean verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    boolean clusterMode = "cluster".equals(System.getProperty("spark.submit.deployMode"));
    StepFailure.LastLine stderr = clusterMode ? StepFailure.watchStderr() : null;
    int code = run(args);
    SparkSession.getDefaultSession().foreach(s -> {
      s.stop();
      return null;
    });
    if (clusterMode) {
      // YARN's ApplicationMaster runs main in a thread: System.exit would be reported as a
      // failure even on success. Return on success; throw so the attempt fails otherwise, with
      // the cause line as the message (it reaches the step's stderr in the AM's diagnostics).
      if (code != ExitCodes.OK) {
        throw new StepFailure(stderr.last(), code);
      }
      return;
    }
    System.exit(code);
  }

  /** Runs one command and returns its exit code; the process is left running (for tests). */
  public static int run(String... args) {
    Main main = new Main();
    CommandLine cli = new CommandLine(main);
    // Registered under our name, so its usage reads "columnseal sample", not its own tool name.
    cli.addSubcommand("sample", new CommandLine(new io.columnseal.samples.GenerateCardData()).setCommandName("sample"));
    cli.setUsageHelpWidth(120);
    cli.setExecutionStrategy(parsed -> {
      // --verbose may follow any (sub)command: look for it at each level of the parse.
      for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
        main.verbose |= p.hasMatchedOption("--verbose");
      }
      boolean verbose = Logging.verbose(main.verbose, System.getenv(Logging.ENV));
      try (Logging quiet = Logging.forRun(verbose)) {
        return new CommandLine.RunLast().execute(parsed);
      }
    });
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      // "columnseal keys create", not just "create".
      String name = cmd.getCommandSpec().qualifiedName();
      ColumnsealException ours = Failures.ours(e);
      if (Logging.verbose(main.verbose, System.getenv(Logging.ENV))) {
        e.printStackTrace(cmd.getErr());
      }
      if (ours instanceof ConfigException) {
        cmd.getErr().println(name + ": " + ours.getMessage());
        return ExitCodes.USAGE;
      }
      String message = ours != null ? ours.getMessage() : Failures.describe(e);
      cmd.getErr().println(name + ": failed: " + message);
      return ExitCodes.FAILED;
    });
    return cli.execute(args);
  }

  /** No command given: show what there is, and say it was a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.err);
    return ExitCodes.USAGE;
  }

}
