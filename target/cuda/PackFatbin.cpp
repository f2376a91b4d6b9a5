// marthe-gpu-pack-fatbin: the kernels' PTX compiled for several GPUs, in one
// fatbin with the PTX itself.

#include "target/cuda/CudaTarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

namespace marthe {
#define GEN_PASS_DEF_GPUPACKFATBIN
#include "target/cuda/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// A temporary file, removed when this goes out of scope.
class TempFile {
public:
  static FailureOr<TempFile> create(StringRef suffix, std::string &error) {
    SmallString<128> path;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("marthe-kernels", suffix, path)) {
      error = "cannot create a temporary file: " + ec.message();
      return failure();
    }
    return TempFile(path.str().str());
  }
  TempFile(TempFile &&other) : path_(std::move(other.path_)) { other.path_.clear(); }
  TempFile(const TempFile &) = delete;
  ~TempFile() {
    if (!path_.empty())
      llvm::sys::fs::remove(path_);
  }
  const std::string &path() const { return path_; }

private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

/// Runs `program` with `args`; on failure `error` says why, with its stderr.
LogicalResult runTool(StringRef program, ArrayRef<std::string> args, std::string &error) {
  FailureOr<TempFile> log = TempFile::create("log", error);
  if (failed(log))
    return failure();
  SmallVector<StringRef> argv{program};
  argv.append(args.begin(), args.end());
  std::optional<StringRef> redirects[] = {std::nullopt, std::nullopt, StringRef(log->path())};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, redirects, 0, 0, &message);
  if (status == 0)
    return success();
  auto output = llvm::MemoryBuffer::getFile(log->path());
  error = (llvm::sys::path::filename(program) + " failed" +
           (message.empty() ? "" : " (" + message + ")") + ": " +
           (output ? (*output)->getBuffer().rtrim() : StringRef()))
              .str();
  return failure();
}

FailureOr<std::string> findTool(StringRef toolkit, StringRef name, std::string &error) {
  if (!toolkit.empty()) {
    SmallString<128> path(toolkit);
    llvm::sys::path::append(path, "bin", name);
    if (llvm::sys::fs::can_execute(path))
      return std::string(path);
  }
  if (auto found = llvm::sys::findProgramByName(name))
    return *found;
  error = (name + " not found" + (toolkit.empty() ? "" : " in " + toolkit + "/bin") + " or on PATH")
              .str();
  return failure();
}

LogicalResult writeFile(StringRef path, StringRef contents, std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec);
  if (!ec)
    out << contents;
  if (ec || out.has_error()) {
    error = (path + ": " + ec.message()).str();
    return failure();
  }
  return success();
}

/// `properties` without the compile times gpu-module-to-binary records
/// (LLVMIRToISATimeInMs, ...): they describe one compilation, not the object,
/// and would make the output differ from run to run.
DictionaryAttr withoutTimings(DictionaryAttr properties) {
  if (!properties)
    return properties;
  SmallVector<NamedAttribute> kept;
  for (NamedAttribute property : properties)
    if (!property.getName().getValue().ends_with("TimeInMs"))
      kept.push_back(property);
  return DictionaryAttr::get(properties.getContext(), kept);
}

struct GpuPackFatbin : marthe::impl::GpuPackFatbinBase<GpuPackFatbin> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(checkChips()))
      return signalPassFailure();
    WalkResult walk = getOperation().walk([&](gpu::BinaryOp binary) {
      return failed(pack(binary)) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult checkChips() {
    if (chips.empty())
      return getOperation().emitError("marthe-gpu-pack-fatbin needs at least one chip");
    for (const std::string &chip : chips)
      if (!gpuChipNumber(chip))
        return getOperation().emitError("\"") << chip << "\" is not a GPU architecture sm_NN";
    return success();
  }

  /// checkChips has found every name an sm_NN.
  unsigned lowestChip() { return *lowestGpuChip(chips); }

  /// The PTX of `binary`'s single NVVM assembly object, or an error.
  FailureOr<gpu::ObjectAttr> ptxObject(gpu::BinaryOp binary) {
    ArrayAttr objects = binary.getObjects();
    auto object = objects.size() == 1 ? dyn_cast<gpu::ObjectAttr>(objects[0]) : nullptr;
    auto target = object ? dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget()) : nullptr;
    if (!target || object.getFormat() != gpu::CompilationTarget::Assembly)
      return binary.emitOpError("is not one NVVM assembly (PTX) object; build it with "
                                "gpu-module-to-binary{format=isa}");
    std::optional<unsigned> ptxChip = gpuChipNumber(target.getChip());
    if (!ptxChip || *ptxChip > lowestChip())
      return binary.emitOpError("has PTX for ")
             << target.getChip() << ", above the lowest chip sm_" << lowestChip()
             << ": ptxas compiles PTX for its own target and newer ones only";
    return object;
  }

  LogicalResult pack(gpu::BinaryOp binary) {
    FailureOr<gpu::ObjectAttr> object = ptxObject(binary);
    if (failed(object))
      return failure();
    std::string error;
    FailureOr<std::string> fatbin = compile(object->getObject().getValue(), error);
    if (failed(fatbin))
      return binary.emitOpError("cannot build the kernels' fatbin: ") << error;
    auto packed = gpu::ObjectAttr::get(
        &getContext(), object->getTarget(), gpu::CompilationTarget::Fatbin,
        StringAttr::get(&getContext(), *fatbin), withoutTimings(object->getProperties()),
        object->getKernels());
    binary.setObjectsAttr(ArrayAttr::get(&getContext(), {packed}));
    return success();
  }

  /// ptxas for each chip, then fatbinary over the cubins and the PTX.
  FailureOr<std::string> compile(StringRef ptx, std::string &error) {
    FailureOr<std::string> ptxas = findTool(toolkit, "ptxas", error);
    FailureOr<std::string> fatbinary = findTool(toolkit, "fatbinary", error);
    FailureOr<TempFile> ptxFile = TempFile::create("ptx", error);
    FailureOr<TempFile> fatbinFile = TempFile::create("fatbin", error);
    if (failed(ptxas) || failed(fatbinary) || failed(ptxFile) || failed(fatbinFile) ||
        failed(writeFile(ptxFile->path(), ptx.rtrim('\0'), error)))
      return failure();
    std::vector<TempFile> cubins;
    std::vector<std::string> images;
    for (const std::string &chip : chips) {
      FailureOr<TempFile> cubin = TempFile::create("cubin", error);
      if (failed(cubin) ||
          failed(runTool(*ptxas,
                         {"--opt-level=3", "--gpu-name=" + chip, "--output-file",
                          cubin->path(), ptxFile->path()},
                         error)))
        return failure();
      images.push_back("--image3=kind=elf,sm=" + std::to_string(*gpuChipNumber(chip)) +
                       ",file=" + cubin->path());
      cubins.push_back(std::move(*cubin));
    }
    images.push_back("--image3=kind=ptx,sm=" + std::to_string(lowestChip()) +
                     ",file=" + ptxFile->path());
    images.insert(images.begin(), {"-64", "--create=" + fatbinFile->path()});
    if (failed(runTool(*fatbinary, images, error)))
      return failure();
    auto bytes = llvm::MemoryBuffer::getFile(fatbinFile->path(), /*IsText=*/false);
    if (!bytes) {
      error = fatbinFile->path() + ": " + bytes.getError().message();
      return failure();
    }
    return (*bytes)->getBuffer().str();
  }
};

} // namespace

std::optional<unsigned> marthe::lowestGpuChip(ArrayRef<std::string> chips) {
  std::optional<unsigned> lowest;
  for (StringRef chip : chips)
    if (std::optional<unsigned> number = gpuChipNumber(chip))
      lowest = std::min(*number, lowest.value_or(*number));
  return lowest;
}

std::optional<unsigned> marthe::gpuChipNumber(StringRef chip) {
  unsigned number = 0;
  if (!chip.consume_front("sm_") || chip.getAsInteger(10, number))
    return std::nullopt;
  return number;
}
