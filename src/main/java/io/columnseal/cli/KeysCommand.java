package io.columnseal.cli;

import io.columnseal.ConfigException;
import io.columnseal.kms.AliasExistsException;
import io.columnseal.kms.KeyDescription;
import io.columnseal.kms.KeySpec;
import io.columnseal.kms.LocalKeyInfo;
import io.columnseal.kms.LocalKeyring;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Local keyring administration: the KMS operations a local run needs. Not for production. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = {"Manage master keys of a LOCAL keyring (kms.provider=local; local development and tests only).",
        "On AWS, manage keys with KMS itself (see docs/EMR.md)."},
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class,
        KeysCommand.Disable.class, KeysCommand.Enable.class})
final class KeysCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** No subcommand given: show them, and say it was a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.err);
    return ExitCodes.USAGE;
  }

  /** --keyring, or kms.keyring from --config/--set. */
  static final class KeyringOptions {
    @Mixin
    ConfigOptions options;

    @Option(names = "--keyring", paramLabel = "PATH", description = "The keyring file (default: kms.keyring).")
    Path keyring;

    Path path() {
      if (keyring != null) {
        return keyring;
      }
      String fromConfig = options.load().get("kms.keyring");
      if (fromConfig == null) {
        throw new ConfigException("Missing --keyring PATH (or kms.keyring in --config / --set)");
      }
      return Paths.get(fromConfig);
    }
  }

  static String describe(String verb, KeyDescription d) {
    return verb + " " + d.keyArn() + " (" + d.state().kmsName() + ")";
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key (and the keyring file if needed).")
  static final class Create implements Callable<Integer> {
    @Mixin
    KeyringOptions keyring;

    @Option(names = "--alias", paramLabel = "NAME", description = "An alias for the key: alias/NAME.")
    String alias;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the key is for.")
    String description;

    @Option(names = "--if-missing", description = "With --alias: do nothing if the alias already names a key of this spec.")
    boolean ifMissing;

    @Option(names = "--spec", paramLabel = "aes|hmac", defaultValue = "aes",
        description = "aes: AES-256 key that wraps DEKs (KMS SYMMETRIC_DEFAULT, the default); hmac: HMAC-256 key for"
            + " GenerateMac/VerifyMac (KMS HMAC_256), never rotated.")
    String spec;

    @Override
    public Integer call() {
      KeySpec keySpec = keySpec(spec);
      try (LocalKeyring ring = LocalKeyring.createOrOpen(keyring.path())) {
        if (ifMissing && alias != null) {
          String name = alias.startsWith("alias/") ? alias : "alias/" + alias;
          for (LocalKeyInfo k : ring.listKeys()) {
            if (k.aliases().contains(name)) {
              if (k.spec() != keySpec) {
                // "exists" would promise a key that cannot do what the caller asked for.
                throw new AliasExistsException("CreateKey", name, "the alias names " + k.keyArn() + ", a "
                    + k.spec().kmsName() + " key, not " + keySpec.kmsName());
              }
              System.out.println("exists " + k.keyArn() + " " + name + " (" + k.state().kmsName() + ")");
              return ExitCodes.OK;
            }
          }
        }
        try {
          System.out.println(describe("created", ring.createKey(alias, description, keySpec)));
        } catch (IllegalArgumentException e) {
          // createKey's only IllegalArgumentException: an alias that breaks the KMS alias rules (a usage error).
          throw new ConfigException(e.getMessage());
        }
      }
      return ExitCodes.OK;
    }
  }

  static KeySpec keySpec(String name) {
    switch (name) {
      case "aes":
        return KeySpec.SYMMETRIC_DEFAULT;
      case "hmac":
        return KeySpec.HMAC_256;
      default:
        throw new ConfigException("Cannot set --spec to that value: the value must be aes or hmac");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys: ARN, state, versions, spec (HMAC only), aliases.")
  static final class ListKeys implements Callable<Integer> {
    @Mixin
    KeyringOptions keyring;

    @Override
    public Integer call() {
      try (LocalKeyring ring = LocalKeyring.open(keyring.path())) {
        for (LocalKeyInfo k : ring.listKeys()) {
          System.out.println(k.keyArn() + "  " + k.state().kmsName() + "  versions=" + k.versionCount()
              + " current=" + k.currentVersion() + (k.spec() == KeySpec.SYMMETRIC_DEFAULT ? "" : " spec=" + k.spec().kmsName())
              + (k.aliases().isEmpty() ? "" : "  " + String.join(",", k.aliases()))
              + (k.description() == null || k.description().isEmpty() ? "" : "  \"" + k.description() + "\""));
        }
      }
      return ExitCodes.OK;
    }
  }

  /** One key of the keyring, named by --key, and one KMS-like operation on it. */
  abstract static class OnOneKey implements Callable<Integer> {
    @Mixin
    KeyringOptions keyring;

    @Option(names = "--key", required = true, paramLabel = "KEY", description = "Key id, ARN or alias.")
    String key;

    @Override
    public Integer call() {
      try (LocalKeyring ring = LocalKeyring.open(keyring.path())) {
        System.out.println(apply(ring, key));
      }
      return ExitCodes.OK;
    }

    /** Does the operation and returns the line to print. */
    abstract String apply(LocalKeyring ring, String key);
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Add a new version of key material; older versions still decrypt. AES keys only: HMAC keys do not rotate.")
  static final class Rotate extends OnOneKey {
    @Override
    String apply(LocalKeyring ring, String key) {
      LocalKeyInfo k = ring.rotate(key);
      return "rotated " + k.keyArn() + " to version " + k.currentVersion();
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a key: nothing wraps or unwraps with it.")
  static final class Disable extends OnOneKey {
    @Override
    String apply(LocalKeyring ring, String key) {
      return describe("disabled", ring.disable(key));
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled key.")
  static final class Enable extends OnOneKey {
    @Override
    String apply(LocalKeyring ring, String key) {
      return describe("enabled", ring.enable(key));
    }
  }
}
