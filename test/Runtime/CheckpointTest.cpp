#include "runtime/Checkpoint.h"
#include "runtime/Error.h"
#include "test/Runtime/TempDir.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace marthe::rt {
namespace {

Checkpoint sample() {
  Checkpoint c;
  c.build = "0123456789abcdef";
  c.options = R"({"eta0": 0.02})";
  c.nextStep = 2;
  c.betaStep = 1e-6;
  c.rollbacks = {{5, 0, 1e-5, 1e-6}};
  c.stepSeconds = 0.25;
  c.rows.resize(2);
  c.rows[1][kLoss] = 0.5;
  c.tensors = {{"param:w", {1, 2, 3, 4}}, {"eta", {0, 0, 0, 0, 0, 0, 0, 0}}};
  return c;
}

std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string errorReading(const std::string &path) {
  try {
    readCheckpoint(path);
  } catch (const Error &error) {
    return error.what();
  }
  return "no error";
}

TEST(Checkpoint, RoundTrips) {
  test::TempDir dir;
  std::string path = dir.file("checkpoint.bin");
  writeCheckpoint(path, sample());
  Checkpoint read = readCheckpoint(path);
  EXPECT_EQ(read.build, "0123456789abcdef");
  EXPECT_EQ(read.options, R"({"eta0": 0.02})");
  EXPECT_EQ(read.nextStep, 2);
  EXPECT_EQ(read.betaStep, 1e-6);
  ASSERT_EQ(read.rollbacks.size(), 1u);
  EXPECT_EQ(read.rollbacks[0].step, 5);
  EXPECT_EQ(read.rollbacks[0].betaStepAfter, 1e-6);
  EXPECT_EQ(read.rows[1][kLoss], 0.5);
  EXPECT_EQ(read.tensors, sample().tensors);
}

TEST(Checkpoint, AFlippedByteAnywhereIsCaught) {
  test::TempDir dir;
  std::string path = dir.file("checkpoint.bin");
  writeCheckpoint(path, sample());
  std::string good = readBytes(path);
  for (size_t at = 20; at < good.size(); at += 7) { // past the magic line
    std::string bad = good;
    bad[at] ^= 0x10;
    writeBytes(path, bad);
    EXPECT_EQ(errorReading(path), path + ": corrupt checkpoint (its checksum does not match)")
        << "byte " << at;
  }
  writeBytes(path, good.substr(0, good.size() - 10)); // cut short by a crash
  EXPECT_EQ(errorReading(path), path + ": corrupt checkpoint (its checksum does not match)");
  writeBytes(path, good.substr(0, 22));
  EXPECT_EQ(errorReading(path), path + ": truncated checkpoint");
}

} // namespace
} // namespace marthe::rt
