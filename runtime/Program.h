#pragma once

// Buffers for the compiled functions of a program, bound by role.

#include "runtime/Abi.h"
#include "runtime/Device.h"

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace marthe::rt {

int64_t elementCount(const TensorSpec &spec);
size_t elementSize(DType dtype);

/// A tensor laid out as its spec says: a host copy and, for a program on a
/// device, the device buffer the compiled functions use. Whichever copy was
/// written last is current; the other is brought up to date when it is
/// used, so the host copy of state that stays on the device is never moved.
class Tensor {
public:
  Tensor(const TensorSpec &spec, DeviceRuntime *device = nullptr);
  Tensor(Tensor &&other) noexcept;
  Tensor &operator=(Tensor &&other) noexcept;
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;
  ~Tensor();

  int64_t size() const { return elementCount(*spec); }
  size_t byteSize() const { return host_.size(); }
  double get(int64_t i) const;
  void set(int64_t i, double value);
  /// The current values, on the host.
  const unsigned char *data() const;
  /// The host copy, to be overwritten; the device copy is stale from now on.
  unsigned char *mutableData();
  /// Takes the values of `other` (same size), on the device where both are.
  void assign(const Tensor &other);
  /// Exchanges the values with `other` (same size), wherever they are.
  void swapValues(Tensor &other);

  /// The buffer a compiled function reads: the device copy, brought up to date.
  void *inputBuffer();
  /// The buffer a compiled function (or a device copy) writes in full;
  /// afterwards call written().
  void *outputBuffer();
  void written();
  /// The device runtime the tensor lives on; nullptr on the host.
  DeviceRuntime *device() const { return device_; }
  /// Starts bringing the host copy up to date; DeviceRuntime::wait ends it.
  void startDownload();
  /// The device copy (the tensor must be on a device).
  const void *deviceBuffer() const { return deviceBuffer_; }

  const TensorSpec *spec;

private:
  enum class Fresh { Both, Host, Device };
  void download() const;

  DeviceRuntime *device_;
  mutable std::vector<unsigned char> host_;
  void *deviceBuffer_ = nullptr;
  mutable Fresh fresh_ = Fresh::Both;
};

/// One compiled function with its own argument and result tensors.
class Function {
public:
  explicit Function(const FunctionSpec &spec, Device device = Device::Cpu);
  ~Function();
  Function(Function &&) = default;
  Function &operator=(Function &&) = default;

  const FunctionSpec &spec() const { return *spec_; }
  bool hasArg(const std::string &role) const { return argIndex_.count(role) != 0; }
  bool hasResult(const std::string &role) const { return resultIndex_.count(role) != 0; }
  Tensor &arg(const std::string &role);
  Tensor &result(const std::string &role);
  std::vector<Tensor> &args() { return args_; }
  std::vector<Tensor> &results() { return results_; }

  /// Runs the function. On a device the scalar results are copied back
  /// before it returns (one synchronization), the others stay there until
  /// they are read.
  void call();
  /// Runs the function without waiting for it on a device: its scalar
  /// results are copied back while later work runs. Returns the ticket that
  /// scalar() takes.
  uint64_t launch();
  /// Scalar result `role` of launch `ticket`, one of the last two; waits
  /// until it has landed (not for later launches).
  double scalar(uint64_t ticket, const std::string &role);
  /// Moves every result into the argument of the same role (the next step's
  /// state); `renames` lists pairs (result role, argument role).
  void feedBack(const std::vector<std::string> &renames = {});
  /// Returns once every run of the function queued so far has finished
  /// (call() waits only for a function with scalar results).
  void wait();
  /// How many times the function has run (call or launch).
  uint64_t runs() const { return runs_; }

private:
  /// Binds the buffers and runs the entry (on a device, queued).
  void start();

  /// The scalar results of one launch, copied into host memory.
  struct Readback {
    std::unique_ptr<unsigned char, std::function<void(unsigned char *)>> bytes;
    uint64_t ticket = 0, mark = 0;
    bool landed = true;
  };

  const FunctionSpec *spec_;
  DeviceRuntime *device_;
  std::vector<Tensor> args_, results_;
  std::map<std::string, size_t> argIndex_, resultIndex_;
  std::vector<void *> pointers_;
  /// feedBack's (result, argument) pairs, found once per list of renames.
  std::vector<std::string> feedBackRenames_;
  std::vector<std::pair<size_t, size_t>> feedBackPairs_;
  /// The intermediates of one call; each Function has its own, so calls of
  /// different Functions may run concurrently on the CPU. On CUDA every
  /// Function shares the runtime's one stream: call them from one thread.
  struct ArenaDeleter {
    DeviceRuntime *device;
    void operator()(void *arena) const;
  };
  std::unique_ptr<void, ArenaDeleter> arena_;
  /// Byte offsets of the rank-0 results in a readback, by role.
  std::map<std::string, std::pair<size_t, size_t>> scalarResults_; // role -> (result, offset)
  std::array<Readback, 2> readbacks_;
  uint64_t launches_ = 0, runs_ = 0;
};

const FunctionSpec *findFunction(const ProgramSpec &program, const std::string &name);

} // namespace marthe::rt
