#ifndef MARTHE_PASSES_TD
#define MARTHE_PASSES_TD

include "mlir/Pass/PassBase.td"

def DeriveTrainingStep : Pass<"marthe-derive-training-step", "mlir::ModuleOp"> {
  let summary = "Derive the loss and the training step from @forward";
  let description = [{
    From `@forward(params..., input) -> logits` builds
    `@loss(params..., input, labels)` (mean cross-entropy) and
    `@train_step(state..., input, labels, eta) -> (state'..., loss)`, where the
    state is the parameters followed by the optimizer's buffers. The gradient
    is requested with `marthe.grad`; weight decay adds `lambda * w` to it.

    Before:
    ```mlir
    func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"},
                       %x: tensor<2x4xf32> {marthe.role = "input"}) -> tensor<2x3xf32>
    ```
    Each optimizer kind's rule (passes/OptimizerRules.cpp) says its state
    after the parameters: momentum one buffer per parameter, Adam m and v per
    parameter and its two bias corrections as float64 scalars, Prodigy also
    the starting point and d. Where that state does not start at zero,
    `@init_optimizer(params...)` returns its initial value; schedule-free
    kinds also get `@evaluation_point(params..., state...)`, the average x
    that evaluation and the written model use. After (SGD):
    ```mlir
    func.func @train_step(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %x: ..., %y: tensor<2xi32>,
                          %eta: tensor<f32>) -> (tensor<3x4xf32>, tensor<f32>) {
      %loss, %g = marthe.grad @loss(%w, %x, %y) wrt [0] : ...
      %step = marthe.mul %eta, %g : ...
      %w1 = marthe.sub %w, %step : ...
      return %w1, %loss : ...
    }
    ```
  }];
  let options = [
    Option<"optimizer", "optimizer", "::marthe::Optimizer", "::marthe::Optimizer::SGD",
           "the optimizer (dialect/OptimizerKinds.h)", [{::marthe::optimizerValues()}]>,
    Option<"weightDecay", "weight-decay", "double", "0.0",
           "L2 factor lambda: the gradient becomes g + lambda * w">,
    ListOption<"hyperparameters", "hyperparameters", "std::string",
               "the optimizer's hyperparameters as name=value (the others keep their defaults)">,
    Option<"exportDerivatives", "export-derivatives", "bool", "false",
           "also emit @loss_and_grad and @loss_hvp (for numeric tests)">,
  ];
  let dependentDialects = ["::marthe::MartheDialect", "::mlir::func::FuncDialect"];
}

def Hypergradient : Pass<"marthe-hypergradient", "mlir::ModuleOp"> {
  let summary = "Build @marthe_step: the step, its tangent, the hypergradient and the schedule update";
  let description = [{
    From `@train_step` and `@loss` builds
    `@marthe_step(state..., Z..., x, y, xv, yv, eta, beta, mu, c, hg_prev, alpha)`
    returning `(state'..., Z'..., eta', beta', mu', c', hg, g1, loss, val_loss)`:
    ```
    s', Z' = jvp(train_step) at (s, eta) along (mu * Z, 1)     # Z' = mu A Z + B
    B      = jvp(train_step) at (s, eta) along (0, 1)
    e      = grad(loss)(w', validation batch)
    hg = <Z'_w, e>,  g1 = <B_w, e>,  then marthe.schedule_update
    ```
    When the optimizer evaluates the model elsewhere than at its iterate
    (`@evaluation_point`, schedule-free's average x), e is the validation
    gradient at that point and Z', B are pushed through it (a JVP of
    `@evaluation_point`): the hypergradient is that of the evaluated model.
    With `relative`, hg and g1 are scaled by eta / (|Z'_w| |e|) (their ratio,
    which adapts mu, is unchanged), so that eta moves by the fraction
    beta' cos(Z'_w, e) of itself.
    The forward and reverse passes shared by the three requests are merged by
    CSE once marthe-reverse-ad and marthe-forward-ad have lowered them. With
    `mu=zero`, Z' = B and only the second request is made.
  }];
  let options = [
    Option<"muMode", "mu", "::marthe::MuMode", "::marthe::MuMode::Adaptive",
           "how the step treats mu", [{::llvm::cl::values(
             clEnumValN(::marthe::MuMode::Adaptive, "adaptive", "adapted online (MARTHE)"),
             clEnumValN(::marthe::MuMode::Fixed, "fixed", "a runtime input that stays as it is"),
             clEnumValN(::marthe::MuMode::Zero, "zero",
                        "0 (HD on the validation loss): Z' = B, and A Z is never built"))}]>,
    Option<"relative", "relative", "bool", "false",
           "scale hg and g1 by eta / (|Z'_w| |e|): eta' = eta (1 - beta' cos(Z'_w, e)), a "
           "relative step that no scale of Z or e can blow up">,
  ];
  let dependentDialects = ["::marthe::MartheDialect", "::mlir::func::FuncDialect"];
}

def ReverseAD : Pass<"marthe-reverse-ad", "mlir::ModuleOp"> {
  let summary = "Lower marthe.grad to calls of derived gradient functions";
  let description = [{
    For each `marthe.grad @f(...) wrt [...]` creates (once) a private
    `@f_grad_<wrt>` that runs `@f` forward and then propagates adjoints back
    through each op's reverse-mode rule, and replaces the request by a call.
    The callee must be a single block of marthe ops (inline calls first).

    Before: `%l, %g = marthe.grad @loss(%w, %x, %y) wrt [0] : ...`
    After:  `%l, %g = call @loss_grad_0(%w, %x, %y) : ...`
  }];
  let dependentDialects = ["::marthe::MartheDialect", "::mlir::func::FuncDialect"];
}

def ForwardAD : Pass<"marthe-forward-ad", "mlir::ModuleOp"> {
  let summary = "Lower marthe.jvp to calls of derived tangent functions";
  let description = [{
    For each `marthe.jvp @f(...) wrt [...] tangents(...)` creates a private
    `@f_jvp_<wrt>` that computes `@f` and, op by op, the tangents of its results
    through each op's forward-mode rule; arguments outside `wrt` have zero
    tangent and their contributions are never built. Applied to a function
    holding a reverse pass this is forward-over-reverse: exact Hessian-vector
    products with no second backward pass.

    Before: `%w1, %l, %tw1, %tl = marthe.jvp @step(%w, %x, %y, %eta) wrt [0, 3] tangents(%z, %one) : ...`
    After:  `%w1, %l, %tw1, %tl = call @step_jvp_0_3(%w, %x, %y, %eta, %z, %one) : ...`
  }];
  let dependentDialects = ["::marthe::MartheDialect", "::mlir::func::FuncDialect"];
}

def FuseElementwise : Pass<"marthe-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Group chains of element-wise ops into marthe.fused regions";
  let description = [{
    Greedily grows a group from each element-wise op through element-wise
    producers of the same iteration shape (and scalar constants), so that each
    group is computed in a single loop with no intermediate buffers. Values used
    outside a group become its results.

    Before:
    ```mlir
    %a = marthe.mul %eta, %g : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
    %b = marthe.sub %w, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
    After:
    ```mlir
    %b = marthe.fused(%eta, %g, %w) : (tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%e: tensor<f32>, %g0: tensor<4xf32>, %w0: tensor<4xf32>):
      %a = marthe.mul %e, %g0 : ...
      %b = marthe.sub %w0, %a : ...
      marthe.yield %b : tensor<4xf32>
    }
    ```
  }];
  let dependentDialects = ["::marthe::MartheDialect"];
}


//===----------------------------------------------------------------------===//
// Target-neutral lowering: loop nests, library calls, buffers
//===----------------------------------------------------------------------===//

def LowerToLinalg : Pass<"marthe-lower-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower fused groups, reductions, the schedule update, reshapes and constants to linalg";
  let description = [{
    Each `marthe.fused` group becomes one `linalg.generic` over its iteration
    shape whose body is `arith`/`math` on scalars; a suffix-broadcast operand
    reads the trailing indices and a scalar none. `marthe.sum_to` and
    `marthe.dot` become reductions (the dot accumulates in f64 with
    reassociable adds), `marthe.schedule_update` a rank-0 `linalg.generic`,
    `marthe.reshape` a collapse/expand pair, `marthe.constant` an
    `arith.constant`. Every target lowers these loop nests.

    Before:
    ```mlir
    %b = marthe.fused(%eta, %g, %w) : (tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%e: tensor<f32>, %g0: tensor<4xf32>, %w0: tensor<4xf32>):
      %a = marthe.mul %e, %g0 : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
      %s = marthe.sub %w0, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      marthe.yield %s : tensor<4xf32>
    }
    ```
    After:
    ```mlir
    %init = tensor.empty() : tensor<4xf32>
    %b = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>,
                                          affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]}
        ins(%eta, %g, %w : tensor<f32>, tensor<4xf32>, tensor<4xf32>) outs(%init : tensor<4xf32>) {
    ^bb0(%e: f32, %g0: f32, %w0: f32, %out: f32):
      %a = arith.mulf %e, %g0 : f32
      %s = arith.subf %w0, %a : f32
      linalg.yield %s : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"];
}

def LowerToLibraryCalls : Pass<"marthe-lower-to-library-calls", "mlir::func::FuncOp"> {
  let summary = "Lower GEMMs and the cross-entropy kernels to library-call ops";
  let description = [{
    `marthe.matmul` becomes `marthe.library.gemm` and the three cross-entropy
    ops their `marthe.library.*` forms, destination-passing ops whose init is
    a `tensor.empty`. Each target lowers them to its library.

    Before: `%y = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>`
    After:
    ```mlir
    %init = tensor.empty() : tensor<2x4xf32>
    %y = marthe.library.gemm ins(%x, %w : tensor<2x3xf32>, tensor<4x3xf32>)
                             outs(%init : tensor<2x4xf32>) {transpose_rhs} -> tensor<2x4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def PlanMemory : Pass<"marthe-plan-memory", "mlir::ModuleOp"> {
  let summary = "Static memory plan: results in the caller's buffers, the rest in one arena";
  let description = [{
    Runs on bufferized entry functions (no callers, one block) whose results
    are out-parameters (marked `bufferize.result`); writing an argument that
    is not one, or allocating inside a region, is an error. A fresh
    allocation whose last use is a copy into a result buffer is replaced by
    that buffer. Every
    other `memref.alloc` becomes a `memref.view` at a constant offset of a new
    last argument, the arena (`marthe.role = "arena"`), which the caller
    allocates once; buffers whose live ranges (first to last use, through
    every value that may alias them) do not overlap share bytes. The arena size is recorded in
    `marthe.arena_bytes` and the argument types (which the CPU target turns
    into bare pointers) in `marthe.buffer_types`. No static storage remains, so the functions are
    reentrant.

    Before:
    ```mlir
    func.func @f(%x: memref<4xf32>, %out: memref<4xf32>) {
      %a = memref.alloc() : memref<4xf32>
      ...
      memref.copy %b, %out : memref<4xf32> to memref<4xf32>
    ```
    After:
    ```mlir
    func.func @f(%x: memref<4xf32>, %out: memref<4xf32>, %arena: memref<64xi8> {marthe.role = "arena"})
        attributes {marthe.arena_bytes = 64 : i64} {
      %c0 = arith.constant 0 : index
      %a = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

#endif // MARTHE_PASSES_TD
