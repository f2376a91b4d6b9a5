// LLVM dialect -> object file for the host CPU. Besides the compiled
// functions (and, for CUDA, their kernels as an embedded fatbin that
// MLIR's offloading translation loads through the runtime's mgpu* functions)
// the object defines what the runtime reads (runtime/Abi.h): one entry point
// per public function and the `marthe_program` table.

#include "target/common/Target.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

namespace marthe {
namespace {

using marthe::rt::DType;
constexpr int kMaxRank = 4;

/// The runtime's structs, laid out as the C++ compiler lays them out.
struct AbiTypes {
  explicit AbiTypes(llvm::LLVMContext &context)
      : ptr(llvm::PointerType::get(context, 0)), i32(llvm::Type::getInt32Ty(context)),
        i64(llvm::Type::getInt64Ty(context)),
        tensorSpec(llvm::StructType::create({ptr, i32, i32, llvm::ArrayType::get(i64, kMaxRank)},
                                            "marthe.TensorSpec")),
        functionSpec(
            llvm::StructType::create({ptr, ptr, ptr, i32, ptr, i32, i64}, "marthe.FunctionSpec")),
        programSpec(
            llvm::StructType::create({ptr, i32, ptr, ptr, ptr, ptr, i32}, "marthe.ProgramSpec")) {}
  llvm::PointerType *ptr;
  llvm::IntegerType *i32, *i64;
  llvm::StructType *tensorSpec, *functionSpec, *programSpec;
};

/// One buffer of a compiled function's signature.
struct Buffer {
  std::string role;
  MemRefType type;
  bool isResult;
};

/// What the runtime needs of one public function, read from the attributes
/// that marthe-plan-memory left on it.
struct FunctionAbi {
  std::string name;
  SmallVector<Buffer> buffers; // arguments, then results; the arena is last
  int64_t arenaBytes = 0;
};

FailureOr<FunctionAbi> readAbi(LLVM::LLVMFuncOp fn) {
  auto types = fn->getAttrOfType<ArrayAttr>("marthe.buffer_types");
  auto arena = fn->getAttrOfType<IntegerAttr>("marthe.arena_bytes");
  if (!types || !arena || types.size() != fn.getNumArguments())
    return fn.emitOpError("has no buffer plan (run marthe-plan-memory before lowering)");
  FunctionAbi abi{fn.getSymName().str(), {}, arena.getInt()};
  for (unsigned i = 0; i + 1 < fn.getNumArguments(); ++i) {
    auto type = llvm::dyn_cast<MemRefType>(llvm::cast<TypeAttr>(types[i]).getValue());
    auto role = fn.getArgAttrOfType<StringAttr>(i, "marthe.role");
    if (!type)
      return fn.emitOpError("argument ") << i << " has no buffer type";
    if (type.getRank() > kMaxRank)
      return fn.emitOpError("argument ")
             << i << " has rank " << type.getRank() << "; the runtime takes at most " << kMaxRank;
    Type element = type.getElementType();
    if (!element.isF32() && !element.isF64() && !element.isInteger(32))
      return fn.emitOpError("argument ")
             << i << " has element type " << element << "; the runtime takes f32, f64 and i32";
    abi.buffers.push_back(
        {role ? role.str() : "", type, bool(fn.getArgAttr(i, "bufferize.result"))});
  }
  return abi;
}

DType dtypeOf(MemRefType type) {
  Type element = type.getElementType();
  return element.isF32() ? DType::F32 : element.isF64() ? DType::F64 : DType::I32;
}

class ProgramTableWriter {
public:
  ProgramTableWriter(llvm::Module &module) : module(module), types(module.getContext()) {}

  /// `void <name>_entry(void *const *buffers, void *arena)` calling `name`
  /// with one pointer per buffer.
  llvm::Function *entryPoint(const FunctionAbi &abi) {
    llvm::Function *target = module.getFunction(abi.name);
    auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(module.getContext()),
                                         {types.ptr, types.ptr}, false);
    auto *entry =
        llvm::Function::Create(type, llvm::Function::InternalLinkage, abi.name + "_entry", module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(module.getContext(), "entry", entry));
    SmallVector<llvm::Value *> args;
    // The runtime passes the arguments, then the results, whatever their
    // order in the signature.
    unsigned numArgs = llvm::count_if(abi.buffers, [](const Buffer &b) { return !b.isResult; });
    unsigned nextArg = 0, nextResult = numArgs;
    for (const Buffer &buffer : abi.buffers) {
      unsigned index = buffer.isResult ? nextResult++ : nextArg++;
      llvm::Value *slot = b.CreateConstInBoundsGEP1_64(types.ptr, entry->getArg(0), index);
      args.push_back(b.CreateLoad(types.ptr, slot));
    }
    args.push_back(entry->getArg(1));
    b.CreateCall(target, args);
    b.CreateRetVoid();
    target->setLinkage(llvm::Function::InternalLinkage);
    return entry;
  }

  void write(ArrayRef<FunctionAbi> functions, const ProgramInfo &info) {
    SmallVector<llvm::Constant *> specs;
    for (const FunctionAbi &abi : functions) {
      SmallVector<Buffer> args, results;
      for (const Buffer &buffer : abi.buffers)
        (buffer.isResult ? results : args).push_back(buffer);
      specs.push_back(llvm::ConstantStruct::get(
          types.functionSpec,
          {string(abi.name), entryPoint(abi), tensorSpecs(args, abi.name + "_args"),
           int32(args.size()), tensorSpecs(results, abi.name + "_results"), int32(results.size()),
           llvm::ConstantInt::get(types.i64, abi.arenaBytes)}));
    }
    llvm::Constant *table = global(
        llvm::ConstantArray::get(llvm::ArrayType::get(types.functionSpec, specs.size()), specs),
        "marthe_functions");
    auto *model = llvm::ConstantDataArray::getString(module.getContext(), info.modelBytes,
                                                     /*AddNull=*/false);
    auto *modelGlobal = llvm::cast<llvm::GlobalVariable>(global(model, "marthe_model_bytes"));
    modelGlobal->setAlignment(llvm::Align(64));
    llvm::Constant *modelEnd = llvm::ConstantExpr::getInBoundsGetElementPtr(
        model->getType(), modelGlobal,
        ArrayRef<llvm::Constant *>{llvm::ConstantInt::get(types.i64, 0),
                                   llvm::ConstantInt::get(types.i64, info.modelBytes.size())});
    auto *program = new llvm::GlobalVariable(
        module, types.programSpec, /*isConstant=*/true, llvm::GlobalValue::ExternalLinkage,
        llvm::ConstantStruct::get(types.programSpec,
                                  {table, int32(specs.size()), string(info.configJson), modelGlobal,
                                   modelEnd, string(info.modelName), int32(int32_t(info.device))}),
        "marthe_program");
    program->setAlignment(llvm::Align(8));
  }

private:
  llvm::Constant *int32(int64_t value) { return llvm::ConstantInt::get(types.i32, value); }

  llvm::Constant *global(llvm::Constant *value, const Twine &name) {
    return new llvm::GlobalVariable(module, value->getType(), /*isConstant=*/true,
                                    llvm::GlobalValue::PrivateLinkage, value, name);
  }

  llvm::Constant *string(StringRef text) {
    return global(llvm::ConstantDataArray::getString(module.getContext(), text), "marthe_str");
  }

  llvm::Constant *tensorSpecs(ArrayRef<Buffer> buffers, const Twine &name) {
    SmallVector<llvm::Constant *> specs;
    for (const Buffer &buffer : buffers) {
      SmallVector<llvm::Constant *> dims;
      for (int i = 0; i < kMaxRank; ++i)
        dims.push_back(llvm::ConstantInt::get(
            types.i64, i < buffer.type.getRank() ? buffer.type.getDimSize(i) : 0));
      specs.push_back(llvm::ConstantStruct::get(
          types.tensorSpec,
          {string(buffer.role), int32(int32_t(dtypeOf(buffer.type))), int32(buffer.type.getRank()),
           llvm::ConstantArray::get(llvm::ArrayType::get(types.i64, kMaxRank), dims)}));
    }
    return global(
        llvm::ConstantArray::get(llvm::ArrayType::get(types.tensorSpec, specs.size()), specs),
        name);
  }

  llvm::Module &module;
  AbiTypes types;
};

/// A target machine for this machine's triple and `cpu`: "native" takes the
/// host's CPU and features (like -march=native), another name that CPU's.
FailureOr<std::unique_ptr<llvm::TargetMachine>> targetMachine(Location loc, StringRef cpu) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return emitError(loc, "no LLVM target for ") << triple.str() << ": " << error;
  llvm::SubtargetFeatures features;
  bool native = cpu == "native";
  if (native)
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature.getKey(), feature.getValue());
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, native ? llvm::sys::getHostCPUName() : cpu, features.getString(),
      llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return emitError(loc, "could not create the LLVM target machine");
  if (!native && !machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return emitError(loc, "unknown CPU '") << cpu << "' for " << triple.str();
  return machine;
}

/// LLVM's O3 without loop unrolling. The loop nests are memory-bound
/// element-wise chains and sums: unrolling them (fully, where their trip
/// counts are small constants) gained no measurable step time and tripled
/// the time of code generation (docs/NOTES.md, compile time). Vectorization
/// and interleaving stay.
void optimize(llvm::Module &module, llvm::TargetMachine &machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, modules);
}

} // namespace

LogicalResult writeHostObject(ModuleOp module, const ProgramInfo &info, StringRef cpu,
                             llvm::raw_pwrite_stream &os, bool textual, TimingScope &timing) {
  SmallVector<FunctionAbi> functions;
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
    if (fn.isExternal() || fn.isPrivate())
      continue;
    FailureOr<FunctionAbi> abi = readAbi(fn);
    if (failed(abi))
      return failure();
    functions.push_back(std::move(*abi));
  }
  // The ABI is read; LLVM IR has no place for our attributes.
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      fn.removeArgAttr(i, StringAttr::get(module.getContext(), "marthe.role"));
      fn.removeArgAttr(i, StringAttr::get(module.getContext(), "bufferize.result"));
    }
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  module.getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext context;
  TimingScope translation = timing.nest("translate to LLVM IR");
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, context);
  translation.stop();
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  FailureOr<std::unique_ptr<llvm::TargetMachine>> machine = targetMachine(module.getLoc(), cpu);
  if (failed(machine))
    return failure();
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  llvmModule->setDataLayout((*machine)->createDataLayout());
  ProgramTableWriter(*llvmModule).write(functions, info);
  for (llvm::Function &function : *llvmModule)
    if (!function.isDeclaration()) {
      function.addFnAttr("target-cpu", (*machine)->getTargetCPU());
      function.addFnAttr("target-features", (*machine)->getTargetFeatureString());
    }

  TimingScope optimization = timing.nest("LLVM optimization");
  optimize(*llvmModule, **machine);
  optimization.stop();
  if (textual) {
    llvmModule->print(os, nullptr);
    return success();
  }
  TimingScope codegenTiming = timing.nest("LLVM code generation");
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile))
    return module.emitError("the host target cannot emit object files");
  codegen.run(*llvmModule);
  return success();
}

} // namespace marthe
