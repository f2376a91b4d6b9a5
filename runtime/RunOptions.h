#pragma once

// The options of a training run, declared once: each with its TOML table and
// key, its command-line flag and its help. marthe-compile's config reader
// (frontend/TrainConfig.cpp), the JSON of the program's defaults, checkpoints
// and summary.json (RunOptions.cpp), the trainer's command line and its
// --help all walk forEachRunOption. Options that change the compiled step
// (the optimizer, the loss, batch_size, relative) are marthe-compile's alone
// (TrainConfig); the runtime reads them from the program.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace marthe::rt {

// Where the samples are: `kind` is fashion-mnist, mnist (IDX files in `dir`),
// cifar10, cifar100 (the binary batches in `dir`), idx or npy (the four
// files named). Images stored as bytes are scaled by 1/255, floats kept.
struct DataSource {
  std::string kind = "fashion-mnist";
  std::string dir = "/usr/share/datasets/fashion-mnist";
  std::string trainImages, trainLabels, testImages, testLabels;
};

// What is done to samples besides reading them: every split is normalized
// per channel (the first dimension of a sample of rank 3 or more, else one
// channel) as (x - mean) / std; training batches of images (rank >= 2) are
// cropped at a random offset from the image padded by `cropPadding` zeros
// and mirrored left to right at random, seeded by the run's seed and the
// sample's position in the training order.
struct Preprocessing {
  std::vector<double> mean, std;
  int64_t cropPadding = 0;
  bool flip = false;
  bool augments() const { return cropPadding > 0 || flip; }
};

/// The numbers an option accepts: finite, above `lower` (or equal where
/// inclusive), below an optional `upper`.
struct Range {
  double lower = -HUGE_VAL;
  bool lowerInclusive = true;
  double upper = HUGE_VAL;
  bool upperInclusive = true;

  bool contains(double x) const;
  /// ">= 1", "> 0" or "in [0, 1)".
  std::string describe() const;
};

inline const Range kAnyNumber{-1e30, true, 1e30, true};
inline const Range kPositive{0, false};
inline const Range kNonNegative{0, true};
inline const Range kAtLeastOne{1, true};
inline const Range kAboveOne{1, false};
inline const Range kUnitClosed{0, true, 1, true};
inline const Range kDecayFactor{0, false, 1, true};

/// How a string option reads: one of `choices`, a path (relative to the
/// config's directory in TOML), a split ("train[0:7000]").
enum class TextKind { Choice, Path, Split };

/// What the readers need to know of one option besides its value's type.
struct OptionInfo {
  const char *table;   // its TOML table
  const char *key;     // its TOML key
  const char *json;    // its key in the JSON of the program's defaults
  const char *flag;    // the trainer's command-line flag, or nullptr
  const char *metavar; // the flag's value in --help
  const char *help;
  Range range{};                     // numbers
  const char *word = nullptr;        // an optional number: the word for none
  std::vector<const char *> choices; // TextKind::Choice
  TextKind text = TextKind::Choice;
  /// Whether --resume takes the flag's value over the checkpoint's.
  bool resumable = false;
};

struct RunOptions {
  // [data]
  DataSource data;
  Preprocessing augment;
  std::string train = "train[0:7000]", validation = "train[7000:7700]", test = "test";
  std::string order = "shuffle", validationOrder = "sequential";
  // [schedule]
  std::string schedule = "marthe";
  double eta0 = 0.01, beta0 = 0;
  std::optional<double> betaStep; // nullopt: "auto"
  std::optional<double> mu;       // nullopt: adaptive
  double decay = 0.99, sgdrTMult = 2;
  int64_t decaySteps = 100, sgdrT0 = 100;
  /// What beta_step = "auto" does on a divergence (docs/NOTES.md, issue 8):
  /// roll back to the latest snapshot or the one before it, divide
  /// beta_step by betaStepCut, optionally reset beta to beta0.
  std::string rollbackTo = "previous";
  double betaStepStart = 1e-5, betaStepCut = 10;
  bool resetBeta = true;
  // [run]
  int64_t steps = 512;
  uint64_t seed = 0;
  std::string out = "runs/latest";
  std::string init = "onnx";
  int64_t logEvery = 16;
  /// Training batches that recompute the running statistics at the
  /// evaluation point (schedule-free models with BatchNormalization).
  int64_t statisticsBatches = 20;

  bool seededInit() const { return init == "seeded"; }
};

/// Calls `visit(field, info)` for each option of `options` (a RunOptions,
/// const or not, or a struct derived from it), in the order of --help.
template <typename Options, typename Visit>
void forEachRunOption(Options &o, Visit &&visit) {
  auto choice = [](const char *table, const char *key, const char *json, const char *flag,
                   std::vector<const char *> choices, const char *help) {
    OptionInfo info{table, key, json, flag, "NAME", help};
    info.choices = std::move(choices);
    return info;
  };
  auto text = [](const char *table, const char *key, const char *flag, TextKind kind,
                 const char *help, bool resumable = false) {
    OptionInfo info{table, key, key, flag, kind == TextKind::Path ? "PATH" : "SPLIT", help};
    info.text = kind;
    info.resumable = resumable;
    return info;
  };
  auto number = [](const char *table, const char *key, const char *json, const char *flag,
                   Range range, const char *help, const char *word = nullptr) {
    OptionInfo info{table, key, json, flag, word ? "X|WORD" : "X", help, range, word};
    return info;
  };
  auto count = [](const char *table, const char *key, const char *flag, Range range,
                  const char *help, bool resumable = false) {
    OptionInfo info{table, key, key, flag, "N", help, range};
    info.resumable = resumable;
    return info;
  };
  auto flag = [](const char *table, const char *key, const char *flag, const char *help) {
    return OptionInfo{table, key, key, flag, "yes|no", help};
  };
  const char *data = "data", *schedule = "schedule", *run = "run";
  const TextKind path = TextKind::Path, split = TextKind::Split;

  visit(o.data.kind, choice(data, "dataset", "dataset", nullptr,
                            {"fashion-mnist", "mnist", "cifar10", "cifar100", "idx", "npy"},
                            "the data set"));
  visit(o.data.dir, text(data, "data_dir", "--data-dir", path,
                         "the data set's folder (fashion-mnist, mnist, cifar*)", true));
  visit(o.data.trainImages, text(data, "train_images", nullptr, path, "idx, npy: training images"));
  visit(o.data.trainLabels, text(data, "train_labels", nullptr, path, "idx, npy: their labels"));
  visit(o.data.testImages, text(data, "test_images", nullptr, path, "idx, npy: test images"));
  visit(o.data.testLabels, text(data, "test_labels", nullptr, path, "idx, npy: their labels"));
  visit(o.augment.mean, number(data, "mean", "mean", nullptr, kAnyNumber, "per-channel mean"));
  visit(o.augment.std, number(data, "std", "std", nullptr, kPositive, "per-channel std"));
  visit(o.augment.cropPadding,
        count(data, "crop_padding", nullptr, kNonNegative, "random crops' zero padding"));
  visit(o.augment.flip, flag(data, "flip", nullptr, "random left-right mirroring"));
  visit(o.train, text(data, "train", nullptr, split, "the training split"));
  visit(o.validation, text(data, "validation", nullptr, split, "the validation split"));
  visit(o.test, text(data, "test", nullptr, split, "the test split"));
  visit(o.order, choice(data, "order", "order", "--order", {"shuffle", "sequential"},
                        "mini-batch order"));
  visit(o.validationOrder, choice(data, "validation_order", "validation_order",
                                  "--validation-order", {"shuffle", "sequential"},
                                  "the hypergradient's validation mini-batch order"));

  visit(o.schedule, choice(schedule, "kind", "schedule", "--schedule",
                           {"marthe", "hd", "rtho", "constant", "exponential", "staircase",
                            "sgdr"},
                           "the learning-rate schedule"));
  visit(o.eta0, number(schedule, "eta0", "eta0", "--eta0", kPositive, "initial learning rate"));
  visit(o.beta0, number(schedule, "beta", "beta", "--beta0", kNonNegative,
                        "initial hyper-learning rate"));
  visit(o.betaStep, number(schedule, "beta_step", "beta_step", "--beta-step", kNonNegative,
                           "step that adapts beta", "auto"));
  visit(o.mu, number(schedule, "mu", "mu", "--mu", kUnitClosed,
                     "discount factor (a fixed value needs a fixed-mu build)", "adaptive"));
  visit(o.decay, number(schedule, "decay", "decay", nullptr, kDecayFactor,
                        "exponential and staircase: the factor"));
  visit(o.decaySteps,
        count(schedule, "decay_steps", nullptr, kAtLeastOne, "staircase: steps per factor"));
  visit(o.sgdrT0, count(schedule, "t0", nullptr, kAtLeastOne, "sgdr: the first period"));
  visit(o.sgdrTMult,
        number(schedule, "t_mult", "t_mult", nullptr, kAtLeastOne, "sgdr: the period's growth"));
  visit(o.rollbackTo, choice(schedule, "rollback", "rollback", "--rollback",
                             {"latest", "previous"},
                             "snapshot a divergence returns to (beta_step auto)"));
  visit(o.betaStepStart, number(schedule, "beta_step_start", "beta_step_start",
                                "--beta-step-start", kPositive,
                                "the beta_step \"auto\" starts from"));
  visit(o.betaStepCut, number(schedule, "beta_step_cut", "beta_step_cut", "--beta-step-cut",
                              kAboveOne, "beta_step is divided by it at each rollback"));
  visit(o.resetBeta,
        flag(schedule, "reset_beta", "--reset-beta", "a rollback also resets beta to beta0"));

  visit(o.steps, count(run, "steps", "--steps", kAtLeastOne, "training steps", true));
  visit(o.seed, count(run, "seed", "--seed", kNonNegative,
                      "data order, dropout and seeded initialization"));
  visit(o.out, text(run, "out", "--out", path, "metrics.csv, summary.json, model.onnx", true));
  visit(o.init, choice(run, "init", "init", nullptr, {"onnx", "seeded"},
                       "initial weights: the ONNX initializers or drawn from seed"));
  visit(o.logEvery, count(run, "log_every", "--log-every", kAtLeastOne,
                          "progress, validation and checkpoint period", true));
  visit(o.statisticsBatches,
        count(run, "statistics_batches", "--statistics-batches", kNonNegative,
              "schedule-free with BatchNormalization: training batches that recompute the "
              "running statistics at x before evaluation",
              true));
}

/// The options as a JSON object (keys OptionInfo::json), and back: a key
/// the object lacks keeps its value in `options`.
std::string runOptionsJson(const RunOptions &options);
void readRunOptionsJson(const std::string &json, RunOptions &options);

/// Sets the option with command-line `flag` from `text`; false if no option
/// has that flag. Throws Error naming the flag for a value out of its domain.
bool applyRunOption(RunOptions &options, const std::string &flag, const std::string &text);

/// The option with command-line `flag`, or nullptr.
const OptionInfo *findRunOption(const std::string &flag);

/// One line per flag: its values, help and the current value.
void printRunOptionsHelp(const RunOptions &options, std::FILE *to);

} // namespace marthe::rt
