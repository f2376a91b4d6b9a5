// RUN: marthe-opt %s -split-input-file -verify-diagnostics --marthe-derive-training-step

// expected-error @+1 {{marthe-derive-training-step needs a function @forward}}
module {
  func.func @f() {
    return
  }
}

// -----

// expected-error @+1 {{@forward must take the parameters, the running statistics and one argument with role "input", in that order}}
func.func @forward(%x: tensor<2x4xf32> {marthe.role = "input"}, %w: tensor<3x4xf32> {marthe.role = "param:w"}) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}

// -----

// expected-error @+1 {{@forward must return 2-D logits [batch, classes]}}
func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %x: tensor<2x4xf32> {marthe.role = "input"}) {
  return
}
