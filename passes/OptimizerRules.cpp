#include "passes/OptimizerRules.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace marthe;

//===----------------------------------------------------------------------===//
// UpdateBuilder
//===----------------------------------------------------------------------===//

static Type elementType(Value x) { return llvm::cast<RankedTensorType>(x.getType()).getElementType(); }

Value UpdateBuilder::constant(double value, Value like) {
  return ConstantOp::createSplat(b, loc, RankedTensorType::get({}, elementType(like)), value);
}

Value UpdateBuilder::wide(double value) {
  return ConstantOp::createSplat(b, loc, RankedTensorType::get({}, b.getF64Type()), value);
}

Value UpdateBuilder::add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
Value UpdateBuilder::sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
Value UpdateBuilder::mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
Value UpdateBuilder::div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
Value UpdateBuilder::sqrt(Value x) { return SqrtOp::create(b, loc, x); }

Value UpdateBuilder::as(Value x, Value like) {
  Type element = elementType(like);
  if (elementType(x) == element)
    return x;
  auto type = llvm::cast<RankedTensorType>(x.getType()).clone(element);
  return ConvertOp::create(b, loc, type, x);
}

Value UpdateBuilder::toWide(Value x) { return as(x, wide(0)); }

Value UpdateBuilder::scale(Value s, Value x) { return mul(as(s, x), x); }

Value UpdateBuilder::mix(double a, Value x, double c, Value y) {
  Value ax = mul(constant(a, x), x);
  Value cy = mul(constant(c, y), y);
  return add(ax, cy);
}

Value UpdateBuilder::where(Value condition, Value value) {
  return ReluGradOp::create(b, loc, condition, value);
}

// x where x > y, else y: where(x - y, x) + (y - where(x - y, y)), exact in
// both cases (y - y = 0, y - 0 = y).
Value UpdateBuilder::maximum(Value x, Value y) {
  Value larger = sub(x, y);
  Value picked = where(larger, x);
  Value rest = sub(y, where(larger, y));
  return add(picked, rest);
}

Value UpdateBuilder::minimum(Value x, Value y) {
  Value smaller = sub(y, x);
  Value picked = where(smaller, x);
  Value rest = sub(y, where(smaller, y));
  return add(picked, rest);
}

Value UpdateBuilder::dot(Value x, Value y) { return toWide(DotOp::create(b, loc, x, y)); }

Value UpdateBuilder::dot(ValueRange xs, ValueRange ys) {
  Value sum;
  for (auto [x, y] : llvm::zip(xs, ys)) {
    Value term = dot(x, y);
    sum = sum ? add(sum, term) : term;
  }
  return sum;
}

// sum |x| = <x, sign(x)>, the sign as two selections (0 at 0).
Value UpdateBuilder::l1Norm(Value x) {
  Value one = constant(1.0, x);
  Value positive = where(x, one);
  Value negative = where(NegOp::create(b, loc, x), one);
  return dot(x, sub(positive, negative));
}

Value UpdateBuilder::norm(Value x) { return sqrt(dot(x, x)); }

Value UpdateBuilder::correction(Value bc, double beta) {
  Value decayed = scale(beta, bc);
  return add(decayed, constant(1 - beta, bc));
}

Value UpdateBuilder::mul(Value x, double c) { return mul(x, constant(c, x)); }
Value UpdateBuilder::add(Value x, double c) { return add(x, constant(c, x)); }

//===----------------------------------------------------------------------===//
// The rules
//===----------------------------------------------------------------------===//

namespace {

using Values = SmallVector<Value>;
using Shape = StateSlot::Shape;
using Start = StateSlot::Start;

/// w - eta * direction
Value descend(UpdateBuilder &b, Value w, Value eta, Value direction) {
  return b.sub(w, b.mul(eta, direction));
}

struct Sgd : OptimizerRule {
  Values update(UpdateBuilder &b, const StepInputs &in) const override {
    Values updated;
    for (auto [w, g] : llvm::zip(in.params, in.grads))
      updated.push_back(descend(b, w, in.eta, g));
    return updated;
  }
};

/// buf' = m * buf + g; w' = w - eta * buf' (PyTorch's convention; buf starts
/// at 0, so buf_1 = g).
struct Momentum : OptimizerRule {
  double momentum;
  explicit Momentum(const llvm::StringMap<double> &h) : momentum(h.lookup("momentum")) {}

  SmallVector<StateSlot> slots() const override { return {{"momentum", Shape::PerParameter}}; }

  Values update(UpdateBuilder &b, const StepInputs &in) const override {
    Values weights, buffers;
    for (auto [w, g, buf] : llvm::zip(in.params, in.grads, in.slots[0])) {
      buffers.push_back(b.add(b.scale(momentum, buf), g));
      weights.push_back(descend(b, w, in.eta, buffers.back()));
    }
    weights.append(buffers);
    return weights;
  }
};

/// PyTorch's Adam. The bias corrections bc_k = 1 - beta^k are float64 state
/// too, starting at 0, rounded to the model's precision where they divide.
struct Adam : OptimizerRule {
  double beta1, beta2, epsilon;
  explicit Adam(const llvm::StringMap<double> &h)
      : beta1(h.lookup("beta1")), beta2(h.lookup("beta2")), epsilon(h.lookup("epsilon")) {}

  SmallVector<StateSlot> slots() const override {
    return {{"adam_m", Shape::PerParameter},
            {"adam_v", Shape::PerParameter},
            {"adam_bc1", Shape::Scalar},
            {"adam_bc2", Shape::Scalar}};
  }

  Values update(UpdateBuilder &b, const StepInputs &in) const override {
    Value bc1 = b.correction(in.slots[2][0], beta1);
    Value bc2 = b.correction(in.slots[3][0], beta2);
    Value bc1Model = b.as(bc1, in.eta);
    Value bc2Model = b.as(bc2, in.eta);
    Values weights, firsts, seconds;
    for (auto [w, g, m0, v0] : llvm::zip(in.params, in.grads, in.slots[0], in.slots[1])) {
      Value m = b.mix(beta1, m0, 1 - beta1, g);
      Value v = b.mix(beta2, v0, 1 - beta2, b.mul(g, g));
      Value s = b.sqrt(b.div(v, bc2Model));
      Value denominator = b.add(s, epsilon);
      Value u = b.div(b.div(m, bc1Model), denominator);
      weights.push_back(descend(b, w, in.eta, u));
      firsts.push_back(m);
      seconds.push_back(v);
    }
    weights.append(firsts);
    weights.append(seconds);
    weights.append({bc1, bc2});
    return weights;
  }
};

/// sqrt(1 - beta2^k) / (1 - beta1^k) from the corrections' state, or 1.
struct BiasCorrection {
  bool enabled;
  double beta1, beta2;

  void addSlots(SmallVector<StateSlot> &slots) const {
    if (enabled)
      slots.append({{"bc1", Shape::Scalar}, {"bc2", Shape::Scalar}});
  }
  /// The factor and the corrections' new values (appended to `updated`).
  Value factor(UpdateBuilder &b, ArrayRef<Value> bc1, ArrayRef<Value> bc2, Values &updated) const {
    if (!enabled)
      return b.wide(1.0);
    Value c1 = b.correction(bc1[0], beta1);
    Value c2 = b.correction(bc2[0], beta2);
    updated.append({c1, c2});
    return b.div(b.sqrt(c2), c1);
  }
};

/// Prodigy (prodigyopt 1.1.2, Prodigy.step with one parameter group and
/// slice_p = 1). d, d_max and the numerator are float64 state.
struct Prodigy : OptimizerRule {
  double beta1, beta2, beta3, eps, decay, d0, dCoef, growth;
  bool decouple, safeguard;
  BiasCorrection bias;

  explicit Prodigy(const llvm::StringMap<double> &h)
      : beta1(h.lookup("beta1")), beta2(h.lookup("beta2")), beta3(h.lookup("beta3")),
        eps(h.lookup("eps")), decay(h.lookup("weight_decay")), d0(h.lookup("d0")),
        dCoef(h.lookup("d_coef")), growth(h.lookup("growth_rate")),
        decouple(h.lookup("decouple") != 0), safeguard(h.lookup("safeguard_warmup") != 0),
        bias{h.lookup("use_bias_correction") != 0, beta1, beta2} {
    if (std::isnan(beta3))
      beta3 = std::sqrt(beta2);
  }

  SmallVector<StateSlot> slots() const override {
    SmallVector<StateSlot> slots{{"prodigy_p0", Shape::PerParameter, Start::Parameter},
                                 {"prodigy_s", Shape::PerParameter},
                                 {"prodigy_exp_avg_sq", Shape::PerParameter},
                                 {"d", Shape::Scalar, Start::Constant, d0},
                                 {"d_max", Shape::Scalar, Start::Constant, d0},
                                 {"d_numerator", Shape::Scalar}};
    if (beta1 > 0)
      slots.push_back({"prodigy_exp_avg", Shape::PerParameter});
    bias.addSlots(slots);
    return slots;
  }

  Values update(UpdateBuilder &b, const StepInputs &in) const override {
    ArrayRef<Value> p0 = in.slots[0], s0 = in.slots[1], v0 = in.slots[2];
    Value d = in.slots[3][0], dMax = in.slots[4][0], numerator = in.slots[5][0];
    size_t next = 6;
    ArrayRef<Value> m0 = beta1 > 0 ? ArrayRef<Value>(in.slots[next++]) : ArrayRef<Value>();
    Values corrections;
    Value factor = bias.enabled ? bias.factor(b, in.slots[next], in.slots[next + 1], corrections)
                                : b.wide(1.0);
    Value dlr = b.mul(b.mul(d, b.toWide(in.eta)), factor);
    Value dOverD0 = b.div(d, b.wide(d0));

    Values grads, distances;
    for (auto [w, g, start] : llvm::zip(in.params, in.grads, p0)) {
      grads.push_back(!decouple && decay != 0 ? b.add(g, b.scale(decay, w)) : g);
      distances.push_back(b.sub(start, w));
    }
    Value rate = b.mul(dOverD0, dlr);
    Value delta = b.mul(rate, b.dot(grads, distances));
    Value newNumerator = b.add(b.mul(numerator, beta3), delta);

    Value sRate = b.mul(dOverD0, safeguard ? d : dlr);
    Values firsts, seconds, sums;
    Value denominator;
    for (size_t i = 0; i < grads.size(); ++i) {
      Value g = grads[i];
      if (beta1 > 0) {
        Value decayed = b.scale(beta1, m0[i]);
        firsts.push_back(b.add(decayed, b.scale(b.mul(d, 1 - beta1), g)));
      }
      Value dd = b.mul(b.mul(d, d), 1 - beta2);
      Value decayed = b.scale(beta2, v0[i]);
      seconds.push_back(b.add(decayed, b.scale(dd, b.mul(g, g))));
      Value decayedSum = b.scale(beta3, s0[i]);
      sums.push_back(b.add(decayedSum, b.scale(sRate, g)));
      Value l1 = b.l1Norm(sums.back());
      denominator = denominator ? b.add(denominator, l1) : l1;
    }
    Value dHat = b.div(b.mul(newNumerator, dCoef), denominator);
    Value newMax = b.maximum(dMax, dHat);
    Value newD = newMax;
    if (std::isfinite(growth)) {
      // d == d0 (d never falls below d0): d = max(d, d_hat).
      Value grown = b.add(d, -d0);
      Value first = b.maximum(d, b.sub(dHat, b.where(grown, dHat)));
      newD = b.minimum(newMax, b.mul(first, growth));
    }

    Values weights;
    for (size_t i = 0; i < grads.size(); ++i) {
      Value w = in.params[i];
      Value root = b.sqrt(seconds[i]);
      Value denom = b.add(root, b.as(b.mul(newD, eps), w));
      if (decay != 0 && decouple)
        w = b.add(w, b.scale(b.mul(dlr, -decay), w));
      Value direction = beta1 > 0 ? firsts[i] : b.scale(d, grads[i]);
      weights.push_back(b.sub(w, b.scale(dlr, b.div(direction, denom))));
    }
    weights.append(p0.begin(), p0.end());
    weights.append(sums);
    weights.append(seconds);
    weights.append({newD, newMax, newNumerator});
    weights.append(firsts);
    weights.append(corrections);
    return weights;
  }
};

/// D-Adaptation Adam (dadaptation 3.2, DAdaptAdam.step with one parameter
/// group, layer_scale 1). d and the weighted numerator are float64 state.
struct DAdaptAdam : OptimizerRule {
  double beta1, beta2, eps, decay, d0, growth;
  bool decouple;
  BiasCorrection bias;

  explicit DAdaptAdam(const llvm::StringMap<double> &h)
      : beta1(h.lookup("beta1")), beta2(h.lookup("beta2")), eps(h.lookup("eps")),
        decay(h.lookup("weight_decay")), d0(h.lookup("d0")), growth(h.lookup("growth_rate")),
        decouple(h.lookup("decouple") != 0),
        bias{h.lookup("use_bias_correction") != 0, beta1, beta2} {}

  SmallVector<StateSlot> slots() const override {
    SmallVector<StateSlot> slots{{"dadapt_s", Shape::PerParameter},
                                 {"dadapt_exp_avg", Shape::PerParameter},
                                 {"dadapt_exp_avg_sq", Shape::PerParameter},
                                 {"d", Shape::Scalar, Start::Constant, d0},
                                 {"numerator_weighted", Shape::Scalar}};
    bias.addSlots(slots);
    return slots;
  }

  Values update(UpdateBuilder &b, const StepInputs &in) const override {
    ArrayRef<Value> s0 = in.slots[0], m0 = in.slots[1], v0 = in.slots[2];
    Value d = in.slots[3][0], weighted = in.slots[4][0];
    Values corrections;
    Value factor = bias.enabled ? bias.factor(b, in.slots[5], in.slots[6], corrections)
                                : b.wide(1.0);
    Value dlr = b.mul(b.mul(d, b.toWide(in.eta)), factor);
    double sqrtBeta2 = std::sqrt(beta2);

    Values grads, scaledSums;
    for (auto [w, g, s, v] : llvm::zip(in.params, in.grads, s0, v0)) {
      grads.push_back(!decouple && decay != 0 ? b.add(g, b.scale(decay, w)) : g);
      Value denom = b.add(b.sqrt(v), eps);
      scaledSums.push_back(b.div(s, denom));
    }
    Value accumulated = b.mul(dlr, b.dot(grads, scaledSums));
    Values firsts, seconds, sums;
    Value l1;
    for (size_t i = 0; i < grads.size(); ++i) {
      Value g = grads[i];
      Value decayed = b.scale(beta1, m0[i]);
      firsts.push_back(b.add(decayed, b.scale(b.mul(dlr, 1 - beta1), g)));
      seconds.push_back(b.mix(beta2, v0[i], 1 - beta2, b.mul(g, g)));
      Value decayedSum = b.scale(sqrtBeta2, s0[i]);
      sums.push_back(b.add(decayedSum, b.scale(b.mul(dlr, 1 - sqrtBeta2), g)));
      Value norm = b.l1Norm(sums.back());
      l1 = l1 ? b.add(l1, norm) : norm;
    }
    Value decayedWeighted = b.mul(weighted, sqrtBeta2);
    Value newWeighted = b.add(decayedWeighted, b.mul(accumulated, 1 - sqrtBeta2));
    Value dHat = b.div(newWeighted, b.mul(l1, 1 - sqrtBeta2));
    Value bounded = std::isfinite(growth) ? b.minimum(dHat, b.mul(d, growth)) : dHat;
    Value newD = b.maximum(d, bounded);

    Values weights;
    for (size_t i = 0; i < grads.size(); ++i) {
      Value w = in.params[i];
      Value denom = b.add(b.sqrt(seconds[i]), eps);
      if (decay != 0 && decouple)
        w = b.add(w, b.scale(b.mul(dlr, -decay), w));
      weights.push_back(b.sub(w, b.div(firsts[i], denom)));
    }
    weights.append(sums);
    weights.append(firsts);
    weights.append(seconds);
    weights.append({newD, newWeighted});
    weights.append(corrections);
    return weights;
  }
};

/// Schedule-free SGD and AdamW (schedulefree 1.4.1, SGDScheduleFree and
/// AdamWScheduleFree in train mode). The parameters hold y, the gradient's
/// point; z is state; the average x = y + (1 - 1/beta1) (z - y) is the
/// evaluation point. k, lr_max and weight_sum are float64 state.
struct ScheduleFree : OptimizerRule {
  bool adaptive; // AdamW: the gradient divided by Adam's denominator
  double beta1, beta2, eps, decay, warmup, power;

  ScheduleFree(const llvm::StringMap<double> &h, bool adaptive)
      : adaptive(adaptive), beta1(h.lookup(adaptive ? "beta1" : "momentum")),
        beta2(h.lookup("beta2")), eps(h.lookup("eps")), decay(h.lookup("weight_decay")),
        warmup(h.lookup("warmup_steps")), power(h.lookup("weight_lr_power")) {}

  SmallVector<StateSlot> slots() const override {
    SmallVector<StateSlot> slots{{"schedulefree_z", Shape::PerParameter, Start::Parameter},
                                 {"k", Shape::Scalar},
                                 {"lr_max", Shape::Scalar, Start::Constant, -1.0},
                                 {"weight_sum", Shape::Scalar}};
    if (adaptive)
      slots.append({{"schedulefree_exp_avg_sq", Shape::PerParameter}, {"bc2", Shape::Scalar}});
    return slots;
  }

  Values update(UpdateBuilder &b, const StepInputs &in) const override {
    ArrayRef<Value> z0 = in.slots[0];
    Value k = in.slots[1][0], lrMax = in.slots[2][0], weightSum = in.slots[3][0];
    Value next = b.add(k, 1.0);
    Value lr = b.toWide(in.eta);
    if (warmup > 0) { // (k + 1) / warmup until it reaches 1
      Value ramp = b.div(next, b.wide(warmup));
      lr = b.mul(lr, b.minimum(ramp, b.wide(1.0)));
    }
    Value newMax = b.maximum(lr, lrMax);
    Value weight = power == 0 ? b.wide(1.0) : newMax; // lr_max^power
    for (int i = 1; i < int(power); ++i)
      weight = b.mul(weight, newMax);
    Value newSum = b.add(weightSum, weight);
    // weight / weight_sum, 0 while both are 0 (lr = 0 from the start).
    Value ckp1 = b.div(weight, b.maximum(newSum, b.wide(DBL_MIN)));
    Value kept = b.add(b.mul(ckp1, -1.0), 1.0);            // 1 - ckp1
    Value yRate = b.mul(lr, b.add(b.mul(kept, beta1), -1.0)); // lr (beta1 (1 - ckp1) - 1)

    Value bc2;
    if (adaptive)
      bc2 = b.correction(in.slots[5][0], beta2);
    Values ys, zs, seconds;
    for (size_t i = 0; i < in.params.size(); ++i) {
      Value y = in.params[i], z = z0[i], g = in.grads[i];
      if (adaptive) {
        seconds.push_back(b.mix(beta2, in.slots[4][i], 1 - beta2, b.mul(g, g)));
        Value corrected = b.div(seconds.back(), b.as(bc2, y));
        Value denom = b.add(b.sqrt(corrected), eps);
        g = b.div(g, denom);
      }
      if (decay != 0)
        g = b.add(g, b.scale(decay, y));
      Value lerped = b.add(y, b.scale(ckp1, b.sub(z, y)));
      ys.push_back(b.add(lerped, b.scale(yRate, g)));
      zs.push_back(b.sub(z, b.scale(lr, g)));
    }
    ys.append(zs);
    ys.append({next, newMax, newSum});
    if (adaptive) {
      ys.append(seconds);
      ys.push_back(bc2);
    }
    return ys;
  }

  Values evaluationPoint(UpdateBuilder &b, const StepInputs &in) const override {
    Values xs;
    for (auto [y, z] : llvm::zip(in.params, in.slots[0]))
      xs.push_back(b.add(y, b.scale(1 - 1 / beta1, b.sub(z, y))));
    return xs;
  }
};

/// Layer-wise DoG (dog-optimizer 1.0.3, LDoG without init_eta): per
/// parameter tensor, eta_i = lr * rbar_i / sqrt(G_i) with rbar_i the largest
/// distance from the start (at least reps_rel (1 + |x0_i|)) and G_i the sum
/// of squared gradient norms (from eps).
struct LDoG : OptimizerRule {
  double repsRel, decay, eps;
  explicit LDoG(const llvm::StringMap<double> &h)
      : repsRel(h.lookup("reps_rel")), decay(h.lookup("weight_decay")), eps(h.lookup("eps")) {}

  SmallVector<StateSlot> slots() const override {
    return {{"ldog_x0", Shape::PerParameter, Start::Parameter},
            {"ldog_rbar", Shape::PerParameterScalar},
            {"ldog_sum_g2", Shape::PerParameterScalar, Start::Constant, eps}};
  }

  Values update(UpdateBuilder &b, const StepInputs &in) const override {
    Values weights, rbars, sums;
    Value lr = b.toWide(in.eta);
    for (size_t i = 0; i < in.params.size(); ++i) {
      Value x = in.params[i], x0 = in.slots[0][i], g = in.grads[i];
      if (decay != 0)
        g = b.add(g, b.scale(decay, x));
      Value initial = b.mul(b.add(b.norm(x0), 1.0), repsRel);
      Value distance = b.maximum(in.slots[1][i], b.norm(b.sub(x, x0)));
      rbars.push_back(b.maximum(distance, initial));
      sums.push_back(b.add(in.slots[2][i], b.dot(g, g)));
      Value distanceRate = b.mul(lr, rbars.back());
      Value eta = b.div(distanceRate, b.sqrt(sums.back()));
      weights.push_back(b.sub(x, b.scale(eta, g)));
    }
    weights.append(in.slots[0].begin(), in.slots[0].end());
    weights.append(rbars);
    weights.append(sums);
    return weights;
  }
};

} // namespace

std::unique_ptr<OptimizerRule>
marthe::makeOptimizerRule(Optimizer kind, const llvm::StringMap<double> &h) {
  switch (kind) {
  case Optimizer::SGD:
    return std::make_unique<Sgd>();
  case Optimizer::Momentum:
    return std::make_unique<Momentum>(h);
  case Optimizer::Adam:
    return std::make_unique<Adam>(h);
  case Optimizer::Prodigy:
    return std::make_unique<Prodigy>(h);
  case Optimizer::DAdaptAdam:
    return std::make_unique<DAdaptAdam>(h);
  case Optimizer::ScheduleFreeSGD:
    return std::make_unique<ScheduleFree>(h, false);
  case Optimizer::ScheduleFreeAdamW:
    return std::make_unique<ScheduleFree>(h, true);
  case Optimizer::LDoG:
    return std::make_unique<LDoG>(h);
  }
  return nullptr;
}
