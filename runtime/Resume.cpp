#include "runtime/Resume.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace marthe::rt {
namespace {

/// What a run writes into its directory.
const char *const kRunOutputs[] = {"checkpoint.bin", "metrics.csv", "summary.json",
                                   "model.onnx", "schedule.svg"};

/// The options of the command line that may differ from the checkpoint's.
bool mayDiffer(const std::string &flag) {
  return flag == "--out" || flag == "--data-dir" || flag == "--steps" || flag == "--log-every";
}

/// The key runConfigToJson gives the setting of `flag`.
std::string jsonKey(const std::string &flag) {
  static const std::pair<const char *, const char *> kKeys[] = {
      {"--beta0", "beta"}};
  for (auto [from, to] : kKeys)
    if (flag == from)
      return to;
  std::string key = flag.substr(2);
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

/// Refuses an option given now with another value than the checkpoint's.
void checkAgrees(const RunConfig &now, const nlohmann::json &recorded, const std::string &path) {
  nlohmann::json current = nlohmann::json::parse(runConfigToJson(now));
  for (const std::string &flag : now.given) {
    std::string key = jsonKey(flag);
    if (mayDiffer(flag) || !recorded.contains(key) || recorded[key] == current[key])
      continue;
    throw Error("option " + flag + " " + current[key].dump() + " conflicts with " + path +
                ", whose run has " + recorded[key].dump() +
                ": resume without it (the run continues with its own options)");
  }
}

} // namespace

std::string checkpointPath(const RunConfig &config) { return config.out + "/checkpoint.bin"; }

std::optional<Checkpoint> resumeRun(const ProgramSpec &program, RunConfig &config) {
  if (!config.resume)
    return std::nullopt;
  std::string path = checkpointPath(config);
  if (!std::filesystem::exists(path)) {
    if (!config.quiet)
      std::fprintf(stderr, "no checkpoint in %s: starting from step 0\n", config.out.c_str());
    return std::nullopt;
  }
  Checkpoint checkpoint = readCheckpoint(path);
  std::string build = buildFingerprint(program);
  if (checkpoint.build != build)
    throw Error(path + " was written by another build of the trainer (" +
                (checkpoint.build.empty() ? "none" : checkpoint.build) + ", this one is " +
                (build.empty() ? "none" : build) +
                "): resume with the executable that started the run");
  nlohmann::json recorded = nlohmann::json::parse(checkpoint.options);
  checkAgrees(config, recorded, path);
  RunConfig resumed = runConfigFromJson(checkpoint.options);
  // Every option the command line does not give is the interrupted run's.
  resumed.out = config.out;
  resumed.quiet = config.quiet;
  resumed.resume = true;
  resumed.given = config.given;
  for (const std::string &flag : config.given) {
    if (flag == "--steps")
      resumed.steps = config.steps;
    if (flag == "--log-every")
      resumed.logEvery = config.logEvery;
    if (flag == "--data-dir")
      resumed.data.dir = config.data.dir;
  }
  config = resumed;
  if (checkpoint.nextStep > config.steps)
    throw Error(path + ": the checkpoint is at step " + std::to_string(checkpoint.nextStep) +
                ", past --steps " + std::to_string(config.steps));
  if (!config.quiet)
    std::fprintf(stderr, "resuming from step %lld of %lld\n", (long long)checkpoint.nextStep,
                 (long long)config.steps);
  return checkpoint;
}

void claimOutputDirectory(const RunConfig &config) {
  std::vector<std::string> found;
  for (const char *name : kRunOutputs)
    if (std::filesystem::exists(config.out + "/" + name))
      found.push_back(name);
  if (found.empty())
    return;
  if (!config.overwrite) {
    std::string names;
    for (const std::string &name : found)
      names += (names.empty() ? "" : ", ") + name;
    throw Error(config.out + " holds the outputs of another run (" + names +
                "): continue it with --resume, replace it with --overwrite, or choose another "
                "--out");
  }
  for (const std::string &name : found) {
    std::error_code error;
    std::filesystem::remove(config.out + "/" + name, error);
    if (error)
      throw Error(config.out + "/" + name + ": cannot remove: " + error.message());
  }
}

} // namespace marthe::rt
