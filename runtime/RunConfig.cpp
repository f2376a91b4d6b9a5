#include "runtime/RunConfig.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace marthe::rt {

bool isHypergradientSchedule(const std::string &kind) {
  return kind == "marthe" || kind == "hd" || kind == "rtho";
}

/// `j` read into `c`: the keys of the compiled-in defaults, then those only a
/// run records (runConfigToJson), where present.
static RunConfig runConfigFromJson(const nlohmann::json &j) {
  RunConfig c;
  c.data = {j.at("dataset"),      j.at("data_dir"),    j.at("train_images"),
            j.at("train_labels"), j.at("test_images"), j.at("test_labels")};
  c.train = j.at("train"), c.validation = j.at("validation");
  c.augment = {j.at("mean").get<std::vector<double>>(), j.at("std").get<std::vector<double>>(),
               j.at("crop_padding"), j.at("flip")};
  c.test = j.at("test"), c.order = j.at("order"), c.validationOrder = j.at("validation_order"), c.schedule = j.at("schedule");
  c.out = j.at("out");
  c.steps = j.at("steps"), c.logEvery = j.at("log_every"), c.decaySteps = j.at("decay_steps");
  c.sgdrT0 = j.at("t0"), c.seed = j.at("seed"), c.eta0 = j.at("eta0"), c.beta0 = j.at("beta");
  c.decay = j.at("decay"), c.sgdrTMult = j.at("t_mult");
  if (j.at("beta_step").is_number())
    c.betaStep = j.at("beta_step").get<double>();
  if (j.at("mu").is_number())
    c.mu = j.at("mu").get<double>();
  c.seededInit = j.at("init") == "seeded";
  c.optimizer = j.value("optimizer", c.optimizer);
  c.relative = j.value("relative", c.relative);
  c.hyperparametersJson = j.value("hyperparameters", nlohmann::json::object()).dump();
  c.rollbackTo = j.value("rollback", c.rollbackTo);
  c.betaStepStart = j.value("beta_step_start", c.betaStepStart);
  c.betaStepCut = j.value("beta_step_cut", c.betaStepCut);
  c.resetBeta = j.value("reset_beta", c.resetBeta);
  return c;
}

RunConfig defaultRunConfig(const ProgramSpec &program) {
  return runConfigFromJson(nlohmann::json::parse(program.configJson));
}

RunConfig runConfigFromJson(const std::string &text) {
  return runConfigFromJson(nlohmann::json::parse(text));
}

std::string runConfigToJson(const RunConfig &c) {
  nlohmann::json j = {
      {"dataset", c.data.kind},            {"data_dir", c.data.dir},
      {"train_images", c.data.trainImages}, {"train_labels", c.data.trainLabels},
      {"test_images", c.data.testImages},   {"test_labels", c.data.testLabels},
      {"mean", c.augment.mean},             {"std", c.augment.std},
      {"crop_padding", c.augment.cropPadding}, {"flip", c.augment.flip},
      {"train", c.train},                   {"validation", c.validation},
      {"test", c.test},                     {"order", c.order},
      {"validation_order", c.validationOrder}, {"schedule", c.schedule},
      {"out", c.out},                       {"steps", c.steps},
      {"log_every", c.logEvery},            {"decay_steps", c.decaySteps},
      {"t0", c.sgdrT0},                     {"seed", c.seed},
      {"eta0", c.eta0},                     {"beta", c.beta0},
      {"decay", c.decay},                   {"t_mult", c.sgdrTMult},
      {"init", c.seededInit ? "seeded" : "onnx"},
      {"rollback", c.rollbackTo},           {"beta_step_start", c.betaStepStart},
      {"beta_step_cut", c.betaStepCut},     {"reset_beta", c.resetBeta}};
  j["beta_step"] = c.betaStep ? nlohmann::json(*c.betaStep) : nlohmann::json("auto");
  j["mu"] = c.mu ? nlohmann::json(*c.mu) : nlohmann::json("adaptive");
  j["optimizer"] = c.optimizer;
  j["relative"] = c.relative;
  j["hyperparameters"] = nlohmann::json::parse(c.hyperparametersJson);
  return j.dump();
}

std::string buildFingerprint(const ProgramSpec &program) {
  nlohmann::json j = nlohmann::json::parse(program.configJson);
  return j.contains("build") ? j["build"].value("fingerprint", "") : "";
}

static double parseNumber(const std::string &flag, const std::string &text) {
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value))
    throw Error("option " + flag + ": expected a number, got '" + text + "'");
  return value;
}

/// An integer in [lowest, 2^53] (beyond that doubles skip integers).
static int64_t parseInteger(const std::string &flag, const std::string &text, int64_t lowest) {
  double value = parseNumber(flag, text);
  if (value < lowest || value > 9007199254740992.0 || value != std::floor(value))
    throw Error("option " + flag + ": expected an integer >= " + std::to_string(lowest) +
                ", got '" + text + "'");
  return int64_t(value);
}

static int64_t parseCount(const std::string &flag, const std::string &text) {
  return parseInteger(flag, text, 1);
}

void applyCommandLine(RunConfig &c, int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i], value;
    // --flag=value and --flag value alike.
    size_t equals = flag.find('=');
    bool hasInlineValue = flag.rfind("--", 0) == 0 && equals != std::string::npos;
    if (hasInlineValue) {
      value = flag.substr(equals + 1);
      flag.resize(equals);
    }
    if (flag == "--quiet" || flag == "--resume" || flag == "--overwrite") {
      if (hasInlineValue)
        throw Error("option " + flag + " takes no value");
      (flag == "--quiet" ? c.quiet : flag == "--resume" ? c.resume : c.overwrite) = true;
      continue;
    }
    if (!hasInlineValue && i + 1 >= argc)
      throw Error("option " + flag + ": missing value (see --help)");
    if (!hasInlineValue)
      value = argv[++i];
    c.given.push_back(flag);
    if (flag == "--steps")
      c.steps = parseCount(flag, value);
    else if (flag == "--seed")
      c.seed = uint64_t(parseInteger(flag, value, 0));
    else if (flag == "--out")
      c.out = value;
    else if (flag == "--eta0")
      c.eta0 = parseNumber(flag, value);
    else if (flag == "--beta0")
      c.beta0 = parseNumber(flag, value);
    else if (flag == "--beta-step")
      c.betaStep = value == "auto" ? std::nullopt : std::optional(parseNumber(flag, value));
    else if (flag == "--mu")
      c.mu = value == "adaptive" ? std::nullopt : std::optional(parseNumber(flag, value));
    else if (flag == "--schedule")
      c.schedule = value;
    else if (flag == "--data-dir")
      c.data.dir = value;
    else if (flag == "--order")
      c.order = value;
    else if (flag == "--validation-order")
      c.validationOrder = value;
    else if (flag == "--reset-beta")
      c.resetBeta = value == "yes" ? true : value == "no" ? false
                  : throw Error("option --reset-beta: expected yes or no, got '" + value + "'");
    else if (flag == "--rollback")
      c.rollbackTo = value;
    else if (flag == "--beta-step-start")
      c.betaStepStart = parseNumber(flag, value);
    else if (flag == "--beta-step-cut")
      c.betaStepCut = parseNumber(flag, value);
    else if (flag == "--statistics-batches")
      c.statisticsBatches = parseInteger(flag, value, 0);
    else if (flag == "--log-every")
      c.logEvery = parseCount(flag, value);
    else
      throw Error("unknown option " + flag + " (see --help)");
  }
}

static std::string describeMu(const std::string &mode) {
  return mode == "adaptive" ? "adaptive mu" : mode == "zero" ? "mu = 0" : "a fixed mu";
}

void validateRunConfig(const ProgramSpec &program, const RunConfig &c) {
  static const char *kSchedules[] = {"marthe", "hd", "rtho", "constant", "exponential",
                                     "staircase", "sgdr"};
  if (std::find(std::begin(kSchedules), std::end(kSchedules), c.schedule) == std::end(kSchedules))
    throw Error("unknown schedule '" + c.schedule +
                "' (expected marthe, hd, rtho, constant, exponential, staircase or sgdr)");
  for (const std::string *order : {&c.order, &c.validationOrder})
    if (*order != "shuffle" && *order != "sequential")
      throw Error("unknown order '" + *order + "' (expected shuffle or sequential)");
  if (c.rollbackTo != "latest" && c.rollbackTo != "previous")
    throw Error("unknown rollback target '" + c.rollbackTo + "' (expected latest or previous)");
  if (!(c.betaStepStart > 0))
    throw Error("the beta_step auto starts from must be > 0");
  if (!(c.betaStepCut > 1))
    throw Error("beta_step cut must be > 1");
  if (c.eta0 < 0 || c.beta0 < 0 || c.betaStep.value_or(0) < 0)
    throw Error("eta0, beta0 and beta_step must be >= 0");
  if (c.mu && (*c.mu < 0 || *c.mu > 1))
    throw Error("mu must be in [0, 1] or adaptive");
  if (!isHypergradientSchedule(c.schedule))
    return;
  // A build with a fixed mu also serves mu = 0; one with mu = 0 skips A Z.
  std::string built = nlohmann::json::parse(program.configJson).at("mu_mode");
  std::string wanted = c.schedule == "hd"     ? "zero"
                       : c.schedule == "rtho" ? "fixed"
                       : !c.mu                ? "adaptive"
                       : *c.mu == 0.0         ? "zero"
                                              : "fixed";
  if (built != wanted && !(built == "fixed" && wanted == "zero"))
    throw Error("this executable was compiled with " + describeMu(built) +
                " but this run needs " + describeMu(wanted) + ": recompile with marthe-compile");
}

} // namespace marthe::rt
