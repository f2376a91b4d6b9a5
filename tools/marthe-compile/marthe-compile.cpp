// marthe-compile: ONNX model (+ TOML training config) -> training executable.
// Also takes the .mlir that any --emit stage prints and continues from there.

#include "frontend/OnnxImporter.h"
#include "frontend/TrainConfig.h"
#include "runtime/data/Probe.h"
#include "passes/Passes.h"
#include "target/cpu/CpuTarget.h"
#include "target/cuda/CudaTarget.h"
#include "tools/marthe-compile/Linker.h"

#include "RuntimeLinkFlags.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/xxhash.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <functional>
#include <numeric>

using namespace llvm;
using namespace marthe;

namespace {

/// Compilation stages, in order; --emit stops after one, and an .mlir input
/// is recognized as the output of one.
enum class Stage { Import, Step, Buffers, LLVMDialect, Kernels, LLVMIR, Object, Exe };

constexpr StringLiteral kStageAttr = "marthe.stage";
constexpr StringLiteral kModelAttr = "marthe.model";
/// The device a module past the buffers stage was lowered for.
constexpr StringLiteral kDeviceAttr = "marthe.device";
/// The run defaults of the config the training step was derived with (its
/// "mu_mode" says which step was built), so that a later stage builds a
/// trainer that agrees with the step.
constexpr StringLiteral kRunConfigAttr = "marthe.run_config";
/// stepFingerprint of the module when its step was derived.
constexpr StringLiteral kFingerprintAttr = "marthe.fingerprint";

/// Our options: --help lists these alone (LLVM's and MLIR's are under
/// --help-hidden).
cl::OptionCategory kCategory("marthe-compile options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx | stage.mlir>"), cl::init(""), cl::cat(kCategory));
cl::opt<std::string> configPath("config", cl::desc("training config (TOML)"),
                                cl::value_desc("train.toml"), cl::init(""), cl::cat(kCategory));
cl::opt<std::string> outputPath("o", cl::desc("output file"), cl::value_desc("path"), cl::init(""), cl::cat(kCategory));
cl::opt<Stage> emitStage(
    "emit", cl::desc("what to produce"), cl::init(Stage::Exe),
    cl::values(clEnumValN(Stage::Import, "import", "the imported marthe IR"),
               clEnumValN(Stage::Step, "mlir", "the IR after the training pipeline"),
               clEnumValN(Stage::Buffers, "buffers",
                          "loop nests and library calls on planned buffers (target-neutral)"),
               clEnumValN(Stage::LLVMDialect, "llvm-dialect",
                          "the target's LLVM dialect (for cuda with the kernels' gpu.binary)"),
               clEnumValN(Stage::Kernels, "kernels",
                          "the CUDA kernels' fatbin (for cuobjdump; --device=cuda)"),
               clEnumValN(Stage::LLVMIR, "llvm", "the optimized LLVM IR with the program table"),
               clEnumValN(Stage::Object, "obj", "an object file defining marthe_program"),
               clEnumValN(Stage::Exe, "exe", "the training executable (default)")), cl::cat(kCategory));
cl::opt<bool> forwardOnly("forward-only",
                          cl::desc("compile @forward alone (inference; not with --emit=exe)"),
                          cl::init(false), cl::cat(kCategory));
cl::opt<std::string> targetCpu("cpu",
                               cl::desc("the CPU the code is optimized for: native (this "
                                        "machine's) or an LLVM CPU name such as x86-64-v3"),
                               cl::value_desc("name"), cl::init("native"), cl::cat(kCategory));
cl::opt<std::string> deviceOption("device",
                                  cl::desc("the target: cpu or cuda (default: [run] device of "
                                           "the config, else cpu)"),
                                  cl::value_desc("cpu|cuda"), cl::init(""), cl::cat(kCategory));
cl::list<std::string> gpuChips("gpu-chip",
                               cl::desc("the GPU architectures the CUDA kernels carry cubins for "
                                        "(default sm_80,sm_86,sm_89,sm_90); the fatbin also "
                                        "holds PTX for newer GPUs"),
                               cl::value_desc("sm_NN,..."), cl::CommaSeparated, cl::cat(kCategory));
cl::list<std::string> rpaths("rpath",
                             cl::desc("a directory the trainer looks in for shared libraries "
                                      "first (RUNPATH; e.g. '$ORIGIN/../lib'), repeatable"),
                             cl::value_desc("dir"), cl::cat(kCategory));
cl::opt<bool> exportDerivatives("export-derivatives",
                                cl::desc("also compile @loss_and_grad and @loss_hvp"),
                                cl::init(false), cl::cat(kCategory));

int fail(const Twine &message) {
  errs() << "marthe-compile: error: " << message << "\n";
  return 1;
}

Expected<TrainConfig> loadConfig() {
  if (configPath.empty())
    return defaultTrainConfig();
  return parseTrainConfig(configPath);
}

/// --device, else the config's [run] device.
Expected<Device> targetDevice(const TrainConfig &config) {
  std::string name = deviceOption.empty() ? config.device : deviceOption.getValue();
  if (name == "cpu")
    return Device::Cpu;
  if (name != "cuda")
    return createStringError(inconvertibleErrorCode(),
                             "--device: unknown device \"" + name + "\" (expected cpu or cuda)");
  if (!MARTHE_HAVE_CUDA)
    return createStringError(inconvertibleErrorCode(),
                             "device \"cuda\": this marthe-compile was configured without the "
                             "CUDA toolkit, so its CUDA target is off");
  return Device::Cuda;
}

/// How the build treats mu: adapted online, a runtime input, or 0 (HD, where
/// the A Z product is not built at all).
MuMode muMode(const TrainConfig &config) {
  if (config.schedule == "hd")
    return MuMode::Zero;
  if (config.schedule != "marthe")
    return MuMode::Fixed;
  if (!config.mu)
    return MuMode::Adaptive;
  return *config.mu == 0.0 ? MuMode::Zero : MuMode::Fixed;
}

/// The runtime's name of a mu mode (the embedded config's "mu_mode").
StringRef toString(MuMode mode) {
  switch (mode) {
  case MuMode::Zero:
    return "zero";
  case MuMode::Fixed:
    return "fixed";
  case MuMode::Adaptive:
    break;
  }
  return "adaptive";
}

TrainingPipelineOptions pipelineOptions(const TrainConfig &config) {
  TrainingPipelineOptions options;
  options.forwardOnly = forwardOnly;
  options.step.optimizer = config.optimizer;
  options.step.weightDecay = config.weightDecay;
  std::vector<std::string> given = formatHyperparameters(config.hyperparameters);
  options.step.hyperparameters.assign(given.begin(), given.end());
  options.step.exportDerivatives = exportDerivatives;
  options.schedule.muMode = muMode(config);
  options.schedule.relative = config.relative;
  return options;
}

/// The trainer's defaults: the run options and what the build fixed.
std::string runtimeConfigJson(const TrainConfig &c) {
  Expected<json::Value> options = json::parse(rt::runOptionsJson(c));
  json::Object object = std::move(*options->getAsObject());
  object["mu_mode"] = toString(muMode(c));
  const OptimizerKind &kind = optimizerKind(c.optimizer);
  object["optimizer"] = kind.name;
  object["relative"] = c.relative;
  json::Object hyperparameters;
  for (const auto &entry : resolveHyperparameters(kind, c.hyperparameters))
    hyperparameters[entry.first().str()] = std::isnan(entry.second)   ? json::Value(nullptr)
                                     : std::isinf(entry.second) ? json::Value("inf")
                                                                : json::Value(entry.second);
  object["hyperparameters"] = std::move(hyperparameters);
  std::string text;
  raw_string_ostream os(text);
  os << json::Value(std::move(object));
  return text;
}

/// The -o path can be written: its directory exists and it is not one.
int checkOutputPath(StringRef path) {
  if (path.empty() || path == "-")
    return 0;
  StringRef parent = sys::path::parent_path(path);
  if (!parent.empty() && !sys::fs::is_directory(parent))
    return fail("-o " + path + ": the directory " + parent + " does not exist");
  if (sys::fs::is_directory(path))
    return fail("-o " + path + ": is a directory");
  return 0;
}

/// Says what was written where (not when it went to stdout).
void reportWritten(StringRef path, StringRef what) {
  uint64_t size = 0;
  if (!sys::fs::is_regular_file(path) || sys::fs::file_size(path, size))
    return;
  outs() << "marthe-compile: wrote " << path << " (" << what << ", " << size << " bytes)\n";
}

/// Writes `path` (or stdout) only if `write` succeeds.
int writeOutput(StringRef path, bool binary,
                function_ref<mlir::LogicalResult(raw_pwrite_stream &)> write) {
  std::error_code error;
  ToolOutputFile out(path.empty() ? "-" : path, error,
                     binary ? sys::fs::OF_None : sys::fs::OF_Text);
  if (error)
    return fail(path + ": " + error.message());
  if (failed(write(out.os())))
    return 1;
  out.keep();
  return 0;
}

StringRef stageName(Stage stage) {
  switch (stage) {
  case Stage::Import:
    return "import";
  case Stage::Step:
    return "mlir";
  case Stage::Buffers:
    return "buffers";
  default:
    return "llvm-dialect";
  }
}

/// The stage an .mlir input was printed at (marthe.stage), else import.
FailureOr<Stage> stageOf(mlir::ModuleOp module) {
  auto attr = module->getAttrOfType<mlir::StringAttr>(kStageAttr);
  if (!attr)
    return Stage::Import;
  for (Stage stage : {Stage::Import, Stage::Step, Stage::Buffers, Stage::LLVMDialect})
    if (attr.getValue() == stageName(stage))
      return stage;
  module.emitError("unknown ") << kStageAttr << " \"" << attr.getValue() << "\"";
  return mlir::failure();
}

mlir::OwningOpRef<mlir::ModuleOp> loadModule(mlir::MLIRContext &context, SourceMgr &sourceMgr,
                                             StringRef path, const TrainConfig &config,
                                             Stage &stage) {
  if (path.ends_with(".mlir")) {
    std::string error;
    auto file = mlir::openInputFile(path, &error);
    if (!file) {
      fail(error);
      return nullptr;
    }
    sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
    auto module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
    if (!module)
      return nullptr;
    FailureOr<Stage> parsed = stageOf(*module);
    if (failed(parsed))
      return nullptr;
    stage = *parsed;
    return module;
  }
  auto module = importOnnxFile(&context, path, ImportOptions{config.batchSize, !forwardOnly, config.batchSizeGiven,
                                                     !forwardOnly && emitStage > Stage::Import});
  if (!module) {
    fail(toString(module.takeError()));
    return nullptr;
  }
  SmallString<256> absolute(path);
  sys::fs::make_absolute(absolute);
  (**module)->setAttr(kModelAttr, mlir::StringAttr::get(&context, absolute));
  stage = Stage::Import;
  return std::move(*module);
}

/// The device a module was lowered for, or `requested` if it is not lowered
/// yet; a module lowered for another device is an error.
FailureOr<Device> moduleDevice(mlir::ModuleOp module, Device requested) {
  auto attr = module->getAttrOfType<mlir::StringAttr>(kDeviceAttr);
  if (!attr)
    return requested;
  Device recorded = attr.getValue() == "cuda" ? Device::Cuda : Device::Cpu;
  if (!deviceOption.empty() && recorded != requested)
    return module.emitError("the input was lowered for device \"")
           << attr.getValue() << "\", not the --device given", mlir::failure();
  return recorded;
}

/// A hash of the training step as derived (target-neutral, so that a CPU
/// and a CUDA trainer of one model and config share it) and of the model.
std::string stepFingerprint(mlir::ModuleOp module) {
  std::string text;
  raw_string_ostream os(text);
  module->print(os);
  if (auto model = module->getAttrOfType<mlir::StringAttr>(kModelAttr))
    if (auto bytes = MemoryBuffer::getFile(model.getValue(), /*IsText=*/false))
      os << (*bytes)->getBuffer();
  return utohexstr(xxh3_64bits(StringRef(text)), /*LowerCase=*/true, 16);
}

CudaLoweringOptions cudaLoweringOptions() {
  CudaLoweringOptions options;
  if (!gpuChips.empty())
    options.chips.assign(gpuChips.begin(), gpuChips.end());
  options.toolkit = MARTHE_CUDA_TOOLKIT_DIR;
  return options;
}

/// Runs the passes that take `module` from `from` to `to`.
mlir::LogicalResult lower(mlir::ModuleOp module, Stage from, Stage to, const TrainConfig &config,
                          Device device, mlir::TimingScope &timing) {
  mlir::MLIRContext *context = module.getContext();
  if (from < Stage::Step && to >= Stage::Step) {
    mlir::PassManager step(context);
    if (failed(mlir::applyPassManagerCLOptions(step)))
      return mlir::failure();
    mlir::TimingScope stepTiming = timing.nest("derive the training step");
    step.enableTiming(stepTiming);
    buildTrainingPipeline(step, pipelineOptions(config));
    if (failed(step.run(module)))
      return mlir::failure();
    module->setAttr(kRunConfigAttr, mlir::StringAttr::get(context, runtimeConfigJson(config)));
    module->setAttr(kFingerprintAttr, mlir::StringAttr::get(context, stepFingerprint(module)));
  }
  mlir::PassManager pm(context);
  if (failed(mlir::applyPassManagerCLOptions(pm)))
    return mlir::failure();
  mlir::TimingScope loweringTiming = timing.nest("lower");
  pm.enableTiming(loweringTiming);
  if (from < Stage::Buffers && to >= Stage::Buffers)
    buildTargetNeutralLowering(pm);
  if (from < Stage::LLVMDialect && to >= Stage::LLVMDialect) {
    if (device == Device::Cuda)
      buildCudaLoweringPipeline(pm, cudaLoweringOptions());
    else
      buildCpuLoweringPipeline(pm);
  }
  if (failed(pm.run(module)))
    return mlir::failure();
  if (to >= Stage::LLVMDialect)
    module->setAttr(kDeviceAttr,
                    mlir::StringAttr::get(context, device == Device::Cuda ? "cuda" : "cpu"));
  module->setAttr(kStageAttr,
                  mlir::StringAttr::get(context, stageName(std::min(to, Stage::LLVMDialect))));
  return mlir::success();
}

/// The run defaults the trainer embeds: those of the config the step was
/// derived with, unless --config gives others that build the same step.
Expected<std::string> runDefaults(mlir::ModuleOp module, const TrainConfig &config) {
  auto recorded = module->getAttrOfType<mlir::StringAttr>(kRunConfigAttr);
  if (!recorded)
    return runtimeConfigJson(config);
  if (configPath.empty())
    return recorded.getValue().str();
  Expected<json::Value> parsed = json::parse(recorded.getValue());
  if (!parsed)
    return parsed.takeError();
  std::optional<StringRef> builtMuMode;
  if (const json::Object *object = parsed->getAsObject())
    builtMuMode = object->getString("mu_mode");
  if (builtMuMode && *builtMuMode != toString(muMode(config)))
    return createStringError(inconvertibleErrorCode(),
                             configPath + ": the schedule needs mu mode \"" +
                                 toString(muMode(config)) + "\" but the input was derived with \"" +
                                 *builtMuMode +
                                 "\"; compile the model or its import stage with this config");
  return runtimeConfigJson(config);
}

/// `defaults` with "build": marthe's and LLVM's versions and the step's
/// fingerprint, by which a checkpoint knows the build that wrote it. The
/// defaults count too: they are the options a resumed run continues with.
std::string withBuild(StringRef defaults, mlir::ModuleOp module) {
  auto step = module->getAttrOfType<mlir::StringAttr>(kFingerprintAttr);
  std::string fingerprint = (step ? step.getValue().str() : stepFingerprint(module)) +
                            utohexstr(xxh3_64bits(defaults), /*LowerCase=*/true, 16);
  Expected<json::Value> parsed = json::parse(defaults);
  json::Object *object = parsed ? parsed->getAsObject() : nullptr;
  if (!object) {
    consumeError(parsed.takeError());
    return defaults.str();
  }
  (*object)["build"] = json::Object{
      {"marthe", MARTHE_VERSION}, {"llvm", LLVM_VERSION_STRING}, {"fingerprint", fingerprint}};
  std::string result;
  raw_string_ostream out(result);
  out << *parsed;
  return result;
}

/// The program table's model, name and defaults. A trainer needs the model
/// (its initial weights); an object for tests may go without.
Expected<ProgramInfo> programInfo(mlir::ModuleOp module, const TrainConfig &config,
                                  bool needsModel) {
  Expected<std::string> defaults = runDefaults(module, config);
  if (!defaults)
    return defaults.takeError();
  auto model = module->getAttrOfType<mlir::StringAttr>(kModelAttr);
  if (!model && !needsModel)
    return ProgramInfo{"", "", *defaults, Device::Cpu};
  if (!model)
    return createStringError(inconvertibleErrorCode(),
                             "the module names no ONNX model (" + kModelAttr +
                                 "): the trainer embeds it for its initial weights");
  auto bytes = MemoryBuffer::getFile(model.getValue(), /*IsText=*/false);
  if (!bytes)
    return createStringError(bytes.getError(),
                             model.getValue() + ": " + bytes.getError().message());
  return ProgramInfo{(*bytes)->getBuffer().str(), sys::path::filename(model.getValue()).str(),
                     withBuild(*defaults, module), Device::Cpu};
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(dim);
  return text + "]";
}

/// The shape of one sample of @forward's input, where the module still says.
std::optional<SmallVector<int64_t>> modelSampleShape(mlir::ModuleOp module) {
  auto forward = module.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward)
    return std::nullopt;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i) {
    auto role = forward.getArgAttrOfType<mlir::StringAttr>(i, "marthe.role");
    auto type = llvm::dyn_cast<mlir::ShapedType>(forward.getArgument(i).getType());
    if (role && role.getValue() == "input" && type && type.hasStaticShape())
      return SmallVector<int64_t>(type.getShape().drop_front());
  }
  return std::nullopt;
}

/// The model's input (one sample) against the training data's samples, as
/// far as the files' headers tell; dimensions of size 1 do not count
/// ([1, 28, 28] takes [28, 28] images). Unreadable data is only a warning:
/// the trainer may be given another --data-dir.
int checkDataFitsModel(const std::optional<SmallVector<int64_t>> &input,
                       const TrainConfig &config) {
  if (!input)
    return 0;
  std::vector<int64_t> data;
  std::string unknown = rt::probeSampleShape(config.data, data);
  if (!unknown.empty()) {
    errs() << "marthe-compile: warning: cannot check the model's input against the data ("
           << unknown << ")\n";
    return 0;
  }
  auto squeezed = [](ArrayRef<int64_t> shape) {
    SmallVector<int64_t> dims;
    llvm::copy_if(shape, std::back_inserter(dims), [](int64_t dim) { return dim != 1; });
    return dims;
  };
  if (squeezed(*input) == squeezed(data))
    return 0;
  // A flat input [N, D] takes any sample of D values (docs/NOTES.md, issue 9),
  // as the trainer does: an MLP exported with [N, 784] reads 28x28 images.
  int64_t values = std::accumulate(data.begin(), data.end(), int64_t(1), std::multiplies<>());
  if (input->size() == 1 && (*input)[0] == values)
    return 0;
  return fail("the model's input takes samples of shape " + formatShape(*input) +
              " but the data (dataset \"" + config.data.kind + "\") has samples of shape " +
              formatShape(data));
}

/// --emit=kernels: the fatbin the trainer embeds.
int writeKernels(mlir::ModuleOp module, Device device) {
  if (device != Device::Cuda)
    return fail("--emit=kernels writes the CUDA kernels: use it with --device=cuda");
  SmallVector<mlir::gpu::BinaryOp> binaries(module.getOps<mlir::gpu::BinaryOp>());
  if (binaries.size() != 1 || binaries.front().getObjects().size() != 1)
    return fail("the module has no single kernel binary (it may have no kernels)");
  auto object = llvm::cast<mlir::gpu::ObjectAttr>(binaries.front().getObjects()[0]);
  int status = writeOutput(outputPath, true, [&](raw_pwrite_stream &os) {
    os << object.getObject().getValue();
    return mlir::success();
  });
  if (status == 0 && !outputPath.empty() && outputPath != "-")
    reportWritten(outputPath, "CUDA fatbin");
  return status;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  registerAllMarthePasses();
  registerCpuTargetPasses();
  registerCudaTargetPasses();
  mlir::registerPassManagerCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  // LLVM's and MLIR's options stay usable, listed by --help-hidden.
  for (auto &[name, option] : cl::getRegisteredOptions())
    if (!llvm::is_contained(option->Categories, &kCategory) &&
        option->getOptionHiddenFlag() == cl::NotHidden && name != "help" && name != "version")
      option->setHiddenFlag(cl::Hidden);
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "marthe-compile " << MARTHE_VERSION << " (MLIR/LLVM " << LLVM_VERSION_STRING
       << ", CUDA target " << (MARTHE_HAVE_CUDA ? "on" : "off") << ")\n";
  });
  cl::ParseCommandLineOptions(argc, argv,
                              "marthe-compile: ONNX model (+ TOML training config) -> "
                              "training executable that schedules its learning rate with "
                              "MARTHE\n");

  if (forwardOnly && emitStage == Stage::Exe)
    return fail("--forward-only builds no trainer: use it with --emit=obj or an earlier stage");
  if (!rpaths.empty() && emitStage != Stage::Exe)
    return fail("--rpath is for the trainer's link: use it with --emit=exe");
  for (const std::string &chip : gpuChips)
    if (!gpuChipNumber(chip))
      return fail("--gpu-chip: \"" + chip + "\" is not a GPU architecture sm_NN (e.g. sm_90)");
  Expected<TrainConfig> config = loadConfig();
  if (!config) {
    // Config errors already read "<file>:<line>:<col>: error: ...".
    errs() << toString(config.takeError()) << "\n";
    return 1;
  }
  Expected<Device> requestedDevice = targetDevice(*config);
  if (!requestedDevice)
    return fail(toString(requestedDevice.takeError()));
  if (int status = checkOutputPath(outputPath))
    return status;
  std::string input = inputPath.empty() ? config->onnx : inputPath.getValue();
  if (input.empty())
    return fail("no model: give model.onnx (or a .mlir stage) or [model] onnx in the config");

  mlir::MLIRContext context;
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  context.printOpOnDiagnostic(false);
  mlir::DialectRegistry registry;
  registerMartheDialects(registry);
  registerCudaTargetInterfaces(registry);
  context.appendDialectRegistry(registry);
  // --mlir-timing: where the compile's time goes, LLVM's stages included.
  mlir::DefaultTimingManager timingManager;
  mlir::applyDefaultTimingManagerCLOptions(timingManager);
  mlir::TimingScope timing = timingManager.getRootScope();
  Stage stage = Stage::Import;
  mlir::TimingScope loadTiming = timing.nest("import or parse");
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModule(context, sourceMgr, input, *config, stage);
  loadTiming.stop();
  if (!module)
    return 1;
  if (emitStage < stage)
    return fail("the input is already past the --emit stage (it is at stage \"" + stageName(stage) +
                "\")");
  std::optional<SmallVector<int64_t>> modelInput = modelSampleShape(*module);
  FailureOr<Device> device = moduleDevice(*module, *requestedDevice);
  if (failed(device))
    return 1;
  if (emitStage > stage && failed(lower(*module, stage, emitStage, *config, *device, timing)))
    return 1;
  if (emitStage == Stage::Kernels)
    return writeKernels(*module, *device);
  if (emitStage <= Stage::LLVMDialect) {
    int status = writeOutput(outputPath, false, [&](raw_pwrite_stream &os) {
      module->print(os);
      return mlir::success();
    });
    if (status == 0 && !outputPath.empty() && outputPath != "-")
      reportWritten(outputPath, "MLIR, stage " + stageName(emitStage).str());
    return status;
  }

  Expected<ProgramInfo> info = programInfo(*module, *config, emitStage == Stage::Exe);
  if (!info)
    return fail(toString(info.takeError()));
  info->device = *device;
  if (emitStage != Stage::Exe) {
    int status = writeOutput(outputPath, emitStage == Stage::Object, [&](raw_pwrite_stream &os) {
      return writeHostObject(*module, *info, targetCpu, os, emitStage == Stage::LLVMIR, timing);
    });
    if (status == 0 && !outputPath.empty() && outputPath != "-")
      reportWritten(outputPath, emitStage == Stage::Object ? "object file" : "LLVM IR");
    return status;
  }

  if (int status = checkDataFitsModel(modelInput, *config))
    return status;
  std::string exe =
      outputPath.empty() ? (sys::path::stem(input) + "-train").str() : outputPath.getValue();
  std::string object = exe + ".o.partial";
  if (int status = writeOutput(object, true, [&](raw_pwrite_stream &os) {
        return writeHostObject(*module, *info, targetCpu, os, false, timing);
      }))
    return status;
  mlir::TimingScope linkTiming = timing.nest("link the trainer");
  int status = linkTrainer(argv[0], object, exe, *device == Device::Cuda, rpaths);
  sys::fs::remove(object);
  if (status == 0)
    reportWritten(exe, (*device == Device::Cuda ? "CUDA" : "CPU") +
                           std::string(" training executable; run it with --help"));
  return status;
}
