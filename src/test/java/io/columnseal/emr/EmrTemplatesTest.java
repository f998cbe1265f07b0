package io.columnseal.emr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EMR kit as docs/EMR.md uses it: {@code jobs/emr/render} fills every template of
 * jobs/emr and conf/iam into its own path (steps and IAM policies used to share names), each
 * rendered file is JSON with no placeholder left, and the key policy lets the role policies
 * take effect.
 */
class EmrTemplatesTest {
  private static final Path REPO = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")));
  private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z][A-Z0-9_]*>");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ROLES = List.of("encrypt", "decrypt", "verify", "rewrap");

  @TempDir
  Path tmp;

  @Test
  void everyTemplateRendersToItsOwnPathAsJsonWithNoPlaceholderLeft() throws Exception {
    Path out = tmp.resolve("cs");
    Rendered r = render(completeEnv(), out);
    assertEquals(0, r.exit, r.stderr);
    List<String> templates = new ArrayList<>();
    for (String dir : List.of("jobs/emr/steps", "jobs/emr/cluster", "jobs/emr/nightly", "conf/iam")) {
      try (Stream<Path> files = Files.list(REPO.resolve(dir))) {
        files.filter(f -> f.toString().endsWith(".json")).forEach(f -> templates.add(dir + "/" + f.getFileName()));
      }
    }
    List<Path> rendered;
    try (Stream<Path> files = Files.walk(out)) {
      rendered = files.filter(Files::isRegularFile).sorted().toList();
    }
    assertEquals(templates.size(), rendered.size(), "one output per template, none overwritten: " + rendered);
    for (Path f : rendered) {
      String text = Files.readString(f);
      assertFalse(PLACEHOLDER.matcher(text).find(), f + " still has a placeholder");
      JSON.readTree(text);
    }
    // The names that used to collide now hold what their folder says.
    assertEquals("spark-submit", read(out.resolve("steps/encrypt.json")).get(0).get("Args").get(0).asText());
    assertEquals("2012-10-17", read(out.resolve("iam/encrypt.json")).get("Version").asText());
    assertTrue(Files.readString(out.resolve("iam/encrypt.json")).contains("key/1234abcd-12ab-34cd-56ef-1234567890ab"));
  }

  @Test
  void aTemplateThatNeedsAValueNotKnownYetIsLeftOutAndNamed() throws Exception {
    Path out = tmp.resolve("cs");
    Files.createDirectories(out.resolve("iam"));
    Files.writeString(out.resolve("iam/encrypt.json"), "stale");
    Rendered r = render(REPO.resolve("jobs/emr/example.env"), out);
    assertEquals(1, r.exit, r.stderr);
    assertTrue(r.stderr.contains("conf/iam/encrypt.json still has <KEY_ID>"), r.stderr);
    assertTrue(r.stderr.contains("jobs/emr/nightly/schedule.json still has <CLUSTER_ID>"), r.stderr);
    assertFalse(Files.exists(out.resolve("iam/encrypt.json")), "a stale copy must not stay for the next command");
    // What section 2 needs before the key exists is there.
    for (String f : List.of("iam/key-policy.json", "iam/trust-emr-instance.json", "steps/encrypt.json")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
  }

  @Test
  void theKeyPolicyLetsEachRolePolicyGrantItsKmsActionsAndNothingElse() throws Exception {
    JsonNode keyPolicy = read(REPO.resolve("conf/iam/key-policy.json"));
    for (String role : ROLES) {
      String arn = "arn:aws:iam::<ACCOUNT_ID>:role/columnseal-" + role;
      Set<String> granted = new TreeSet<>();
      for (JsonNode s : keyPolicy.get("Statement")) {
        boolean toAccount = "arn:aws:iam::<ACCOUNT_ID>:root".equals(s.path("Principal").path("AWS").asText());
        if ("Allow".equals(s.get("Effect").asText()) && toAccount
            && texts(s.path("Condition").path("ArnEquals").path("aws:PrincipalArn")).contains(arn)) {
          granted.addAll(texts(s.get("Action")));
        }
      }
      Set<String> wanted = new TreeSet<>();
      for (JsonNode s : read(REPO.resolve("conf/iam/" + role + ".json")).get("Statement")) {
        // GenerateMac/VerifyMac are on the manifest.macKey HMAC key, whose own key policy grants them.
        texts(s.get("Action")).stream().filter(a -> a.startsWith("kms:") && !a.endsWith("Mac")).forEach(wanted::add);
      }
      assertFalse(wanted.isEmpty(), role);
      assertEquals(wanted, granted, role + ": the key policy must let exactly the role policy's KMS actions take effect");
    }
    // No statement hands key use to a named principal past IAM, nor lets admins use the key.
    for (JsonNode s : keyPolicy.get("Statement")) {
      if ("Allow".equals(s.get("Effect").asText()) && s.get("Sid").asText().startsWith("KeyAdministrators")) {
        assertFalse(texts(s.get("Action")).stream().anyMatch(a -> a.matches("kms:(Decrypt|Encrypt|ReEncrypt.*|GenerateDataKey.*|CreateGrant)")));
      }
    }
  }

  @Test
  void everyStepShipsItsSpecWithFilesAndNamesItByBaseName() throws Exception {
    for (String step : ROLES) {
      List<String> args = texts(read(REPO.resolve("jobs/emr/steps/" + step + ".json")).get(0).get("Args"));
      assertEquals(List.of("spark-submit", "--master", "yarn", "--deploy-mode", "cluster"), args.subList(0, 5), step);
      assertTrue(args.contains("spark.yarn.maxAppAttempts=1"), step);
      String files = args.get(args.indexOf("--files") + 1);
      String config = args.get(args.indexOf("--config") + 1);
      assertEquals(files.substring(files.lastIndexOf('/') + 1), config, step);
    }
  }

  private record Rendered(int exit, String stderr) {}

  private static Rendered render(Path env, Path out) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", REPO.resolve("jobs/emr/render").toString(), env.toString(), out.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Rendered(p.exitValue(), err);
  }

  /** example.env with the values that become known later (key id, cluster id) filled in. */
  private Path completeEnv() throws IOException {
    Path env = tmp.resolve("my.env");
    Files.writeString(env, Files.readString(REPO.resolve("jobs/emr/example.env"))
        + "\nKEY_ID=1234abcd-12ab-34cd-56ef-1234567890ab\nNEW_KEY_ID=5678abcd-56ef-78ab-90cd-5678901234cd\n"
        + "CLUSTER_ID=j-2AXXXXXXGAPLF\nMAC_KEY_ID=9abcdef0-9abc-4def-8abc-9abcdef01234\n");
    return env;
  }

  private static JsonNode read(Path f) throws IOException {
    return JSON.readTree(f.toFile());
  }

  private static List<String> texts(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(x -> out.add(x.asText()));
    } else if (!n.isMissingNode() && !n.isNull()) {
      out.add(n.asText());
    }
    return out;
  }
}
