// RUN: marthe-opt %s --marthe-lower-to-linalg | FileCheck %s

// A fused group becomes one linalg.generic over its iteration shape [2, 4]:
// the scalar is read at no index, the bias at the inner index, the body is
// arith on scalars (relu and its adjoint as compare-and-select), and both
// results are computed in the same loop nest.
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[RANK0:.+]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME: %[[ETA:[^:]+]]: tensor<f32>, %[[G:[^:]+]]: tensor<2x4xf32>, %[[W:[^:]+]]: tensor<2x4xf32>, %[[B:[^:]+]]: tensor<4xf32>)
// CHECK-NOT: marthe.
// CHECK: %[[I0:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[I1:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[SCALAR]], #[[ID]], #[[ID]], #[[BIAS]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[ETA]], %[[G]], %[[W]], %[[B]] : tensor<f32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) outs(%[[I0]], %[[I1]] : tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[E:[^:]+]]: f32, %[[G0:[^:]+]]: f32, %[[W0:[^:]+]]: f32, %[[B0:[^:]+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[A:.+]] = arith.mulf %[[E]], %[[G0]] : f32
// CHECK-NEXT: %[[H:.+]] = arith.mulf %[[HALF]], %[[A]] : f32
// CHECK-NEXT: %[[S:.+]] = arith.subf %[[W0]], %[[H]] : f32
// CHECK-NEXT: %[[T:.+]] = arith.addf %[[S]], %[[B0]] : f32
// CHECK-NEXT: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[P:.+]] = arith.cmpf ole, %[[T]], %[[Z]] : f32
// CHECK-NEXT: %[[RELU:.+]] = arith.select %[[P]], %[[Z]], %[[T]] : f32
// CHECK: %[[P2:.+]] = arith.cmpf ole, %[[T]], %{{.+}} : f32
// CHECK-NEXT: %[[ADJ:.+]] = arith.select %[[P2]], %{{.+}}, %[[G0]] : f32
// CHECK-NEXT: linalg.yield %[[RELU]], %[[ADJ]] : f32, f32
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @sgd(%eta: tensor<f32>, %g: tensor<2x4xf32>, %w: tensor<2x4xf32>, %b: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %r:2 = marthe.fused(%eta, %g, %w, %b) : (tensor<f32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%e: tensor<f32>, %g0: tensor<2x4xf32>, %w0: tensor<2x4xf32>, %b0: tensor<4xf32>):
    %half = marthe.constant dense<0.5> : tensor<f32> : tensor<f32>
    %a = marthe.mul %e, %g0 : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %h = marthe.mul %half, %a : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %s = marthe.sub %w0, %h : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %t = marthe.add %s, %b0 : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %r = marthe.relu %t : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %q = marthe.relu_grad %t, %g0 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    marthe.yield %r, %q : tensor<2x4xf32>, tensor<2x4xf32>
  }
  return %r#0, %r#1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// sum_to reduces the leading dimension into a zero-filled init; dot
// accumulates in f64 with reassociable adds and rounds once; a reshape is a
// collapse (and an expand when the result has rank > 1).
// CHECK-LABEL: func.func @reductions(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32>, %[[Y:[^:]+]]: tensor<2x4xf32>)
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[BIAS]]], iterator_types = ["reduction", "parallel"]} ins(%[[X]] : tensor<2x4xf32>) outs(%[[ZERO]] : tensor<4xf32>)
// CHECK: arith.addf
// CHECK: %[[ACC0:.+]] = linalg.fill ins(%{{.+}} : f64) outs(%{{.+}} : tensor<f64>)
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[SCALAR]]], iterator_types = ["reduction", "reduction"]} ins(%[[X]], %[[Y]] : tensor<2x4xf32>, tensor<2x4xf32>) outs(%[[ACC0]] : tensor<f64>)
// CHECK: arith.extf
// CHECK: arith.mulf %{{.+}}, %{{.+}} fastmath<reassoc> : f64
// CHECK: arith.addf %{{.+}}, %{{.+}} fastmath<reassoc> : f64
// CHECK: %[[DOT:.+]] = linalg.generic {indexing_maps = [#[[RANK0]], #[[RANK0]]], iterator_types = []} ins(%[[ACC]] : tensor<f64>) outs(%{{.+}} : tensor<f32>)
// CHECK: arith.truncf
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<2x4xf32> into tensor<8xf32>
// CHECK: %[[SQUARE:.+]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [4, 2] : tensor<8xf32> into tensor<4x2xf32>
// CHECK: return %[[SUM]], %[[DOT]], %[[SQUARE]]
func.func @reductions(%x: tensor<2x4xf32>, %y: tensor<2x4xf32>) -> (tensor<4xf32>, tensor<f32>, tensor<4x2xf32>) {
  %s = marthe.sum_to %x : (tensor<2x4xf32>) -> tensor<4xf32>
  %d = marthe.dot %x, %y : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  %r = marthe.reshape %x : (tensor<2x4xf32>) -> tensor<4x2xf32>
  return %s, %d, %r : tensor<4xf32>, tensor<f32>, tensor<4x2xf32>
}

// The schedule update is a rank-0 loop nest; q = clip(hg / g1, 0, 1) (no g1^2,
// which underflows), with adaptive mu, mu' = q^(1/(c+1)).
// CHECK-LABEL: func.func @schedule(
// CHECK: %[[U:.+]]:4 = linalg.generic {indexing_maps = [#[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]], #[[RANK0]]], iterator_types = []}
// CHECK: ^bb0(%{{[^:]+}}: f64, %{{[^:]+}}: f64, %{{[^:]+}}: f64, %{{[^:]+}}: f64, %{{[^:]+}}: f64, %[[HG:[^:]+]]: f64, %[[G1:[^:]+]]: f64,
// CHECK-NOT: arith.mulf %[[G1]], %[[G1]]
// CHECK: arith.divf %[[HG]], %[[G1]] : f64
// CHECK: math.powf
// CHECK: linalg.yield
// CHECK: return %[[U]]#0, %[[U]]#1, %[[U]]#2, %[[U]]#3
func.func @schedule(%eta: tensor<f64>, %beta: tensor<f64>, %mu: tensor<f64>, %c: tensor<f64>, %hp: tensor<f64>,
                    %hg: tensor<f64>, %g1: tensor<f64>, %alpha: tensor<f64>) -> (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>) {
  %0:4 = marthe.schedule_update %eta, %beta, %mu, %c, %hp, %hg, %g1, %alpha {adaptive_mu}
      : (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
      -> (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>
}

// Without adaptive mu, mu passes through.
// CHECK-LABEL: func.func @schedule_fixed_mu(
// CHECK-NOT: math.powf
// CHECK: return
func.func @schedule_fixed_mu(%eta: tensor<f64>, %beta: tensor<f64>, %mu: tensor<f64>, %c: tensor<f64>, %hp: tensor<f64>,
                             %hg: tensor<f64>, %g1: tensor<f64>, %alpha: tensor<f64>) -> tensor<f64> {
  %0:4 = marthe.schedule_update %eta, %beta, %mu, %c, %hp, %hg, %g1, %alpha
      : (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
      -> (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>)
  return %0#2 : tensor<f64>
}

// Dots that share an operand (the hypergradient's <Z', e> and <B, e>) are one
// loop nest reading it once, computed where the first dot was.
// CHECK-LABEL: func.func @dots_sharing_an_operand(
// CHECK-SAME: %[[Z:[^:]+]]: tensor<2x4xf32>, %[[B:[^:]+]]: tensor<2x4xf32>, %[[E:[^:]+]]: tensor<2x4xf32>)
// CHECK: %[[SUMS:.+]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]], #[[SCALAR]], #[[SCALAR]]], iterator_types = ["reduction", "reduction"]}
// CHECK-SAME: ins(%[[Z]], %[[E]], %[[B]] : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) outs(%{{.+}}, %{{.+}} : tensor<f64>, tensor<f64>)
// CHECK: linalg.yield %{{.+}}, %{{.+}} : f64, f64
// CHECK: %[[HG:.+]] = linalg.generic {{.*}} ins(%[[SUMS]]#0 : tensor<f64>)
// CHECK: %[[G1:.+]] = linalg.generic {{.*}} ins(%[[SUMS]]#1 : tensor<f64>)
// CHECK: %[[N:.+]] = marthe.neg %[[Z]]
// CHECK: return %[[HG]], %[[G1]], %[[N]]
func.func @dots_sharing_an_operand(%z: tensor<2x4xf32>, %b: tensor<2x4xf32>, %e: tensor<2x4xf32>) -> (tensor<f32>, tensor<f32>, tensor<2x4xf32>) {
  %hg = marthe.dot %z, %e : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  %n = marthe.neg %z : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %g1 = marthe.dot %b, %e : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return %hg, %g1, %n : tensor<f32>, tensor<f32>, tensor<2x4xf32>
}

// -----

// Clip's bounds are compared and selected, never added to or subtracted from
// the value (exact for any bound; NaN stays NaN).
// CHECK-LABEL: func.func @clamp(
// CHECK: ^bb0(%[[X:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[LO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[BELOW:.+]] = arith.cmpf olt, %[[X]], %[[LO]] : f32
// CHECK-NEXT: %[[Y:.+]] = arith.select %[[BELOW]], %[[LO]], %[[X]] : f32
// CHECK-NEXT: %[[HI:.+]] = arith.constant 3.400000e+38 : f32
// CHECK-NEXT: %[[ABOVE:.+]] = arith.cmpf olt, %[[HI]], %[[Y]] : f32
// CHECK-NEXT: %[[Z:.+]] = arith.select %[[ABOVE]], %[[HI]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[Z]] : f32
func.func @clamp(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r = marthe.fused(%x) : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%x0: tensor<3xf32>):
    %c = marthe.clamp %x0 {max = 3.4e38 : f64, min = 0.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
    marthe.yield %c : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// relu is x <= 0 ? 0 : x, so that a NaN passes through (divergence reaches
// the loss instead of being masked to 0).
// CHECK-LABEL: func.func @relu(
// CHECK: ^bb0(%[[X:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[NOT_POSITIVE:.+]] = arith.cmpf ole, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: %[[Y:.+]] = arith.select %[[NOT_POSITIVE]], %[[ZERO]], %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[Y]] : f32
func.func @relu(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r = marthe.fused(%x) : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%x0: tensor<3xf32>):
    %c = marthe.relu %x0 : (tensor<3xf32>) -> tensor<3xf32>
    marthe.yield %c : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// log_softmax along axis 1 of [2, 3, 4]: the maximum and the sum of
// exp(x - max) reduce the axis (outputs [2, 4]), then one parallel nest
// computes x - max - log(sum).
// CHECK-LABEL: func.func @log_softmax(
// CHECK: %[[LOWEST:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[LOWEST]] : f32) outs(%{{.+}} : tensor<2x4xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[DROP:.+]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg0, %[[MAX]] : tensor<2x3x4xf32>, tensor<2x4xf32>)
// CHECK: arith.subf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %[[MAX]], %[[SUM]] : tensor<2x3x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK: arith.subf
// CHECK-NEXT: math.log
// CHECK-NEXT: arith.subf
func.func @log_softmax(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %y = marthe.log_softmax %x {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// dropout: one parallel nest over [2, 5] that hashes (key, salt, position)
// and keeps x / (1 - ratio) where the uniform is >= ratio.
// CHECK-LABEL: func.func @dropout(
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x5xf32>, tensor<f32>)
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK: %[[J:.+]] = linalg.index 1 : index
// CHECK: arith.fptoui %{{.+}} : f32 to i32
// CHECK: arith.uitofp
// CHECK: %[[KEEP:.+]] = arith.cmpf oge, %{{.+}}, %{{.+}} : f32
// CHECK: %[[SCALED:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK: arith.select %[[KEEP]], %[[SCALED]], %{{.+}} : f32
func.func @dropout(%x: tensor<2x5xf32>, %key: tensor<f32>) -> tensor<2x5xf32> {
  %y = marthe.dropout %x, %key {ratio = 0.5 : f64, salt = 3 : i64} : (tensor<2x5xf32>, tensor<f32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// concat along axis 1 of [2, 3] and [2, 1]: one nest over [2, 4] reading
// both operands at the clamped position and keeping the one that holds it;
// slice reads its input at the offset.
// CHECK-LABEL: func.func @concat_slice(
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<2x4xf32>)
// CHECK: %[[P:.+]] = linalg.index 1 : index
// CHECK: tensor.extract %arg1[
// CHECK: tensor.extract %arg0[
// CHECK: arith.cmpi slt, %[[P]], %{{.+}} : index
// CHECK: arith.select
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<2x1xf32>)
// CHECK: %[[Q:.+]] = linalg.index 1 : index
// CHECK: %[[AT:.+]] = arith.addi %[[Q]], %{{.+}} : index
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %[[AT]]] : tensor<2x4xf32>
func.func @concat_slice(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> tensor<2x1xf32> {
  %c = marthe.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %s = marthe.slice %c {axis = 1 : i64, offset = 3 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  return %s : tensor<2x1xf32>
}

// convert widens or rounds each element.
// CHECK-LABEL: func.func @convert(
// CHECK: linalg.generic
// CHECK: arith.extf %{{.+}} : f32 to f64
// CHECK: linalg.generic
// CHECK: arith.truncf %{{.+}} : f64 to f32
func.func @convert(%x: tensor<f32>) -> tensor<f32> {
  %w = marthe.convert %x : (tensor<f32>) -> tensor<f64>
  %n = marthe.convert %w : (tensor<f64>) -> tensor<f32>
  return %n : tensor<f32>
}
