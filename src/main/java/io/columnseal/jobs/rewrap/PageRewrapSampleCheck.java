package io.columnseal.jobs.rewrap;

import io.columnseal.ColumnsealException;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.OpeningKey;
import io.columnseal.crypto.PageKeyBytes;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.dataset.PlaintextFooter;
import io.columnseal.kms.KeyService;
import io.columnseal.manifest.DekRecord;
import io.columnseal.manifest.FileRecord;
import io.columnseal.manifest.ManifestState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.crypto.FileDecryptionProperties;
import org.apache.parquet.crypto.KeyAccessDeniedException;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * {@code --sample-check decrypt} for a page-mode dataset (docs/FORMAT.md section 12): for up to N
 * rewrapped DEKs, the new blob is unwrapped with KMS Decrypt on the target key, and one live file
 * the manifest binds to that DEK is opened with Parquet modular encryption given only that key:
 * the pages of its first row group's column chunks that the DEK encrypts are decrypted (GCM
 * authenticates each), and when the DEK is the file's footer key the footer signature is checked.
 * A wrapping of any other key cannot pass. On the driver, no Spark job; key bytes are zeroed.
 */
final class PageRewrapSampleCheck implements NewWrappingCheck {
  private final Configuration conf;
  private final String datasetPath;
  private final KeyService kms;
  private final int maxDeks;

  PageRewrapSampleCheck(Configuration conf, String datasetPath, KeyService kms, int maxDeks) {
    this.conf = conf;
    this.datasetPath = datasetPath;
    this.kms = kms;
    this.maxDeks = maxDeks;
  }

  @Override
  public void check(ManifestState state, Map<DekId, RewrapEntry> candidates, RewrapReport.SampleCheck out) {
    out.pagesDecrypted = 0L;
    // DEKs bound to a live file first: they can be proved against data.
    List<RewrapEntry> sample = new ArrayList<>();
    candidates.values().stream().filter(e -> fileOf(state, e.id) != null).limit(maxDeks).forEach(sample::add);
    candidates.values().stream().filter(e -> fileOf(state, e.id) == null).limit(maxDeks - sample.size())
        .forEach(sample::add);
    for (RewrapEntry entry : sample) {
      DekRecord dek = state.deks().get(entry.id);
      String what = "DEK " + dek.id() + " rewrapped under " + entry.toKeyArn;
      OpeningKey key;
      try {
        key = kms.decrypt(entry.newWrapping(), dek.id(), dek.context());
      } catch (ColumnsealException e) {
        throw new RewrapFailedException("sample check failed: the new wrapping of " + what + " does not unwrap: "
            + e.getMessage() + " (--sample-check decrypt needs kms:Decrypt on the target key)", e);
      }
      byte[] bytes;
      try {
        bytes = PageKeyBytes.forReading(key);
      } finally {
        key.destroy();
      }
      try {
        String file = fileOf(state, entry.id);
        out.deksChecked++;
        if (file == null) {
          out.deksUnwrappedWithoutCell++;
        } else {
          out.pagesDecrypted += open(state.datasetId(), file, dek.id(), bytes, what);
        }
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
  }

  /** The first live file the manifest binds to {@code id}, or null. */
  private static String fileOf(ManifestState state, DekId id) {
    for (String f : state.liveFiles()) {
      if (state.boundFile(f).map(FileRecord::deks).orElse(List.of()).contains(id)) {
        return f;
      }
    }
    return null;
  }

  /** Decrypts what {@code id} protects in the first row group of {@code file}; returns the pages read. */
  private long open(String datasetId, String file, DekId id, byte[] key, String what) {
    Path path = new Path(datasetPath, file);
    byte[] own = PageFormat.keyMetadata(id);
    try {
      FileMetaData footer = PlaintextFooter.read(conf, path);
      List<String> columns = new ArrayList<>();
      if (footer.getRow_groups() != null && !footer.getRow_groups().isEmpty()) {
        for (ColumnChunk c : footer.getRow_groups().get(0).getColumns()) {
          if (c.isSetCrypto_metadata() && c.getCrypto_metadata().isSetENCRYPTION_WITH_COLUMN_KEY()
              && Arrays.equals(own, c.getCrypto_metadata().getENCRYPTION_WITH_COLUMN_KEY().getKey_metadata())) {
            columns.add(String.join(".", c.getCrypto_metadata().getENCRYPTION_WITH_COLUMN_KEY().getPath_in_schema()));
          }
        }
      }
      boolean signsFooter = Arrays.equals(own, footer.getFooter_signing_key_metadata());
      if (columns.isEmpty() && !signsFooter) {
        throw new RewrapFailedException("sample check failed: " + file + " of dataset " + datasetId
            + " is bound to DEK " + id + " but neither its footer nor a column of its first row group names it"
            + " (run verify on the dataset)");
      }
      FileDecryptionProperties.Builder props = FileDecryptionProperties.builder()
          .withKeyRetriever(metadata -> {
            if (!Arrays.equals(own, metadata)) {
              throw new KeyAccessDeniedException("not the sampled DEK"); // its columns are not read
            }
            return key.clone();
          })
          .withAADPrefix(PageFormat.aadPrefix(datasetId, file));
      if (!signsFooter) {
        props = props.withoutFooterSignatureVerification(); // signed with another DEK, not sampled here
      }
      long pages = 0;
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf),
          HadoopReadOptions.builder(conf, path).withDecryption(props.build()).build())) {
        if (columns.isEmpty()) {
          return 0;
        }
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        List<Type> fields = new ArrayList<>();
        columns.forEach(c -> fields.add(schema.getType(c)));
        MessageType requested = new MessageType(schema.getName(), fields);
        reader.setRequestedSchema(requested);
        PageReadStore store = reader.readRowGroup(0);
        for (ColumnDescriptor d : requested.getColumns()) {
          pages += pages(store.getPageReader(d));
        }
      }
      return pages;
    } catch (IOException | RuntimeException e) {
      if (e instanceof RewrapFailedException) {
        throw (RewrapFailedException) e;
      }
      throw new RewrapFailedException("sample check failed: " + file + " of dataset " + datasetId
          + " does not decrypt with the new wrapping of " + what + ": " + rootCause(e)
          + " (a wrong wrapping, or a file altered since it was written: run verify)", e);
    }
  }

  /** Reads (so decrypts and authenticates) every page of one column chunk; returns how many. */
  private static long pages(PageReader pr) {
    long n = pr.readDictionaryPage() != null ? 1 : 0;
    while (pr.readPage() != null) {
      n++;
    }
    return n;
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage().split("\n")[0]);
  }
}
