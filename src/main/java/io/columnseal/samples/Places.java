package io.columnseal.samples;

import java.util.Random;

/**
 * Cardholder addresses. Most are in the United States (ZIP codes, some ZIP+4, some with
 * leading zeros); the rest are abroad, with their own scripts and postal code shapes, and a
 * few places have no state or no postal code at all (a null in the data).
 */
final class Places {
  /**
   * A city with its state (null where there is none), a postal code pattern ('#' a digit, '@'
   * an upper-case letter; null where there is no postal code) and, abroad, street patterns ('#'
   * a digit). US places take US-style streets.
   */
  record Place(String city, String state, String zipPattern, String[] streets) {}

  private static final Place[] US = {
    new Place("Boston", "MA", "021##", null),
    new Place("Newark", "NJ", "071##", null),
    new Place("Portland", "ME", "041##", null),
    new Place("San Juan", "PR", "009##", null),
    new Place("Hartford", "CT", "061##", null),
    new Place("Providence", "RI", "029##", null),
    new Place("Burlington", "VT", "054##", null),
    new Place("New York", "NY", "100##", null),
    new Place("Chicago", "IL", "606##", null),
    new Place("Austin", "TX", "787##", null),
    new Place("Seattle", "WA", "981##", null),
    new Place("Miami", "FL", "331##", null),
    new Place("Denver", "CO", "802##", null),
    new Place("Honolulu", "HI", "968##", null),
    new Place("Anchorage", "AK", "995##", null),
    new Place("Winston-Salem", "NC", "271##", null),
    new Place("Coeur d'Alene", "ID", "838##", null),
    new Place("Española", "NM", "875##", null),
    new Place("San Francisco", "CA", "941##", null),
    new Place("Atlanta", "GA", "303##", null)
  };

  private static final Place[] ABROAD = {
    new Place("Montréal", "QC", "H2@ #@#", new String[] {"### rue Saint-Paul Ouest", "#### boul. René-Lévesque"}),
    new Place("München", "BY", "80###", new String[] {"Königstraße ##", "Maximilianstraße #, 2. OG"}),
    new Place("Zürich", "ZH", "80##", new String[] {"Bahnhofstrasse #", "Löwenstrasse #"}),
    new Place("東京", "東京都", "1##-####", new String[] {"丸の内#-#-#", "銀座#丁目#-#"}),
    new Place("Москва", null, "10####", new String[] {"ул. Тверская, д. ##", "Арбат, д. #, кв. ##"}),
    new Place("São Paulo", "SP", "0####-###", new String[] {"Avenida Paulista, ####", "Rua Augusta, ### - apto ##"}),
    new Place("دبي", null, null, new String[] {"شارع الشيخ زايد ##", "## Al Wasl Road"}),
    new Place("Reykjavík", null, "1##", new String[] {"Laugavegur ##", "Skólavörðustígur #"}),
    new Place("Kraków", "małopolskie", "3#-###", new String[] {"ul. Floriańska #", "ul. Grodzka #/#"}),
    new Place("Αθήνα", null, "1## ##", new String[] {"Οδός Ερμού ##", "Λεωφόρος Συγγρού ###"})
  };

  private static final String[] US_STREETS = {
    "Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine",
    "Sunset", "Lincoln", "Jackson", "Church", "River", "Martin Luther King Jr.", "O'Farrell",
    "Market", "Broad", "Highland"
  };

  private static final String[] US_SUFFIXES = {
    "St", "Ave", "Blvd", "Rd", "Ln", "Dr", "Ct", "Way", "Pl", "Terrace"
  };

  private Places() {}

  static Place pick(Random random) {
    return random.nextInt(100) < 85
        ? US[random.nextInt(US.length)]
        : ABROAD[random.nextInt(ABROAD.length)];
  }

  static String street(Place place, Random random) {
    if (place.streets() != null) {
      return fill(Names.pick(random, place.streets()), random, false);
    }
    String street = (1 + random.nextInt(9999)) + " " + Names.pick(random, US_STREETS) + " "
        + Names.pick(random, US_SUFFIXES);
    int p = random.nextInt(100);
    if (p < 12) {
      return street + ", Apt " + (1 + random.nextInt(40)) + (char) ('A' + random.nextInt(6));
    }
    if (p < 18) {
      return street + ", Suite " + (100 + random.nextInt(900));
    }
    return street;
  }

  /** A postal code for the place, or null where it has none. */
  static String zip(Place place, Random random) {
    if (place.zipPattern() == null) {
      return null;
    }
    String zip = fill(place.zipPattern(), random, true);
    if (place.streets() == null && random.nextInt(100) < 10) {
      zip = zip + "-" + fill("####", random, true); // ZIP+4
    }
    return zip;
  }

  /** Fills a pattern; house numbers ({@code leadingZeros} false) do not start with 0. */
  private static String fill(String pattern, Random random, boolean leadingZeros) {
    StringBuilder out = new StringBuilder(pattern.length() + 4);
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '#') {
        boolean startsNumber = i == 0 || pattern.charAt(i - 1) != '#';
        out.append(leadingZeros || !startsNumber
            ? (char) ('0' + random.nextInt(10))
            : (char) ('1' + random.nextInt(9)));
      } else if (c == '@') {
        out.append((char) ('A' + random.nextInt(26)));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
