// RUN: marthe-opt %s --marthe-outline-loop-nests | FileCheck %s

// Each top-level loop nest of a public function moves into a private
// no_inline function taking its buffers; the constants its body uses are
// cloned there (the originals are left to canonicalization). Other ops stay.

#map = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[A:[^:]+]]: memref<8xf32>, %[[B:[^:]+]]: memref<8xf32>)
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: arith.constant 2.000000e+00 : f32
// CHECK-NEXT: call @step_nest_0(%[[ZERO]], %[[B]]) : (f32, memref<8xf32>) -> ()
// CHECK-NEXT: call @step_nest_1(%[[A]], %[[B]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT: memref.copy
// CHECK-NEXT: return
func.func @step(%a: memref<8xf32>, %b: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  linalg.fill ins(%zero : f32) outs(%b : memref<8xf32>)
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%a : memref<8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %two : f32
    linalg.yield %m : f32
  }
  memref.copy %b, %a : memref<8xf32> to memref<8xf32>
  return
}

// CHECK-LABEL: func.func private @step_nest_0(
// CHECK-SAME: %{{.+}}: f32, %{{.+}}: memref<8xf32>) attributes {no_inline}
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @step_nest_1(
// CHECK-SAME: %[[IN:[^:]+]]: memref<8xf32>, %[[OUT:[^:]+]]: memref<8xf32>) attributes {no_inline}
// CHECK-NEXT: %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[IN]] : memref<8xf32>) outs(%[[OUT]] : memref<8xf32>)
// CHECK: arith.mulf %{{.+}}, %[[TWO]] : f32
// CHECK: return
