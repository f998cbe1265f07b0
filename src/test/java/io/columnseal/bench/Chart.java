package io.columnseal.bench;

import io.columnseal.bench.SideBySideBench.Measured;
import java.util.List;
import java.util.Locale;

/** A hand-written SVG bar chart: one bar per way, median seconds, the baselines in grey. */
final class Chart {
  private static final int LABEL = 280;
  private static final int BAR = 420;
  private static final int ROW = 30;

  private Chart() {}

  static String svg(List<Measured> table, long rows) {
    double max = table.stream().mapToDouble(Measured::median).max().orElse(1);
    int height = 50 + ROW * table.size() + 20;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"sans-serif\" font-size=\"13\">%n", LABEL + BAR + 90, height));
    b.append(String.format(Locale.ROOT, "  <rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"));
    b.append(String.format(Locale.ROOT, "  <text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
        + "Wall time, median seconds, %,d card rows, 4 sensitive columns (shorter is better)</text>%n", rows));
    int y = 45;
    for (Measured m : table) {
      double w = BAR * m.median() / max;
      String fill = m.name().startsWith("plain") ? "#9e9e9e" : m.name().startsWith("columnseal") ? "#1565c0" : "#ef6c00";
      b.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LABEL - 8,
          y + 17, escape(m.name())));
      b.append(String.format(Locale.ROOT, "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"22\" fill=\"%s\"/>%n",
          LABEL, y + 2, w, fill));
      b.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%d\">%.1f s</text>%n", LABEL + w + 6, y + 17,
          m.median()));
      y += ROW;
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
