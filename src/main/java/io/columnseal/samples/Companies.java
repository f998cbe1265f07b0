package io.columnseal.samples;

import java.util.Random;

/** Employers of corporate cardholders; some names hold commas, quotes or non-Latin script. */
final class Companies {
  private static final String[] NAMES = {
    "Acme, Inc.", "Globex Corporation", "Initech LLC", "Umbrella Holdings", "Stark Industries",
    "Wayne Enterprises", "Hooli", "Vandelay Industries", "Soylent Corp.", "Tyrell Corporation",
    "Johnson, Johnson & Partners LLP", "Müller & Söhne GmbH", "Société Générale de Café",
    "株式会社サンプル商事", "北京示例科技有限公司", "ООО «Пример»", "شركة المثال للتجارة",
    "The \"Quality\" Bakery", "O'Reilly Freight, Ltd.", "Blue Sky Airlines", "Northwind Traders",
    "Contoso Ltd", "Fabrikam, Inc.", "Wide World Importers", "Dunder Mifflin Paper Company"
  };

  private Companies() {}

  static String pick(Random random) {
    return Names.pick(random, NAMES);
  }
}
