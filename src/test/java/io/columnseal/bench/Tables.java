package io.columnseal.bench;

import io.columnseal.bench.SideBySideBench.Measured;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The side-by-side table as text (for the terminal and docs/BENCHMARKS.md) and as JSON rows. */
final class Tables {
  private Tables() {}

  static String text(List<Measured> table, long rows, int rounds) {
    long cells = cells(table);
    StringBuilder b = new StringBuilder();
    b.append(String.format("median of %d rounds, %,d rows, %,d encrypted cells, %d cores%n", rounds, rows, cells,
        Runtime.getRuntime().availableProcessors()));
    b.append(String.format("| %-36s | %8s | %6s | %13s | %9s | %9s | %9s |%n", "way", "median s", "ratio",
        "output bytes", "B/cell", "KMS calls", "peak heap"));
    b.append("|").append("-".repeat(38)).append("|---------:|-------:|--------------:|----------:|----------:|----------:|\n");
    for (Map<String, Object> r : asJson(table)) {
      b.append(String.format("| %-36s | %8.2f | %5.2fx | %,13d | %9s | %9s | %5d MiB |%n", r.get("way"),
          (Double) r.get("medianSeconds"), (Double) r.get("ratio"), (Long) r.get("outputBytes"),
          r.get("bytesPerEncryptedCell") == null ? "-" : String.format("%.1f", (Double) r.get("bytesPerEncryptedCell")),
          (Long) r.get("kmsCalls") < 0 ? "n/a" : r.get("kmsCalls").toString(), (Long) r.get("peakHeapBytes") >> 20));
    }
    return b.toString();
  }

  static List<Map<String, Object>> asJson(List<Measured> table) {
    long cells = cells(table);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Measured m : table) {
      Measured base = table.stream().filter(t -> t.name().equals(m.baseline())).findFirst().orElseThrow();
      boolean protects = !m.name().startsWith("plain") && !m.name().contains("decrypt");
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("way", m.name());
      r.put("baseline", m.baseline());
      r.put("medianSeconds", m.median());
      r.put("ratio", m.median() / base.median());
      r.put("seconds", m.seconds());
      r.put("outputBytes", m.last().bytes());
      r.put("bytesPerEncryptedCell", protects && cells > 0
          ? (double) (m.last().bytes() - base.last().bytes()) / cells : null);
      r.put("kmsCalls", m.last().kmsCalls());
      r.put("peakHeapBytes", m.peakHeap());
      out.add(r);
    }
    return out;
  }

  /** Non-null cells of the 4 columns, as columnseal's run summary counted them. */
  static long cells(List<Measured> table) {
    return table.stream().mapToLong(m -> m.last().cells()).max().orElse(0);
  }
}
