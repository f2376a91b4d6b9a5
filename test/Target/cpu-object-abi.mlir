// The object's entry points take the runtime's buffers in its order
// (arguments, then results) whatever the signature's order, and element
// types the runtime cannot hold are errors.
// RUN: marthe-compile %s --emit=llvm -o %t.ll
// RUN: FileCheck %s < %t.ll
// RUN: not marthe-compile %S/Inputs/i64-buffer.mlir --emit=obj -o %t.o 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not ls %t.o

// The result comes first in the signature but is buffer 1 of the runtime's
// list (after the one argument): the entry passes buffers[1] first.
// CHECK-LABEL: define internal void @copy_entry(ptr {{.*}}%0, ptr {{.*}}%1)
// CHECK: %[[OUT:.+]] = getelementptr inbounds {{.*}}i8, ptr %0, i64 8
// CHECK: load ptr, ptr %[[OUT]]
// CHECK: ret void
// DTYPE: i64-buffer.mlir:2:3: error: 'llvm.func' op argument 0 has element type 'i64'; the runtime takes f32, f64 and i32
module attributes {marthe.stage = "buffers"} {
  func.func @copy(%out: memref<4xf32> {bufferize.result, marthe.role = "y"}, %x: memref<4xf32> {marthe.role = "x"},
                  %arena: memref<0xi8> {marthe.role = "arena"})
      attributes {marthe.arena_bytes = 0 : i64, marthe.buffer_types = [memref<4xf32>, memref<4xf32>, memref<0xi8>]} {
    memref.copy %x, %out : memref<4xf32> to memref<4xf32>
    return
  }
}
