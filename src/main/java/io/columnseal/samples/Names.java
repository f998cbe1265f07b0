package io.columnseal.samples;

import java.util.Random;

/**
 * Cardholder names: mostly Latin script, some with accents, some in CJK, Cyrillic, Arabic and
 * other scripts (one outside the Basic Multilingual Plane), and a few written the way card
 * files often hold them, with a comma or a quoted nickname, so they need CSV quoting.
 */
final class Names {
  private static final String[] GIVEN = {
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark",
    "Margaret", "Steven", "Sandra", "Paul", "Ashley", "Andrew", "Emily", "Kevin", "Michelle",
    "Brian", "Amanda", "George", "Melissa", "Aisha", "Priya", "Wei", "Kenji", "Fatima", "Omar",
    "Siobhan", "Niamh", "Rhys", "Mateo", "Sofia", "Lucas", "Chloe", "Ethan", "Grace", "Noah"
  };

  private static final String[] FAMILY = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "O'Brien", "O'Connor", "D'Angelo",
    "McDonald", "Van der Berg", "St. John", "Smith-Jones", "Patel", "Kim", "Chen", "Singh"
  };

  private static final String[] GIVEN_ACCENTED = {
    "José", "François", "Zoë", "Søren", "Łukasz", "Ana Lucía", "Renée", "Jürgen", "Björn",
    "Inês", "Çağla", "Dorotėja", "Ñuño", "Hélène", "Thảo", "Mário", "Åsa", "Zoltán", "Ramón"
  };

  private static final String[] FAMILY_ACCENTED = {
    "García", "Lefèvre", "Müller", "Kierkegård", "Wiśniewski", "Peña", "Dvořák", "Ødegaard",
    "Gonçalves", "Núñez", "Öztürk", "Šimková", "Nguyễn", "Brontë", "Strauß", "Sánchez"
  };

  private static final String[] OTHER_SCRIPTS = {
    // CJK (family name first), one with U+20BB7, a character outside the BMP.
    "王伟", "李娜", "张秀英", "陈静", "山田 太郎", "佐藤 花子", "鈴木 一郎", "𠮷野 さくら",
    "김민준", "이서연", "박지훈",
    // Cyrillic
    "Иван Петров", "Ольга Смирнова", "Дмитрий Иванов", "Анна Кузнецова", "Олександр Шевченко",
    // Arabic and Hebrew (right to left)
    "محمد العلي", "فاطمة الزهراء", "أحمد حسن", "نور الهدى", "דוד כהן", "שרה לוי",
    // Greek, Devanagari, Thai, Georgian, Armenian
    "Γιώργος Παπαδόπουλος", "Ελένη Νικολάου", "अर्जुन शर्मा", "प्रिया पटेल", "สมชาย ใจดี",
    "ნინო ბერიძე", "Արամ Պետրոսյան"
  };

  private static final String[] NICKNAMES = {
    "Jack", "Bud", "Scotty", "JJ", "Ace", "Bea", "Kiki", "Doc", "Red", "Sunny"
  };

  private Names() {}

  static String cardholder(Random random) {
    int p = random.nextInt(100);
    if (p < 55) {
      return pick(random, GIVEN) + " " + pick(random, FAMILY);
    }
    if (p < 70) {
      return pick(random, GIVEN_ACCENTED) + " " + pick(random, FAMILY_ACCENTED);
    }
    if (p < 88) {
      return pick(random, OTHER_SCRIPTS);
    }
    if (p < 94) {
      return pick(random, FAMILY) + ", " + pick(random, GIVEN); // "Last, First"
    }
    if (p < 97) {
      return pick(random, GIVEN) + " \"" + pick(random, NICKNAMES) + "\" " + pick(random, FAMILY);
    }
    return pick(random, FAMILY) + ", \"" + pick(random, NICKNAMES) + "\""; // O'Brien, "Jack"
  }

  static String pick(Random random, String[] choices) {
    return choices[random.nextInt(choices.length)];
  }
}
