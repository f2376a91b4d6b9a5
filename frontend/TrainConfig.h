//===- TrainConfig.h - Declarative training configuration -------*- C++ -*-===//
//
// The training run is described by a TOML file with the tables [model],
// [data], [loss], [optimizer], [schedule] and [run]. Every key is optional;
// an absent key keeps the default below. Parsing validates every value and
// reports errors as "<file>:<line>:<col>: error: [<table>] <key>: <message>".
//
//===----------------------------------------------------------------------===//

#ifndef MARTHE_FRONTEND_TRAINCONFIG_H
#define MARTHE_FRONTEND_TRAINCONFIG_H

#include "dialect/OptimizerKinds.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marthe {

enum class ScheduleKind {
  Marthe,
  HD,
  RTHO,
  Constant,
  Exponential,
  Staircase,
  SGDR
};
enum class DataOrder { Shuffle, Sequential };

struct TrainConfig {
  /// The TOML file, or empty for defaults.
  std::string sourcePath;

  // [model]
  /// Key onnx; a relative path is resolved against the TOML file's directory.
  std::string onnx;

  // [data]
  /// fashion-mnist, mnist, cifar10, cifar100 (files in data_dir), idx or npy
  /// (the four files below).
  std::string dataset = "fashion-mnist";
  /// Key data_dir.
  std::string dataDir = "/usr/share/datasets/fashion-mnist";
  /// Keys train_images, train_labels, test_images, test_labels (idx, npy);
  /// relative paths are resolved against the TOML file's directory.
  std::string trainImages, trainLabels, testImages, testLabels;
  /// Keys mean and std: per channel (the first dimension of a sample of rank
  /// 3 or more, else one); samples become (x - mean) / std.
  std::vector<double> mean, stdDev;
  /// Key crop_padding: training images are cropped at a random offset from
  /// the image padded by this many zeros on each side (0: no cropping).
  int64_t cropPadding = 0;
  /// Key flip: training images are mirrored left to right at random.
  bool flip = false;
  /// Splits: "train" or "test", optionally sliced as "train[begin:end]".
  std::string train = "train[0:7000]";
  std::string validation = "train[7000:7700]";
  std::string test = "test";
  /// Key batch_size, >= 1.
  int64_t batchSize = 100;
  /// Whether the config gave batch_size.
  bool batchSizeGiven = false;
  /// "shuffle" | "sequential".
  DataOrder order = DataOrder::Shuffle;
  /// Key validation_order: the order of the validation mini-batches of the
  /// hypergradient, independent of the training order.
  DataOrder validationOrder = DataOrder::Sequential;

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
  /// Key kind: marthe | hd | rtho | constant | exponential | staircase | sgdr.
  ScheduleKind schedule = ScheduleKind::Marthe;
  /// Initial learning rate, > 0; by default the optimizer kind's (its
  /// package's default lr).
  double eta0 = 0.01;
  bool eta0Given = false;
  /// beta_0: the initial hyper-learning-rate (the fixed one for hd/rtho), >= 0.
  double beta = 0.0;
  /// Key beta_step: a number >= 0, or "auto" (std::nullopt).
  std::optional<double> betaStep;
  /// Key relative: eta moves by the fraction beta' cos(Z, e) of itself
  /// (the hypergradient scaled by eta / (|Z| |e|)) instead of by beta' hg.
  bool relative = false;
  /// Key mu: a number in [0, 1], or "adaptive" (std::nullopt).
  std::optional<double> mu;
  /// Exponential: eta = eta0 * decay^t; staircase: the factor. In (0, 1].
  double decay = 0.99;
  /// Key decay_steps, >= 1: staircase multiplies by decay every so many steps.
  int64_t decaySteps = 100;
  /// Keys t0 (>= 1) and t_mult (>= 1): SGDR's first period and its growth.
  int64_t sgdrT0 = 100;
  double sgdrTMult = 2.0;

  // [run]
  /// >= 1.
  int64_t steps = 512;
  /// "cpu" | "cuda".
  std::string device = "cpu";
  /// >= 0.
  uint64_t seed = 0;
  std::string out = "runs/latest";
  /// Key init: "onnx" (initial weights = the ONNX initializers) or "seeded"
  /// (re-initialized from seed).
  bool seededInit = false;
  /// Key log_every, >= 1: the period of the progress line on stderr.
  int64_t logEvery = 16;
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

/// The TOML spelling of each value.
llvm::StringRef toString(ScheduleKind kind);
llvm::StringRef toString(DataOrder order);

} // namespace marthe

#endif // MARTHE_FRONTEND_TRAINCONFIG_H
