package io.columnseal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar under Spark's real spark-submit entry point, with only Spark's jars on the
 * classpath (no Spark distribution is installed here; {@link SparkHome} stands in for one):
 * the quickstart's encrypt -> verify -> decrypt -> compare round trip in local[2], one
 * spark-submit per command, as jobs/columnseal runs them with SPARK_HOME set.
 */
class SparkSubmitIT {
  private static final String MASTER = "local[2]";

  @Test
  void theQuickstartRoundTripIsExactUnderSparkSubmit() throws Exception {
    Path work = ItPaths.freshWorkDir("spark-submit");
    Submission submit = new Submission(SparkHome.create(work.resolve("spark-home"), ItPaths.target()),
        ItPaths.shadedJar(), work);
    Path base = ItPaths.basedir();
    Path encrypted = work.resolve("cards_enc");
    List<String> spec = List.of("--config", base.resolve("conf/sample.yaml").toString(),
        "--set", "input.path=" + base.resolve("data-samples/financial.csv"),
        "--set", "kms.keyring=" + work.resolve("local.keyring.json"),
        "--set", "output.path=" + encrypted);

    ok(submit.run("keys-create", MASTER, List.of(), args(List.of("keys", "create", "--alias", "columnseal-sample"), spec)));

    Submission.Result enc = ok(submit.run("encrypt", MASTER, List.of(), args(List.of("encrypt"), spec)));
    assertTrue(enc.stdout().contains("encrypt cards-sample: 1000 rows written to " + encrypted), enc.describe());
    assertTrue(enc.stdout().contains("cells encrypted: card_number=1000 cardholder_name=1000 street_address=1000"),
        enc.describe());

    Submission.Result verify = ok(submit.run("verify", MASTER, List.of(),
        args(List.of("verify", "--dataset", encrypted.toString()), spec)));
    assertTrue(verify.stdout().contains("(manifest version 1): OK"), verify.describe());
    assertTrue(verify.stdout().contains("rows: 1000 found / 1000 expected"), verify.describe());

    Path decrypted = work.resolve("cards_dec");
    ok(submit.run("decrypt", MASTER, List.of(),
        args(List.of("decrypt", "--dataset", encrypted.toString(), "--output", decrypted.toString()), spec)));

    Submission.Result compare = ok(submit.run("compare", MASTER, List.of(),
        args(List.of("compare", "--decrypted", decrypted.toString()), spec)));
    // conf/sample.yaml drops the CVV (PCI DSS 3.3.1.2): 11 of the input's 12 columns come back.
    assertTrue(compare.stdout().startsWith("IDENTICAL: 1000 rows x 11 columns"), compare.describe());
    assertTrue(compare.stdout().contains("dropped columns are absent (cvv)"), compare.describe());
  }

  @Test
  void aConfigErrorExitsTwoThroughSparkSubmit() throws Exception {
    Path work = ItPaths.freshWorkDir("spark-submit-config-error");
    Submission submit = new Submission(SparkHome.create(work.resolve("spark-home"), ItPaths.target()),
        ItPaths.shadedJar(), work);
    Submission.Result r = submit.run("encrypt-bad-mode", MASTER, List.of(), List.of("encrypt",
        "--config", ItPaths.basedir().resolve("conf/sample.yaml").toString(),
        "--set", "output.path=" + work.resolve("never"), "--set", "output.mode=sometimes"));
    assertEquals(2, r.exitCode(), r.describe());
    assertTrue(java.nio.file.Files.readString(r.stderr()).contains("output.mode"), r.describe());
    assertTrue(java.nio.file.Files.notExists(work.resolve("never")), "nothing written before the config is valid");
  }

  static Submission.Result ok(Submission.Result r) {
    assertEquals(0, r.exitCode(), r.describe());
    return r;
  }

  static List<String> args(List<String> command, List<String> spec) {
    List<String> all = new ArrayList<>(command);
    all.addAll(spec);
    return all;
  }
}
