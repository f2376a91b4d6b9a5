// libFuzzer target: any bytes as a checkpoint.bin. The reader must return a
// checkpoint or throw marthe's Error; nothing else (no crash, no bad_alloc
// from a size read off the file).

#include "runtime/Checkpoint.h"
#include "runtime/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    marthe::rt::parseCheckpoint(std::string(reinterpret_cast<const char *>(data), size),
                                "fuzz/checkpoint.bin");
  } catch (const marthe::rt::Error &) {
  }
  return 0;
}
