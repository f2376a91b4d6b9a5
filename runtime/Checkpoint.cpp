#include "runtime/Checkpoint.h"

#include "runtime/Error.h"
#include "runtime/Metrics.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace marthe::rt {
namespace {

/// The file: this line, the fields, then the CRC-32 of everything before it.
constexpr char kMagic[] = "MARTHE-CHECKPOINT 5\n";
constexpr size_t kChecksumSize = sizeof(uint32_t);

uint32_t checksum(const std::string &bytes, size_t size) {
  return uint32_t(crc32(0L, reinterpret_cast<const Bytef *>(bytes.data()), uInt(size)));
}

class Writer {
public:
  template <typename T> void put(const T &value) {
    bytes_.append(reinterpret_cast<const char *>(&value), sizeof value);
  }
  void putBytes(const void *data, size_t size) {
    put<uint64_t>(size);
    bytes_.append(static_cast<const char *>(data), size);
  }
  std::string take() {
    uint32_t sum = checksum(bytes_, bytes_.size());
    bytes_.append(reinterpret_cast<const char *>(&sum), sizeof sum);
    return std::move(bytes_);
  }

private:
  std::string bytes_ = kMagic;
};

class Reader {
public:
  Reader(std::string bytes, std::string path) : bytes_(std::move(bytes)), path_(std::move(path)) {
    if (bytes_.compare(0, sizeof kMagic - 1, kMagic) != 0)
      throw Error(path_ + ": not a marthe checkpoint (or one of an older format)");
    if (bytes_.size() < sizeof kMagic - 1 + kChecksumSize)
      throw Error(path_ + ": truncated checkpoint");
    size_t body = bytes_.size() - kChecksumSize;
    uint32_t stored;
    std::memcpy(&stored, bytes_.data() + body, sizeof stored);
    if (stored != checksum(bytes_, body))
      throw Error(path_ + ": corrupt checkpoint (its checksum does not match)");
    bytes_.resize(body);
    offset_ = sizeof kMagic - 1;
  }
  template <typename T> T get() {
    T value;
    std::memcpy(&value, take(sizeof value), sizeof value);
    return value;
  }
  std::string getBytes() {
    uint64_t size = get<uint64_t>();
    return std::string(take(size), size);
  }
  bool done() const { return offset_ == bytes_.size(); }

private:
  const char *take(uint64_t size) {
    if (size > bytes_.size() - offset_)
      throw Error(path_ + ": truncated checkpoint");
    const char *data = bytes_.data() + offset_;
    offset_ += size;
    return data;
  }

  std::string bytes_, path_;
  size_t offset_ = 0;
};

} // namespace

void writeCheckpoint(const std::string &path, const Checkpoint &checkpoint) {
  Writer out;
  out.putBytes(checkpoint.build.data(), checkpoint.build.size());
  out.putBytes(checkpoint.options.data(), checkpoint.options.size());
  out.put(checkpoint.nextStep);
  out.put(checkpoint.betaStep);
  out.put<uint64_t>(checkpoint.rollbacks.size());
  for (const Rollback &r : checkpoint.rollbacks) {
    out.put(r.step);
    out.put(r.resumedAt);
    out.put(r.betaStepBefore);
    out.put(r.betaStepAfter);
  }
  out.put(checkpoint.stepSeconds);
  out.put<uint64_t>(checkpoint.rows.size());
  for (const MetricsRow &row : checkpoint.rows)
    out.putBytes(row.data(), row.size() * sizeof(double));
  out.put<uint64_t>(checkpoint.tensors.size());
  for (const auto &[role, bytes] : checkpoint.tensors) {
    out.putBytes(role.data(), role.size());
    out.putBytes(bytes.data(), bytes.size());
  }
  writeFileAtomically(path, out.take());
}

Checkpoint readCheckpoint(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error(path + ": cannot open");
  std::stringstream bytes;
  bytes << file.rdbuf();
  return parseCheckpoint(bytes.str(), path);
}

Checkpoint parseCheckpoint(std::string bytes, const std::string &path) {
  Reader in(std::move(bytes), path);
  Checkpoint checkpoint;
  checkpoint.build = in.getBytes();
  checkpoint.options = in.getBytes();
  checkpoint.nextStep = in.get<int64_t>();
  checkpoint.betaStep = in.get<double>();
  for (uint64_t rollbacks = in.get<uint64_t>(); rollbacks > 0; --rollbacks) {
    Rollback r;
    r.step = in.get<int64_t>();
    r.resumedAt = in.get<int64_t>();
    r.betaStepBefore = in.get<double>();
    r.betaStepAfter = in.get<double>();
    if (r.resumedAt < 0 || r.resumedAt > r.step)
      throw Error(path + ": corrupt checkpoint (a rollback from step " + std::to_string(r.step) +
                  " to " + std::to_string(r.resumedAt) + ")");
    checkpoint.rollbacks.push_back(r);
  }
  checkpoint.stepSeconds = in.get<double>();
  for (uint64_t rows = in.get<uint64_t>(); rows > 0; --rows) {
    std::string row = in.getBytes();
    if (row.size() != kMetricsColumns * sizeof(double))
      throw Error(path + ": corrupt checkpoint (a metrics row of " + std::to_string(row.size()) +
                  " bytes)");
    checkpoint.rows.emplace_back();
    std::memcpy(checkpoint.rows.back().data(), row.data(), row.size());
  }
  for (uint64_t tensors = in.get<uint64_t>(); tensors > 0; --tensors) {
    std::string role = in.getBytes(), data = in.getBytes();
    checkpoint.tensors.push_back({role, std::vector<unsigned char>(data.begin(), data.end())});
  }
  if (!in.done() || checkpoint.nextStep != int64_t(checkpoint.rows.size()))
    throw Error(path + ": corrupt checkpoint");
  return checkpoint;
}

} // namespace marthe::rt
