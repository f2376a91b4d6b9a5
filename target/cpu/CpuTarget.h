#ifndef MARTHE_TARGET_CPU_CPUTARGET_H
#define MARTHE_TARGET_CPU_CPUTARGET_H

// The CPU target: library calls to the runtime's kernels, the LLVM dialect,
// and an object file holding the compiled functions and the program table.

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace marthe {

#define GEN_PASS_DECL
#include "target/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "target/cpu/Passes.h.inc"

/// From planned buffers to the LLVM dialect: loops, runtime calls, then the
/// upstream conversions (bare pointers for static memrefs).
void buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// Registers the CPU passes and the `marthe-cpu-lowering` pipeline.
void registerCpuTargetPasses();

/// What the program table says besides the functions.
struct ProgramInfo {
  std::string modelBytes; // the source ONNX model, embedded
  std::string modelName;  // file name, for messages
  std::string configJson; // training defaults
};

/// Translates `module` (LLVM dialect) to LLVM IR with the program table and
/// one entry point `void <fn>_entry(void *const *buffers, void *arena)` per
/// public function, optimizes it for `cpu` ("native": this machine's CPU; or
/// an LLVM CPU name such as x86-64-v3, for executables that run elsewhere) and
/// writes an object file (or, with `textual`, the optimized LLVM IR).
mlir::LogicalResult writeCpuObject(mlir::ModuleOp module, const ProgramInfo &info,
                                   llvm::StringRef cpu, llvm::raw_pwrite_stream &os,
                                   bool textual);

} // namespace marthe

#endif // MARTHE_TARGET_CPU_CPUTARGET_H
