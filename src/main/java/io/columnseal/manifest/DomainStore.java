package io.columnseal.manifest;

import io.columnseal.crypto.DekId;
import io.columnseal.kms.EncryptionContext;
import io.columnseal.kms.WrappedKey;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The records of token domains' keys on any Hadoop file system (docs/FORMAT.md, "Domain
 * records"): {@code <store>/<escaped domain>/<N, 20 digits>.json}, each created with
 * create-if-absent ({@link AtomicCreate}), so two writers racing to make a new domain end with
 * one record 1 and both use its key. Reading checks the whole chain and returns the highest N.
 *
 * <p>A record says which master key wraps the domain key; it never decides alone whether that
 * key is trusted or whether it is the key a dataset used: {@code jobs.domain.DomainKeys} checks
 * both before any KMS call.
 */
public final class DomainStore {
  /** The store beside a dataset's manifest when the job spec names none: {@code <manifest dir>/domains}. */
  public static final String DEFAULT_DIR_NAME = "domains";

  private final FileSystem fs;
  private final Path dir;
  private final Clock clock;
  private final AtomicCreate create;

  private DomainStore(FileSystem fs, Path dir, Clock clock, AtomicCreate create) {
    this.fs = fs;
    this.dir = dir;
    this.clock = clock;
    this.create = create;
  }

  public static DomainStore at(Path dir, Configuration conf) {
    return at(dir, conf, Clock.systemUTC());
  }

  /** With the clock that stamps new records. */
  public static DomainStore at(Path dir, Configuration conf, Clock clock) {
    FileSystem fs;
    try {
      fs = dir.getFileSystem(conf);
    } catch (IOException e) {
      throw new ManifestStorageException("cannot open the file system of domain store " + dir, e);
    }
    Path qualified = fs.makeQualified(dir);
    return new DomainStore(fs, qualified, Objects.requireNonNull(clock), AtomicCreate.forScheme(qualified.toUri().getScheme()));
  }

  public Path dir() {
    return dir;
  }

  /**
   * The folder name of a domain: ASCII letters, digits, '-' and '.' as they are (not a leading
   * '.', which Hadoop hides), every other UTF-8 byte as %XX (upper-case hex); so
   * {@code cards/pan} is {@code cards%2Fpan} and two names never share a folder.
   */
  public static String escape(String domain) {
    if (domain == null || domain.isEmpty()) {
      throw new IllegalArgumentException("a domain name cannot be empty");
    }
    StringBuilder sb = new StringBuilder();
    byte[] utf8 = domain.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xFF;
      boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-'
          || (b == '.' && i > 0);
      if (plain) {
        sb.append((char) b);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", b));
      }
    }
    return sb.toString();
  }

  public Path recordPath(String domain, long number) {
    return new Path(new Path(dir, escape(domain)), String.format(Locale.ROOT, "%020d.json", number));
  }

  /**
   * The domain's newest record after checking the chain 1..N (each record's number, domain,
   * key id and context, and each parent digest), or empty if the domain has no record.
   */
  public Optional<DomainRecord> latest(String domain) {
    List<DomainRecord> h = history(domain);
    return h.isEmpty() ? Optional.empty() : Optional.of(h.get(h.size() - 1));
  }

  /** Every record of the domain, oldest first, chain checked; empty if none. */
  public List<DomainRecord> history(String domain) {
    Path folder = new Path(dir, escape(domain));
    TreeMap<Long, Path> files = list(folder);
    List<DomainRecord> out = new ArrayList<>();
    DomainRecord previous = null;
    for (var e : files.entrySet()) {
      String file = e.getValue().toString();
      if (e.getKey() != out.size() + 1) {
        throw new ManifestCorruptException(folder.toString(), "domain records are not numbered 1.." + files.size()
            + " (record " + (out.size() + 1) + " is missing)");
      }
      DomainRecord r = DomainRecordCodec.read(readAll(e.getValue()), file);
      if (r.number() != e.getKey() || !r.domain().equals(domain)) {
        throw new ManifestTamperedException(file, "it says it is record " + r.number() + " of domain " + r.domain());
      }
      if (!r.encryptionContext().equals(EncryptionContext.forDomain(domain, r.domainKeyId().hex()))) {
        throw new ManifestTamperedException(file, "its encryption context is not the domain's "
            + EncryptionContext.forDomain(domain, r.domainKeyId().hex()));
      }
      if (previous != null) {
        if (!previous.digest().equals(r.parentDigest())) {
          throw new ManifestTamperedException(file, "its parent digest is not the digest of record " + previous.number());
        }
        if (!previous.domainKeyId().equals(r.domainKeyId())) {
          throw new ManifestTamperedException(file, "it names domain key " + r.domainKeyId() + " but record "
              + previous.number() + " names " + previous.domainKeyId() + "; a rewrap keeps the key");
        }
      }
      out.add(r);
      previous = r;
    }
    return out;
  }

  /**
   * Writes record 1 of a new domain. Returns it if this call created it, or empty if another
   * writer's record 1 was there first (then read {@link #latest} and use that key).
   */
  public Optional<DomainRecord> createFirst(String domain, DekId id, WrappedKey wrapped) {
    return write(draft(domain, id, wrapped, 1, null));
  }

  /**
   * Writes record {@code latest.number() + 1}: the same key, re-wrapped.
   *
   * @throws DomainRecordConflictException if another writer took that number first
   */
  public DomainRecord appendRewrap(DomainRecord latest, WrappedKey rewrapped) {
    DomainRecord next = draft(latest.domain(), latest.domainKeyId(), rewrapped, latest.number() + 1, latest.digest());
    return write(next).orElseThrow(() -> new DomainRecordConflictException(latest.domain(), next.number(),
        recordPath(latest.domain(), next.number()).toString()));
  }

  private DomainRecord draft(String domain, DekId id, WrappedKey wrapped, long number, String parent) {
    DomainRecord undigested = new DomainRecord(domain, id, wrapped, EncryptionContext.forDomain(domain, id.hex()),
        number, clock.instant(), parent, "");
    return new DomainRecord(domain, id, wrapped, undigested.encryptionContext(), number, undigested.created(), parent,
        DomainRecordCodec.digestOf(undigested));
  }

  private Optional<DomainRecord> write(DomainRecord r) {
    Path target = recordPath(r.domain(), r.number());
    try {
      fs.mkdirs(target.getParent());
      return create.createIfAbsent(fs, target, DomainRecordCodec.write(r)) ? Optional.of(r) : Optional.empty();
    } catch (IOException e) {
      throw new ManifestStorageException("cannot write domain record " + target, e);
    }
  }

  private TreeMap<Long, Path> list(Path folder) {
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(folder);
    } catch (FileNotFoundException e) {
      return new TreeMap<>();
    } catch (IOException e) {
      throw new ManifestStorageException("cannot list domain records in " + folder, e);
    }
    TreeMap<Long, Path> files = new TreeMap<>();
    for (FileStatus s : statuses) {
      String name = s.getPath().getName();
      if (s.isFile() && name.matches("[0-9]{20}\\.json")) {
        files.put(Long.parseLong(name.substring(0, 20)), s.getPath());
      }
    }
    return files;
  }

  private byte[] readAll(Path file) {
    try (InputStream in = fs.open(file)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new ManifestStorageException("cannot read domain record " + file, e);
    }
  }

  @Override
  public String toString() {
    return "DomainStore[" + dir + "]";
  }
}
