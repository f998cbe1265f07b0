package io.columnseal.jobs.encrypt;

import io.columnseal.jobs.dataset.KeyGroups;
import io.columnseal.crypto.CellEncryptor;
import io.columnseal.crypto.DekId;
import io.columnseal.crypto.SealingKey;
import io.columnseal.jobs.dataset.QuarantineFolder;
import io.columnseal.jobs.recovery.SealedDek;
import io.columnseal.jobs.recovery.TaskLedger;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.GeneratedDataKey;
import io.columnseal.kms.KeyService;
import io.columnseal.kms.KeyServices;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DEKs of one partition (one task attempt), one per key group: each made on its group's
 * first cell (GenerateDataKey under the group's master key), replaced after 2^32 cells,
 * recorded in the task's ledger before it seals anything, and destroyed when the task ends.
 */
final class PartitionKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SealingPlan plan;
  private final SealingPolicies policies;
  private final TaskLedger ledger;
  /** Per key group g: its DEK, encryptor and ledger record, while the group has one. */
  private final SealingKey[] key;
  private final CellEncryptor[] encryptor;
  private final SealedDek[] dekRecord;
  /** Per sealed column k: its column under the current DEK of its group. */
  private final CellEncryptor.Column[] columns;
  private CellEncryptor.Column quarantineColumn;
  private long quarantinedUnderKey;

  PartitionKeys(SealingPlan plan, TaskLedger ledger) {
    this.plan = plan;
    this.policies = plan.policies;
    this.ledger = ledger;
    this.key = new SealingKey[policies.groups()];
    this.encryptor = new CellEncryptor[policies.groups()];
    this.dekRecord = new SealedDek[policies.groups()];
    this.columns = new CellEncryptor.Column[plan.encryptedOrdinals.length];
  }

  /** Sealed column {@code k} under its group's DEK, made (or replaced) first if needed. */
  CellEncryptor.Column column(int k) {
    ensure(policies.groupOf[k]);
    return columns[k];
  }

  /** Seals a quarantined row's raw text under the DEK of kms.key's group (FORMAT.md section 9). */
  byte[] sealQuarantined(byte[] plain, int length) {
    ensure(policies.quarantineGroup);
    byte[] cell = quarantineColumn.seal(plain, 0, length);
    quarantinedUnderKey++;
    return cell;
  }

  void closeAll() {
    for (int g = 0; g < encryptor.length; g++) {
      close(g);
    }
  }

  void destroyAll() {
    for (int g = 0; g < key.length; g++) {
      destroy(g);
    }
  }

  private void ensure(int g) {
    if (encryptor[g] == null || encryptor[g].remaining() == 0) {
      newKey(g);
    }
  }

  /** GenerateDataKey for key group {@code g} of this partition (or for its next 2^32 cells). */
  private void newKey(int g) {
    close(g);
    DekId id = DekId.random(RANDOM);
    EncryptionContext context = EncryptionContext.forDek(plan.datasetId, id.hex(), plan.extraContext);
    if (policies.recordsGroup) {
      // Binds the DEK to its key group: decrypt refuses a cell of a column of another group.
      Map<String, String> pairs = new TreeMap<>(context.asMap());
      pairs.put(KeyGroups.CONTEXT_KEY, policies.groupNames[g]);
      context = EncryptionContext.of(pairs);
    }
    KeyService kms = KeyServices.shared(plan.keyService);
    GeneratedDataKey generated = kms.generateDataKey(policies.groupArns[g], id, context);
    key[g] = generated.plaintext();
    // Recorded before any cell is sealed: a DEK that sealed a committed cell is always in the ledger.
    dekRecord[g] = new SealedDek(id.asLong(), generated.wrapped().keyArn(), generated.wrapped().blob(),
        context.asMap(), System.currentTimeMillis());
    ledger.deks.add(dekRecord[g]);
    encryptor[g] = CellEncryptor.open(key[g]);
    for (int k = 0; k < columns.length; k++) {
      if (policies.groupOf[k] == g) {
        columns[k] = encryptor[g].column(plan.columnSpec(k));
      }
    }
    if (plan.quarantineDir != null && g == policies.quarantineGroup) {
      quarantineColumn = encryptor[g].column(QuarantineFolder.cellSpec(plan.datasetId));
    }
  }

  private void close(int g) {
    if (encryptor[g] != null) {
      // The manifest counts the DEK's cells in the data files, as verify finds them;
      // quarantined records are counted apart (stats.quarantinedRows).
      boolean quarantines = g == policies.quarantineGroup;
      dekRecord[g].cells = encryptor[g].cellsSealed() - (quarantines ? quarantinedUnderKey : 0);
      if (quarantines) {
        quarantinedUnderKey = 0;
      }
      encryptor[g].close();
      encryptor[g] = null;
    }
    destroy(g);
  }

  private void destroy(int g) {
    if (key[g] != null) {
      key[g].destroy();
      key[g] = null;
    }
  }
}
