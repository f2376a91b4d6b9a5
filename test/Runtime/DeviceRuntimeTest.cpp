// The runtime's device path, what a CUDA program runs (tensors whose host
// and device copies are kept coherent lazily, scalar results read back while
// the next step runs, splits resident and batches gathered on the device,
// device-to-device copies of the weights for evaluation), run against a
// device emulated in host memory on a program compiled for the CPU. Training
// through it must give exactly what training on the host gives. The emulated
// device fills new memory with NaNs and lands downloads only when they are
// waited for, so uninitialized state or a value read too early changes the
// results.

#include "bench/StepTiming.h"
#include "runtime/Abi.h"
#include "runtime/Device.h"
#include "runtime/RunConfig.h"
#include "runtime/Trainer.h"
#include "test/Runtime/TempDir.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

using namespace marthe::rt;

namespace {

class EmulatedDevice final : public DeviceRuntime {
public:
  void *allocate(size_t bytes) override {
    void *pointer = std::malloc(bytes ? bytes : 1);
    std::memset(pointer, 0xFF, bytes); // NaN in every float type
    ++allocations;
    return pointer;
  }
  void release(void *pointer) override { std::free(pointer); }
  void upload(void *device, const void *host, size_t bytes) override {
    std::memcpy(device, host, bytes);
    ++uploads;
  }
  void startDownload(void *host, const void *device, size_t bytes) override {
    // Snapshot now (stream order), land at wait().
    const auto *from = static_cast<const unsigned char *>(device);
    pending.push_back({host, std::vector<unsigned char>(from, from + bytes)});
  }
  void wait() override {
    for (auto &[host, bytes] : pending)
      std::memcpy(host, bytes.data(), bytes.size());
    pending.clear();
    ++waits;
  }
  void copy(void *to, const void *from, size_t bytes) override { std::memcpy(to, from, bytes); }
  void gatherRows(void *to, const void *from, const int32_t *indices, int64_t count,
                  size_t rowBytes) override {
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(static_cast<unsigned char *>(to) + i * rowBytes,
                  static_cast<const unsigned char *>(from) + indices[i] * rowBytes, rowBytes);
    ++gathers;
  }
  void run(CompiledFunction entry, void *const *buffers, size_t, void *arena) override {
    entry(buffers, arena);
    ++calls;
  }
  std::string name() const override { return "emulated"; }
  void *allocateHost(size_t bytes) override { return allocate(bytes); }
  void releaseHost(void *pointer) override { std::free(pointer); }
  void downloadAsync(void *host, const void *device, size_t bytes) override {
    const auto *from = static_cast<const unsigned char *>(device);
    marked.push_back({marks + 1, host, std::vector<unsigned char>(from, from + bytes)});
  }
  uint64_t mark() override {
    callsAtMark[marks + 1] = calls;
    return ++marks;
  }
  void waitFor(uint64_t mark) override {
    overlapped += calls > callsAtMark[mark]; // a later step was queued meanwhile
    // Lands what was queued up to the mark, nothing later.
    for (auto it = marked.begin(); it != marked.end();)
      if (it->mark <= mark) {
        std::memcpy(it->host, it->bytes.data(), it->bytes.size());
        it = marked.erase(it);
      } else {
        ++it;
      }
    ++waits;
  }

  std::vector<std::pair<void *, std::vector<unsigned char>>> pending;
  struct Marked {
    uint64_t mark;
    void *host;
    std::vector<unsigned char> bytes;
  };
  std::vector<Marked> marked;
  uint64_t marks = 0;
  std::map<uint64_t, int64_t> callsAtMark;
  int64_t overlapped = 0;
  int64_t allocations = 0, uploads = 0, waits = 0, gathers = 0, calls = 0;
};

EmulatedDevice &device() {
  static EmulatedDevice emulated;
  return emulated;
}

std::string contents(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

RunConfig smallRun(const std::string &out, int64_t steps) {
  RunConfig config = defaultRunConfig(marthe_program);
  config.train = "train[0:1000]";
  config.validation = "train[1000:1200]";
  config.test = "test[0:300]";
  config.steps = steps;
  config.logEvery = 10;
  config.betaStep = 1e-6;
  config.quiet = true;
  config.out = out;
  return config;
}

/// The program with its buffers on the (emulated) device, counting afresh.
ProgramSpec onDevice() {
  device() = EmulatedDevice();
  registerCudaRuntime([]() -> DeviceRuntime * { return &device(); });
  ProgramSpec program = marthe_program;
  program.device = Device::Cuda;
  return program;
}

/// A file's contents; metrics.csv without its last column (the wall time).
std::string output(const std::string &path) {
  std::string text = contents(path);
  if (path.size() < 11 || path.compare(path.size() - 11, 11, "metrics.csv") != 0)
    return text;
  std::string kept;
  for (size_t begin = 0, end; begin < text.size(); begin = end + 1) {
    end = text.find('\n', begin);
    std::string line = text.substr(begin, end - begin);
    kept += line.substr(0, line.rfind(',')) + "\n";
  }
  return kept;
}

TEST(DeviceRuntime, TrainsExactlyAsTheHost) {
  test::TempDir dir;
  train(marthe_program, smallRun(dir.file("host"), 30));
  ProgramSpec program = onDevice();
  train(program, smallRun(dir.file("device"), 30));
  for (const char *file : {"/metrics.csv", "/model.onnx"})
    EXPECT_EQ(output(dir.file("host") + file), output(dir.file("device") + file)) << file;
  // Batches were gathered on the device; the rows of the steps between
  // progress lines (every 10th) were read back while the next step ran.
  EXPECT_GE(device().gathers, 2 * 30);
  EXPECT_GE(device().overlapped, 30 - 3 - 1);
}

TEST(DeviceRuntime, ResumesAHostCheckpointAndBack) {
  test::TempDir dir;
  train(marthe_program, smallRun(dir.file("straight"), 40));
  ProgramSpec program = onDevice();
  // Host to step 20, device to 40; device to 20, host to 40.
  train(marthe_program, smallRun(dir.file("host-device"), 20));
  RunConfig resumed = smallRun(dir.file("host-device"), 40);
  resumed.resume = true;
  resumed.given = {{"--steps", "40"}}; // extends the run; its other options are the checkpoint's
  train(program, resumed);
  train(program, smallRun(dir.file("device-host"), 20));
  resumed.out = dir.file("device-host");
  train(marthe_program, resumed);
  for (const char *run : {"host-device", "device-host"})
    for (const char *file : {"/metrics.csv", "/model.onnx"})
      EXPECT_EQ(output(dir.file("straight") + file), output(dir.file(run) + file))
          << run << file;
}

// The step benchmarks' clock stops once the device has finished: a function
// without scalar results (the forward pass) does not wait by itself.
TEST(DeviceRuntime, TimedCallsWaitForTheDevice) {
  ProgramSpec program = onDevice();
  Function forward(*findFunction(program, "forward"), program.device);
  int64_t before = device().waits;
  forward.call();
  EXPECT_EQ(device().waits, before);
  marthe::bench::millisecondsPerCall(forward, 2);
  EXPECT_EQ(device().waits, before + 2);
}

} // namespace
