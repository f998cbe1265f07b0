package io.columnseal.cli;

import io.columnseal.ColumnsealException;
import io.columnseal.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jobs/columnseal <command>}: parses the command line, runs the command, and turns what
 * happened into an exit code (see {@link ExitCodes}). A failure prints one line that names the
 * cause; our messages never hold key bytes or cell values.
 */
@Command(name = "columnseal", mixinStandardHelpOptions = true, version = "columnseal 0.1.0",
    description = "Encrypt sensitive columns of datasets with AWS KMS envelope encryption, on Spark.",
    subcommands = {EncryptCommand.class, DecryptCommand.class, VerifyCommand.class, RewrapCommand.class,
        ManifestCommand.class, KeysCommand.class, CompareCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command and returns its exit code; the process is left running (for tests). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.addSubcommand("sample", new io.columnseal.samples.GenerateCardData());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      String name = cmd.getCommandName();
      ColumnsealException ours = ours(e);
      if (ours instanceof ConfigException) {
        cmd.getErr().println("columnseal " + name + ": " + ours.getMessage());
        return ExitCodes.USAGE;
      }
      String message = ours != null ? ours.getMessage() : describe(e);
      cmd.getErr().println("columnseal " + name + ": failed: " + message);
      return ExitCodes.FAILED;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
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
