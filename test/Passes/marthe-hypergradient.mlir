// RUN: marthe-opt %s --marthe-derive-training-step --marthe-hypergradient | FileCheck %s --check-prefixes=CHECK,ADAPT
// RUN: marthe-opt %s --marthe-derive-training-step --marthe-hypergradient="mu=fixed" | FileCheck %s --check-prefixes=CHECK,FIXED
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=momentum" --marthe-hypergradient | FileCheck %s --check-prefix=MOM
// RUN: marthe-opt %s --marthe-derive-training-step --marthe-hypergradient="mu=zero" | FileCheck %s --check-prefix=ZERO
// RUN: marthe-opt %s --marthe-derive-training-step --marthe-hypergradient="relative=true" | FileCheck %s --check-prefix=REL
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=schedulefree_sgd" --marthe-hypergradient | FileCheck %s --check-prefix=SF
// The errors about the input IR are in marthe-hypergradient-invalid.mlir.

// @loss and @train_step come from marthe-derive-training-step.
func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %b: tensor<3xf32> {marthe.role = "param:b"},
                   %x: tensor<2x4xf32> {marthe.role = "input"}) -> tensor<2x3xf32> {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @marthe_step(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// CHECK-SAME: %[[ZW:[^:]+]]: tensor<3x4xf32> {marthe.role = "tangent:param:w"},
// CHECK-SAME: %[[ZB:[^:]+]]: tensor<3xf32> {marthe.role = "tangent:param:b"},
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// CHECK-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// CHECK-SAME: %[[XV:[^:]+]]: tensor<2x4xf32> {marthe.role = "val_input"},
// CHECK-SAME: %[[YV:[^:]+]]: tensor<2xi32> {marthe.role = "val_labels"},
// The schedule scalars are float64 in a float32 model.
// CHECK-SAME: %[[ETA:[^:]+]]: tensor<f64> {marthe.role = "eta"},
// CHECK-SAME: %[[BETA:[^:]+]]: tensor<f64> {marthe.role = "beta"},
// CHECK-SAME: %[[MU:[^:]+]]: tensor<f64> {marthe.role = "mu"},
// CHECK-SAME: %[[C:[^:]+]]: tensor<f64> {marthe.role = "c"},
// CHECK-SAME: %[[HGP:[^:]+]]: tensor<f64> {marthe.role = "hg_prev"},
// CHECK-SAME: %[[ALPHA:[^:]+]]: tensor<f64> {marthe.role = "alpha"})
// CHECK-SAME: -> (tensor<3x4xf32> {marthe.role = "param:w"}, tensor<3xf32> {marthe.role = "param:b"},
// CHECK-SAME: tensor<3x4xf32> {marthe.role = "tangent:param:w"}, tensor<3xf32> {marthe.role = "tangent:param:b"},
// CHECK-SAME: tensor<f64> {marthe.role = "eta"}, tensor<f64> {marthe.role = "beta"}, tensor<f64> {marthe.role = "mu"}, tensor<f64> {marthe.role = "c"},
// CHECK-SAME: tensor<f64> {marthe.role = "hg"}, tensor<f64> {marthe.role = "g1"}, tensor<f32> {marthe.role = "loss"}, tensor<f32> {marthe.role = "val_loss"})
// The step sees eta and mu rounded to the model's precision.
// CHECK-NEXT: %[[ETA32:.+]] = marthe.convert %[[ETA]] : (tensor<f64>) -> tensor<f32>
// CHECK-NEXT: %[[ONE:.+]] = marthe.constant dense<1.000000e+00> : tensor<f32>
// B = jvp of the step in eta alone.
// CHECK-NEXT: %[[BJ:[^:]+]]:6 = marthe.jvp @train_step(%[[W]], %[[B]], %[[X]], %[[Y]], %[[ETA32]]) wrt [4] tangents(%[[ONE]])
// CHECK-NEXT: %[[MU32:.+]] = marthe.convert %[[MU]] : (tensor<f64>) -> tensor<f32>
// CHECK-NEXT: %[[MZW:.+]] = marthe.mul %[[MU32]], %[[ZW]]
// CHECK-NEXT: %[[MZB:.+]] = marthe.mul %[[MU32]], %[[ZB]]
// s', Z' = jvp of the step in (state, eta) along (mu Z, 1).
// CHECK-NEXT: %[[FULL:[^:]+]]:6 = marthe.jvp @train_step(%[[W]], %[[B]], %[[X]], %[[Y]], %[[ETA32]]) wrt [0, 1, 4] tangents(%[[MZW]], %[[MZB]], %[[ONE]])
// The validation gradient at the new parameters.
// CHECK-NEXT: %[[E:[^:]+]]:3 = marthe.grad @loss(%[[FULL]]#0, %[[FULL]]#1, %[[XV]], %[[YV]]) wrt [0, 1]
// hg = <Z'_w, e>, summed over the parameters.
// CHECK-NEXT: %[[H0:.+]] = marthe.dot %[[FULL]]#3, %[[E]]#1 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<f32>
// CHECK-NEXT: %[[H1:.+]] = marthe.dot %[[FULL]]#4, %[[E]]#2 : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
// CHECK-NEXT: %[[HG:.+]] = marthe.add %[[H0]], %[[H1]]
// g1 = <B_w, e>.
// CHECK-NEXT: %[[G0:.+]] = marthe.dot %[[BJ]]#3, %[[E]]#1
// CHECK-NEXT: %[[G1A:.+]] = marthe.dot %[[BJ]]#4, %[[E]]#2
// CHECK-NEXT: %[[G1:.+]] = marthe.add %[[G0]], %[[G1A]]
// The schedule update is in float64.
// CHECK-NEXT: %[[HG64:.+]] = marthe.convert %[[HG]] : (tensor<f32>) -> tensor<f64>
// CHECK-NEXT: %[[G164:.+]] = marthe.convert %[[G1]] : (tensor<f32>) -> tensor<f64>
// ADAPT-NEXT: %[[NETA:[^,]+]], %[[NBETA:[^,]+]], %[[NMU:[^,]+]], %[[NC:[^ ]+]] = marthe.schedule_update %[[ETA]], %[[BETA]], %[[MU]], %[[C]], %[[HGP]], %[[HG64]], %[[G164]], %[[ALPHA]] {adaptive_mu} :
// FIXED-NEXT: %[[NETA:[^,]+]], %[[NBETA:[^,]+]], %[[NMU:[^,]+]], %[[NC:[^ ]+]] = marthe.schedule_update %[[ETA]], %[[BETA]], %[[MU]], %[[C]], %[[HGP]], %[[HG64]], %[[G164]], %[[ALPHA]] :
// CHECK-NEXT: return %[[FULL]]#0, %[[FULL]]#1, %[[FULL]]#3, %[[FULL]]#4, %[[NETA]], %[[NBETA]], %[[NMU]], %[[NC]], %[[HG64]], %[[G164]], %[[FULL]]#2, %[[E]]#0

// With momentum the buffers are state too: they get tangents Z and take
// part in the first jvp, but hg and g1 pair only the parameters with e.
// MOM-LABEL: func.func @marthe_step(
// MOM-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// MOM-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// MOM-SAME: %[[MW:[^:]+]]: tensor<3x4xf32> {marthe.role = "opt:momentum:param:w"},
// MOM-SAME: %[[MB:[^:]+]]: tensor<3xf32> {marthe.role = "opt:momentum:param:b"},
// MOM-SAME: %[[ZW:[^:]+]]: tensor<3x4xf32> {marthe.role = "tangent:param:w"},
// MOM-SAME: %[[ZB:[^:]+]]: tensor<3xf32> {marthe.role = "tangent:param:b"},
// MOM-SAME: %[[ZMW:[^:]+]]: tensor<3x4xf32> {marthe.role = "tangent:opt:momentum:param:w"},
// MOM-SAME: %[[ZMB:[^:]+]]: tensor<3xf32> {marthe.role = "tangent:opt:momentum:param:b"},
// MOM-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// MOM-SAME: -> (tensor<3x4xf32> {marthe.role = "param:w"}, tensor<3xf32> {marthe.role = "param:b"},
// MOM-SAME: tensor<3x4xf32> {marthe.role = "opt:momentum:param:w"}, tensor<3xf32> {marthe.role = "opt:momentum:param:b"},
// MOM-SAME: tensor<3x4xf32> {marthe.role = "tangent:param:w"}, tensor<3xf32> {marthe.role = "tangent:param:b"},
// MOM-SAME: tensor<3x4xf32> {marthe.role = "tangent:opt:momentum:param:w"}, tensor<3xf32> {marthe.role = "tangent:opt:momentum:param:b"},
// MOM: %[[BJ:[^:]+]]:10 = marthe.jvp @train_step({{.*}}) wrt [6]
// MOM: %[[FULL:[^:]+]]:10 = marthe.jvp @train_step(%[[W]], %[[B]], %[[MW]], %[[MB]], %[[X]], %{{[^,]+}}, %[[ETA:[^)]+]]) wrt [0, 1, 2, 3, 6]
// MOM-NEXT: %[[E:[^:]+]]:3 = marthe.grad @loss(%[[FULL]]#0, %[[FULL]]#1, %{{[^,]+}}, %{{[^)]+}}) wrt [0, 1]
// MOM-NEXT: marthe.dot %[[FULL]]#5, %[[E]]#1
// MOM-NEXT: marthe.dot %[[FULL]]#6, %[[E]]#2
// MOM-NEXT: %[[HG:.+]] = marthe.add
// MOM-NEXT: marthe.dot %[[BJ]]#5, %[[E]]#1
// MOM-NEXT: marthe.dot %[[BJ]]#6, %[[E]]#2
// MOM-NEXT: %[[G1:.+]] = marthe.add
// MOM-NEXT: %[[HG64:.+]] = marthe.convert %[[HG]]
// MOM-NEXT: %[[G164:.+]] = marthe.convert %[[G1]]
// MOM-NEXT: %[[NETA:[^,]+]], {{.*}} = marthe.schedule_update %{{[^,]+}}, {{.*}}, %[[HG64]], %[[G164]], {{.*}} {adaptive_mu}
// MOM-NEXT: return %[[FULL]]#0, %[[FULL]]#1, %[[FULL]]#2, %[[FULL]]#3, %[[FULL]]#5, %[[FULL]]#6, %[[FULL]]#7, %[[FULL]]#8, %[[NETA]], {{.*}}, %[[HG64]], %[[G164]], %[[FULL]]#4, %[[E]]#0

// With mu = 0 (HD) only B is requested: Z' = B, and the Z arguments are unused.
// ZERO-LABEL: func.func @marthe_step(
// ZERO-NOT: marthe.mul %{{.+}}, %{{.+}} : (tensor<f32>, tensor<3x4xf32>)
// ZERO: %[[ONE:.+]] = marthe.constant dense<1.000000e+00>
// ZERO-NEXT: %[[J:[^:]+]]:6 = marthe.jvp @train_step({{.*}}) wrt [4] tangents(%[[ONE]])
// ZERO-NOT: marthe.jvp
// ZERO: return %[[J]]#0, %[[J]]#1, %[[J]]#3, %[[J]]#4,

// relative: hg and g1 (already float64) times eta / max(|Z'_w| |e|, DBL_MIN).
// REL-LABEL: func.func @marthe_step(
// REL: %[[HG64:.+]] = marthe.convert %{{.+}} : (tensor<f32>) -> tensor<f64>
// REL-NEXT: %[[G164:.+]] = marthe.convert %{{.+}} : (tensor<f32>) -> tensor<f64>
// REL: %[[ZN:.+]] = marthe.sqrt
// REL: %[[EN:.+]] = marthe.sqrt
// REL-NEXT: %[[P:.+]] = marthe.mul %[[ZN]], %[[EN]]
// REL: %[[SCALE:.+]] = marthe.div %[[ETA:[^,]+]], %{{.+}} : (tensor<f64>, tensor<f64>)
// REL-NEXT: %[[HGR:.+]] = marthe.mul %[[HG64]], %[[SCALE]]
// REL-NEXT: %[[G1R:.+]] = marthe.mul %[[G164]], %[[SCALE]]
// REL-NEXT: marthe.schedule_update %[[ETA]], {{.*}}, %[[HGR]], %[[G1R]],

// Schedule-free evaluates the average x: e is the validation gradient there
// and Z', B are pushed through @evaluation_point.
// SF-LABEL: func.func @marthe_step(
// SF: %[[FULL:[^:]+]]:16 = marthe.jvp @train_step({{.*}}) wrt [0, 1, 2, 3, 4, 5, 6, 9]
// SF-NEXT: %[[XZ:[^:]+]]:4 = marthe.jvp @evaluation_point(%[[FULL]]#0, %[[FULL]]#1, %[[FULL]]#2, %[[FULL]]#3, %[[FULL]]#4, %[[FULL]]#5, %[[FULL]]#6) wrt [0, 1, 2, 3, 4, 5, 6] tangents(%[[FULL]]#8,
// SF-NEXT: %[[XB:[^:]+]]:4 = marthe.jvp @evaluation_point(
// SF-NEXT: %[[E:[^:]+]]:3 = marthe.grad @loss(%[[XZ]]#0, %[[XZ]]#1,
// SF-NEXT: marthe.dot %[[XZ]]#2, %[[E]]#1
// SF-NEXT: marthe.dot %[[XZ]]#3, %[[E]]#2
// SF-NEXT: marthe.add
// SF-NEXT: marthe.dot %[[XB]]#2, %[[E]]#1
