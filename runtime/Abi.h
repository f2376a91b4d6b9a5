#pragma once

// The interface between the object marthe-compile writes and the runtime. The
// object defines `marthe_program`; every compiled function takes one pointer
// per argument followed by one pointer per result, and an arena of
// `arenaBytes` (64-byte aligned) for its intermediates, owned by the caller.

#include <cstdint>

namespace marthe::rt {

enum class DType : int32_t { F32, F64, I32 };

/// Where every buffer of a program lives: host memory, or the memory of the
/// CUDA device the runtime selected (pointers from cudaMalloc).
enum class Device : int32_t { Cpu, Cuda };

struct TensorSpec {
  const char *role; // "param:fc1.weight", "input", "eta", ...
  DType dtype;
  int32_t rank;
  int64_t dims[4];
};

using CompiledFunction = void (*)(void *const *buffers, void *arena);

struct FunctionSpec {
  const char *name;
  CompiledFunction entry;
  const TensorSpec *args;
  int32_t numArgs;
  const TensorSpec *results;
  int32_t numResults;
  int64_t arenaBytes; // the statically planned intermediates (marthe-plan-memory)
};

struct ProgramSpec {
  const FunctionSpec *functions;
  int32_t numFunctions;
  const char *configJson;          // training defaults chosen at compile time
  const unsigned char *modelBytes; // the source ONNX model
  const unsigned char *modelEnd;
  const char *modelName;
  Device device;
};

} // namespace marthe::rt

extern "C" const marthe::rt::ProgramSpec marthe_program;
