// The engine's file formats, checked against snarkjs 0.7.6 (src/zkey_new.js, zkey_utils.js,
// zkey_contribute.js, groth16_prove.js, wtns_utils.js), r1csfile 0.0.48 and
// @iden3/binfileutils.
//
// Container (all three formats), little-endian throughout:
//   magic (4 bytes) | version u32 | section count u32 | sections: id u32, size u64, payload
// Sections may come in any order; readers find them by id. Unknown ids are skipped.
//
// zkey: magic "zkey", version 1, Groth16 only.
// | id | name           | bytes                  | payload                                              |
// |----|----------------|------------------------|------------------------------------------------------|
// | 1  | header         | 4                      | protocol u32: 1 = groth16 (2 plonk, 10 fflonk)        |
// | 2  | Groth16 header | 660                    | n8q u32 = 32, q, n8r u32 = 32, r, nVars u32,         |
// |    |                |                        | nPublic u32, domainSize u32, alpha1 G1, beta1 G1,    |
// |    |                |                        | beta2 G2, gamma2 G2, delta1 G1, delta2 G2            |
// | 3  | IC points      | (nPublic + 1)·64       | G1 per signal 0..nPublic (constant 1 first)          |
// | 4  | coefficients   | 4 + n·44               | n u32, then n × (matrix u32 (0 = A, 1 = B),          |
// |    |                |                        | constraint u32, signal u32, value 32 bytes)          |
// | 5  | A points       | nVars·64               | G1 per signal                                        |
// | 6  | B1 points      | nVars·64               | G1 per signal                                        |
// | 7  | B2 points      | nVars·128              | G2 per signal                                        |
// | 8  | C points       | (nVars − nPublic − 1)·64 | G1 per private signal nPublic+1..nVars−1           |
// | 9  | H points       | domainSize·64          | G1                                                   |
// | 10 | contributions  | 68 + …                 | csHash (64 bytes), count u32, contributions          |
//
// Stored forms in a zkey:
// - q, r (section 2): standard form, 32 bytes.
// - G1 point: x, y, each 32 bytes in Montgomery form (x·2^256 mod q); infinity is all zeros.
// - G2 point: x0, x1, y0, y1 (x = x0 + x1·u), each Montgomery; infinity is all zeros.
// - Coefficient value: v·R² mod r, R = 2^256 mod r, where v is the r1cs coefficient. zkey_new.js
//   multiplies the Montgomery form of v by Fr.e(R²) and writes it with Fr.toRprLE, which strips
//   one R; zkey_utils.js readFr2 undoes it with R⁻². One Montgomery reduction of the stored value
//   gives v in Montgomery form (v·R); two give plain v. groth16_prove.js buildABC1 multiplies the
//   stored value by the standard-form witness with a Montgomery multiply, yielding v·w in
//   Montgomery form. Entries exist for A and B only (C = A∘B on the domain); after the
//   r1cs rows come rows nConstraints + s (s = 0..nPublic) with A[row][s] = 1 that bind the
//   public signals. Entries are in no guaranteed order.
// - csHash (section 10): blake2b-512 over the key before any contribution, as zkey_new.js
//   computes it from the ptau. Only `zkey verify` checks it; prove and export ignore it.
//
// wtns: magic "wtns", version 2.
// | 1 | header         | 40          | n8 u32 = 32, prime (standard; r), nWitness u32      |
// | 2 | witness values | nWitness·32 | standard form (not Montgomery); value 0 is 1         |
//
// r1cs: magic "r1cs", version 1. Wires: 0 = constant 1, outputs, public inputs, private
// inputs, then internal signals.
// | 1   | header            | 64       | n8 u32 = 32, prime (standard; r), nWires u32, nPubOut u32, |
// |     |                   |          | nPubIn u32, nPrvIn u32, nLabels u64, nConstraints u32      |
// | 2   | constraints       | variable | per constraint A, B, C; each: nTerms u32, then nTerms ×    |
// |     |                   |          | (wire u32, value 32 bytes, standard form)                  |
// | 3   | wire-to-label map | nWires·8 | label u64 per wire                                         |
// | 4,5 | custom gates      |          | PLONK only; rejected                                       |
#include "formats.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <type_traits>

#include "command.hpp"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "formats.cpp copies little-endian file bytes straight into limbs"
#endif

namespace zkn {
namespace {

static_assert(sizeof(Limbs) == 32 && sizeof(G1Raw) == 64 && sizeof(G2Raw) == 128, "points must match their file layout");
static_assert(std::is_trivially_copyable_v<G1Raw> && std::is_trivially_copyable_v<G2Raw>);

constexpr Limbs kBn254Q = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
constexpr Limbs kBn254R = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
constexpr uint32_t kN8 = 32;
constexpr uint64_t kG1Bytes = 64, kG2Bytes = 128;
constexpr uint64_t kCoefficientBytes = 12 + kN8;
constexpr uint64_t kZkeyGroth16HeaderBytes = 4 + kN8 + 4 + kN8 + 3 * 4 + 3 * kG1Bytes + 3 * kG2Bytes;
constexpr uint64_t kWtnsHeaderBytes = 4 + kN8 + 4;
constexpr uint64_t kR1csHeaderBytes = 4 + kN8 + 4 * 4 + 8 + 4;
constexpr uint32_t kGroth16 = 1;
constexpr uint32_t kMaxDomainLog = 28;  // 2-adicity of BN254's r - 1: the largest FFT domain

enum ZkeySection : uint32_t { kHeader = 1, kGroth16Header, kIc, kCoefficients, kA, kB1, kB2, kC, kH, kContributions };
enum WtnsSection : uint32_t { kWtnsHeader = 1, kWtnsValues };
enum R1csSection : uint32_t { kR1csHeader = 1, kR1csConstraints, kR1csLabels, kR1csCustomGates, kR1csCustomGateUses };

struct Format {
  const char* magic;
  uint32_t version;
  std::map<uint32_t, const char*> sectionNames;
};

const Format kZkeyFormat{"zkey",
                         1,
                         {{kHeader, "header"},
                          {kGroth16Header, "Groth16 header"},
                          {kIc, "IC points"},
                          {kCoefficients, "coefficients"},
                          {kA, "A points"},
                          {kB1, "B1 points"},
                          {kB2, "B2 points"},
                          {kC, "C points"},
                          {kH, "H points"},
                          {kContributions, "contributions"}}};
const Format kWtnsFormat{"wtns", 2, {{kWtnsHeader, "header"}, {kWtnsValues, "witness values"}}};
const Format kR1csFormat{"r1cs",
                         1,
                         {{kR1csHeader, "header"},
                          {kR1csConstraints, "constraints"},
                          {kR1csLabels, "wire-to-label map"},
                          {kR1csCustomGates, "custom gates list"},
                          {kR1csCustomGateUses, "custom gates uses"}}};

uint32_t u32At(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t u64At(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
Limbs limbsAt(const uint8_t* p) {
  Limbs v;
  std::memcpy(v.data(), p, sizeof v);
  return v;
}

bool below(const Limbs& a, const Limbs& m) {
  for (int i = 3; i >= 0; --i)
    if (a[i] != m[i]) return a[i] < m[i];
  return false;
}
bool reduced(const G1Raw& p) { return below(p.x, kBn254Q) && below(p.y, kBn254Q); }
bool reduced(const G2Raw& p) {
  return below(p.x0, kBn254Q) && below(p.x1, kBn254Q) && below(p.y0, kBn254Q) && below(p.y1, kBn254Q);
}

std::string hex(const Limbs& v) {
  char buf[67];
  std::snprintf(buf, sizeof buf, "0x%016llx%016llx%016llx%016llx", (unsigned long long)v[3], (unsigned long long)v[2],
                (unsigned long long)v[1], (unsigned long long)v[0]);
  return buf;
}

// Non-printable bytes become '?' so a binary magic cannot garble the one-line error.
std::string printable(std::string s) {
  for (char& c : s)
    if (c < 0x20 || c > 0x7e) c = '?';
  return s;
}

std::ifstream openForReading(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) throw UserError("cannot open " + path + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("cannot open " + path + ": " + std::strerror(errno));
  return in;
}

// An open container: the section table is scanned and checked up front, payloads are read
// on demand. Every error names the file and, where there is one, the section.
class BinFile {
 public:
  BinFile(const std::string& path, const Format& format) : path_(path), format_(format), in_(openForReading(path)) {
    std::error_code error;
    fileSize_ = std::filesystem::file_size(path, error);
    if (error) throw UserError("cannot open " + path + ": " + error.message());
    readContainerHeader();
    scanSections();
  }

  [[noreturn]] void fail(const std::string& problem) const { throw UserError(path_ + ": " + problem); }

  std::string name(uint32_t id) const {
    auto it = format_.sectionNames.find(id);
    return "section " + std::to_string(id) + (it == format_.sectionNames.end() ? "" : std::string(" (") + it->second + ")");
  }

  bool has(uint32_t id) const { return sections_.count(id) != 0; }

  uint64_t size(uint32_t id) const { return entry(id).size; }

  void expectSize(uint32_t id, uint64_t expected, const std::string& forWhat) const {
    if (size(id) != expected)
      fail(name(id) + " has " + std::to_string(size(id)) + " bytes, expected " + std::to_string(expected) + " for " + forWhat);
  }

  std::vector<uint8_t> read(uint32_t id) {
    std::vector<uint8_t> bytes(size(id));
    readInto(id, bytes.data(), bytes.size());
    return bytes;
  }

  // Reads a whole section straight into `dst` (callers check the size first).
  void readInto(uint32_t id, void* dst, uint64_t bytes) { readBytes(entry(id).offset, dst, bytes); }

 private:
  struct Entry {
    uint64_t offset, size;
  };

  const Entry& entry(uint32_t id) const {
    auto it = sections_.find(id);
    if (it == sections_.end()) fail(name(id) + " is missing");
    return it->second;
  }

  void readBytes(uint64_t offset, void* dst, uint64_t bytes) {
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(bytes));
    if (!in_) fail("cannot read " + std::to_string(bytes) + " bytes at offset " + std::to_string(offset));
  }

  void readContainerHeader() {
    uint8_t head[12];
    if (fileSize_ < 4) fail("truncated: " + std::to_string(fileSize_) + " bytes, too short for a " + format_.magic + " file");
    readBytes(0, head, 4);
    std::string magic(reinterpret_cast<const char*>(head), 4);
    if (magic != format_.magic) fail(std::string("not a ") + format_.magic + " file: it starts with \"" + printable(magic) + "\"");
    if (fileSize_ < sizeof head)
      fail("truncated: " + std::to_string(fileSize_) + " bytes, shorter than the 12-byte file header");
    readBytes(0, head, sizeof head);
    uint32_t version = u32At(head + 4);
    if (version != format_.version)
      fail(std::string(format_.magic) + " version " + std::to_string(version) + " is not supported (expected " +
           std::to_string(format_.version) + ")");
    sectionCount_ = u32At(head + 8);
  }

  void scanSections() {
    uint64_t pos = 12;
    for (uint32_t i = 0; i < sectionCount_; ++i) {
      uint8_t head[12];
      if (fileSize_ - pos < sizeof head)
        fail("truncated: the file ends at byte " + std::to_string(fileSize_) + ", inside the header of its section " +
             std::to_string(i + 1) + " of " + std::to_string(sectionCount_));
      readBytes(pos, head, sizeof head);
      uint32_t id = u32At(head);
      Entry e{pos + sizeof head, u64At(head + 4)};
      if (e.size > fileSize_ - e.offset)
        fail(name(id) + " is truncated: it declares " + std::to_string(e.size) + " bytes at offset " + std::to_string(e.offset) +
             ", the file has " + std::to_string(fileSize_ - e.offset) + " left");
      if (!sections_.emplace(id, e).second) fail(name(id) + " appears twice");
      pos = e.offset + e.size;
    }
    if (pos != fileSize_)
      fail(std::to_string(fileSize_ - pos) + " bytes follow the last of its " + std::to_string(sectionCount_) + " sections");
  }

  std::string path_;
  const Format& format_;
  std::ifstream in_;
  uint64_t fileSize_ = 0;
  uint32_t sectionCount_ = 0;
  std::map<uint32_t, Entry> sections_;
};

// A section payload starting with n8 (u32) must use BN254's 32-byte elements; checked
// before its size so another curve's file gets this message rather than a size mismatch.
void expectN8(const BinFile& f, uint32_t id, const std::vector<uint8_t>& payload, size_t at, const char* field) {
  if (payload.size() < at + 4)
    f.fail(f.name(id) + " has " + std::to_string(payload.size()) + " bytes, too short to hold " + field);
  uint32_t n8 = u32At(payload.data() + at);
  if (n8 != kN8) f.fail(f.name(id) + " has " + field + " = " + std::to_string(n8) + ", expected 32 (BN254)");
}

void expectModulus(const BinFile& f, uint32_t id, const char* field, const Limbs& got, const Limbs& want, const char* which) {
  if (got != want)
    f.fail(f.name(id) + " has " + field + " = " + hex(got) + ", not BN254's " + which + " modulus " + hex(want) +
           ": the file is for another curve");
}

const char* protocolName(uint32_t id) {
  switch (id) {
    case 1: return " (groth16)";
    case 2: return " (plonk)";
    case 10: return " (fflonk)";
    default: return "";
  }
}

void readProtocol(BinFile& f) {
  f.expectSize(kHeader, 4, "the protocol id");
  uint32_t protocol = u32At(f.read(kHeader).data());
  if (protocol != kGroth16)
    f.fail(f.name(kHeader) + " has protocol " + std::to_string(protocol) + protocolName(protocol) + ", expected 1 (groth16)");
}

template <typename Point>
Point pointAt(const BinFile& f, const uint8_t* p, const char* what) {
  Point point;
  std::memcpy(&point, p, sizeof point);
  if (!reduced(point)) f.fail(f.name(kGroth16Header) + ": " + what + " has a coordinate that is not below q");
  return point;
}

// Sections 1 and 2: everything of Zkey but the coefficient and point vectors.
Zkey readZkeyHeader(BinFile& f) {
  readProtocol(f);
  std::vector<uint8_t> b = f.read(kGroth16Header);
  expectN8(f, kGroth16Header, b, 0, "n8q");
  expectN8(f, kGroth16Header, b, 4 + kN8, "n8r");
  f.expectSize(kGroth16Header, kZkeyGroth16HeaderBytes, "BN254 (32-byte field elements)");
  const uint8_t* p = b.data();
  Zkey key;
  key.q = limbsAt(p + 4);
  key.r = limbsAt(p + 40);
  expectModulus(f, kGroth16Header, "q", key.q, kBn254Q, "base field");
  expectModulus(f, kGroth16Header, "r", key.r, kBn254R, "scalar field");
  key.nVars = u32At(p + 72);
  key.nPublic = u32At(p + 76);
  key.domainSize = u32At(p + 80);
  key.alpha1 = pointAt<G1Raw>(f, p + 84, "alpha1");
  key.beta1 = pointAt<G1Raw>(f, p + 148, "beta1");
  key.beta2 = pointAt<G2Raw>(f, p + 212, "beta2");
  key.gamma2 = pointAt<G2Raw>(f, p + 340, "gamma2");
  key.delta1 = pointAt<G1Raw>(f, p + 468, "delta1");
  key.delta2 = pointAt<G2Raw>(f, p + 532, "delta2");

  if (uint64_t{key.nPublic} + 1 > key.nVars)
    f.fail(f.name(kGroth16Header) + " has nPublic = " + std::to_string(key.nPublic) + " and nVars = " + std::to_string(key.nVars) +
           ": nVars must be at least nPublic + 1");
  if (key.domainSize == 0 || (key.domainSize & (key.domainSize - 1)) != 0 || key.domainSize > (1u << kMaxDomainLog))
    f.fail(f.name(kGroth16Header) + " has domainSize = " + std::to_string(key.domainSize) + ", not a power of two up to 2^28");
  return key;
}

template <typename Point>
std::vector<Point> readPoints(BinFile& f, uint32_t id, uint64_t count, const std::string& countDescription) {
  f.expectSize(id, count * sizeof(Point), countDescription);
  std::vector<Point> points(count);
  f.readInto(id, points.data(), count * sizeof(Point));
  for (uint64_t i = 0; i < count; ++i)
    if (!reduced(points[i])) f.fail(f.name(id) + ": point " + std::to_string(i) + " has a coordinate that is not below q");
  return points;
}

std::string plural(uint64_t n, const char* noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

std::vector<Coefficient> readCoefficients(BinFile& f, const Zkey& key) {
  std::vector<uint8_t> b = f.read(kCoefficients);
  if (b.size() < 4) f.fail(f.name(kCoefficients) + " has " + std::to_string(b.size()) + " bytes, too short to hold its count");
  uint32_t count = u32At(b.data());
  f.expectSize(kCoefficients, 4 + count * kCoefficientBytes, plural(count, "coefficient"));

  std::vector<Coefficient> out(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* p = b.data() + 4 + i * kCoefficientBytes;
    Coefficient& c = out[i];
    c = {u32At(p), u32At(p + 4), u32At(p + 8), limbsAt(p + 12)};
    std::string which = f.name(kCoefficients) + ": coefficient " + std::to_string(i);
    if (c.matrix > 1) f.fail(which + " has matrix " + std::to_string(c.matrix) + ", expected 0 (A) or 1 (B)");
    if (c.constraint >= key.domainSize)
      f.fail(which + " has constraint " + std::to_string(c.constraint) + ", not below domainSize " + std::to_string(key.domainSize));
    if (c.signal >= key.nVars)
      f.fail(which + " has signal " + std::to_string(c.signal) + ", not below nVars " + std::to_string(key.nVars));
    if (!below(c.value, kBn254R)) f.fail(which + " has a value that is not below r");
  }
  return out;
}

std::string icCount(const Zkey& key) { return plural(uint64_t{key.nPublic} + 1, "point") + " (nPublic + 1)"; }

// Writes a binfile of `format` with `sections` sections to `path`.tmp and renames it into
// place, so a failed write never leaves a half-written key where a proving key is expected.
class FileWriter {
 public:
  FileWriter(const std::string& path, const Format& format, uint32_t sections) : path_(path), tmp_(path + ".tmp") {
    out_.rdbuf()->pubsetbuf(buffer_.data(), buffer_.size());
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
    if (!out_) throw UserError("cannot write " + path_ + ": " + std::strerror(errno));
    bytes(format.magic, 4);
    u32(format.version);
    u32(sections);
  }
  ~FileWriter() {
    std::error_code ignored;
    if (!committed_) std::filesystem::remove(tmp_, ignored);
  }

  void bytes(const void* p, uint64_t n) { out_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n)); }
  void u32(uint32_t v) { bytes(&v, 4); }
  void u64(uint64_t v) { bytes(&v, 8); }
  void limbs(const Limbs& v) { bytes(v.data(), sizeof v); }
  // A section's id and payload size; the payload follows.
  void section(uint32_t id, uint64_t size) {
    u32(id);
    u64(size);
  }
  // A field's element size and modulus, as headers hold them.
  void modulus(const Limbs& p) {
    u32(kN8);
    limbs(p);
  }

  void commit() {
    out_.close();
    if (!out_) throw UserError("cannot write " + path_ + ": " + std::strerror(errno));
    std::error_code error;
    std::filesystem::rename(tmp_, path_, error);
    if (error) throw UserError("cannot write " + path_ + ": " + error.message());
    committed_ = true;
  }

 private:
  std::string path_, tmp_;
  std::vector<char> buffer_ = std::vector<char>(1 << 20);
  std::ofstream out_;
  bool committed_ = false;
};

template <typename Point>
void writePoints(FileWriter& w, uint32_t id, const std::vector<Point>& points) {
  w.section(id, points.size() * sizeof(Point));
  w.bytes(points.data(), points.size() * sizeof(Point));
}

void checkWritable(const Zkey& key, const std::vector<G1Raw>& ic) {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("writeZkey: ") + what);
  };
  require(key.q == kBn254Q && key.r == kBn254R, "q and r must be BN254's moduli");
  require(uint64_t{key.nPublic} + 1 <= key.nVars, "nVars must be at least nPublic + 1");
  require(key.domainSize != 0 && (key.domainSize & (key.domainSize - 1)) == 0, "domainSize must be a power of two");
  require(ic.size() == uint64_t{key.nPublic} + 1, "ic must hold nPublic + 1 points");
  require(key.A.size() == key.nVars && key.B1.size() == key.nVars && key.B2.size() == key.nVars,
          "A, B1 and B2 must hold nVars points");
  require(key.C.size() == key.nVars - key.nPublic - 1, "C must hold nVars - nPublic - 1 points");
  require(key.H.size() == key.domainSize, "H must hold domainSize points");
}

}  // namespace

Zkey readZkey(const std::string& path) {
  BinFile f(path, kZkeyFormat);
  Zkey key = readZkeyHeader(f);
  // IC is the verifier's: not loaded, but a proving key without a well-sized one is broken.
  f.expectSize(kIc, (uint64_t{key.nPublic} + 1) * kG1Bytes, icCount(key));
  key.coefficients = readCoefficients(f, key);
  std::string signals = plural(key.nVars, "signal");
  key.A = readPoints<G1Raw>(f, kA, key.nVars, signals);
  key.B1 = readPoints<G1Raw>(f, kB1, key.nVars, signals);
  key.B2 = readPoints<G2Raw>(f, kB2, key.nVars, signals);
  uint32_t nPrivate = key.nVars - key.nPublic - 1;
  key.C = readPoints<G1Raw>(f, kC, nPrivate,
                            plural(nPrivate, "private signal") + " (nVars " + std::to_string(key.nVars) + " - nPublic " +
                                std::to_string(key.nPublic) + " - 1)");
  key.H = readPoints<G1Raw>(f, kH, key.domainSize, "domainSize " + std::to_string(key.domainSize));
  return key;
}

std::vector<G1Raw> readZkeyIC(const std::string& path) {
  BinFile f(path, kZkeyFormat);
  Zkey key = readZkeyHeader(f);
  return readPoints<G1Raw>(f, kIc, uint64_t{key.nPublic} + 1, icCount(key));
}

// Sections in id order, as zkey_contribute.js writes them (zkey_new.js writes 1, 2, 4, 3, 9,
// 8, 5, 6, 7, 10; readers do not care), so a copy of a contributed key matches it up to
// section 10. That section holds a zero csHash and no contributions: the hash needs the
// ptau the key came from, and only `snarkjs zkey verify` checks it.
void writeZkey(const std::string& path, const Zkey& key, const std::vector<G1Raw>& ic) {
  checkWritable(key, ic);
  FileWriter w(path, kZkeyFormat, 10);

  w.section(kHeader, 4);
  w.u32(kGroth16);

  w.section(kGroth16Header, kZkeyGroth16HeaderBytes);
  w.modulus(key.q);
  w.modulus(key.r);
  w.u32(key.nVars);
  w.u32(key.nPublic);
  w.u32(key.domainSize);
  w.bytes(&key.alpha1, kG1Bytes);
  w.bytes(&key.beta1, kG1Bytes);
  w.bytes(&key.beta2, kG2Bytes);
  w.bytes(&key.gamma2, kG2Bytes);
  w.bytes(&key.delta1, kG1Bytes);
  w.bytes(&key.delta2, kG2Bytes);

  writePoints(w, kIc, ic);

  w.section(kCoefficients, 4 + key.coefficients.size() * kCoefficientBytes);
  w.u32(static_cast<uint32_t>(key.coefficients.size()));
  for (const Coefficient& c : key.coefficients) {
    w.u32(c.matrix);
    w.u32(c.constraint);
    w.u32(c.signal);
    w.limbs(c.value);
  }

  writePoints(w, kA, key.A);
  writePoints(w, kB1, key.B1);
  writePoints(w, kB2, key.B2);
  writePoints(w, kC, key.C);
  writePoints(w, kH, key.H);

  const uint8_t csHash[64] = {};
  w.section(kContributions, sizeof csHash + 4);
  w.bytes(csHash, sizeof csHash);
  w.u32(0);
  w.commit();
}

Witness readWitness(const std::string& path) {
  BinFile f(path, kWtnsFormat);
  std::vector<uint8_t> h = f.read(kWtnsHeader);
  expectN8(f, kWtnsHeader, h, 0, "n8");
  f.expectSize(kWtnsHeader, kWtnsHeaderBytes, "32-byte field elements");
  Witness w;
  w.prime = limbsAt(h.data() + 4);
  expectModulus(f, kWtnsHeader, "prime", w.prime, kBn254R, "scalar field");
  uint32_t count = u32At(h.data() + 4 + kN8);
  if (count == 0) f.fail(f.name(kWtnsHeader) + " has nWitness = 0: a witness starts with the constant 1");

  f.expectSize(kWtnsValues, uint64_t{count} * kN8, plural(count, "witness value"));
  w.values.resize(count);
  f.readInto(kWtnsValues, w.values.data(), uint64_t{count} * kN8);
  for (uint32_t i = 0; i < count; ++i)
    if (!below(w.values[i], kBn254R)) f.fail(f.name(kWtnsValues) + ": value " + std::to_string(i) + " is not below the prime");
  if (w.values[0] != Limbs{1, 0, 0, 0}) f.fail(f.name(kWtnsValues) + ": value 0 is " + hex(w.values[0]) + ", expected 1 (the constant signal)");
  return w;
}

namespace {

// Reads one linear combination of constraint `index` at `at`, advancing it.
std::vector<R1csTerm> readCombination(const BinFile& f, const std::vector<uint8_t>& b, size_t& at, const R1cs& r1cs,
                                      uint32_t index, char matrix) {
  auto ends = [&] {
    f.fail(f.name(kR1csConstraints) + " ends inside constraint " + std::to_string(index) + " of " + std::to_string(r1cs.nConstraints) +
           " (its " + matrix + " terms)");
  };
  if (b.size() - at < 4) ends();
  uint32_t n = u32At(b.data() + at);
  at += 4;
  if ((b.size() - at) / (4 + kN8) < n) ends();
  std::vector<R1csTerm> terms(n);
  for (R1csTerm& t : terms) {
    t = {u32At(b.data() + at), limbsAt(b.data() + at + 4)};
    at += 4 + kN8;
    std::string where = f.name(kR1csConstraints) + ": constraint " + std::to_string(index) + " " + matrix;
    if (t.signal >= r1cs.nWires)
      f.fail(where + " refers to wire " + std::to_string(t.signal) + ", not below nWires " + std::to_string(r1cs.nWires));
    if (!below(t.value, kBn254R)) f.fail(where + " has a coefficient that is not below the prime");
  }
  return terms;
}

void readR1csHeader(BinFile& f, R1cs& r1cs) {
  std::vector<uint8_t> h = f.read(kR1csHeader);
  expectN8(f, kR1csHeader, h, 0, "n8");
  f.expectSize(kR1csHeader, kR1csHeaderBytes, "32-byte field elements");
  const uint8_t* p = h.data() + 4;
  r1cs.prime = limbsAt(p);
  expectModulus(f, kR1csHeader, "prime", r1cs.prime, kBn254R, "scalar field");
  p += kN8;
  r1cs.nWires = u32At(p);
  r1cs.nPubOut = u32At(p + 4);
  r1cs.nPubIn = u32At(p + 8);
  r1cs.nPrvIn = u32At(p + 12);
  r1cs.nLabels = u64At(p + 16);
  r1cs.nConstraints = u32At(p + 24);
  if (uint64_t{r1cs.nPubOut} + r1cs.nPubIn + r1cs.nPrvIn + 1 > r1cs.nWires)
    f.fail(f.name(kR1csHeader) + " has " + std::to_string(r1cs.nWires) + " wires, fewer than its " +
           std::to_string(uint64_t{r1cs.nPubOut} + r1cs.nPubIn + r1cs.nPrvIn) + " inputs and outputs plus the constant");
}

}  // namespace

R1cs readR1cs(const std::string& path) {
  BinFile f(path, kR1csFormat);
  R1cs r1cs;
  readR1csHeader(f, r1cs);
  for (uint32_t id : {kR1csCustomGates, kR1csCustomGateUses})
    if (f.has(id)) f.fail(f.name(id) + " is present: custom gates are PLONK-only, Groth16 cannot prove this circuit");
  if (f.has(kR1csLabels)) f.expectSize(kR1csLabels, uint64_t{r1cs.nWires} * 8, plural(r1cs.nWires, "wire"));

  std::vector<uint8_t> b = f.read(kR1csConstraints);
  size_t at = 0;
  // A constraint takes at least 12 bytes: a corrupt count must not reserve more than the data holds.
  r1cs.constraints.reserve(std::min<uint64_t>(r1cs.nConstraints, b.size() / 12));
  for (uint32_t i = 0; i < r1cs.nConstraints; ++i) {
    R1csConstraint& c = r1cs.constraints.emplace_back();
    c.a = readCombination(f, b, at, r1cs, i, 'A');
    c.b = readCombination(f, b, at, r1cs, i, 'B');
    c.c = readCombination(f, b, at, r1cs, i, 'C');
  }
  if (at != b.size())
    f.fail(f.name(kR1csConstraints) + " has " + std::to_string(b.size() - at) + " bytes after its last constraint (the header says " +
           std::to_string(r1cs.nConstraints) + ")");
  return r1cs;
}

void writeWitness(const std::string& path, const Witness& witness) {
  FileWriter w(path, kWtnsFormat, 2);
  w.section(kWtnsHeader, kWtnsHeaderBytes);
  w.modulus(witness.prime);
  w.u32(static_cast<uint32_t>(witness.values.size()));
  w.section(kWtnsValues, witness.values.size() * kN8);
  w.bytes(witness.values.data(), witness.values.size() * kN8);
  w.commit();
}

void writeR1cs(const std::string& path, const R1cs& r1cs) {
  if (r1cs.constraints.size() != r1cs.nConstraints) throw std::invalid_argument("writeR1cs: nConstraints must equal the number of constraints");
  uint64_t constraintBytes = 0;
  for (const R1csConstraint& c : r1cs.constraints)
    for (const std::vector<R1csTerm>* lc : {&c.a, &c.b, &c.c}) constraintBytes += 4 + lc->size() * (4 + kN8);
  FileWriter w(path, kR1csFormat, 3);
  w.section(kR1csHeader, kR1csHeaderBytes);
  w.modulus(r1cs.prime);
  for (uint32_t v : {r1cs.nWires, r1cs.nPubOut, r1cs.nPubIn, r1cs.nPrvIn}) w.u32(v);
  w.u64(r1cs.nWires);  // labels: wire i is label i
  w.u32(r1cs.nConstraints);
  w.section(kR1csConstraints, constraintBytes);
  for (const R1csConstraint& c : r1cs.constraints)
    for (const std::vector<R1csTerm>* lc : {&c.a, &c.b, &c.c}) {
      w.u32(static_cast<uint32_t>(lc->size()));
      for (const R1csTerm& t : *lc) {
        w.u32(t.signal);
        w.limbs(t.value);
      }
    }
  w.section(kR1csLabels, uint64_t{r1cs.nWires} * 8);
  for (uint64_t i = 0; i < r1cs.nWires; ++i) w.u64(i);
  w.commit();
}

std::string readMagic(const std::string& path) {
  std::ifstream in = openForReading(path);
  char magic[4] = {};
  in.read(magic, 4);
  return printable(std::string(magic, static_cast<size_t>(in.gcount())));
}

}  // namespace zkn
