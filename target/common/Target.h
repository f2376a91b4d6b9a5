#ifndef MARTHE_TARGET_COMMON_TARGET_H
#define MARTHE_TARGET_COMMON_TARGET_H

// What the CPU and CUDA targets share: the library-call lowering to a
// runtime's C functions and the host object with the program table.

#include "runtime/Abi.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace marthe {

#define GEN_PASS_DECL
#include "target/common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "target/common/Passes.h.inc"

/// The end of both targets' host lowering: func-to-llvm with bare pointers,
/// cf-to-llvm, reconcile-unrealized-casts, canonicalize.
void buildHostFunctionsToLLVM(mlir::OpPassManager &pm);

/// Where a program's buffers live.
using Device = rt::Device;

/// What the program table says besides the functions.
struct ProgramInfo {
  std::string modelBytes; // the source ONNX model, embedded
  std::string modelName;  // file name, for messages
  std::string configJson; // training defaults
  Device device = Device::Cpu;
};

/// Translates `module` (LLVM dialect, with `gpu.binary` kernels for CUDA) to
/// LLVM IR with the program table and one entry point
/// `void <fn>_entry(void *const *buffers, void *arena)` per public function,
/// optimizes it for `cpu` ("native": this machine's CPU; or an LLVM CPU name
/// such as x86-64-v3, for executables that run elsewhere) and writes an
/// object file (or, with `textual`, the optimized LLVM IR). Its stages
/// (translation, optimization, code generation) are timed under `timing`.
mlir::LogicalResult writeHostObject(mlir::ModuleOp module, const ProgramInfo &info,
                                    llvm::StringRef cpu, llvm::raw_pwrite_stream &os,
                                    bool textual, mlir::TimingScope &timing);

} // namespace marthe

#endif // MARTHE_TARGET_COMMON_TARGET_H
