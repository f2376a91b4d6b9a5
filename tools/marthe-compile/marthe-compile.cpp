// marthe-compile: ONNX model (+ TOML training config) -> training executable.

#include "BuildPaths.h"
#include "frontend/OnnxImporter.h"
#include "frontend/TrainConfig.h"
#include "passes/EmitCpp.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;
using namespace marthe;

namespace {

enum class Stage { Import, Step, Cpp, Exe };

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"), cl::init(""));
cl::opt<std::string> configPath("config", cl::desc("training config (TOML)"),
                                cl::value_desc("train.toml"), cl::init(""));
cl::opt<std::string> outputPath("o", cl::desc("output file"), cl::value_desc("path"),
                                cl::init(""));
cl::opt<Stage> emitStage(
    "emit", cl::desc("what to produce"), cl::init(Stage::Exe),
    cl::values(clEnumValN(Stage::Import, "import", "the imported marthe IR"),
               clEnumValN(Stage::Step, "mlir", "the IR after the training pipeline"),
               clEnumValN(Stage::Cpp, "cpp", "the emitted C++"),
               clEnumValN(Stage::Exe, "exe", "the training executable (default)")));
cl::opt<bool> forwardOnly("forward-only",
                          cl::desc("compile @forward alone (inference; with --emit=cpp)"),
                          cl::init(false));
cl::opt<bool> exportDerivatives("export-derivatives",
                                cl::desc("also compile @loss_and_grad and @loss_hvp"),
                                cl::init(false));

int fail(const Twine &message) {
  errs() << "marthe-compile: error: " << message << "\n";
  return 1;
}

Expected<TrainConfig> loadConfig() {
  if (configPath.empty())
    return TrainConfig();
  return parseTrainConfig(configPath);
}

/// Config values that parse but that this compiler cannot build yet.
Error checkSupported(const TrainConfig &config) {
  std::string file = config.sourcePath.empty() ? "<defaults>" : config.sourcePath;
  if (config.device != "cpu")
    return createStringError(inconvertibleErrorCode(),
                             file + ": [run] device: \"" + config.device +
                                 "\" is not supported by the compiler yet (expected cpu)");
  return Error::success();
}

/// How the build treats mu: adapted online, a runtime input, or 0 (HD, where
/// the A Z product is not built at all).
StringRef muMode(const TrainConfig &config) {
  if (config.schedule == ScheduleKind::HD)
    return "zero";
  if (config.schedule != ScheduleKind::Marthe)
    return "fixed";
  if (!config.mu)
    return "adaptive";
  return *config.mu == 0.0 ? "zero" : "fixed";
}

TrainingPipelineOptions pipelineOptions(const TrainConfig &config) {
  TrainingPipelineOptions options;
  options.forwardOnly = forwardOnly;
  options.step.optimizer = toString(config.optimizer).str();
  options.step.weightDecay = config.weightDecay;
  options.step.momentum = config.momentum;
  options.step.beta1 = config.adamBeta1;
  options.step.beta2 = config.adamBeta2;
  options.step.epsilon = config.adamEpsilon;
  options.step.exportDerivatives = exportDerivatives;
  options.schedule.adaptiveMu = muMode(config) == "adaptive";
  options.schedule.zeroMu = muMode(config) == "zero";
  return options;
}

std::string runtimeConfigJson(const TrainConfig &c) {
  json::Object object{
      {"data_dir", c.dataDir}, {"train", c.train}, {"validation", c.validation},
      {"test", c.test}, {"order", toString(c.order)}, {"schedule", toString(c.schedule)},
      {"out", c.out}, {"steps", c.steps}, {"log_every", c.logEvery},
      {"decay_steps", c.decaySteps}, {"t0", c.sgdrT0}, {"seed", int64_t(c.seed)},
      {"eta0", c.eta0}, {"beta", c.beta}, {"decay", c.decay}, {"t_mult", c.sgdrTMult},
      {"init", c.seededInit ? "seeded" : "onnx"}, {"mu_mode", muMode(c)}};
  object["beta_step"] = c.betaStep ? json::Value(*c.betaStep) : json::Value("auto");
  object["mu"] = c.mu ? json::Value(*c.mu) : json::Value("adaptive");
  std::string text;
  raw_string_ostream os(text);
  os << json::Value(std::move(object));
  return text;
}

int writeText(StringRef path, function_ref<LogicalResult(raw_ostream &)> write) {
  std::error_code error;
  ToolOutputFile out(path.empty() ? "-" : path, error, sys::fs::OF_Text);
  if (error)
    return fail(path + ": " + error.message());
  if (failed(write(out.os())))
    return 1;
  out.keep();
  return 0;
}

/// Compiles the emitted C++ with the runtime into `exe`, atomically.
int buildExecutable(StringRef cppPath, StringRef exe) {
  auto compiler = sys::findProgramByName(getenv("CXX") ? getenv("CXX") : "c++");
  if (!compiler)
    return fail("no C++ compiler found (set CXX)");
  std::string partial = (exe + ".partial").str();
  SmallVector<std::string> args{*compiler, "-std=c++17", "-O3", "-march=native",
                                "-I" MARTHE_SOURCE_DIR, cppPath.str(), MARTHE_MAIN_LIBRARY,
                                MARTHE_RUNTIME_LIBRARY, "-o", partial};
  SmallVector<StringRef> flags;
  StringRef(MARTHE_RUNTIME_LINK_FLAGS).split(flags, ' ', -1, false);
  for (StringRef flag : flags)
    args.push_back(flag.str());
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  if (sys::ExecuteAndWait(*compiler, argRefs, std::nullopt, {}, 0, 0, &message) != 0) {
    sys::fs::remove(partial);
    return fail("compiling the generated code failed" + (message.empty() ? "" : ": " + message));
  }
  if (std::error_code error = sys::fs::rename(partial, exe))
    return fail(exe + ": " + error.message());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  registerAllMarthePasses();
  mlir::registerPassManagerCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "marthe-compile: ONNX model -> MARTHE trainer\n");

  if (forwardOnly && emitStage == Stage::Exe)
    return fail("--forward-only builds no trainer: use it with --emit=mlir or --emit=cpp");
  Expected<TrainConfig> config = loadConfig();
  if (!config) {
    // Config errors already read "<file>:<line>:<col>: error: ...".
    errs() << toString(config.takeError()) << "\n";
    return 1;
  }
  if (Error error = checkSupported(*config))
    return fail(toString(std::move(error)));
  std::string model = inputPath.empty() ? config->onnx : inputPath.getValue();
  if (model.empty())
    return fail("no model: give model.onnx or [model] onnx in the config");

  mlir::MLIRContext context;
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  context.printOpOnDiagnostic(false);
  mlir::DialectRegistry registry;
  registerMartheDialects(registry);
  context.appendDialectRegistry(registry);
  auto module = importOnnxFile(&context, model, ImportOptions{config->batchSize});
  if (!module)
    return fail(toString(module.takeError()));
  if (emitStage == Stage::Import)
    return writeText(outputPath, [&](raw_ostream &os) {
      (*module)->print(os);
      return mlir::success();
    });

  mlir::PassManager pm(&context);
  if (failed(mlir::applyPassManagerCLOptions(pm)))
    return 1;
  buildTrainingPipeline(pm, pipelineOptions(*config));
  if (failed(pm.run(**module)))
    return 1;
  if (emitStage == Stage::Step)
    return writeText(outputPath, [&](raw_ostream &os) {
      (*module)->print(os);
      return mlir::success();
    });

  SmallString<256> absoluteModel(model);
  sys::fs::make_absolute(absoluteModel);
  ProgramInfo info{absoluteModel.str().str(), sys::path::filename(model).str(),
                   runtimeConfigJson(*config)};
  auto emit = [&](raw_ostream &os) { return emitCpp(**module, info, os); };
  if (emitStage == Stage::Cpp)
    return writeText(outputPath, emit);

  std::string exe = outputPath.empty() ? (sys::path::stem(model) + "-train").str()
                                       : outputPath.getValue();
  std::string cppPath = exe + ".cpp";
  if (int status = writeText(cppPath, emit))
    return status;
  int status = buildExecutable(cppPath, exe);
  sys::fs::remove(cppPath);
  return status;
}
