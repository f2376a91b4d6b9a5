// libFuzzer target: any bytes as an ONNX model. The importer must return a
// module or an error; it must not crash, hang or trip ASan/UBSan.

#include "frontend/OnnxImporter.h"

#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  marthe::ImportOptions options;
  options.requireParameters = true;
  auto module = marthe::importOnnxBytes(&context, bytes, "fuzz.onnx", options);
  if (!module)
    llvm::consumeError(module.takeError());
  return 0;
}
