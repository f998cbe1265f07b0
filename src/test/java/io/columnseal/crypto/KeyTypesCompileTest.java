package io.columnseal.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compile-time guarantee itself: code that hands an unwrapped DEK to a cell encryptor is
 * refused by javac, while the same code with a generated DEK compiles.
 */
class KeyTypesCompileTest {
  @TempDir
  Path out;

  private List<String> compile(String body) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests run on a JDK");
    String classes = Path.of(SealingKey.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    String source = "package probe;\n"
        + "import io.columnseal.crypto.*;\nimport io.columnseal.kms.*;\n"
        + "class Probe {\n" + body + "\n}\n";
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///probe/Probe.java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean ok = javac.getTask(null, null, diagnostics,
        List.of("-classpath", classes + File.pathSeparator + System.getProperty("java.class.path"), "-d", out.toString(),
            "-proc:none"), null, List.of(file)).call();
    List<String> errors = diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR).map(d -> d.getMessage(null)).toList();
    assertEquals(ok, errors.isEmpty(), errors.toString());
    return errors;
  }

  @Test
  void sealingWithAGeneratedDekCompiles() throws Exception {
    assertEquals(List.of(), compile("CellEncryptor f(KeyService kms, String key, DekId id, EncryptionContext c) {"
        + " return CellEncryptor.open(kms.generateDataKey(key, id, c).plaintext()); }"));
  }

  @Test
  void sealingWithAnUnwrappedDekDoesNotCompile() throws Exception {
    List<String> errors = compile("CellEncryptor f(KeyService kms, WrappedKey w, DekId id, EncryptionContext c) {"
        + " return CellEncryptor.open(kms.decrypt(w, id, c)); }");
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).contains("OpeningKey cannot be converted to io.columnseal.crypto.SealingKey"), errors.get(0));
  }

  @Test
  void anOpeningKeyCannotBeCastOrTurnedIntoASealingKey() throws Exception {
    List<String> cast = compile("SealingKey f(OpeningKey k) { return (SealingKey) k; }");
    assertTrue(cast.stream().anyMatch(e -> e.contains("incompatible types")), cast.toString());
    List<String> bytes = compile("SealingKey f(OpeningKey k) { return SealingKey.of(k.id(), k.copyKeyBytes()); }");
    assertTrue(bytes.stream().anyMatch(e -> e.contains("cannot find symbol")), bytes.toString());
    List<String> seam = compile("CellEncryptor f(SealingKey k) { return CellEncryptor.open(k, 5L); }");
    assertTrue(seam.stream().anyMatch(e -> e.contains("not public")), "the counter seam is package-private: " + seam);
  }
}
