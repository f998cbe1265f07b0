package io.columnseal.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

final class Stats {
  private Stats() {}

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
