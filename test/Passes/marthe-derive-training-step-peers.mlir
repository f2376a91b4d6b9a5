// The automatic-LR optimizer kinds: their state after the parameters, the
// state they start from (@init_optimizer) and schedule-free's evaluation
// point. Their update rules are checked against the packages numerically
// (test/EndToEnd/peer_reference.py).
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=schedulefree_sgd hyperparameters=momentum=0.5" | FileCheck %s --check-prefix=SF
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=prodigy hyperparameters=d0=0.25,beta1=0" | FileCheck %s --check-prefix=PRODIGY
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=ldog" | FileCheck %s --check-prefix=LDOG
// RUN: not marthe-opt %s --marthe-derive-training-step="optimizer=adam hyperparameters=d0=1" 2>&1 | FileCheck %s --check-prefix=ERR-KEY
// RUN: not marthe-opt %s --marthe-derive-training-step="optimizer=prodigy hyperparameters=d0=0" 2>&1 | FileCheck %s --check-prefix=ERR-DOMAIN
// RUN: not marthe-opt %s --marthe-derive-training-step="optimizer=schedulefree_adamw hyperparameters=r=0.5" 2>&1 | FileCheck %s --check-prefix=ERR-R

// ERR-KEY: error: 'd0' is not a hyperparameter of optimizer adam (it has: beta1, beta2, epsilon)
// ERR-DOMAIN: error: hyperparameter d0: expected a number > 0, got 0
// ERR-R: error: hyperparameter r: expected 0 (the only value marthe implements), got 0.5

func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %b: tensor<3xf32> {marthe.role = "param:b"},
                   %x: tensor<2x4xf32> {marthe.role = "input"}) -> tensor<2x3xf32> {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// Schedule-free: the parameters hold y; z per parameter, then the float64
// scalars k, lr_max and weight_sum. y' = y + ckp1 (z - y) + lr (m (1 - ckp1) - 1) g,
// z' = z - lr g.
// SF-LABEL: func.func @train_step(
// SF-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// SF-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// SF-SAME: %[[ZW:[^:]+]]: tensor<3x4xf32> {marthe.role = "opt:schedulefree_z:param:w"},
// SF-SAME: %[[ZB:[^:]+]]: tensor<3xf32> {marthe.role = "opt:schedulefree_z:param:b"},
// SF-SAME: %[[K:[^:]+]]: tensor<f64> {marthe.role = "opt:k"},
// SF-SAME: %[[LRMAX:[^:]+]]: tensor<f64> {marthe.role = "opt:lr_max"},
// SF-SAME: %[[SUM:[^:]+]]: tensor<f64> {marthe.role = "opt:weight_sum"},
// SF-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"})
// SF: %[[G:[^:]+]]:3 = marthe.grad @loss
// SF: %[[LR:.+]] = marthe.convert %[[ETA]] : (tensor<f32>) -> tensor<f64>
// SF: %[[M:.+]] = marthe.constant dense<5.000000e-01> : tensor<f64>
// SF: %[[DW:.+]] = marthe.sub %[[ZW]], %[[W]]
// SF: %[[Y:.+]] = marthe.add %[[W]],
// SF: %[[W1:.+]] = marthe.add %[[Y]],
// SF: %[[STEP:.+]] = marthe.mul {{.*}}, %[[G]]#1
// SF: %[[ZW1:.+]] = marthe.sub %[[ZW]], %[[STEP]]
// SF: return %[[W1]], %{{.+}}, %[[ZW1]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[G]]#0

// z starts at the parameters, lr_max at -1 (as the package's group defaults).
// SF-LABEL: func.func @init_optimizer(
// SF-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"}, %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"})
// SF-SAME: -> (tensor<3x4xf32> {marthe.role = "opt:schedulefree_z:param:w"}, tensor<3xf32> {marthe.role = "opt:schedulefree_z:param:b"}, tensor<f64> {marthe.role = "opt:k"}, tensor<f64> {marthe.role = "opt:lr_max"}, tensor<f64> {marthe.role = "opt:weight_sum"})
// SF-DAG: %[[ZERO:.+]] = marthe.constant dense<0.000000e+00> : tensor<f64>
// SF-DAG: %[[MINUS:.+]] = marthe.constant dense<-1.000000e+00> : tensor<f64>
// SF: return %[[W]], %[[B]], %{{.+}}, %[[MINUS]], %{{.+}} :

// x = y + (1 - 1/momentum) (z - y), with 1 - 1/0.5 = -1.
// SF-LABEL: func.func @evaluation_point(
// SF-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"}, %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// SF-SAME: %[[ZW:[^:]+]]: tensor<3x4xf32> {marthe.role = "opt:schedulefree_z:param:w"}
// SF-SAME: -> (tensor<3x4xf32> {marthe.role = "param:w"}, tensor<3xf32> {marthe.role = "param:b"})
// SF-NEXT: %[[D:.+]] = marthe.sub %[[ZW]], %[[W]]
// SF-NEXT: %[[C:.+]] = marthe.constant dense<-1.000000e+00> : tensor<f32>
// SF-NEXT: %[[S:.+]] = marthe.mul %[[C]], %[[D]]
// SF-NEXT: %[[X:.+]] = marthe.add %[[W]], %[[S]]

// Prodigy without a first moment (beta1 = 0): the starting point, s and the
// second moment per parameter, then d, d_max and the numerator; d and d_max
// start at d0.
// PRODIGY-LABEL: func.func @train_step(
// PRODIGY-SAME: {marthe.role = "opt:prodigy_p0:param:w"}
// PRODIGY-SAME: {marthe.role = "opt:prodigy_s:param:b"}
// PRODIGY-SAME: {marthe.role = "opt:prodigy_exp_avg_sq:param:b"}
// PRODIGY-SAME: tensor<f64> {marthe.role = "opt:d"}, %{{.+}}: tensor<f64> {marthe.role = "opt:d_max"}, %{{.+}}: tensor<f64> {marthe.role = "opt:d_numerator"}
// PRODIGY-NOT: prodigy_exp_avg:
// PRODIGY: marthe.dot
// PRODIGY-LABEL: func.func @init_optimizer(
// PRODIGY: %[[ZW:.+]] = marthe.constant dense<0.000000e+00> : tensor<3x4xf32>
// PRODIGY: %[[D:.+]] = marthe.constant dense<2.500000e-01> : tensor<f64>
// PRODIGY-NEXT: %[[DMAX:.+]] = marthe.constant dense<2.500000e-01> : tensor<f64>
// PRODIGY: return %arg0, %arg1, %[[ZW]], {{.*}}, %[[D]], %[[DMAX]],
// PRODIGY-NOT: @evaluation_point

// L-DoG: per parameter tensor a float64 distance and sum of squared norms.
// LDOG-LABEL: func.func @train_step(
// LDOG-SAME: {marthe.role = "opt:ldog_x0:param:b"}
// LDOG-SAME: tensor<f64> {marthe.role = "opt:ldog_rbar:param:w"}
// LDOG-SAME: tensor<f64> {marthe.role = "opt:ldog_sum_g2:param:b"}
// LDOG-LABEL: func.func @init_optimizer(
// LDOG: marthe.constant dense<1.000000e-08> : tensor<f64>
