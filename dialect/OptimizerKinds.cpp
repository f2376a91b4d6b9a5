#include "dialect/OptimizerKinds.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"

#include <charconv>
#include <cmath>
#include <iterator>

using namespace marthe;
using llvm::StringRef;

namespace {

constexpr double kUnset = NAN;

constexpr Hyperparameter kMomentum[] = {
    {"momentum", 0.9, Domain::UnitHalfOpen, "momentum factor (PyTorch's convention)"},
};

constexpr Hyperparameter kAdam[] = {
    {"beta1", 0.9, Domain::UnitHalfOpen, "decay of the first moment"},
    {"beta2", 0.999, Domain::UnitHalfOpen, "decay of the second moment"},
    {"epsilon", 1e-8, Domain::Positive, "added to the denominator"},
};

constexpr Hyperparameter kProdigy[] = {
    {"beta1", 0.9, Domain::UnitHalfOpen, "decay of the first moment", "betas", 0},
    {"beta2", 0.999, Domain::UnitHalfOpen, "decay of the second moment", "betas", 1},
    {"beta3", kUnset, Domain::UnitOpenOrUnset,
     "decay of the distance estimate's sums (default sqrt(beta2))"},
    {"eps", 1e-8, Domain::Positive, "added to the denominator (times d)"},
    {"weight_decay", 0.0, Domain::NonNegative, "the optimizer's own weight decay"},
    {"decouple", 1.0, Domain::Flag, "AdamW-style decoupled weight decay"},
    {"use_bias_correction", 0.0, Domain::Flag, "Adam's bias correction in the step size"},
    {"safeguard_warmup", 0.0, Domain::Flag, "leave lr out of the denominator's sum"},
    {"d0", 1e-6, Domain::Positive, "initial distance estimate"},
    {"d_coef", 1.0, Domain::Positive, "factor of the distance estimate"},
    {"growth_rate", INFINITY, Domain::Growth, "largest factor d may grow by in a step"},
};

constexpr Hyperparameter kDAdaptAdam[] = {
    {"beta1", 0.9, Domain::UnitHalfOpen, "decay of the first moment", "betas", 0},
    {"beta2", 0.999, Domain::UnitHalfOpen, "decay of the second moment", "betas", 1},
    {"eps", 1e-8, Domain::Positive, "added to the denominator"},
    {"weight_decay", 0.0, Domain::NonNegative, "the optimizer's own weight decay"},
    {"decouple", 0.0, Domain::Flag, "AdamW-style decoupled weight decay"},
    {"use_bias_correction", 0.0, Domain::Flag, "Adam's bias correction in the step size"},
    {"d0", 1e-6, Domain::Positive, "initial distance estimate"},
    {"growth_rate", INFINITY, Domain::Growth, "largest factor d may grow by in a step"},
};

constexpr Hyperparameter kScheduleFreeSGD[] = {
    {"momentum", 0.9, Domain::UnitOpen, "interpolation between z and the average x"},
    {"weight_decay", 0.0, Domain::NonNegative, "weight decay, taken at y"},
    {"warmup_steps", 0.0, Domain::Count, "linear warmup of lr over so many steps"},
    {"r", 0.0, Domain::OnlyZero, "polynomial weighting power of the average (only 0)"},
    {"weight_lr_power", 2.0, Domain::Count, "power of lr_max in the average's weights"},
};

constexpr Hyperparameter kScheduleFreeAdamW[] = {
    {"beta1", 0.9, Domain::UnitOpen, "interpolation between z and the average x", "betas", 0},
    {"beta2", 0.999, Domain::UnitHalfOpen, "decay of the second moment", "betas", 1},
    {"eps", 1e-8, Domain::Positive, "added to the denominator"},
    {"weight_decay", 0.0, Domain::NonNegative, "weight decay, taken at y"},
    {"warmup_steps", 0.0, Domain::Count, "linear warmup of lr over so many steps"},
    {"r", 0.0, Domain::OnlyZero, "polynomial weighting power of the average (only 0)"},
    {"weight_lr_power", 2.0, Domain::Count, "power of lr_max in the average's weights"},
};

constexpr Hyperparameter kLDoG[] = {
    {"reps_rel", 1e-6, Domain::Positive, "initial distance, relative to 1 + |x0| per layer"},
    {"weight_decay", 0.0, Domain::NonNegative, "added to the gradient as weight_decay * x"},
    {"eps", 1e-8, Domain::Positive, "added to the sum of squared gradient norms"},
};

const OptimizerKind kKinds[] = {
    {Optimizer::SGD, "sgd", "plain SGD", "", 0.01, {}},
    {Optimizer::Momentum, "momentum", "SGD with momentum", "", 0.01, kMomentum},
    {Optimizer::Adam, "adam", "Adam", "", 0.001, kAdam},
    {Optimizer::Prodigy, "prodigy", "Prodigy", "prodigyopt==1.1.2", 1.0, kProdigy},
    {Optimizer::DAdaptAdam, "dadapt_adam", "D-Adaptation Adam", "dadaptation==3.2", 1.0,
     kDAdaptAdam},
    {Optimizer::ScheduleFreeSGD, "schedulefree_sgd", "Schedule-Free SGD", "schedulefree==1.4.1",
     1.0, kScheduleFreeSGD, /*hasEvaluationPoint=*/true},
    {Optimizer::ScheduleFreeAdamW, "schedulefree_adamw", "Schedule-Free AdamW",
     "schedulefree==1.4.1", 0.0025, kScheduleFreeAdamW, /*hasEvaluationPoint=*/true},
    {Optimizer::LDoG, "ldog", "layer-wise DoG", "dog-optimizer==1.0.3", 1.0, kLDoG},
};

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string formatNumber(double value) {
  char buffer[32];
  auto result = std::to_chars(std::begin(buffer), std::end(buffer), value);
  return std::string(buffer, result.ptr);
}

} // namespace

const Hyperparameter *OptimizerKind::find(StringRef name) const {
  const auto *found = llvm::find_if(hyperparameters,
                                    [&](const Hyperparameter &h) { return h.name == name; });
  return found == hyperparameters.end() ? nullptr : found;
}

llvm::ArrayRef<OptimizerKind> marthe::optimizerKinds() { return kKinds; }

const OptimizerKind &marthe::optimizerKind(Optimizer id) {
  return kKinds[static_cast<size_t>(id)];
}

const OptimizerKind *marthe::findOptimizerKind(StringRef name) {
  const auto *found =
      llvm::find_if(kKinds, [&](const OptimizerKind &kind) { return kind.name == name; });
  return found == std::end(kKinds) ? nullptr : found;
}

bool marthe::inDomain(Domain domain, double x) {
  switch (domain) {
  case Domain::UnitHalfOpen:
    return x >= 0 && x < 1;
  case Domain::UnitOpen:
    return x > 0 && x < 1;
  case Domain::Positive:
    return x > 0 && std::isfinite(x);
  case Domain::NonNegative:
    return x >= 0 && std::isfinite(x);
  case Domain::Growth:
    return x >= 1; // inf included
  case Domain::Flag:
    return x == 0 || x == 1;
  case Domain::Count:
    return x >= 0 && x <= 1e15 && x == std::floor(x);
  case Domain::UnitOpenOrUnset:
    return std::isnan(x) || (x > 0 && x < 1);
  case Domain::OnlyZero:
    return x == 0;
  }
  return false;
}

std::string marthe::describe(Domain domain) {
  switch (domain) {
  case Domain::UnitHalfOpen:
    return "a number in [0, 1)";
  case Domain::UnitOpen:
  case Domain::UnitOpenOrUnset:
    return "a number in (0, 1)";
  case Domain::Positive:
    return "a number > 0";
  case Domain::NonNegative:
    return "a number >= 0";
  case Domain::Growth:
    return "a number >= 1 or inf";
  case Domain::Flag:
    return "true or false";
  case Domain::Count:
    return "an integer >= 0";
  case Domain::OnlyZero:
    return "0 (the only value marthe implements)";
  }
  return "";
}

llvm::StringMap<double> marthe::resolveHyperparameters(const OptimizerKind &kind,
                                                       const llvm::StringMap<double> &given) {
  llvm::StringMap<double> values;
  for (const Hyperparameter &h : kind.hyperparameters) {
    auto it = given.find(h.name);
    values[h.name] = it == given.end() ? h.defaultValue : it->second;
  }
  return values;
}

llvm::Expected<llvm::StringMap<double>>
marthe::parseHyperparameters(const OptimizerKind &kind, llvm::ArrayRef<std::string> items) {
  llvm::StringMap<double> values;
  for (StringRef item : items) {
    auto [name, text] = item.split('=');
    const Hyperparameter *h = kind.find(name);
    if (!h) {
      std::string names = llvm::join(
          llvm::map_range(kind.hyperparameters, [](const Hyperparameter &p) { return p.name; }),
          ", ");
      return makeError("'" + name + "' is not a hyperparameter of optimizer " + kind.name +
                       " (it has: " + (names.empty() ? "none" : names) + ")");
    }
    double value;
    if (text == "inf")
      value = INFINITY;
    else if (text.getAsDouble(value))
      return makeError("hyperparameter " + name + ": '" + text + "' is not a number");
    if (!inDomain(h->domain, value))
      return makeError("hyperparameter " + name + ": expected " + describe(h->domain) +
                       ", got " + text);
    values[name] = value;
  }
  return values;
}

std::vector<std::string> marthe::formatHyperparameters(const llvm::StringMap<double> &values) {
  std::vector<std::string> items;
  for (const auto &entry : values)
    if (!std::isnan(entry.second))
      items.push_back((entry.first() + "=" + formatNumber(entry.second)).str());
  llvm::sort(items);
  return items;
}

llvm::cl::ValuesClass marthe::optimizerValues() {
  static_assert(std::size(kKinds) == static_cast<size_t>(Optimizer::LDoG) + 1);
  auto value = [](const OptimizerKind &kind) {
    return llvm::cl::OptionEnumValue{kind.name, static_cast<int>(kind.id), kind.summary};
  };
  return llvm::cl::ValuesClass({value(kKinds[0]), value(kKinds[1]), value(kKinds[2]),
                                value(kKinds[3]), value(kKinds[4]), value(kKinds[5]),
                                value(kKinds[6]), value(kKinds[7])});
}
