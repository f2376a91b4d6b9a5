// libFuzzer target: any text as a train.toml. The reader must return a
// config or its errors; it must not crash or trip ASan/UBSan.

#include "frontend/TrainConfig.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  auto config = marthe::parseTrainConfigText(text, "fuzz/train.toml");
  if (!config)
    llvm::consumeError(config.takeError());
  return 0;
}
