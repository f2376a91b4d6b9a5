#pragma once

#include <cstddef>
#include <cstdint>

namespace marthe::fuzz {

/// libFuzzer's custom mutation of the serialized ONNX model in `data` (at
/// most `maxSize` bytes): one structural change, deterministic in `seed`.
/// Returns the new size.
size_t mutateOnnxModel(uint8_t *data, size_t size, size_t maxSize, unsigned seed);

} // namespace marthe::fuzz
