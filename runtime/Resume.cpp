#include "runtime/Resume.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace marthe::rt {
namespace {

/// What a run writes into its directory.
const char *const kRunOutputs[] = {"checkpoint.bin", "metrics.csv", "summary.json",
                                   "model.onnx", "schedule.svg"};

/// Refuses an option given now with another value than the checkpoint's,
/// unless --resume takes it over the checkpoint's (OptionInfo::resumable).
void checkAgrees(const RunConfig &now, const nlohmann::json &recorded, const std::string &path) {
  nlohmann::json current = nlohmann::json::parse(runConfigToJson(now));
  for (const auto &given : now.given) {
    const OptionInfo *info = findRunOption(given.first);
    std::string key = info->json;
    if (info->resumable || !recorded.contains(key) || recorded[key] == current[key])
      continue;
    throw Error("option " + given.first + " " + current[key].dump() + " conflicts with " + path +
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
  // Every option the command line does not give is the interrupted run's.
  RunConfig resumed = runConfigFromJson(checkpoint.options);
  for (const auto &[flag, value] : config.given)
    applyRunOption(resumed, flag, value);
  resumed.out = config.out; // where the checkpoint was found
  resumed.quiet = config.quiet;
  resumed.resume = true;
  resumed.given = config.given;
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
