// RUN: marthe-opt %s --marthe-outline-loop-nests | FileCheck %s

// Each top-level loop nest of a public function moves into a private
// no_inline function taking its buffers; the constants its body uses are
// cloned there (the originals are left to canonicalization). Other ops stay.
// Distinct arguments are distinct buffers: their nests' pointers are noalias.

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

// Views of the arena: disjoint bytes at constant offsets are noalias; a nest
// whose output overlaps an input (bytes 0-31 and 16-47) gets its own
// function without noalias. The same nest in two functions (the first and
// the last nest of @views, and the one of @again) is one function.
// CHECK-LABEL: func.func @views(
// CHECK: call @views_nest_0(
// CHECK: call @views_nest_1(
// CHECK: call @views_nest_0(
func.func @views(%arena: memref<96xi8>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %x = memref.view %arena[%c0][] : memref<96xi8> to memref<8xf32>
  %y = memref.view %arena[%c64][] : memref<96xi8> to memref<8xf32>
  %z = memref.view %arena[%c16][] : memref<96xi8> to memref<8xf32>
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%z : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%y : memref<8xf32>) outs(%x : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  return
}

// CHECK-LABEL: func.func @again(
// CHECK-NEXT: call @views_nest_0(
// CHECK-NEXT: return
func.func @again(%a: memref<8xf32>, %b: memref<8xf32>) {
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%a : memref<8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  return
}

// CHECK-LABEL: func.func private @step_nest_0(
// CHECK-SAME: %{{.+}}: f32, %{{.+}}: memref<8xf32> {llvm.noalias})
// CHECK-SAME: attributes {no_inline, passthrough = ["noinline"]}
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @step_nest_1(
// CHECK-SAME: %[[IN:[^:]+]]: memref<8xf32> {llvm.noalias}, %[[OUT:[^:]+]]: memref<8xf32> {llvm.noalias})
// CHECK-SAME: attributes {no_inline, passthrough = ["noinline"]}
// CHECK-NEXT: %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[IN]] : memref<8xf32>) outs(%[[OUT]] : memref<8xf32>)
// CHECK: arith.mulf %{{.+}}, %[[TWO]] : f32
// CHECK: return
// CHECK-LABEL: func.func private @views_nest_0(
// CHECK-SAME: memref<8xf32> {llvm.noalias}, %{{[^:]+}}: memref<8xf32> {llvm.noalias})
// CHECK-LABEL: func.func private @views_nest_1(
// CHECK-SAME: %{{[^:]+}}: memref<8xf32>, %{{[^:]+}}: memref<8xf32>)
// CHECK-NOT: func.func private
