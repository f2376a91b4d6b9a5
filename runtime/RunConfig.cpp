#include "runtime/RunConfig.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

namespace marthe::rt {

bool isHypergradientSchedule(const std::string &kind) {
  return kind == "marthe" || kind == "hd" || kind == "rtho";
}

RunConfig runConfigFromJson(const std::string &text) {
  RunConfig c;
  readRunOptionsJson(text, c);
  nlohmann::json j = nlohmann::json::parse(text);
  c.optimizer = j.value("optimizer", c.optimizer);
  c.relative = j.value("relative", c.relative);
  c.hyperparametersJson = j.value("hyperparameters", nlohmann::json::object()).dump();
  return c;
}

RunConfig defaultRunConfig(const ProgramSpec &program) {
  return runConfigFromJson(program.configJson);
}

std::string runConfigToJson(const RunConfig &c) {
  nlohmann::json j = nlohmann::json::parse(runOptionsJson(c));
  j["optimizer"] = c.optimizer;
  j["relative"] = c.relative;
  j["hyperparameters"] = nlohmann::json::parse(c.hyperparametersJson);
  return j.dump();
}

std::string buildFingerprint(const ProgramSpec &program) {
  nlohmann::json j = nlohmann::json::parse(program.configJson);
  return j.contains("build") ? j["build"].value("fingerprint", "") : "";
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
    if (!findRunOption(flag))
      throw Error("unknown option " + flag + " (see --help)");
    if (!hasInlineValue && i + 1 >= argc)
      throw Error("option " + flag + ": missing value (see --help)");
    if (!hasInlineValue)
      value = argv[++i];
    applyRunOption(c, flag, value);
    c.given.emplace_back(flag, value);
  }
}

static std::string describeMu(const std::string &mode) {
  return mode == "adaptive" ? "adaptive mu" : mode == "zero" ? "mu = 0" : "a fixed mu";
}

void validateRunConfig(const ProgramSpec &program, const RunConfig &c) {
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
