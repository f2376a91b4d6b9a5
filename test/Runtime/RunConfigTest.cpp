#include "runtime/RunConfig.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <vector>

using namespace marthe::rt;

namespace {

const char *kConfigJson = R"({"dataset": "fashion-mnist", "data_dir": "/data", "train_images": "", "train_labels": "", "test_images": "", "test_labels": "", "mean": [], "std": [], "crop_padding": 0, "flip": false, "train": "train[0:70]", "validation": "train[70:77]",
  "test": "test", "order": "shuffle", "validation_order": "sequential", "schedule": "marthe", "out": "runs/x", "steps": 512,
  "log_every": 16, "decay_steps": 100, "t0": 100, "seed": 0, "eta0": 0.01, "beta": 0.0,
  "decay": 0.99, "t_mult": 2.0, "init": "onnx", "mu_mode": "adaptive", "beta_step": "auto",
  "mu": "adaptive"})";

ProgramSpec program() {
  ProgramSpec spec{};
  spec.configJson = kConfigJson;
  return spec;
}

void apply(RunConfig &config, std::vector<const char *> args) {
  args.insert(args.begin(), "trainer");
  applyCommandLine(config, int(args.size()), const_cast<char **>(args.data()));
}

std::string errorOf(RunConfig config, std::vector<const char *> args) {
  try {
    apply(config, args);
    validateRunConfig(program(), config);
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

TEST(RunConfig, DefaultsComeFromTheProgram) {
  RunConfig config = defaultRunConfig(program());
  EXPECT_EQ(config.train, "train[0:70]");
  EXPECT_EQ(config.steps, 512);
  EXPECT_FALSE(config.betaStep.has_value());
  EXPECT_FALSE(config.mu.has_value());
}

TEST(RunConfig, CommandLineOverridesTheSchedulesNumbers) {
  RunConfig config = defaultRunConfig(program());
  apply(config, {"--steps", "64", "--seed", "3", "--out", "/tmp/r", "--eta0", "0.1", "--beta0",
                 "1e-4", "--beta-step", "1e-6", "--order", "sequential", "--quiet"});
  EXPECT_EQ(config.steps, 64);
  EXPECT_EQ(config.seed, 3u);
  EXPECT_EQ(config.out, "/tmp/r");
  EXPECT_EQ(config.eta0, 0.1);
  EXPECT_EQ(config.beta0, 1e-4);
  EXPECT_EQ(config.betaStep, 1e-6);
  EXPECT_EQ(config.order, "sequential");
  EXPECT_TRUE(config.quiet);
  apply(config, {"--beta-step", "auto"});
  EXPECT_FALSE(config.betaStep.has_value());
  apply(config, {"--steps=5", "--out=/tmp/a=b", "--beta-step=2e-7"});
  EXPECT_EQ(config.steps, 5);
  EXPECT_EQ(config.out, "/tmp/a=b");
  EXPECT_EQ(config.betaStep, 2e-7);
}

TEST(RunConfig, BadValuesNameTheFlag) {
  RunConfig config = defaultRunConfig(program());
  EXPECT_EQ(errorOf(config, {"--steps", "1.5"}),
            "option --steps: expected an integer >= 1, got '1.5'");
  EXPECT_EQ(errorOf(config, {"--steps", "1e30"}),
            "option --steps: expected an integer >= 1, got '1e30'");
  EXPECT_EQ(errorOf(config, {"--seed", "-1"}), "option --seed: expected an integer >= 0, got '-1'");
  EXPECT_EQ(errorOf(config, {"--eta0", "fast"}), "option --eta0: expected a number, got 'fast'");
  EXPECT_EQ(errorOf(config, {"--eta0"}), "option --eta0: missing value (see --help)");
  EXPECT_EQ(errorOf(config, {"--speed", "1"}), "unknown option --speed (see --help)");
  EXPECT_EQ(errorOf(config, {"--steps=x"}), "option --steps: expected a number, got 'x'");
  EXPECT_EQ(errorOf(config, {"--quiet=yes"}), "option --quiet takes no value");
  EXPECT_EQ(errorOf(config, {"--schedule", "cosine"}),
            "option --schedule: expected one of marthe, hd, rtho, constant, exponential, "
            "staircase, sgdr, got 'cosine'");
  EXPECT_EQ(errorOf(config, {"--mu", "1.5"}),
            "option --mu: expected a number in [0, 1] or adaptive, got '1.5'");
  EXPECT_EQ(errorOf(config, {"--beta-step-cut", "1"}),
            "option --beta-step-cut: expected a number > 1, got '1'");
  EXPECT_EQ(errorOf(config, {"--reset-beta", "maybe"}),
            "option --reset-beta: expected yes or no, got 'maybe'");
}

TEST(RunConfig, FixedMuNeedsAFixedMuBuild) {
  RunConfig config = defaultRunConfig(program());
  EXPECT_EQ(errorOf(config, {"--mu", "0.9"}),
            "this executable was compiled with adaptive mu but this run needs a fixed mu: "
            "recompile with marthe-compile");
  EXPECT_EQ(errorOf(config, {"--schedule", "hd"}),
            "this executable was compiled with adaptive mu but this run needs mu = 0: "
            "recompile with marthe-compile");
  EXPECT_EQ(errorOf(config, {"--schedule", "constant"}), "");
}

// A run's options survive the checkpoint: every setting, the run's own
// (rollback policy) included, reads back as it was written.
TEST(RunConfig, JsonRoundTrip) {
  RunConfig config = defaultRunConfig(program());
  apply(config, {"--steps", "3000", "--eta0", "0.02", "--beta-step", "1e-4", "--mu", "0.5",
                 "--rollback", "latest", "--reset-beta", "no", "--beta-step-cut", "4"});
  RunConfig back = runConfigFromJson(runConfigToJson(config));
  EXPECT_EQ(back.steps, 3000);
  EXPECT_EQ(back.eta0, 0.02);
  EXPECT_EQ(back.betaStep, 1e-4);
  EXPECT_EQ(back.mu, 0.5);
  EXPECT_EQ(back.rollbackTo, "latest");
  EXPECT_FALSE(back.resetBeta);
  EXPECT_EQ(back.betaStepCut, 4);
  EXPECT_EQ(runConfigToJson(back), runConfigToJson(config));
  std::vector<std::string> flags;
  for (const auto &given : config.given)
    flags.push_back(given.first);
  EXPECT_EQ(flags, (std::vector<std::string>{"--steps", "--eta0", "--beta-step", "--mu",
                                             "--rollback", "--reset-beta", "--beta-step-cut"}));
}

} // namespace
