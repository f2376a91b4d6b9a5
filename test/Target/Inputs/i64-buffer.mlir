module attributes {marthe.stage = "buffers"} {
  func.func @f(%x: memref<4xi64> {marthe.role = "x"}, %arena: memref<0xi8> {marthe.role = "arena"})
      attributes {marthe.arena_bytes = 0 : i64, marthe.buffer_types = [memref<4xi64>, memref<0xi8>]} {
    return
  }
}
