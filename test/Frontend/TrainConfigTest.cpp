//===- TrainConfigTest.cpp - Tests of the TOML training config ------------===//
//
// MARTHE_SOURCE_DIR (the repository root) locates models/train.toml.
//
//===----------------------------------------------------------------------===//

#include "frontend/TrainConfig.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

using namespace marthe;

namespace {

/// The error message of parsing \p text as "train.toml".
std::string errorOf(llvm::StringRef text) {
  llvm::Expected<TrainConfig> config = parseTrainConfigText(text, "train.toml");
  if (config)
    return "(parsed without error)";
  return llvm::toString(config.takeError());
}

/// Parses \p text as "train.toml", failing the test on an error.
TrainConfig parse(llvm::StringRef text) {
  llvm::Expected<TrainConfig> config = parseTrainConfigText(text, "train.toml");
  if (!config) {
    ADD_FAILURE() << llvm::toString(config.takeError());
    return TrainConfig();
  }
  return std::move(*config);
}

/// The fields a config with neither [optimizer] nor [schedule] takes from
/// the automatic setting.
void expectAutomaticSetting(const TrainConfig &config) {
  EXPECT_EQ(config.optimizer, Optimizer::ScheduleFreeAdamW);
  EXPECT_TRUE(config.hyperparameters.empty());
  EXPECT_EQ(config.schedule, "marthe");
  EXPECT_EQ(config.eta0, 0.0025);
  EXPECT_TRUE(config.relative);
  EXPECT_GT(config.beta0, 0.0);
  EXPECT_EQ(config.betaStep, 0.0);
  EXPECT_EQ(config.mu, 0.99);
}

/// Every field but sourcePath and onnx has its documented default (the
/// optimizer and schedule keys as a config with those tables has them).
void expectDefaults(const TrainConfig &config) {
  EXPECT_EQ(config.data.kind, "fashion-mnist");
  EXPECT_EQ(config.data.dir, "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(config.train, "train[0:7000]");
  EXPECT_EQ(config.validation, "train[7000:7700]");
  EXPECT_EQ(config.test, "test");
  EXPECT_EQ(config.batchSize, 100);
  EXPECT_EQ(config.order, "shuffle");
  EXPECT_EQ(config.lossKind, "cross_entropy");
  EXPECT_EQ(config.weightDecay, 0.0);
  EXPECT_EQ(config.optimizer, Optimizer::SGD);
  EXPECT_TRUE(config.hyperparameters.empty());
  EXPECT_EQ(config.schedule, "marthe");
  EXPECT_EQ(config.eta0, 0.01);
  EXPECT_EQ(config.beta0, 0.0);
  EXPECT_EQ(config.betaStep, std::nullopt);
  EXPECT_EQ(config.mu, std::nullopt);
  EXPECT_FALSE(config.relative);
  EXPECT_EQ(config.decay, 0.99);
  EXPECT_EQ(config.decaySteps, 100);
  EXPECT_EQ(config.sgdrT0, 100);
  EXPECT_EQ(config.sgdrTMult, 2.0);
  EXPECT_EQ(config.steps, 512);
  EXPECT_EQ(config.device, "cpu");
  EXPECT_EQ(config.seed, 0u);
  // "runs/latest", relative to the file that says it (if any).
  EXPECT_TRUE(llvm::StringRef(config.out).ends_with("runs/latest")) << config.out;
  EXPECT_FALSE(config.seededInit());
  EXPECT_EQ(config.logEvery, 16);
}

//===----------------------------------------------------------------------===//
// Accepted configurations
//===----------------------------------------------------------------------===//

TEST(TrainConfigTest, EmptyTextGivesTheAutomaticSetting) {
  TrainConfig config = parse("");
  EXPECT_EQ(config.sourcePath, "train.toml");
  EXPECT_EQ(config.onnx, "");
  expectAutomaticSetting(config);
  EXPECT_EQ(config.steps, 512);
  EXPECT_EQ(config.batchSize, 100);
  expectAutomaticSetting(defaultTrainConfig());
  expectAutomaticSetting(parse("[run]\nsteps = 5\n[data]\nbatch_size = 10"));
}

// Either table makes the config say its optimizer and schedule itself.
TEST(TrainConfigTest, AnOptimizerOrScheduleTableLeavesTheAutomaticSetting) {
  TrainConfig scheduled = parse("[schedule]\neta0 = 0.05");
  EXPECT_EQ(scheduled.optimizer, Optimizer::SGD);
  EXPECT_FALSE(scheduled.relative);
  EXPECT_EQ(scheduled.betaStep, std::nullopt);
  TrainConfig optimized = parse("[optimizer]\nkind = \"adam\"");
  EXPECT_EQ(optimized.schedule, "marthe");
  EXPECT_FALSE(optimized.relative);
  EXPECT_EQ(optimized.eta0, 0.001);
  EXPECT_TRUE(parse("[schedule]\nrelative = true").relative);
}

TEST(TrainConfigTest, FullExampleParses) {
  TrainConfig config = parse(R"toml(
[model]
onnx = "/models/mlp.onnx"

[data]
dataset = "fashion-mnist"
data_dir = "/data/fmnist"
train = "train[0:1000]"
validation = "train[1000:]"
test = "test[:500]"
batch_size = 32
order = "sequential"

[loss]
kind = "cross_entropy"
weight_decay = 5e-4

[optimizer]
kind = "adam"
beta1 = 0.8
beta2 = 0.99
epsilon = 1e-6

[schedule]
kind = "sgdr"
eta0 = 0.1
beta = 1e-3
beta_step = 1e-6
mu = 0.95
decay = 0.5
decay_steps = 10
t0 = 50
t_mult = 1.5

[run]
steps = 1000
device = "cuda"
seed = 42
out = "runs/adam"
init = "seeded"
log_every = 1
)toml");
  EXPECT_EQ(config.onnx, "/models/mlp.onnx");
  EXPECT_EQ(config.data.kind, "fashion-mnist");
  EXPECT_EQ(config.data.dir, "/data/fmnist");
  EXPECT_EQ(config.train, "train[0:1000]");
  EXPECT_EQ(config.validation, "train[1000:]");
  EXPECT_EQ(config.test, "test[:500]");
  EXPECT_EQ(config.batchSize, 32);
  EXPECT_EQ(config.order, "sequential");
  EXPECT_EQ(config.lossKind, "cross_entropy");
  EXPECT_EQ(config.weightDecay, 5e-4);
  EXPECT_EQ(config.optimizer, Optimizer::Adam);
  EXPECT_EQ(config.hyperparameters.lookup("beta1"), 0.8);
  EXPECT_EQ(config.hyperparameters.lookup("beta2"), 0.99);
  EXPECT_EQ(config.hyperparameters.lookup("epsilon"), 1e-6);
  EXPECT_EQ(config.hyperparameters.size(), 3u);
  EXPECT_EQ(config.schedule, "sgdr");
  EXPECT_EQ(config.eta0, 0.1);
  EXPECT_EQ(config.beta0, 1e-3);
  EXPECT_EQ(config.betaStep, 1e-6);
  EXPECT_EQ(config.mu, 0.95);
  EXPECT_EQ(config.decay, 0.5);
  EXPECT_EQ(config.decaySteps, 10);
  EXPECT_EQ(config.sgdrT0, 50);
  EXPECT_EQ(config.sgdrTMult, 1.5);
  EXPECT_EQ(config.steps, 1000);
  EXPECT_EQ(config.device, "cuda");
  EXPECT_EQ(config.seed, 42u);
  EXPECT_EQ(config.out, "runs/adam");
  EXPECT_TRUE(config.seededInit());
  EXPECT_EQ(config.logEvery, 1);
}

TEST(TrainConfigTest, ExampleFileHasTheDefaults) {
  llvm::SmallString<128> path(MARTHE_SOURCE_DIR);
  llvm::sys::path::append(path, "models", "train.toml");
  llvm::Expected<TrainConfig> config = parseTrainConfig(path);
  ASSERT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  EXPECT_EQ(config->sourcePath, path.str());
  llvm::SmallString<128> onnx(MARTHE_SOURCE_DIR);
  llvm::sys::path::append(onnx, "models", "mlp.onnx");
  EXPECT_EQ(config->onnx, onnx.str());
  expectDefaults(*config);
  llvm::SmallString<128> out(MARTHE_SOURCE_DIR);
  llvm::sys::path::append(out, "models", "runs", "latest");
  EXPECT_EQ(config->out, out.str());
}

TEST(TrainConfigTest, IntegerIsAcceptedAsNumber) {
  EXPECT_EQ(parse("[schedule]\neta0 = 1").eta0, 1.0);
}

TEST(TrainConfigTest, EnumSpellingsRoundTrip) {
  for (std::string kind : {"marthe", "hd", "rtho", "constant", "exponential", "staircase", "sgdr"})
    EXPECT_EQ(parse("[schedule]\nkind = \"" + kind + "\"").schedule, kind);
  for (const OptimizerKind &kind : optimizerKinds())
    EXPECT_EQ(parse(("[optimizer]\nkind = \"" + kind.name + "\"").str()).optimizer, kind.id);
  for (std::string order : {"shuffle", "sequential"})
    EXPECT_EQ(parse("[data]\norder = \"" + order + "\"").order, order);
}

//===----------------------------------------------------------------------===//
// beta_step and mu: a number or a keyword
//===----------------------------------------------------------------------===//

TEST(TrainConfigTest, BetaStepAutoOrNumber) {
  EXPECT_EQ(parse("[schedule]\nbeta_step = \"auto\"").betaStep, std::nullopt);
  EXPECT_EQ(parse("[schedule]\nbeta_step = 0.25").betaStep, 0.25);
  EXPECT_EQ(parse("[schedule]\nbeta_step = 0").betaStep, 0.0);
  EXPECT_EQ(errorOf("[schedule]\nbeta_step = -1"),
            "train.toml:2:13: error: [schedule] beta_step: expected a number "
            ">= 0 or \"auto\", got -1");
  EXPECT_EQ(errorOf("[schedule]\nbeta_step = \"automatic\""),
            "train.toml:2:13: error: [schedule] beta_step: unknown value "
            "\"automatic\" (expected a number or \"auto\")");
  EXPECT_EQ(errorOf("[schedule]\nbeta_step = true"),
            "train.toml:2:13: error: [schedule] beta_step: expected a number "
            "or \"auto\", got boolean");
}

TEST(TrainConfigTest, MuAdaptiveOrNumber) {
  EXPECT_EQ(parse("[schedule]\nmu = \"adaptive\"").mu, std::nullopt);
  EXPECT_EQ(parse("[schedule]\nmu = 0.99").mu, 0.99);
  EXPECT_EQ(parse("[schedule]\nmu = 1").mu, 1.0);
  EXPECT_EQ(errorOf("[schedule]\nmu = 1.5"),
            "train.toml:2:6: error: [schedule] mu: expected a number in [0, 1] "
            "or \"adaptive\", got 1.5");
}

//===----------------------------------------------------------------------===//
// Paths
//===----------------------------------------------------------------------===//

TEST(TrainConfigTest, OnnxPathIsRelativeToTheConfigFile) {
  auto onnxOf = [](llvm::StringRef text, llvm::StringRef sourceName) {
    llvm::Expected<TrainConfig> config = parseTrainConfigText(text, sourceName);
    return config ? config->onnx : llvm::toString(config.takeError());
  };
  EXPECT_EQ(onnxOf("[model]\nonnx = \"mlp.onnx\"", "configs/train.toml"),
            "configs/mlp.onnx");
  EXPECT_EQ(onnxOf("[model]\nonnx = \"../nets/mlp.onnx\"", "/runs/train.toml"),
            "/runs/../nets/mlp.onnx");
  EXPECT_EQ(onnxOf("[model]\nonnx = \"mlp.onnx\"", "train.toml"), "mlp.onnx");
  EXPECT_EQ(onnxOf("[model]\nonnx = \"/abs/mlp.onnx\"", "configs/train.toml"),
            "/abs/mlp.onnx");
}

// Every path of the file is relative to it: the data, the data files and
// the run's outputs too (they were resolved against the working directory).
TEST(TrainConfigTest, DataAndOutputPathsAreRelativeToTheConfigFile) {
  llvm::Expected<TrainConfig> config = parseTrainConfigText(
      "[data]\ndataset = \"idx\"\ndata_dir = \"fmnist\"\ntrain_images = \"x/train.idx\"\n"
      "train_labels = \"x/l\"\ntest_images = \"/t/i\"\ntest_labels = \"t/l\"\n"
      "[run]\nout = \"runs/a\"\n",
      "configs/train.toml");
  ASSERT_TRUE(bool(config)) << llvm::toString(config.takeError());
  EXPECT_EQ(config->data.dir, "configs/fmnist");
  EXPECT_EQ(config->data.trainImages, "configs/x/train.idx");
  EXPECT_EQ(config->data.testImages, "/t/i");
  EXPECT_EQ(config->out, "configs/runs/a");
  EXPECT_FALSE(config->batchSizeGiven);
}

TEST(TrainConfigTest, ReadsAFile) {
  llvm::SmallString<128> directory;
  ASSERT_FALSE(
      llvm::sys::fs::createUniqueDirectory("marthe-config", directory));
  llvm::SmallString<128> path(directory);
  llvm::sys::path::append(path, "train.toml");
  {
    std::error_code error;
    llvm::raw_fd_ostream file(path, error);
    ASSERT_FALSE(error) << error.message();
    file << "[model]\nonnx = \"mlp.onnx\"\n[run]\nsteps = 7\n";
  }
  llvm::Expected<TrainConfig> config = parseTrainConfig(path);
  llvm::sys::fs::remove_directories(directory);
  ASSERT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  llvm::SmallString<128> onnx(directory);
  llvm::sys::path::append(onnx, "mlp.onnx");
  EXPECT_EQ(config->onnx, onnx.str());
  EXPECT_EQ(config->steps, 7);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(TrainConfigTest, MissingFile) {
  llvm::Expected<TrainConfig> config =
      parseTrainConfig("/nonexistent/marthe/train.toml");
  ASSERT_FALSE(static_cast<bool>(config));
  EXPECT_EQ(llvm::toString(config.takeError()),
            "/nonexistent/marthe/train.toml: error: cannot open file");
}

TEST(TrainConfigTest, SyntaxError) {
  EXPECT_EQ(errorOf("[data]\nbatch_size = \n"),
            "train.toml:2:14: error: Error while parsing key-value pair: "
            "expected value, saw '\\n'");
}

TEST(TrainConfigTest, UnknownValue) {
  EXPECT_EQ(errorOf("[schedule]\nkind = \"cosine\""),
            "train.toml:2:8: error: [schedule] kind: unknown value \"cosine\" "
            "(expected one of: marthe, hd, rtho, constant, exponential, "
            "staircase, sgdr)");
  EXPECT_EQ(errorOf("[run]\ndevice = \"gpu\""),
            "train.toml:2:10: error: [run] device: unknown value \"gpu\" "
            "(expected one of: cpu, cuda)");
}

TEST(TrainConfigTest, IntegerOutOfRange) {
  EXPECT_EQ(errorOf("[data]\n\nbatch_size = 0"),
            "train.toml:3:14: error: [data] batch_size: expected an integer "
            "in [1, 16777216], got 0");
  EXPECT_EQ(errorOf("[run]\nseed = -1"),
            "train.toml:2:8: error: [run] seed: expected an integer >= 0, got "
            "-1");
}

TEST(TrainConfigTest, NumberOutOfRange) {
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"momentum\"\nmomentum = 1.0"),
            "train.toml:3:12: error: [optimizer] momentum: expected a number "
            "in [0, 1), got 1");
  EXPECT_EQ(errorOf("[schedule]\neta0 = 0"),
            "train.toml:2:8: error: [schedule] eta0: expected a number > 0, "
            "got 0");
  EXPECT_EQ(errorOf("[schedule]\ndecay = 1.5"),
            "train.toml:2:9: error: [schedule] decay: expected a number in "
            "(0, 1], got 1.5");
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"adam\"\nbeta2 = 9223372036854775807"),
            "train.toml:3:9: error: [optimizer] beta2: expected a number in "
            "[0, 1), got 9223372036854775807");
  EXPECT_EQ(errorOf("[loss]\nweight_decay = nan"),
            "train.toml:2:16: error: [loss] weight_decay: expected a number "
            ">= 0, got nan");
}

TEST(TrainConfigTest, WrongType) {
  EXPECT_EQ(errorOf("[schedule]\neta0 = \"0.1\""),
            "train.toml:2:8: error: [schedule] eta0: expected a number, got "
            "string");
  EXPECT_EQ(errorOf("[run]\nsteps = 1.5"),
            "train.toml:2:9: error: [run] steps: expected an integer, got "
            "float");
  EXPECT_EQ(errorOf("[run]\nout = 3"),
            "train.toml:2:7: error: [run] out: expected a string, got integer");
}

TEST(TrainConfigTest, UnknownKey) {
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"momentum\"\n\n\nmomentun = 0.5"),
            "train.toml:5:1: error: [optimizer] momentun: unknown key for kind = \"momentum\" "
            "(expected one of: kind, momentum)");
  // A hyperparameter of another kind, given before the kind.
  EXPECT_EQ(errorOf("[optimizer]\nd0 = 1e-6\nkind = \"adam\""),
            "train.toml:2:1: error: [optimizer] d0: unknown key for kind = \"adam\" "
            "(expected one of: kind, beta1, beta2, epsilon)");
}

// Each kind's hyperparameters under its package's names; eta0 defaults to
// the package's lr.
TEST(TrainConfigTest, PeerOptimizers) {
  TrainConfig prodigy = parse("[optimizer]\nbetas = [0.5, 0.75]\nd0 = 1e-4\n"
                              "growth_rate = inf\nsafeguard_warmup = true\nkind = \"prodigy\"");
  EXPECT_EQ(prodigy.optimizer, Optimizer::Prodigy);
  EXPECT_EQ(prodigy.hyperparameters.lookup("beta1"), 0.5);
  EXPECT_EQ(prodigy.hyperparameters.lookup("beta2"), 0.75);
  EXPECT_EQ(prodigy.hyperparameters.lookup("d0"), 1e-4);
  EXPECT_TRUE(std::isinf(prodigy.hyperparameters.lookup("growth_rate")));
  EXPECT_EQ(prodigy.hyperparameters.lookup("safeguard_warmup"), 1.0);
  EXPECT_EQ(prodigy.eta0, 1.0);
  EXPECT_EQ(parse("[optimizer]\nkind = \"schedulefree_adamw\"").eta0, 0.0025);
  EXPECT_EQ(parse("[optimizer]\nkind = \"schedulefree_adamw\"\n[schedule]\neta0 = 0.5").eta0,
            0.5);
  EXPECT_EQ(parse("[optimizer]\nkind = \"schedulefree_sgd\"\nwarmup_steps = 10")
                .hyperparameters.lookup("warmup_steps"),
            10.0);
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"prodigy\"\nbetas = [0.9]"),
            "train.toml:3:9: error: [optimizer] betas: expected an array of 2 numbers, got 1 "
            "elements");
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"prodigy\"\nbetas = [0.9, 1.5]"),
            "train.toml:3:9: error: [optimizer] betas: expected a number in [0, 1) at index 1, "
            "got 1.5");
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"prodigy\"\ndecouple = 1"),
            "train.toml:3:12: error: [optimizer] decouple: expected true or false, got integer");
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"ldog\"\neps = 0"),
            "train.toml:3:7: error: [optimizer] eps: expected a number > 0, got 0");
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"schedulefree_sgd\"\nwarmup_steps = 1.5"),
            "train.toml:3:16: error: [optimizer] warmup_steps: expected an integer, got float");
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"adagrad\""),
            "train.toml:2:8: error: [optimizer] kind: unknown value \"adagrad\" (expected one "
            "of: sgd, momentum, adam, prodigy, dadapt_adam, schedulefree_sgd, "
            "schedulefree_adamw, ldog)");
}

TEST(TrainConfigTest, UnknownTable) {
  EXPECT_EQ(errorOf("[run]\nsteps = 10\n\n[optimiser]\nkind = \"sgd\""),
            "train.toml:4:1: error: [optimiser]: unknown table (expected one "
            "of: model, data, loss, optimizer, schedule, run)");
}

TEST(TrainConfigTest, KeyOutsideAnyTable) {
  EXPECT_EQ(errorOf("steps = 10\n[run]"),
            "train.toml:1:1: error: steps: key outside any table (expected one "
            "of the tables: model, data, loss, optimizer, schedule, run)");
  EXPECT_EQ(errorOf("run = 10"),
            "train.toml:1:7: error: [run]: expected a table, got integer");
  EXPECT_EQ(errorOf("[[loss]]\nkind = \"cross_entropy\""),
            "train.toml:1:1: error: [loss]: expected a table, got array");
}

TEST(TrainConfigTest, BadSplit) {
  EXPECT_EQ(errorOf("[data]\ntrain = \"training\""),
            "train.toml:2:9: error: [data] train: unknown value \"training\" "
            "(expected \"train\" or \"test\", optionally sliced as "
            "\"train[begin:end]\")");
  EXPECT_EQ(errorOf("[data]\nvalidation = \"train[7700:7000]\""),
            "train.toml:2:14: error: [data] validation: empty slice "
            "\"train[7700:7000]\" (expected begin < end)");
}

// A sliced training or validation split smaller than a batch is refused at
// its key (it was accepted).
TEST(TrainConfigTest, SplitSmallerThanABatch) {
  EXPECT_EQ(errorOf("[data]\nbatch_size = 100\nvalidation = \"train[0:50]\""),
            "train.toml:3:14: error: [data] validation: \"train[0:50]\" holds 50 samples, "
            "fewer than batch_size 100");
  EXPECT_EQ(errorOf("[data]\ntrain = \"test[10:20]\"\nbatch_size = 16"),
            "train.toml:2:9: error: [data] train: \"test[10:20]\" holds 10 samples, "
            "fewer than batch_size 16");
  EXPECT_EQ(parse("[data]\nbatch_size = 10\ntrain = \"train[0:10]\"\ntest = \"test[0:1]\"").test,
            "test[0:1]");
}

// A control character, or a code point toml++ 3.3's whitespace test has
// undefined behaviour on, is refused by position before toml++ reads the
// text; a table name that starts with none of a key's characters is an error,
// not an assertion of toml++ (all found by the config fuzzer).
TEST(TrainConfigTest, CharactersTomlxxMustNotSee) {
  EXPECT_EQ(errorOf("# ok\n[\x01schedule]\n"),
            "train.toml:2:2: error: control character U+0001 (not allowed in TOML)");
  EXPECT_EQ(errorOf("[run]\nout = \"\xe4\xb8\x80\x7f\"\n"),
            "train.toml:2:9: error: control character U+007F (not allowed in TOML)");
  EXPECT_EQ(parse("[run]\t# tab\r\nsteps = 3\n").steps, 3);
  // Code points toml++ 3.3 mishandles, anywhere; others in strings.
  EXPECT_EQ(errorOf("[run]\nsteps = 3 \xef\xb3\xbf\n"),
            "train.toml:2:11: error: character U+FCFF is not supported in a config (toml++ 3.3 "
            "mishandles U+00A1-U+0499, U+2C5E-U+3057 and U+FB26-U+FEFE)");
  EXPECT_EQ(errorOf("[run]\nout = \"r\xc3\xa9\"\n").substr(0, 48),
            "train.toml:2:9: error: character U+00E9 is not s");
  EXPECT_EQ(parse("# \xe4\xb8\x80\n[run]\nout = \"\xe4\xb8\x80\xe3\x80\x80\"\n").out,
            "\xe4\xb8\x80\xe3\x80\x80");
  EXPECT_EQ(errorOf("[ #run]\n"), "train.toml:1:3: error: Error while parsing key: expected bare "
                                  "key starting character or string delimiter, saw '#'");
}

TEST(TrainConfigTest, EmptyOnnxPath) {
  EXPECT_EQ(errorOf("[model]\nonnx = \"\""),
            "train.toml:2:8: error: [model] onnx: expected a non-empty path");
}

TEST(TrainConfigTest, AllErrorsAreReportedTableByTable) {
  EXPECT_EQ(errorOf("[schedule]\neta0 = -1\n[data]\nbatch_size = 0\n"
                    "[schedule.extra]\n"),
            "train.toml:2:8: error: [schedule] eta0: expected a number > 0, "
            "got -1\n"
            "train.toml:5:11: error: [schedule] extra: unknown key (expected "
            "one of: kind, eta0, beta, beta_step, mu, decay, decay_steps, t0, t_mult, "
            "rollback, beta_step_start, beta_step_cut, reset_beta, relative)\n"
            "train.toml:4:14: error: [data] batch_size: expected an integer "
            "in [1, 16777216], got 0");
}

} // namespace

TEST(TrainConfigDataTest, PreprocessingKeys) {
  TrainConfig c = parse("[data]\nmean = [0.5, 1]\nstd = [0.25, 2]\ncrop_padding = 4\nflip = true");
  EXPECT_EQ(c.augment.mean, (std::vector<double>{0.5, 1}));
  EXPECT_EQ(c.augment.std, (std::vector<double>{0.25, 2}));
  EXPECT_EQ(c.augment.cropPadding, 4);
  EXPECT_TRUE(c.augment.flip);
  EXPECT_EQ(errorOf("[data]\nstd = [1, 0]"),
            "train.toml:2:7: error: [data] std: expected numbers > 0, got 0 at index 1");
  EXPECT_EQ(errorOf("[data]\nmean = []"),
            "train.toml:2:8: error: [data] mean: expected a non-empty array of numbers, got an "
            "empty array");
  EXPECT_EQ(errorOf("[data]\nmean = [1, \"x\"]"),
            "train.toml:2:8: error: [data] mean: expected numbers, got string at index 1");
  EXPECT_EQ(errorOf("[data]\nflip = 1"),
            "train.toml:2:8: error: [data] flip: expected true or false, got integer");
  EXPECT_EQ(errorOf("[data]\ncrop_padding = -1"),
            "train.toml:2:16: error: [data] crop_padding: expected an integer >= 0, got -1");
}

TEST(TrainConfigDataTest, FileDatasetsNameTheirFilesRelativeToTheConfig) {
  llvm::Expected<TrainConfig> c = parseTrainConfigText(
      "[data]\ndataset = \"npy\"\ntrain_images = \"x.npy\"\ntrain_labels = \"/abs/y.npy\"\n"
      "test_images = \"tx.npy\"\ntest_labels = \"ty.npy\"",
      "/runs/train.toml");
  ASSERT_TRUE(bool(c)) << llvm::toString(c.takeError());
  EXPECT_EQ(c->data.trainImages, "/runs/x.npy");
  EXPECT_EQ(c->data.trainLabels, "/abs/y.npy");
  EXPECT_EQ(errorOf("[data]\ndataset = \"idx\"\ntrain_images = \"x\"\ntrain_labels = \"y\""),
            "train.toml: error: [data] test_images: required when dataset = \"idx\"");
  EXPECT_EQ(errorOf("[data]\ndataset = \"cifar10\"\ntest_images = \"x\""),
            "train.toml:3:15: error: [data] test_images: only for dataset = \"idx\" or \"npy\" "
            "(dataset is \"cifar10\")");
  EXPECT_EQ(errorOf("[data]\ndataset = \"imagenet\""),
            "train.toml:2:11: error: [data] dataset: unknown value \"imagenet\" (expected one of: "
            "fashion-mnist, mnist, cifar10, cifar100, idx, npy)");
}

//===----------------------------------------------------------------------===//
// The run options (runtime/RunOptions.h): every one is a TOML key
//===----------------------------------------------------------------------===//

namespace {

/// A value of \p info's domain other than the default, in TOML.
template <typename T> std::string otherValue(const T &value, const rt::OptionInfo &info) {
  if constexpr (std::is_same_v<T, bool>)
    return value ? "false" : "true";
  else if constexpr (std::is_integral_v<T>)
    return std::to_string(value + 3);
  else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::optional<double>>)
    return info.range.contains(0.625) ? "0.625" : "3.5";
  else if constexpr (std::is_same_v<T, std::vector<double>>)
    return "[0.5, 0.25]";
  else if (info.text == rt::TextKind::Path)
    return "\"/other/" + std::string(info.key) + "\"";
  else if (info.text == rt::TextKind::Split)
    return "\"test[" + std::to_string(std::strlen(info.key)) + ":999]\"";
  else
    return "\"" + std::string(value == info.choices.back() ? info.choices.front()
                                                            : info.choices.back()) + "\"";
}

} // namespace

// Each run option read from its TOML key lands in its own field: a config
// giving every option another value writes the JSON the trainer reads with
// exactly those values (and the trainer's flags take the same values).
TEST(RunOptionsTest, EveryOptionIsReadFromItsTomlKey) {
  rt::RunOptions defaults;
  std::map<std::string, std::string> tables;
  rt::forEachRunOption(defaults, [&](const auto &value, const rt::OptionInfo &info) {
    tables[info.table] += std::string(info.key) + " = " + otherValue(value, info) + "\n";
  });
  std::string text;
  for (const auto &[table, keys] : tables)
    text += "[" + table + "]\n" + keys;
  TrainConfig config = parse(text);
  rt::RunOptions expected;
  rt::forEachRunOption(expected, [&](auto &value, const rt::OptionInfo &info) {
    std::string other = otherValue(value, info);
    if (info.flag) {
      std::string flagValue = other.front() == '"' ? other.substr(1, other.size() - 2)
                              : other == "true"    ? "yes"
                              : other == "false"   ? "no"
                                                   : other;
      EXPECT_TRUE(rt::applyRunOption(expected, info.flag, flagValue)) << info.flag;
    }
  });
  nlohmann::json read = nlohmann::json::parse(rt::runOptionsJson(config));
  nlohmann::json flagged = nlohmann::json::parse(rt::runOptionsJson(expected));
  nlohmann::json defaultsJson = nlohmann::json::parse(rt::runOptionsJson(defaults));
  rt::forEachRunOption(defaults, [&](const auto &, const rt::OptionInfo &info) {
    EXPECT_NE(read[info.json], defaultsJson[info.json]) << info.key << " kept its default";
    if (info.flag)
      EXPECT_EQ(read[info.json], flagged[info.json]) << info.flag << " differs from " << info.key;
  });
}

// A package option of which marthe implements only the default is refused
// where the config gives it.
TEST(TrainConfigTest, UnimplementedHyperparameterValuesNameTheKey) {
  EXPECT_EQ(errorOf("[optimizer]\nkind = \"schedulefree_adamw\"\nr = 0.5\n"),
            "train.toml:3:5: error: [optimizer] r: expected 0 (the only value marthe "
            "implements), got 0.5");
  EXPECT_EQ(parse("[optimizer]\nkind = \"schedulefree_sgd\"\nr = 0\n").hyperparameters.lookup("r"),
            0.0);
}
