package io.columnseal.cli;

import io.columnseal.ColumnsealException;
import io.columnseal.ConfigException;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jobs/columnseal <command>}: parses the command line, runs the command, and turns what
 * happened into an exit code (see {@link ExitCodes}). A failure prints one line that names the
 * cause; our messages never hold key bytes or cell values.
 */
@Command(name = "columnseal", mixinStandardHelpOptions = true, version = "columnseal 0.1.0",
    description = "Encrypt sensitive columns of datasets with AWS KMS envelope encryption, on Spark.",
    subcommands = {EncryptCommand.class, DecryptCommand.class, VerifyCommand.class, RecoverCommand.class,
        RewrapCommand.class, ManifestCommand.class, KeysCommand.class, CompareCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

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
    CommandLine cli = new CommandLine(new Main());
    // Registered under our name, so its usage reads "columnseal sample", not its own tool name.
    cli.addSubcommand("sample", new CommandLine(new io.columnseal.samples.GenerateCardData()).setCommandName("sample"));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      // "columnseal keys create", not just "create".
      String name = cmd.getCommandSpec().qualifiedName();
      ColumnsealException ours = ours(e);
      if (ours instanceof ConfigException) {
        cmd.getErr().println(name + ": " + ours.getMessage());
        return ExitCodes.USAGE;
      }
      String message = ours != null ? ours.getMessage() : describe(e);
      cmd.getErr().println(name + ": failed: " + message);
      return ExitCodes.FAILED;
    });
    return cli.execute(args);
  }

  /** No command given: show what there is, and say it was a usage error. */
  @Override
  public Integer call() {
    new CommandLine(this).usage(System.err);
    return ExitCodes.USAGE;
  }

  /** The first of our exceptions in the cause chain (Spark wraps task failures several times). */
  static ColumnsealException ours(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ColumnsealException) {
        return (ColumnsealException) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** Someone else's exception: its type and the first line of its message, cut short. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = String.valueOf(root.getMessage()).split("\n")[0];
    if (msg.length() > 300) {
      msg = msg.substring(0, 300) + "...";
    }
    return root.getClass().getSimpleName() + ": " + msg;
  }
}
