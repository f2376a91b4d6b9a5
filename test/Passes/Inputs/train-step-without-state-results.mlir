// A @train_step that returns the loss alone, not its state.

module {
  func.func @loss(%w: tensor<3x2xf32> {marthe.role = "param:w"}, %x: tensor<4x3xf32> {marthe.role = "input"}, %y: tensor<4xi32> {marthe.role = "labels"}) -> (tensor<f32> {marthe.role = "loss"}) {
    %l = marthe.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %v = marthe.softmax_xent %l, %y : (tensor<4x2xf32>, tensor<4xi32>) -> tensor<f32>
    return %v : tensor<f32>
  }
  func.func @train_step(%w: tensor<3x2xf32> {marthe.role = "param:w"}, %x: tensor<4x3xf32> {marthe.role = "input"}, %y: tensor<4xi32> {marthe.role = "labels"}, %eta: tensor<f32> {marthe.role = "eta"}) -> (tensor<f32> {marthe.role = "loss"}) {
    %v = func.call @loss(%w, %x, %y) : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>
    return %v : tensor<f32>
  }
}
