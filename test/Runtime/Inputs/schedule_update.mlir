// The schedule update alone, compiled by marthe-compile from this stage into
// an object for ScheduleUpdateTest.cpp: adaptive mu and fixed mu.
module attributes {marthe.stage = "mlir"} {
  func.func @adaptive(%eta: tensor<f64> {marthe.role = "eta"}, %beta: tensor<f64> {marthe.role = "beta"},
                      %mu: tensor<f64> {marthe.role = "mu"}, %c: tensor<f64> {marthe.role = "c"},
                      %hg_prev: tensor<f64> {marthe.role = "hg_prev"}, %hg: tensor<f64> {marthe.role = "hg"},
                      %g1: tensor<f64> {marthe.role = "g1"}, %alpha: tensor<f64> {marthe.role = "alpha"})
      -> (tensor<f64> {marthe.role = "eta"}, tensor<f64> {marthe.role = "beta"},
          tensor<f64> {marthe.role = "mu"}, tensor<f64> {marthe.role = "c"}) {
    %0:4 = marthe.schedule_update %eta, %beta, %mu, %c, %hg_prev, %hg, %g1, %alpha {adaptive_mu}
        : (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
        -> (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
    return %0#0, %0#1, %0#2, %0#3 : tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>
  }
  func.func @fixed(%eta: tensor<f64> {marthe.role = "eta"}, %beta: tensor<f64> {marthe.role = "beta"},
                   %mu: tensor<f64> {marthe.role = "mu"}, %c: tensor<f64> {marthe.role = "c"},
                   %hg_prev: tensor<f64> {marthe.role = "hg_prev"}, %hg: tensor<f64> {marthe.role = "hg"},
                   %g1: tensor<f64> {marthe.role = "g1"}, %alpha: tensor<f64> {marthe.role = "alpha"})
      -> (tensor<f64> {marthe.role = "eta"}, tensor<f64> {marthe.role = "beta"},
          tensor<f64> {marthe.role = "mu"}, tensor<f64> {marthe.role = "c"}) {
    %0:4 = marthe.schedule_update %eta, %beta, %mu, %c, %hg_prev, %hg, %g1, %alpha
        : (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
        -> (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
    return %0#0, %0#1, %0#2, %0#3 : tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>
  }
}
