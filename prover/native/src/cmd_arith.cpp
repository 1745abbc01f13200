// `arith`: the arithmetic as a line protocol, for tests against a reference
// implementation. Each stdin line is one operation, each answered by one stdout line.
// Numbers are decimal, in standard form; a G1 point is "x y", a G2 point "x0 x1 y0 y1"
// (x = x0 + x1·u), either may be "inf"; results print the same way (points affine).
//
//   fr_add a b | fr_sub a b | fr_mul a b | fr_square a | fr_neg a | fr_inv a   (also fq_…)
//   fr_bytes a → 64 hex digits of the 32 little-endian bytes | fr_from_bytes hex (also fq_…)
//   fr_batch_inv n a1 … an → n values (zero stays zero)
//   fq2_add a0 a1 b0 b1 | fq2_sub | fq2_mul | fq2_square a0 a1 | fq2_neg | fq2_inv
//   g1_gen | g1_on_curve P → true/false | g1_add P Q | g1_madd P Q | g1_double P | g1_neg P
//   g1_mul P k | g1_msm n P1 k1 … Pn kn | g1_batch_affine n P1 … Pn        (also g2_…)
//   msm_plan n → window bits and batch size msm uses for n points
//   fr_root k → ω_k | fr_shift | fft n a0 … | ifft n a0 …
//
// Jacobian operands (g*_add, the left of g*_madd, g*_double, g*_batch_affine) are entered
// with Z ≠ 1 (operand j scaled by λ = j + 2, plus u in G2), so the general formulas are what is tested.
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "curve.hpp"
#include "fft.hpp"
#include "msm.hpp"

namespace zkn {
namespace {

class Line {
 public:
  explicit Line(const std::string& text) : in_(text) {}

  std::string token() {
    std::string t;
    if (!(in_ >> t)) throw UserError("missing operand");
    return t;
  }
  bool peekInfinity() {
    const std::streampos at = in_.tellg();
    std::string t;
    if (in_ >> t && t == "inf") return true;
    in_.clear();
    in_.seekg(at);
    return false;
  }
  Limbs integer() {
    const std::string t = token();
    Limbs v;
    if (!parseDecimal(t, v)) throw UserError("not a decimal number below 2^256: " + t);
    return v;
  }
  size_t count() {
    const Limbs v = integer();
    if (v[1] | v[2] | v[3] || v[0] >> 32) throw UserError("count too large: " + toDecimal(v));
    return static_cast<size_t>(v[0]);
  }
  void end() {
    std::string extra;
    if (in_ >> extra) throw UserError("unexpected operand: " + extra);
  }

 private:
  std::istringstream in_;
};

template <class F>
F element(Line& line) {
  const Limbs v = line.integer();
  if (!lessThan(v, F::modulus())) throw UserError("not below the field's modulus: " + toDecimal(v));
  return F::fromStandard(v);
}

void read(Line& line, Fq& out) { out = element<Fq>(line); }
void read(Line& line, Fq2& out) { out = {element<Fq>(line), element<Fq>(line)}; }

std::string show(const Fr& a) { return toDecimal(a.toStandard()); }
std::string show(const Fq& a) { return toDecimal(a.toStandard()); }
std::string show(const Fq2& a) { return show(a.c0) + " " + show(a.c1); }
template <class C>
std::string show(const Affine<C>& p) {
  return p.isInfinity() ? "inf" : show(p.x) + " " + show(p.y);
}
template <class C>
std::string show(const Jacobian<C>& p) {
  return show(p.toAffine());
}
std::string showAll(const std::vector<Fr>& values) {
  std::string out;
  for (const Fr& v : values) out += (out.empty() ? "" : " ") + show(v);
  return out;
}

template <class C>
Affine<C> point(Line& line) {
  Affine<C> p;
  if (line.peekInfinity()) return p;
  read(line, p.x);
  read(line, p.y);
  return p;
}

// A Z coordinate for operand j: j in Fq, j + u in Fq2.
template <class F>
F zFor(uint64_t j);
template <>
Fq zFor<Fq>(uint64_t j) {
  return Fq::fromUint(j);
}
template <>
Fq2 zFor<Fq2>(uint64_t j) {
  return {Fq::fromUint(j), Fq::one()};
}

// The point with Z = λ: (x·λ², y·λ³, λ).
template <class C>
Jacobian<C> jacobian(const Affine<C>& p, uint64_t j) {
  using F = typename C::Field;
  if (p.isInfinity()) return Jacobian<C>::infinity();
  const F l = zFor<F>(j), l2 = l.square();
  return {p.x * l2, p.y * l2 * l, l};
}

using Op = std::function<std::string(Line&)>;

template <class F>
std::string bytesHex(const F& a) {
  uint8_t bytes[32];
  a.toBytesLE(bytes);
  std::string out;
  char pair[3];
  for (uint8_t b : bytes) {
    std::snprintf(pair, sizeof pair, "%02x", b);
    out += pair;
  }
  return out;
}

template <class F>
F fromHex(const std::string& hex) {
  if (hex.size() != 64) throw UserError("expected 64 hex digits: " + hex);
  uint8_t bytes[32];
  for (size_t i = 0; i < 32; ++i) bytes[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  Limbs v;
  std::memcpy(v.data(), bytes, 32);
  if (!lessThan(v, F::modulus())) throw UserError("not below the field's modulus: " + hex);
  return F::fromBytesLE(bytes);
}

template <class F>
void primeFieldOps(std::map<std::string, Op>& ops, const std::string& prefix) {
  auto binary = [&](const char* name, F (*fn)(const F&, const F&)) {
    ops[prefix + name] = [fn](Line& l) {
      const F a = element<F>(l), b = element<F>(l);
      return show(fn(a, b));
    };
  };
  binary("_add", [](const F& a, const F& b) { return a + b; });
  binary("_sub", [](const F& a, const F& b) { return a - b; });
  binary("_mul", [](const F& a, const F& b) { return a * b; });
  ops[prefix + "_square"] = [](Line& l) { return show(element<F>(l).square()); };
  ops[prefix + "_neg"] = [](Line& l) { return show(-element<F>(l)); };
  ops[prefix + "_inv"] = [](Line& l) { return show(element<F>(l).inverse()); };
  ops[prefix + "_bytes"] = [](Line& l) { return bytesHex(element<F>(l)); };
  ops[prefix + "_from_bytes"] = [](Line& l) { return show(fromHex<F>(l.token())); };
}

void fq2Ops(std::map<std::string, Op>& ops) {
  auto fq2 = [](Line& l) {
    Fq2 a;
    read(l, a);
    return a;
  };
  ops["fq2_add"] = [fq2](Line& l) { const Fq2 a = fq2(l); return show(a + fq2(l)); };
  ops["fq2_sub"] = [fq2](Line& l) { const Fq2 a = fq2(l); return show(a - fq2(l)); };
  ops["fq2_mul"] = [fq2](Line& l) { const Fq2 a = fq2(l); return show(a * fq2(l)); };
  ops["fq2_square"] = [fq2](Line& l) { return show(fq2(l).square()); };
  ops["fq2_neg"] = [fq2](Line& l) { return show(-fq2(l)); };
  ops["fq2_inv"] = [fq2](Line& l) { return show(fq2(l).inverse()); };
}

template <class C>
void groupOps(std::map<std::string, Op>& ops, const std::string& prefix) {
  ops[prefix + "_gen"] = [](Line&) { return show(Affine<C>::generator()); };
  ops[prefix + "_on_curve"] = [](Line& l) { return std::string(point<C>(l).isOnCurve() ? "true" : "false"); };
  ops[prefix + "_add"] = [](Line& l) {
    const Jacobian<C> p = jacobian(point<C>(l), 2);
    return show(p + jacobian(point<C>(l), 3));
  };
  ops[prefix + "_madd"] = [](Line& l) {
    Jacobian<C> p = jacobian(point<C>(l), 2);
    return show(p += point<C>(l));
  };
  ops[prefix + "_double"] = [](Line& l) { return show(jacobian(point<C>(l), 2).dbl()); };
  ops[prefix + "_neg"] = [](Line& l) { return show(-point<C>(l)); };
  ops[prefix + "_mul"] = [](Line& l) {
    const Jacobian<C> p = jacobian(point<C>(l), 2);
    return show(p.mul(l.integer()));
  };
  ops[prefix + "_msm"] = [](Line& l) {
    const size_t n = l.count();
    std::vector<Affine<C>> bases(n);
    std::vector<Limbs> scalars(n);
    for (size_t i = 0; i < n; ++i) {
      bases[i] = point<C>(l);
      scalars[i] = element<Fr>(l).toStandard();
    }
    return show(msm(bases.data(), scalars.data(), n));
  };
  ops[prefix + "_batch_affine"] = [](Line& l) {
    const size_t n = l.count();
    std::vector<Jacobian<C>> points(n);
    for (size_t i = 0; i < n; ++i) points[i] = jacobian(point<C>(l), i + 2);
    std::string out;
    for (const Affine<C>& p : batchToAffine(points)) out += (out.empty() ? "" : " ") + show(p);
    return out;
  };
}

void frOps(std::map<std::string, Op>& ops) {
  auto values = [](Line& l) {
    std::vector<Fr> a(l.count());
    for (Fr& v : a) v = element<Fr>(l);
    return a;
  };
  ops["fr_batch_inv"] = [values](Line& l) {
    std::vector<Fr> a = values(l);
    batchInverse(a.data(), a.size());
    return showAll(a);
  };
  ops["msm_plan"] = [](Line& l) {
    const MsmPlan plan = msmPlan(l.count());
    return std::to_string(plan.windowBits) + " " + std::to_string(plan.batchSize);
  };
  ops["fr_root"] = [](Line& l) { return show(rootOfUnity(static_cast<unsigned>(l.count()))); };
  ops["fr_shift"] = [](Line&) { return show(cosetShift()); };
  ops["fft"] = [values](Line& l) {
    std::vector<Fr> a = values(l);
    fft(a);
    return showAll(a);
  };
  ops["ifft"] = [values](Line& l) {
    std::vector<Fr> a = values(l);
    ifft(a);
    return showAll(a);
  };
}

const std::map<std::string, Op>& operations() {
  static const std::map<std::string, Op> ops = [] {
    std::map<std::string, Op> m;
    primeFieldOps<Fr>(m, "fr");
    primeFieldOps<Fq>(m, "fq");
    fq2Ops(m);
    groupOps<G1Curve>(m, "g1");
    groupOps<G2Curve>(m, "g2");
    frOps(m);
    return m;
  }();
  return ops;
}

int arith(int argc, char**) {
  if (argc != 0) throw UserError("usage: arith  (operations on stdin, one a line)");
  std::string text;
  for (size_t number = 1; std::getline(std::cin, text); ++number) {
    Line line(text);
    std::string name;
    try {
      name = line.token();
      auto op = operations().find(name);
      if (op == operations().end()) throw UserError("unknown operation");
      const std::string result = op->second(line);
      line.end();
      std::fwrite(result.data(), 1, result.size(), stdout);
      std::fputc('\n', stdout);
    } catch (const UserError& e) {
      throw UserError("line " + std::to_string(number) + " (" + name + "): " + e.what());
    } catch (const std::invalid_argument& e) {
      throw UserError("line " + std::to_string(number) + " (" + name + "): " + e.what());
    }
  }
  return 0;
}

RegisterCommand arithCommand("arith", " (stdin: one operation a line)  field, curve, FFT and MSM arithmetic for tests", arith);

}  // namespace
}  // namespace zkn
