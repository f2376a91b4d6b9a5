#include "runtime/Metrics.h"

#include "runtime/Error.h"
#include "test/Runtime/TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace marthe::rt {
namespace {

using test::TempDir;

std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename F> std::string errorOf(F action) {
  try {
    action();
  } catch (const Error &error) {
    return error.what();
  }
  return "no error";
}

TEST(CsvWriterTest, WritesHeaderAndNumbers) {
  TempDir dir;
  std::string path = dir.file("metrics.csv");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  {
    CsvWriter csv(path, {"step", "loss", "lr"});
    csv.row({1, 0.5, 1e-3});
    csv.row({2, nan, inf});
    csv.row({3, -inf, 1.0 / 3.0});
    csv.row({123456789012.0, -0.0, 2.5e-12});
  }
  EXPECT_EQ(readText(path), "step,loss,lr\n"
                            "1,0.5,0.001\n"
                            "2,nan,inf\n"
                            "3,-inf,0.3333333333333333\n"
                            "123456789012,-0,2.5e-12\n");
}

TEST(CsvWriterTest, DoublesReadBackExactly) {
  TempDir dir;
  std::string path = dir.file("metrics.csv");
  const double eta = 0.01 * (1 + 1e-15);
  CsvWriter(path, {"eta"}).row({eta});
  std::string text = readText(path);
  EXPECT_EQ(std::strtod(text.c_str() + 4, nullptr), eta);
}

TEST(CsvWriterTest, EachRowIsOnDiskBeforeTheWriterCloses) {
  TempDir dir;
  std::string path = dir.file("progress.csv");
  CsvWriter csv(path, {"step"});
  EXPECT_EQ(readText(path), "step\n");
  csv.row({1});
  EXPECT_EQ(readText(path), "step\n1\n");
  csv.row({2});
  EXPECT_EQ(readText(path), "step\n1\n2\n");
}

TEST(CsvWriterTest, StartsWithGivenRowsAndResetsToFewer) {
  TempDir dir;
  std::string path = dir.file("metrics.csv");
  MetricsRow first{}, second{};
  first[kStep] = 0, second[kStep] = 1;
  CsvWriter csv(path, metricsColumnNames(), {first, second});
  std::string header =
      "step,loss,val_loss,val_acc,eta,mu,beta,c,beta_step,hypergrad,g1,d,seconds\n";
  EXPECT_EQ(readText(path), header + "0,0,0,0,0,0,0,0,0,0,0,0,0\n1,0,0,0,0,0,0,0,0,0,0,0,0\n");
  csv.reset({first});
  EXPECT_EQ(readText(path), header + "0,0,0,0,0,0,0,0,0,0,0,0,0\n");
  csv.row(second.data(), second.size());
  EXPECT_EQ(readText(path), header + "0,0,0,0,0,0,0,0,0,0,0,0,0\n1,0,0,0,0,0,0,0,0,0,0,0,0\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(CsvWriterTest, QuotesHeaderNamesThatNeedIt) {
  TempDir dir;
  std::string path = dir.file("quoted.csv");
  CsvWriter(path, {"a,b", "say \"hi\"", "plain"});
  EXPECT_EQ(readText(path), "\"a,b\",\"say \"\"hi\"\"\",plain\n");
}

TEST(CsvWriterTest, RowMustMatchTheHeader) {
  TempDir dir;
  std::string path = dir.file("metrics.csv");
  CsvWriter csv(path, {"step", "loss"});
  EXPECT_EQ(errorOf([&] { csv.row({1, 2, 3}); }),
            path + ": row has 3 values but the header has 2 columns");
  EXPECT_EQ(readText(path), "step,loss\n");
}

TEST(CsvWriterTest, UnwritablePathIsReported) {
  TempDir dir;
  std::string path = dir.file("no/such/dir/metrics.csv");
  EXPECT_EQ(errorOf([&] { CsvWriter csv(path, {"step"}); }),
            path + ": cannot open " + path + ".tmp for writing: No such file or directory");
}

TEST(WriteFileAtomicallyTest, WritesAndReplacesWithoutLeavingTmp) {
  TempDir dir;
  std::string path = dir.file("model.onnx");
  writeFileAtomically(path, std::string("first\0bytes", 11));
  EXPECT_EQ(readText(path), std::string("first\0bytes", 11));
  writeFileAtomically(path, "second");
  EXPECT_EQ(readText(path), "second");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(WriteFileAtomicallyTest, FailureNamesThePathAndLeavesNothing) {
  TempDir dir;
  std::string path = dir.file("missing/out.json");
  EXPECT_EQ(errorOf([&] { writeFileAtomically(path, "x"); }),
            path + ": cannot open " + path +
                ".tmp for writing: No such file or directory");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(WriteFileAtomicallyTest, RenameOntoADirectoryFailsAndRemovesTmp) {
  TempDir dir;
  std::string path = dir.file("occupied");
  std::filesystem::create_directories(std::filesystem::path(path) / "child");
  EXPECT_EQ(errorOf([&] { writeFileAtomically(path, "x"); }),
            path + ": cannot rename " + path + ".tmp: Is a directory");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(WriteJsonAtomicallyTest, WritesParsableJson) {
  TempDir dir;
  std::string path = dir.file("summary.json");
  nlohmann::json summary = {{"accuracy", 0.875}, {"epochs", 3},
                            {"split", "train[0:7000]"}};
  writeJsonAtomically(path, summary);
  EXPECT_EQ(nlohmann::json::parse(readText(path)), summary);
  EXPECT_EQ(readText(path).back(), '\n');
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(EnsureDirectoryTest, CreatesNestedDirectoriesAndAcceptsExisting) {
  TempDir dir;
  std::string path = dir.file("runs/a/b");
  ensureDirectory(path);
  EXPECT_TRUE(std::filesystem::is_directory(path));
  ensureDirectory(path);
  EXPECT_TRUE(std::filesystem::is_directory(path));
}

TEST(EnsureDirectoryTest, FileInTheWayIsReported) {
  TempDir dir;
  std::string file = dir.file("plain");
  writeFileAtomically(file, "x");
  EXPECT_EQ(errorOf([&] { ensureDirectory(file); }).rfind(
                file + ": cannot create directory: ", 0),
            0u);
  EXPECT_EQ(errorOf([&] { ensureDirectory(file + "/sub"); }).rfind(
                file + "/sub: cannot create directory: ", 0),
            0u);
}

} // namespace
} // namespace marthe::rt
