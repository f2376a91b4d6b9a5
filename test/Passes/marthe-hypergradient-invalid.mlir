// RUN: marthe-opt %s -split-input-file -verify-diagnostics --marthe-hypergradient

// expected-error @+1 {{marthe-hypergradient needs a function @train_step}}
module {
  func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
    %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// The step size has role "lr" instead of "eta".
func.func @loss(%w: tensor<3xf32> {marthe.role = "param:w"}, %x: tensor<2x3xf32> {marthe.role = "input"},
                %y: tensor<2xi32> {marthe.role = "labels"}) -> (tensor<f32> {marthe.role = "loss"}) {
  %0 = marthe.mul %w, %x : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = marthe.softmax_xent %0, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// expected-error @+1 {{@train_step needs an argument with role "eta"}}
func.func @train_step(%w: tensor<3xf32> {marthe.role = "param:w"}, %x: tensor<2x3xf32> {marthe.role = "input"},
                      %y: tensor<2xi32> {marthe.role = "labels"}, %lr: tensor<f32> {marthe.role = "lr"})
    -> (tensor<3xf32> {marthe.role = "param:w"}, tensor<f32> {marthe.role = "loss"}) {
  %l, %g = marthe.grad @loss(%w, %x, %y) wrt [0]
      : (tensor<3xf32>, tensor<2x3xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3xf32>)
  %s = marthe.mul %lr, %g : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  %w1 = marthe.sub %w, %s : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %w1, %l : tensor<3xf32>, tensor<f32>
}

// -----

// The step returns the loss alone, not its state.
func.func @loss(%w: tensor<3x2xf32> {marthe.role = "param:w"}, %x: tensor<4x3xf32> {marthe.role = "input"}, %y: tensor<4xi32> {marthe.role = "labels"}) -> (tensor<f32> {marthe.role = "loss"}) {
  %l = marthe.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %v = marthe.softmax_xent %l, %y : (tensor<4x2xf32>, tensor<4xi32>) -> tensor<f32>
  return %v : tensor<f32>
}

// expected-error @+1 {{@train_step must return its state, in argument order, then the scalar "loss"}}
func.func @train_step(%w: tensor<3x2xf32> {marthe.role = "param:w"}, %x: tensor<4x3xf32> {marthe.role = "input"}, %y: tensor<4xi32> {marthe.role = "labels"}, %eta: tensor<f32> {marthe.role = "eta"}) -> (tensor<f32> {marthe.role = "loss"}) {
  %v = func.call @loss(%w, %x, %y) : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>
  return %v : tensor<f32>
}
