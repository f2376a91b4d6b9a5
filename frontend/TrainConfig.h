//===- TrainConfig.h - Declarative training configuration -------*- C++ -*-===//
//
// The training run is described by a TOML file with the tables [model],
// [data], [loss], [optimizer], [schedule] and [run]. Every key is optional;
// an absent key keeps its default (below, and runtime/RunOptions.h). Parsing validates every value and
// reports errors as "<file>:<line>:<col>: error: [<table>] <key>: <message>".
//
//===----------------------------------------------------------------------===//

#ifndef MARTHE_FRONTEND_TRAINCONFIG_H
#define MARTHE_FRONTEND_TRAINCONFIG_H

#include "dialect/OptimizerKinds.h"
#include "runtime/RunOptions.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marthe {

/// The config: the run's options (runtime/RunOptions.h, declared once and
/// shared with the trainer, which may override them on its command line)
/// and those that shape the compiled step.
struct TrainConfig : rt::RunOptions {
  /// The TOML file, or empty for defaults.
  std::string sourcePath;

  // [model]
  /// Key onnx; a relative path is resolved against the TOML file's directory.
  std::string onnx;

  // [data]
  /// Key batch_size, >= 1.
  int64_t batchSize = 100;
  /// Whether the config gave batch_size.
  bool batchSizeGiven = false;

  // [loss]
  /// Key kind; only "cross_entropy".
  std::string lossKind = "cross_entropy";
  /// Key weight_decay, >= 0.
  double weightDecay = 0.0;

  // [optimizer]
  /// Key kind: a name of dialect/OptimizerKinds.h.
  Optimizer optimizer = Optimizer::SGD;
  /// The hyperparameters the config gives (by their names in the kind's
  /// table; `betas = [a, b]` gives beta1 and beta2); the others keep their
  /// defaults.
  llvm::StringMap<double> hyperparameters;

  // [schedule]
  /// (An eta0 the config does not give is the optimizer kind's: its
  /// package's default lr.)
  /// Key relative: eta moves by the fraction beta' cos(Z, e) of itself
  /// (the hypergradient scaled by eta / (|Z| |e|)) instead of by beta' hg.
  bool relative = false;

  // [run]
  /// "cpu" | "cuda".
  std::string device = "cpu";
};

/// marthe's automatic setting, which a config with neither an [optimizer]
/// nor a [schedule] table (or no config at all) trains with: MARTHE with a
/// relative step over schedule-free AdamW at its package's lr (docs/NOTES.md,
/// "The automatic setting", measured by scripts/autolr-benchmark.sh).
void applyAutomaticSetting(TrainConfig &config);

/// The configuration without a file: the defaults with the automatic setting.
TrainConfig defaultTrainConfig();

/// Reads and validates the TOML file at \p path.
llvm::Expected<TrainConfig> parseTrainConfig(llvm::StringRef path);

/// Parses and validates \p text as if read from the file \p sourceName.
llvm::Expected<TrainConfig> parseTrainConfigText(llvm::StringRef text,
                                                 llvm::StringRef sourceName);

} // namespace marthe

#endif // MARTHE_FRONTEND_TRAINCONFIG_H
