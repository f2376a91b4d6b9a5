// A @train_step whose step size has role "lr" instead of "eta".

func.func @loss(%w: tensor<3xf32> {marthe.role = "param:w"}, %x: tensor<2x3xf32> {marthe.role = "input"},
                %y: tensor<2xi32> {marthe.role = "labels"}) -> (tensor<f32> {marthe.role = "loss"}) {
  %0 = marthe.mul %w, %x : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = marthe.softmax_xent %0, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  return %1 : tensor<f32>
}

func.func @train_step(%w: tensor<3xf32> {marthe.role = "param:w"}, %x: tensor<2x3xf32> {marthe.role = "input"},
                      %y: tensor<2xi32> {marthe.role = "labels"}, %lr: tensor<f32> {marthe.role = "lr"})
    -> (tensor<3xf32> {marthe.role = "param:w"}, tensor<f32> {marthe.role = "loss"}) {
  %l, %g = marthe.grad @loss(%w, %x, %y) wrt [0]
      : (tensor<3xf32>, tensor<2x3xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3xf32>)
  %s = marthe.mul %lr, %g : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  %w1 = marthe.sub %w, %s : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %w1, %l : tensor<3xf32>, tensor<f32>
}
