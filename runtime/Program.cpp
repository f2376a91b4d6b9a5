#include "runtime/Program.h"

#include "runtime/Error.h"
#include "runtime/Kernels.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace marthe::rt {

int64_t elementCount(const TensorSpec &spec) {
  int64_t count = 1;
  for (int32_t i = 0; i < spec.rank; ++i)
    count *= spec.dims[i];
  return count;
}

size_t elementSize(DType dtype) { return dtype == DType::F64 ? 8 : 4; }

Tensor::Tensor(const TensorSpec &spec, DeviceRuntime *device)
    : spec(&spec), device_(device), host_(elementCount(spec) * elementSize(spec.dtype)) {
  if (device_) {
    deviceBuffer_ = device_->allocate(host_.size());
    fresh_ = Fresh::Host; // state the trainer does not set starts at zero, as on the CPU
  }
}

Tensor::Tensor(Tensor &&other) noexcept
    : spec(other.spec), device_(other.device_), host_(std::move(other.host_)),
      deviceBuffer_(std::exchange(other.deviceBuffer_, nullptr)), fresh_(other.fresh_) {}

Tensor &Tensor::operator=(Tensor &&other) noexcept {
  std::swap(spec, other.spec);
  std::swap(device_, other.device_);
  std::swap(host_, other.host_);
  std::swap(deviceBuffer_, other.deviceBuffer_);
  std::swap(fresh_, other.fresh_);
  return *this;
}

Tensor::~Tensor() {
  if (device_ && deviceBuffer_)
    device_->release(deviceBuffer_);
}

void Tensor::download() const {
  if (fresh_ != Fresh::Device)
    return;
  device_->startDownload(host_.data(), deviceBuffer_, host_.size());
  device_->wait();
  fresh_ = Fresh::Both;
}

const unsigned char *Tensor::data() const {
  download();
  return host_.data();
}

unsigned char *Tensor::mutableData() {
  download();
  if (device_)
    fresh_ = Fresh::Host;
  return host_.data();
}

double Tensor::get(int64_t i) const {
  const unsigned char *bytes = data();
  switch (spec->dtype) {
  case DType::F32:
    return reinterpret_cast<const float *>(bytes)[i];
  case DType::F64:
    return reinterpret_cast<const double *>(bytes)[i];
  case DType::I32:
    return reinterpret_cast<const int32_t *>(bytes)[i];
  }
  return 0;
}

void Tensor::set(int64_t i, double value) {
  unsigned char *bytes = mutableData();
  switch (spec->dtype) {
  case DType::F32:
    reinterpret_cast<float *>(bytes)[i] = float(value);
    break;
  case DType::F64:
    reinterpret_cast<double *>(bytes)[i] = value;
    break;
  case DType::I32:
    reinterpret_cast<int32_t *>(bytes)[i] = int32_t(value);
    break;
  }
}

void Tensor::assign(const Tensor &other) {
  if (device_ && other.device_ == device_ && other.fresh_ != Fresh::Host) {
    device_->copy(deviceBuffer_, other.deviceBuffer_, host_.size());
    fresh_ = Fresh::Device;
    return;
  }
  std::memcpy(mutableData(), other.data(), host_.size());
}

void Tensor::swapValues(Tensor &other) {
  std::swap(host_, other.host_);
  std::swap(deviceBuffer_, other.deviceBuffer_);
  std::swap(fresh_, other.fresh_);
}

void *Tensor::inputBuffer() {
  if (!device_)
    return host_.data();
  if (fresh_ == Fresh::Host) {
    device_->upload(deviceBuffer_, host_.data(), host_.size());
    fresh_ = Fresh::Both;
  }
  return deviceBuffer_;
}

void *Tensor::outputBuffer() { return device_ ? deviceBuffer_ : host_.data(); }

void Tensor::written() {
  if (device_)
    fresh_ = Fresh::Device;
}

void Tensor::startDownload() {
  if (fresh_ != Fresh::Device)
    return;
  device_->startDownload(host_.data(), deviceBuffer_, host_.size());
  fresh_ = Fresh::Both; // valid once the caller has waited
}

Function::~Function() {
  // A launch may still be copying into the readbacks, or running on the
  // buffers freed next (a run abandoned after a divergence or an error).
  if (device_ && arena_) {
    try {
      device_->wait();
    } catch (const std::exception &) {
      // The error was reported, or will be, by the code that abandoned the run.
    }
  }
}

void Function::ArenaDeleter::operator()(void *arena) const {
  if (device)
    device->release(arena);
  else
    std::free(arena);
}

static void *allocateArena(DeviceRuntime *device, int64_t bytes) {
  size_t rounded = std::max<size_t>(64, (size_t(bytes) + 63) / 64 * 64);
  return device ? device->allocate(rounded) : std::aligned_alloc(64, rounded);
}

Function::Function(const FunctionSpec &spec, Device device)
    : spec_(&spec), device_(deviceRuntime(device)),
      arena_(allocateArena(device_, spec.arenaBytes), ArenaDeleter{device_}) {
  if (!arena_)
    throw Error(std::string("cannot allocate the ") + std::to_string(spec.arenaBytes) +
                "-byte arena of '" + spec.name + "'");
  for (int32_t i = 0; i < spec.numArgs; ++i) {
    args_.emplace_back(spec.args[i], device_);
    argIndex_[spec.args[i].role] = i;
  }
  size_t readbackBytes = 0;
  for (int32_t i = 0; i < spec.numResults; ++i) {
    results_.emplace_back(spec.results[i], device_);
    resultIndex_[spec.results[i].role] = i;
    if (spec.results[i].rank == 0) {
      scalarResults_[spec.results[i].role] = {size_t(i), readbackBytes};
      readbackBytes += sizeof(double); // every element type fits, aligned
    }
  }
  for (Readback &readback : readbacks_) {
    size_t bytes = std::max<size_t>(readbackBytes, 8);
    DeviceRuntime *device = device_;
    readback.bytes = {static_cast<unsigned char *>(device ? device->allocateHost(bytes)
                                                          : std::malloc(bytes)),
                      [device](unsigned char *p) {
                        if (device)
                          device->releaseHost(p);
                        else
                          std::free(p);
                      }};
  }
}

Tensor &Function::arg(const std::string &role) {
  auto found = argIndex_.find(role);
  if (found == argIndex_.end())
    throw Error(std::string("compiled function '") + spec_->name + "' has no argument '" +
                role + "'");
  return args_[found->second];
}

Tensor &Function::result(const std::string &role) {
  auto found = resultIndex_.find(role);
  if (found == resultIndex_.end())
    throw Error(std::string("compiled function '") + spec_->name + "' has no result '" +
                role + "'");
  return results_[found->second];
}

void Function::start() {
  ++runs_;
  pointers_.clear();
  for (Tensor &t : args_)
    pointers_.push_back(t.inputBuffer());
  for (Tensor &t : results_)
    pointers_.push_back(t.outputBuffer());
  if (!device_) {
    spec_->entry(pointers_.data(), arena_.get());
    if (std::optional<std::string> error = takeKernelError())
      throw Error("compiled function '" + std::string(spec_->name) + "': " + *error);
    return;
  }
  device_->run(spec_->entry, pointers_.data(), pointers_.size(), arena_.get());
  for (Tensor &t : results_)
    t.written();
}

void Function::call() {
  start();
  if (!device_ || scalarResults_.empty()) // else the first read of a result waits
    return;
  for (auto &[role, position] : scalarResults_)
    results_[position.first].startDownload();
  device_->wait();
}

void Function::wait() {
  if (device_)
    device_->wait();
}

uint64_t Function::launch() {
  Readback &readback = readbacks_[launches_ % readbacks_.size()];
  if (device_ && !readback.landed)
    device_->waitFor(readback.mark); // its memory is about to be reused
  readback.ticket = 0; // no longer the older launch's, even if this one fails
  readback.landed = true;
  start();
  for (auto &[role, position] : scalarResults_) {
    Tensor &t = results_[position.first];
    unsigned char *to = readback.bytes.get() + position.second;
    if (device_)
      device_->downloadAsync(to, t.deviceBuffer(), t.byteSize());
    else
      std::memcpy(to, t.data(), t.byteSize());
  }
  readback.mark = device_ ? device_->mark() : 0;
  readback.landed = !device_;
  readback.ticket = ++launches_;
  return readback.ticket;
}

double Function::scalar(uint64_t ticket, const std::string &role) {
  auto found = scalarResults_.find(role);
  if (found == scalarResults_.end())
    throw Error(std::string("compiled function '") + spec_->name + "' has no scalar result '" +
                role + "'");
  Readback &readback = readbacks_[(ticket - 1) % readbacks_.size()];
  if (ticket == 0 || readback.ticket != ticket)
    throw Error("the results of launch " + std::to_string(ticket) + " of '" + spec_->name +
                "' are no longer kept");
  if (!readback.landed) {
    device_->waitFor(readback.mark);
    readback.landed = true;
  }
  const unsigned char *bytes = readback.bytes.get() + found->second.second;
  switch (results_[found->second.first].spec->dtype) {
  case DType::F32:
    return *reinterpret_cast<const float *>(bytes);
  case DType::F64:
    return *reinterpret_cast<const double *>(bytes);
  case DType::I32:
    return *reinterpret_cast<const int32_t *>(bytes);
  }
  return 0;
}

void Function::feedBack(const std::vector<std::string> &renames) {
  if (feedBackRenames_ != renames || feedBackPairs_.empty()) {
    feedBackPairs_.clear();
    for (size_t r = 0; r < results_.size(); ++r) {
      std::string role = results_[r].spec->role;
      for (size_t i = 0; i + 1 < renames.size(); i += 2)
        if (role == renames[i])
          role = renames[i + 1];
      auto found = argIndex_.find(role);
      if (found != argIndex_.end())
        feedBackPairs_.push_back({r, found->second});
    }
    feedBackRenames_ = renames;
  }
  for (auto [result, arg] : feedBackPairs_)
    args_[arg].swapValues(results_[result]);
}

const FunctionSpec *findFunction(const ProgramSpec &program, const std::string &name) {
  for (int32_t i = 0; i < program.numFunctions; ++i)
    if (name == program.functions[i].name)
      return &program.functions[i];
  return nullptr;
}

} // namespace marthe::rt
