#ifndef MARTHE_TARGET_CPU_CPUTARGET_H
#define MARTHE_TARGET_CPU_CPUTARGET_H

// The CPU target: library calls to the runtime's kernels and the LLVM
// dialect; target/common writes the object.

#include "target/common/Target.h"

#include "mlir/Pass/PassManager.h"

namespace marthe {

#define GEN_PASS_DECL
#include "target/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "target/cpu/Passes.h.inc"

/// From planned buffers to the LLVM dialect: each loop nest in a function of
/// its own, loops, runtime calls, then the upstream conversions (bare
/// pointers for static memrefs).
void buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// Registers the shared target passes and the `marthe-cpu-lowering` pipeline.
void registerCpuTargetPasses();

} // namespace marthe

#endif // MARTHE_TARGET_CPU_CPUTARGET_H
