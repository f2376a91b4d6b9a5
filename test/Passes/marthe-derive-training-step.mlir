// RUN: marthe-opt %s --marthe-derive-training-step | FileCheck %s --check-prefixes=CHECK,SGD,NOEXPORT
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=momentum" | FileCheck %s --check-prefixes=CHECK,MOM
// RUN: marthe-opt %s --marthe-derive-training-step="weight-decay=0.1" | FileCheck %s --check-prefixes=CHECK,WD
// RUN: marthe-opt %s --marthe-derive-training-step="export-derivatives=true" | FileCheck %s --check-prefixes=CHECK,SGD,EXPORT
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=adam hyperparameters=beta1=0.5,beta2=0.75,epsilon=0.125" | FileCheck %s --check-prefix=ADAM
// RUN: not marthe-opt %s --marthe-derive-training-step="optimizer=rmsprop" 2>&1 | FileCheck %s --check-prefix=ERR-OPTIMIZER
// RUN: not marthe-opt %s --marthe-derive-training-step="weight-decay=-1" 2>&1 | FileCheck %s --check-prefix=ERR-DECAY

// ERR-OPTIMIZER: marthe-opt: for the --optimizer option: Cannot find option named 'rmsprop'!
// ERR-DECAY: error: weight-decay must be >= 0
// The errors about the input IR are in marthe-derive-training-step-invalid.mlir.

func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %b: tensor<3xf32> {marthe.role = "param:b"},
                   %x: tensor<2x4xf32> {marthe.role = "input"}) -> tensor<2x3xf32> {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// @forward is kept as it is.
// CHECK-LABEL: func.func @forward(
// CHECK: marthe.matmul
// CHECK: marthe.add
// CHECK: return

// @loss is @forward's body followed by the mean cross-entropy against the labels.
// CHECK-LABEL: func.func @loss(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// CHECK-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"})
// CHECK-SAME: -> (tensor<f32> {marthe.role = "loss"})
// CHECK-NEXT: %[[Z:.+]] = marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// CHECK-NEXT: %[[L:.+]] = marthe.add %[[Z]], %[[B]]
// CHECK-NEXT: %[[XENT:.+]] = marthe.softmax_xent %[[L]], %[[Y]] : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
// CHECK-NEXT: return %[[XENT]]

// Plain SGD updates each parameter to w - eta * g.
// SGD-LABEL: func.func @train_step(
// SGD-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// SGD-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// SGD-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// SGD-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// SGD-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"})
// SGD-SAME: -> (tensor<3x4xf32> {marthe.role = "param:w"}, tensor<3xf32> {marthe.role = "param:b"}, tensor<f32> {marthe.role = "loss"})
// SGD-NEXT: %[[G:[^:]+]]:3 = marthe.grad @loss(%[[W]], %[[B]], %[[X]], %[[Y]]) wrt [0, 1]
// SGD-NEXT: %[[SW:.+]] = marthe.mul %[[ETA]], %[[G]]#1 : (tensor<f32>, tensor<3x4xf32>)
// SGD-NEXT: %[[W1:.+]] = marthe.sub %[[W]], %[[SW]]
// SGD-NEXT: %[[SB:.+]] = marthe.mul %[[ETA]], %[[G]]#2 : (tensor<f32>, tensor<3xf32>)
// SGD-NEXT: %[[B1:.+]] = marthe.sub %[[B]], %[[SB]]
// SGD-NEXT: return %[[W1]], %[[B1]], %[[G]]#0

// Momentum (PyTorch): buf' = 0.9 * buf + g, w' = w - eta * buf'; the buffers
// are state after the parameters, in arguments and results alike.
// MOM-LABEL: func.func @train_step(
// MOM-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// MOM-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// MOM-SAME: %[[MW:[^:]+]]: tensor<3x4xf32> {marthe.role = "opt:momentum:param:w"},
// MOM-SAME: %[[MB:[^:]+]]: tensor<3xf32> {marthe.role = "opt:momentum:param:b"},
// MOM-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// MOM-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// MOM-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"})
// MOM-SAME: -> (tensor<3x4xf32> {marthe.role = "param:w"}, tensor<3xf32> {marthe.role = "param:b"},
// MOM-SAME: tensor<3x4xf32> {marthe.role = "opt:momentum:param:w"}, tensor<3xf32> {marthe.role = "opt:momentum:param:b"},
// MOM-SAME: tensor<f32> {marthe.role = "loss"})
// MOM-NEXT: %[[G:[^:]+]]:3 = marthe.grad @loss(%[[W]], %[[B]], %[[X]], %[[Y]]) wrt [0, 1]
// MOM-NEXT: %[[M:.+]] = marthe.constant dense<0.899999976> : tensor<f32>
// MOM-NEXT: %[[DW:.+]] = marthe.mul %[[M]], %[[MW]]
// MOM-NEXT: %[[NW:.+]] = marthe.add %[[DW]], %[[G]]#1
// MOM-NEXT: %[[SW:.+]] = marthe.mul %[[ETA]], %[[NW]]
// MOM-NEXT: %[[W1:.+]] = marthe.sub %[[W]], %[[SW]]
// MOM-NEXT: %[[M2:.+]] = marthe.constant dense<0.899999976> : tensor<f32>
// MOM-NEXT: %[[DB:.+]] = marthe.mul %[[M2]], %[[MB]]
// MOM-NEXT: %[[NB:.+]] = marthe.add %[[DB]], %[[G]]#2
// MOM-NEXT: %[[SB:.+]] = marthe.mul %[[ETA]], %[[NB]]
// MOM-NEXT: %[[B1:.+]] = marthe.sub %[[B]], %[[SB]]
// MOM-NEXT: return %[[W1]], %[[B1]], %[[NW]], %[[NB]], %[[G]]#0

// Weight decay: the direction is g + 0.1 * w.
// WD-LABEL: func.func @train_step(
// WD-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// WD-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// WD-NOT: opt:
// WD-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"})
// WD-NEXT: %[[G:[^:]+]]:3 = marthe.grad @loss
// WD-NEXT: %[[L:.+]] = marthe.constant dense<1.000000e-01> : tensor<f32>
// WD-NEXT: %[[DW:.+]] = marthe.mul %[[L]], %[[W]]
// WD-NEXT: %[[RW:.+]] = marthe.add %[[G]]#1, %[[DW]]
// WD-NEXT: %[[L2:.+]] = marthe.constant dense<1.000000e-01> : tensor<f32>
// WD-NEXT: %[[DB:.+]] = marthe.mul %[[L2]], %[[B]]
// WD-NEXT: %[[RB:.+]] = marthe.add %[[G]]#2, %[[DB]]
// WD-NEXT: %[[SW:.+]] = marthe.mul %[[ETA]], %[[RW]]
// WD-NEXT: %[[W1:.+]] = marthe.sub %[[W]], %[[SW]]
// WD-NEXT: %[[SB:.+]] = marthe.mul %[[ETA]], %[[RB]]
// WD-NEXT: %[[B1:.+]] = marthe.sub %[[B]], %[[SB]]
// WD-NEXT: return %[[W1]], %[[B1]], %[[G]]#0

// Without export-derivatives only @forward, @loss and @train_step exist.
// NOEXPORT-NOT: func.func @loss_and_grad
// NOEXPORT-NOT: func.func @loss_hvp

// EXPORT-LABEL: func.func @loss_and_grad(
// EXPORT-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// EXPORT-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// EXPORT-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// EXPORT-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"})
// EXPORT-SAME: -> (tensor<f32> {marthe.role = "loss"}, tensor<3x4xf32> {marthe.role = "grad:param:w"}, tensor<3xf32> {marthe.role = "grad:param:b"})
// EXPORT-NEXT: %[[G:[^:]+]]:3 = marthe.grad @loss(%[[W]], %[[B]], %[[X]], %[[Y]]) wrt [0, 1]
// EXPORT-NEXT: return %[[G]]#0, %[[G]]#1, %[[G]]#2

// @loss_hvp differentiates @loss_and_grad forward along v (forward over
// reverse) and returns the gradients and their tangents H v.
// EXPORT-LABEL: func.func @loss_hvp(
// EXPORT-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// EXPORT-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// EXPORT-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// EXPORT-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// EXPORT-SAME: %[[VW:[^:]+]]: tensor<3x4xf32> {marthe.role = "tangent:param:w"},
// EXPORT-SAME: %[[VB:[^:]+]]: tensor<3xf32> {marthe.role = "tangent:param:b"})
// EXPORT-SAME: -> (tensor<3x4xf32> {marthe.role = "grad:param:w"}, tensor<3xf32> {marthe.role = "grad:param:b"},
// EXPORT-SAME: tensor<3x4xf32> {marthe.role = "hvp:param:w"}, tensor<3xf32> {marthe.role = "hvp:param:b"})
// EXPORT-NEXT: %[[J:[^:]+]]:6 = marthe.jvp @loss_and_grad(%[[W]], %[[B]], %[[X]], %[[Y]]) wrt [0, 1] tangents(%[[VW]], %[[VB]])
// EXPORT-SAME: -> (tensor<f32>, tensor<3x4xf32>, tensor<3xf32>, tensor<f32>, tensor<3x4xf32>, tensor<3xf32>)
// EXPORT-NEXT: return %[[J]]#1, %[[J]]#2, %[[J]]#4, %[[J]]#5

// Adam (PyTorch, L2 weight decay in g): m and v per parameter, then the bias
// corrections bc = 1 - beta^k as float64 scalar state updated as bc' = beta bc + (1 - beta),
// rounded to the model's precision where they divide;
// w' = w - eta (m'/bc1') / (sqrt(v'/bc2') + eps).
// ADAM-LABEL: func.func @train_step(
// ADAM-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// ADAM-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// ADAM-SAME: %[[MW:[^:]+]]: tensor<3x4xf32> {marthe.role = "opt:adam_m:param:w"},
// ADAM-SAME: %[[MB:[^:]+]]: tensor<3xf32> {marthe.role = "opt:adam_m:param:b"},
// ADAM-SAME: %[[VW:[^:]+]]: tensor<3x4xf32> {marthe.role = "opt:adam_v:param:w"},
// ADAM-SAME: %[[VB:[^:]+]]: tensor<3xf32> {marthe.role = "opt:adam_v:param:b"},
// ADAM-SAME: %[[BC1:[^:]+]]: tensor<f64> {marthe.role = "opt:adam_bc1"},
// ADAM-SAME: %[[BC2:[^:]+]]: tensor<f64> {marthe.role = "opt:adam_bc2"},
// ADAM-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// ADAM-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// ADAM-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"})
// ADAM-NEXT: %[[G:[^:]+]]:3 = marthe.grad @loss(%[[W]], %[[B]], %[[X]], %[[Y]]) wrt [0, 1]
// ADAM-NEXT: %[[HALF:.+]] = marthe.constant dense<5.000000e-01>
// ADAM-NEXT: %[[D1:.+]] = marthe.mul %[[HALF]], %[[BC1]]
// ADAM-NEXT: %[[C1:.+]] = marthe.constant dense<5.000000e-01>
// ADAM-NEXT: %[[NBC1:.+]] = marthe.add %[[D1]], %[[C1]]
// ADAM-NEXT: %[[B2:.+]] = marthe.constant dense<7.500000e-01>
// ADAM-NEXT: %[[D2:.+]] = marthe.mul %[[B2]], %[[BC2]]
// ADAM-NEXT: %[[C2:.+]] = marthe.constant dense<2.500000e-01>
// ADAM-NEXT: %[[NBC2:.+]] = marthe.add %[[D2]], %[[C2]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// ADAM-NEXT: %[[BC1M:.+]] = marthe.convert %[[NBC1]] : (tensor<f64>) -> tensor<f32>
// ADAM-NEXT: %[[BC2M:.+]] = marthe.convert %[[NBC2]] : (tensor<f64>) -> tensor<f32>
// ADAM: %[[M1:.+]] = marthe.add %{{.+}}, %{{.+}} : (tensor<3x4xf32>, tensor<3x4xf32>)
// ADAM: %[[GG:.+]] = marthe.mul %[[G]]#1, %[[G]]#1
// ADAM: %[[V1:.+]] = marthe.add %{{.+}}, %{{.+}} : (tensor<3x4xf32>, tensor<3x4xf32>)
// ADAM-NEXT: %[[VHAT:.+]] = marthe.div %[[V1]], %[[BC2M]]
// ADAM-NEXT: %[[S:.+]] = marthe.sqrt %[[VHAT]]
// ADAM-NEXT: %[[EPS:.+]] = marthe.constant dense<1.250000e-01>
// ADAM-NEXT: %[[DEN:.+]] = marthe.add %[[S]], %[[EPS]]
// ADAM-NEXT: %[[MHAT:.+]] = marthe.div %[[M1]], %[[BC1M]]
// ADAM-NEXT: %[[U:.+]] = marthe.div %[[MHAT]], %[[DEN]]
// ADAM-NEXT: %[[STEP:.+]] = marthe.mul %[[ETA]], %[[U]]
// ADAM-NEXT: %[[W1:.+]] = marthe.sub %[[W]], %[[STEP]]
// ADAM: return %[[W1]], %{{.+}}, %[[M1]], %{{.+}}, %[[V1]], %{{.+}}, %[[NBC1]], %[[NBC2]], %[[G]]#0
