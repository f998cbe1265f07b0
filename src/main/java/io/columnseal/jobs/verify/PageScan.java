package io.columnseal.jobs.verify;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.PageFormat;
import io.columnseal.jobs.decrypt.PageReaderSettings;
import io.columnseal.manifest.DekRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * verify's data pass over a page-mode dataset (docs/jobs/verify.md): the files whose footers had
 * no finding are opened through PageDecryption in Spark tasks ({@link PageSampler}); a file that
 * does not open or whose sampled pages do not authenticate is a {@code cells} finding, and each
 * live DEK's non-null values (from the key metadata and the decrypted chunk metadata) must equal
 * the manifest's {@code cells}.
 */
final class PageScan {
  private PageScan() {}

  static void run(SparkSession spark, DatasetSnapshot snap, VerifySettings s, VerifyReport r, PageFooters footers,
      Set<DekId> liveDeks) {
    List<String> files = new ArrayList<>(footers.columnDeks.keySet());
    if (files.isEmpty()) {
      return;
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    spark.sparkContext().setJobDescription("columnseal verify " + snap.state.datasetId());
    Map<String, String> conf = new HashMap<>(
        PageReaderSettings.hadoopKeys(snap, s.keyService, s.allowedKeys, s.manifestMacKey));
    // Every encrypted column is sampled, each with its key group's DEK (FORMAT.md 12.5).
    conf.put(PageFormat.COLUMNS_KEY, PageFormat.columnsValue(snap.state.encryptedColumns()));
    PageSampler sampler = new PageSampler(snap.path, snap.state.encryptedColumns(), conf,
        new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()), s.samplesPerFile);
    int slices = Math.max(1, Math.min(files.size(), jsc.defaultParallelism()));
    List<PageSampler.Result> parts = jsc.parallelize(files, slices).mapPartitions(sampler).collect();

    long problems = 0;
    Map<Long, Long> cells = new HashMap<>();
    boolean counted = true;
    for (PageSampler.Result p : parts) {
      r.samplesDecrypted += p.pages;
      for (String m : p.problems) {
        if (problems++ < 20) {
          r.find("cells", m);
        }
      }
      problems += p.problemCount - p.problems.size();
      for (Map.Entry<String, List<Map<String, Long>>> f : p.nonNull.entrySet()) {
        List<Map<String, Long>> deks = footers.columnDeks.get(f.getKey());
        for (int g = 0; g < f.getValue().size() && g < deks.size(); g++) {
          for (Map.Entry<String, Long> c : f.getValue().get(g).entrySet()) {
            Long dek = deks.get(g).get(c.getKey());
            if (c.getValue() < 0) {
              counted = false;
            } else if (dek != null) {
              r.cellsChecked += c.getValue();
              cells.merge(dek, c.getValue(), Long::sum);
            }
          }
        }
      }
    }
    if (problems > 20) {
      r.find("cells", (problems - 20) + " more files like the ones above");
    }
    r.deksInData = cells.size();
    // Only when every file opened and every chunk records its null count: else the tally is partial.
    if (problems > 0 || !counted || files.size() != snap.state.liveFiles().size()) {
      return;
    }
    for (DekId id : liveDeks) {
      DekRecord d = snap.state.deks().get(id);
      long found = cells.getOrDefault(id.asLong(), 0L);
      if (found != d.cells()) {
        r.find("cell-count", "DEK " + id + " encrypts " + found + " values in the data; the manifest says "
            + d.cells());
      }
    }
  }
}
