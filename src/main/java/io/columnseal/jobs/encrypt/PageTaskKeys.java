package io.columnseal.jobs.encrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.crypto.PageKeyBytes;
import io.columnseal.crypto.SealingKey;
import io.columnseal.jobs.dataset.KeyGroups;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.recovery.SealedDek;
import io.columnseal.jobs.recovery.TaskLedger;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.KeyServices;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.crypto.ColumnEncryptionProperties;
import org.apache.parquet.crypto.FileEncryptionProperties;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.spark.TaskContext;

/**
 * The DEKs of one page-mode task attempt, one per key group, for {@link PageEncryption} to hand
 * to Parquet's writer when it opens each of the task's files (docs/FORMAT.md section 12). Made on
 * the first file the task opens (GenerateDataKey with columnseal's context, as cell mode), recorded
 * in the task's ledger before the key reaches the writer, and destroyed when the task ends.
 * The kms.key group's DEK is always made: it is every file's footer key.
 */
final class PageTaskKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ConcurrentHashMap<Long, PageTaskKeys> OPEN = new ConcurrentHashMap<>();

  private final SealingPlan plan;
  private final PageAlgorithm algorithm;
  /** Path components of a file's place in the dataset: partitionBy folders and the file name. */
  private final int depth;
  private final TaskLedger ledger;
  private final SealingKey[] key;
  private final byte[][] keyBytes;
  private final SealedDek[] record;
  /** Per key group: the DEK's cells, once the task's rows are all seen ({@link #finish}). */
  private long[] values;
  private final PageNonceBudget budget;
  /** Every file's PME properties: their builders copied the key bytes, zeroed at task end. */
  private final List<FileEncryptionProperties> built = new ArrayList<>();

  private PageTaskKeys(SealingPlan plan, PageAlgorithm algorithm, int depth, TaskLedger ledger) {
    this.plan = plan;
    this.algorithm = algorithm;
    this.depth = depth;
    this.ledger = ledger;
    int groups = plan.policies.groups();
    this.key = new SealingKey[groups];
    this.keyBytes = new byte[groups][];
    this.record = new SealedDek[groups];
    this.budget = new PageNonceBudget(
        PageNonceBudget.slotsPerRow(groups, plan.policies.groupOf, plan.policies.quarantineGroup),
        PageNonceBudget.MAX_SLOTS_PER_DEK);
  }

  /** The keys of the task running in this thread, made now; destroyed when the task ends. */
  static PageTaskKeys register(SealingPlan plan, PageAlgorithm algorithm, int depth) {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      throw new IllegalStateException("page-mode keys are made inside a Spark task only");
    }
    PageTaskKeys keys = new PageTaskKeys(plan, algorithm, depth, TaskLedger.current());
    if (OPEN.putIfAbsent(tc.taskAttemptId(), keys) != null) {
      throw new IllegalStateException("task attempt " + tc.taskAttemptId() + " already has page-mode keys");
    }
    // Whatever happens to the task, its plaintext DEKs do not outlive it.
    tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> {
      OPEN.remove(ctx.taskAttemptId());
      keys.destroyAll();
    });
    return keys;
  }

  /** The keys of the task running in this thread. */
  static PageTaskKeys current() {
    TaskContext tc = TaskContext.get();
    PageTaskKeys keys = tc == null ? null : OPEN.get(tc.taskAttemptId());
    if (keys == null) {
      throw new ParquetCryptoRuntimeException("no columnseal page keys for this task: "
          + PageEncryption.class.getName() + " writes only inside a columnseal encrypt run in page mode");
    }
    return keys;
  }

  /**
   * Counts one row of the task, null values included (they make pages too); refuses the row that
   * would let one DEK's GCM invocations pass the bound of {@link PageNonceBudget}.
   */
  void row() {
    if (!budget.row()) {
      int g = budget.widestGroup();
      throw new IllegalStateException("task partition " + TaskContext.getPartitionId() + " has more than 2^28 / "
          + budget.slotsPerRow(g) + " rows for key group " + plan.policies.groupNames[g] + ", more than one page-mode"
          + " DEK may encrypt (FORMAT.md 12.1); set output.partitions higher so each partition holds fewer rows");
    }
  }

  /**
   * The PME properties of a file this task opens at {@code file}: each encrypted column under its
   * group's DEK, the footer (plaintext, signed) under kms.key's group's DEK, and the AAD prefix of
   * the file's place in the dataset, not stored in the file.
   */
  FileEncryptionProperties fileProperties(Path file) {
    int footer = plan.policies.quarantineGroup;
    ensure(footer);
    Map<ColumnPath, ColumnEncryptionProperties> columns = new HashMap<>();
    for (int k = 0; k < plan.encryptedOrdinals.length; k++) {
      int g = plan.policies.groupOf[k];
      ensure(g);
      String name = plan.inputSchema.fields()[plan.encryptedOrdinals[k]].name();
      columns.put(ColumnPath.get(name), ColumnEncryptionProperties.builder(name).withKey(keyBytes[g])
          .withKeyMetaData(PageFormat.keyMetadata(key[g].id())).build());
    }
    FileEncryptionProperties p = FileEncryptionProperties.builder(keyBytes[footer])
        .withFooterKeyMetadata(PageFormat.keyMetadata(key[footer].id()))
        .withAlgorithm(algorithm.cipher)
        .withPlaintextFooter()
        .withAADPrefix(PageFormat.aadPrefix(plan.datasetId, relativePath(file, depth)))
        .withoutAADPrefixStorage()
        .withEncryptedColumns(columns)
        .build();
    built.add(p);
    return p;
  }

  /**
   * Zeros the key copies Parquet's builders made: in parquet-java 1.13.1 {@code getFooterKey()} and
   * {@code getKeyBytes()} return the properties' own arrays. The JCE key schedules of Parquet's
   * ciphers stay until they are garbage collected.
   */
  static void zeroKeyCopies(FileEncryptionProperties p) {
    Arrays.fill(p.getFooterKey(), (byte) 0);
    for (ColumnEncryptionProperties c : p.getEncryptedColumns().values()) {
      if (c.isEncrypted() && c.getKeyBytes() != null) {
        Arrays.fill(c.getKeyBytes(), (byte) 0);
      }
    }
  }

  /**
   * The file's path relative to the dataset root: its last {@code depth} components (partition
   * folders and file name), which Spark keeps when it moves the task's file into the dataset.
   */
  static String relativePath(Path file, int depth) {
    StringBuilder rel = new StringBuilder(file.getName());
    Path p = file.getParent();
    for (int i = 1; i < depth && p != null; i++) {
      rel.insert(0, p.getName() + "/");
      p = p.getParent();
    }
    return rel.toString();
  }

  /**
   * Sets the ledger's counts of the task's DEKs once its rows are all seen: a DEK's cells are the
   * non-null values of its group's encrypted columns ({@code cells[k]} per encrypted column k).
   * With partitionBy, Spark sorts the whole partition before it opens a file, so a DEK may be made
   * after this: {@link #ensure} then takes its count from here.
   */
  void finish(long[] cells) {
    values = new long[record.length];
    for (int k = 0; k < cells.length; k++) {
      values[plan.policies.groupOf[k]] += cells[k];
    }
    for (int g = 0; g < record.length; g++) {
      if (record[g] != null) {
        record[g].cells = values[g];
      }
    }
  }

  /** GenerateDataKey for group {@code g}, once per task attempt; in the ledger before the writer sees it. */
  private void ensure(int g) {
    if (key[g] != null) {
      return;
    }
    DekId id = DekId.random(RANDOM);
    EncryptionContext context = EncryptionContext.forDek(plan.datasetId, id.hex(), plan.extraContext);
    if (plan.policies.recordsGroup) {
      Map<String, String> pairs = new TreeMap<>(context.asMap());
      pairs.put(KeyGroups.CONTEXT_KEY, plan.policies.groupNames[g]);
      context = EncryptionContext.of(pairs);
    }
    GeneratedDataKey generated = KeyServices.shared(plan.keyService)
        .generateDataKey(plan.policies.groupArns[g], id, context);
    key[g] = generated.plaintext();
    record[g] = new SealedDek(id.asLong(), generated.wrapped().keyArn(), generated.wrapped().blob(),
        context.asMap(), System.currentTimeMillis());
    record[g].cells = values == null ? 0 : values[g];
    ledger.deks.add(record[g]);
    keyBytes[g] = PageKeyBytes.forWriting(key[g]);
  }

  private void destroyAll() {
    for (FileEncryptionProperties p : built) {
      zeroKeyCopies(p);
    }
    built.clear();
    for (int g = 0; g < key.length; g++) {
      if (keyBytes[g] != null) {
        Arrays.fill(keyBytes[g], (byte) 0);
        keyBytes[g] = null;
      }
      if (key[g] != null) {
        key[g].destroy();
        key[g] = null;
      }
    }
  }
}
