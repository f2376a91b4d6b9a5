#ifndef MARTHE_TARGET_CPU_PASSES_TD
#define MARTHE_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def OutlineLoopNests : Pass<"marthe-outline-loop-nests", "mlir::ModuleOp"> {
  let summary = "Move each top-level loop nest of a planned function into a function of its own";
  let description = [{
    A training step of a deep network has thousands of loop nests in one
    function; lowered in place, SCF-to-CF splits that function's block once
    per loop (moving everything after it each time: quadratic) and LLVM
    optimizes one enormous function. Each top-level `linalg` op of a public
    function becomes a private `no_inline` function, taking the op's buffers
    and the other values its body uses (constants are cloned instead), and a
    `func.call` in its place. The loop nests are unchanged, so is what they
    compute.

    Nests with the same text (the same chain on the same shapes: a derived
    step repeats its forward nests in the gradient, the tangent and the
    validation pass) share one function, so LLVM compiles each once; on a
    narrow VGG with its derivatives 2,503 nests became 434 functions. The
    functions stay out of line in LLVM too (`passthrough = ["noinline"]`):
    inlined, they made one function of 87,000 lines whose instruction
    selection took most of the compile. Where the memory plan shows that
    no buffer a nest writes shares bytes with another of its buffers
    (distinct arguments, or disjoint constant-offset views of the arena),
    its memref arguments are `llvm.noalias`, which spares LLVM run-time
    overlap checks.

    ```mlir
    linalg.generic {...} ins(%a : memref<8x64xf32>) outs(%b : memref<8x64xf32>) {...}
    ```
    becomes
    ```mlir
    func.call @train_step_nest_3(%a, %b) : (memref<8x64xf32>, memref<8x64xf32>) -> ()
    func.func private @train_step_nest_3(%arg0: memref<8x64xf32> {llvm.noalias},
        %arg1: memref<8x64xf32> {llvm.noalias})
        attributes {no_inline, passthrough = ["noinline"]} { linalg.generic ... ; return }
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // MARTHE_TARGET_CPU_PASSES_TD
