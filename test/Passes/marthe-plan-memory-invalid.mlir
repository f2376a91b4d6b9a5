// RUN: marthe-opt %s -split-input-file -verify-diagnostics --marthe-plan-memory

// Arguments that are not results belong to the caller.
func.func @writes_input(%x: memref<4x4xf32>) {
  %a = memref.alloc() : memref<4x4xf32>
  marthe.library.gemm ins(%x, %x : memref<4x4xf32>, memref<4x4xf32>) outs(%a : memref<4x4xf32>)
  // expected-error @+1 {{'memref.copy' op writes argument 0, which belongs to the caller}}
  memref.copy %a, %x : memref<4x4xf32> to memref<4x4xf32>
  return
}

// -----

func.func @nested_allocation(%c: i1, %out: memref<16xf32> {bufferize.result}) {
  scf.if %c {
    // expected-error @+1 {{'memref.alloc' op inside a region cannot be planned}}
    %a = memref.alloc() : memref<16xf32>
    memref.copy %a, %out : memref<16xf32> to memref<16xf32>
  }
  return
}

// -----

func.func @bits(%out: memref<1000xi1> {bufferize.result}) {
  // expected-error @+1 {{'memref.alloc' op cannot be planned: it needs a static shape, the identity layout, the default memory space and a whole-byte integer or float element type}}
  %a = memref.alloc() : memref<1000xi1>
  memref.copy %a, %out : memref<1000xi1> to memref<1000xi1>
  %b = memref.alloc() : memref<1000xi1>
  memref.copy %b, %out : memref<1000xi1> to memref<1000xi1>
  return
}

// -----

// The plan adds an argument, which a caller would not pass.
// expected-error @+1 {{'func.func' op is called: marthe-plan-memory adds an arena argument to entry functions only}}
func.func @callee(%out: memref<4xf32> {bufferize.result}) {
  return
}
func.func @caller(%out: memref<4xf32> {bufferize.result}) {
  call @callee(%out) : (memref<4xf32>) -> ()
  return
}

// -----

func.func @returns(%x: memref<4xf32>) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  // expected-error @+1 {{'func.return' op returns values; run buffer-results-to-out-params first}}
  return %a : memref<4xf32>
}
