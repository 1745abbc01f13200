#include "proof_io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "command.hpp"

namespace zkn {
namespace {

// The JSON a proof needs: strings, arrays of them, and one object of named members.
// render() lays it out as snarkjs's CLI writes it (JSON.stringify with one-space indent),
// so native and snarkjs files differ only in the numbers.
struct Json {
  std::string string;                              // when neither of the others is used
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;
  bool isArray = false, isObject = false;
};

Json str(std::string s) { return {std::move(s), {}, {}, false, false}; }
Json arr(std::vector<Json> items) { return {{}, std::move(items), {}, true, false}; }

std::string render(const Json& v, const std::string& indent = "") {
  if (!v.isArray && !v.isObject) return "\"" + v.string + "\"";
  const size_t n = v.isArray ? v.array.size() : v.object.size();
  if (n == 0) return v.isArray ? "[]" : "{}";
  const std::string inner = indent + " ";
  std::string out = v.isArray ? "[" : "{";
  for (size_t i = 0; i < n; ++i) {
    out += (i ? ",\n" : "\n") + inner;
    if (v.isArray) out += render(v.array[i], inner);
    else out += "\"" + v.object[i].first + "\": " + render(v.object[i].second, inner);
  }
  return out + "\n" + indent + (v.isArray ? "]" : "}");
}

Json num(const Fq& v) { return str(toDecimal(v.toStandard())); }

// Projective (x, y, 1) as snarkjs prints points; infinity as its (0, 1, 0), which only a
// broken key could produce.
Json g1Json(const G1Affine& p) {
  if (p.isInfinity()) return arr({str("0"), str("1"), str("0")});
  return arr({num(p.x), num(p.y), str("1")});
}
Json g2Json(const G2Affine& p) {
  auto pair = [](const Json& a, const Json& b) { return arr({a, b}); };
  if (p.isInfinity()) return arr({pair(str("0"), str("0")), pair(str("1"), str("0")), pair(str("0"), str("0"))});
  return arr({pair(num(p.x.c0), num(p.x.c1)), pair(num(p.y.c0), num(p.y.c1)), pair(str("1"), str("0"))});
}

}  // namespace

std::string proofJson(const Proof& p) {
  Json proof;
  proof.isObject = true;
  proof.object = {{"pi_a", g1Json(p.a)}, {"pi_b", g2Json(p.b)}, {"pi_c", g1Json(p.c)}, {"protocol", str("groth16")}, {"curve", str("bn128")}};
  return render(proof);
}

std::string publicJson(const Witness& w, uint32_t nPublic) {
  std::vector<Json> values;
  for (uint32_t i = 1; i <= nPublic; ++i) values.push_back(str(toDecimal(w.values[i])));
  return render(arr(std::move(values)));
}

void writeAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw UserError("cannot write " + path + ": " + std::strerror(errno));
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const int writeErrno = errno;
  if (std::fclose(f) != 0 || !written) {
    std::remove(tmp.c_str());
    throw UserError("cannot write " + path + ": " + std::strerror(written ? errno : writeErrno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int renameErrno = errno;
    std::remove(tmp.c_str());
    throw UserError("cannot write " + path + ": " + std::strerror(renameErrno));
  }
}

void checkWitnessFits(const Zkey& key, const Witness& witness, const std::string& zkeyPath, const std::string& wtnsPath) {
  if (witness.prime != key.r)
    throw UserError(wtnsPath + " is over the prime " + toDecimal(witness.prime) + " but " + zkeyPath + " over " + toDecimal(key.r));
  if (witness.values.size() != key.nVars)
    throw UserError(wtnsPath + " has " + std::to_string(witness.values.size()) + " values but " + zkeyPath + " has nVars = " +
                    std::to_string(key.nVars) + ": the witness is for another circuit");
}

void writeProofFiles(const Proof& proof, const Witness& witness, uint32_t nPublic, const std::string& proofPath, const std::string& publicPath) {
  writeAtomically(proofPath, proofJson(proof));
  writeAtomically(publicPath, publicJson(witness, nPublic));
}

}  // namespace zkn
