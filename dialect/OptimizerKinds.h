#ifndef MARTHE_DIALECT_OPTIMIZERKINDS_H
#define MARTHE_DIALECT_OPTIMIZERKINDS_H

// The optimizers the training step can be derived for, with their
// hyperparameters, declared once: the TOML reader, the pass options, the
// tool and the docs all read this table.

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <string>

namespace marthe {

enum class Optimizer {
  SGD,
  Momentum,
  Adam,
  Prodigy,
  DAdaptAdam,
  ScheduleFreeSGD,
  ScheduleFreeAdamW,
  LDoG,
};

/// The values a hyperparameter accepts.
enum class Domain {
  UnitHalfOpen, // [0, 1)
  UnitOpen,     // (0, 1)
  Positive,     // > 0
  NonNegative,  // >= 0
  Growth,       // >= 1, inf allowed
  Flag,         // true or false (stored as 1 or 0)
  Count,        // an integer >= 0
  UnitOpenOrUnset, // (0, 1), or absent (NaN): a value derived from others
  OnlyZero,     // 0: a package option of which marthe implements the default alone
};

/// One hyperparameter, named as the reference package names it.
struct Hyperparameter {
  /// The pass option's key and, unless tomlKey says otherwise, the TOML key.
  llvm::StringLiteral name;
  double defaultValue; // NaN: unset
  Domain domain;
  llvm::StringLiteral help;
  /// An element of an array key: `betas = [beta1, beta2]`.
  llvm::StringLiteral tomlKey = "";
  int tomlIndex = -1;

  llvm::StringRef key() const { return tomlKey.empty() ? llvm::StringRef(name) : llvm::StringRef(tomlKey); }
};

struct OptimizerKind {
  Optimizer id;
  llvm::StringLiteral name;
  llvm::StringLiteral summary;
  /// The reference package (PyPI name==version) whose update rule and
  /// defaults the kind follows; empty for the classic ones.
  llvm::StringLiteral package;
  /// The package's default lr: the default eta0 of this kind.
  double defaultEta0;
  llvm::ArrayRef<Hyperparameter> hyperparameters;
  /// Whether evaluation and the written model use another point than the
  /// iterate the gradient is taken at (schedule-free's x).
  bool hasEvaluationPoint = false;

  const Hyperparameter *find(llvm::StringRef name) const;
};

llvm::ArrayRef<OptimizerKind> optimizerKinds();
const OptimizerKind &optimizerKind(Optimizer id);
const OptimizerKind *findOptimizerKind(llvm::StringRef name);

/// Whether `value` lies in `domain`; describe() says what does.
bool inDomain(Domain domain, double value);
std::string describe(Domain domain);

/// The value of every hyperparameter of `kind`: `given` where it holds the
/// name, the default otherwise.
llvm::StringMap<double> resolveHyperparameters(const OptimizerKind &kind,
                                               const llvm::StringMap<double> &given);

/// `name=value` items (the pass option's form) into a map; an error names
/// the item that is not of that form or not a hyperparameter of `kind`, or
/// a value outside its domain.
llvm::Expected<llvm::StringMap<double>>
parseHyperparameters(const OptimizerKind &kind, llvm::ArrayRef<std::string> items);

/// The `name=value` items of `values` (the inverse of parseHyperparameters).
std::vector<std::string> formatHyperparameters(const llvm::StringMap<double> &values);

/// The cl::values of the `optimizer` options.
llvm::cl::ValuesClass optimizerValues();

} // namespace marthe

#endif // MARTHE_DIALECT_OPTIMIZERKINDS_H
