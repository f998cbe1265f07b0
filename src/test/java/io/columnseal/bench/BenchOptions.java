package io.columnseal.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options of jobs/bench: --rows N --rounds R --out DIR --latency-ms MS --scale A,B,C --partitions P,Q. */
final class BenchOptions {
  long rows = 2_000_000L;
  int rounds = 3;
  Path out = Path.of("target", "bench");
  long latencyMillis = 20;
  List<Long> scale = new ArrayList<>();
  List<Integer> partitions = new ArrayList<>();

  static BenchOptions parse(String[] args) {
    BenchOptions o = new BenchOptions();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value; usage: " + usage());
      }
      String v = args[++i];
      switch (a) {
        case "--rows" -> o.rows = Long.parseLong(v);
        case "--rounds" -> o.rounds = Integer.parseInt(v);
        case "--out" -> o.out = Path.of(v);
        case "--latency-ms" -> o.latencyMillis = Long.parseLong(v);
        case "--scale" -> {
          for (String s : v.split(",")) {
            o.scale.add(Long.parseLong(s.trim()));
          }
        }
        case "--partitions" -> {
          for (String s : v.split(",")) {
            o.partitions.add(Integer.parseInt(s.trim()));
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + a + "; usage: " + usage());
      }
    }
    if (o.rows < 1 || o.rounds < 0) {
      throw new IllegalArgumentException("--rows must be at least 1 and --rounds at least 0 (0: the sweeps only)");
    }
    return o;
  }

  static String usage() {
    return "jobs/bench [--rows 2000000] [--rounds 3] [--out target/bench] [--latency-ms 20]"
        + " [--scale 1000000,2000000,4000000] [--partitions 8,64,512]";
  }
}
