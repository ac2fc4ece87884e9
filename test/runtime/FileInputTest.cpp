//===- FileInputTest.cpp - files that are not regular files ---------------===//
//
// Every file the runtime and xfmr-run read goes through fileio::InputFile
// (runtime/lib/FileRead.h): a FIFO or a device in place of a tokenizer file,
// the weights or an .npy input must fail at once with "is not a regular
// file", never block or read without end. Each call runs in a child process
// with a deadline, so a regression fails instead of hanging the suite.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "runtime/lib/FileRead.h"
#include "test/runtime/StubModel.h"
#include "tools/xfmr-run/Npy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace xfmr::test;

namespace {

constexpr const char *kNotRegular = "is not a regular file";

/// Runs `fn` in a child process and returns its exit status, or -1 when it
/// is still running after `seconds` (it is killed then).
int runWithDeadline(const std::function<int()> &fn, int seconds = 20) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0)
    ::_exit(fn());
  if (pid < 0)
    return -2;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -3;
}

/// 0 when `status` is an error whose message says `expected`; otherwise
/// prints what happened and returns 1.
int expectError(xfmr_status status, const std::string &expected) {
  std::string message = status == XFMR_OK ? "" : xfmr_last_error();
  if (status != XFMR_OK && message.find(expected) != std::string::npos)
    return 0;
  std::fprintf(stderr, "status %d, message: %s\n", static_cast<int>(status),
               message.c_str());
  return 1;
}

int loadTokenizer(const std::string &path) {
  xfmr_tokenizer *t = nullptr;
  xfmr_status status = xfmr_tokenizer_load(path.c_str(), 0, &t);
  xfmr_tokenizer_free(t);
  return expectError(status, kNotRegular);
}

int openModel(const std::string &path) {
  xfmr_model *m = nullptr;
  xfmr_status status = xfmr_model_open(path.c_str(), &m);
  xfmr_model_close(m);
  return expectError(status, kNotRegular);
}

class FileInput : public ::testing::Test {
protected:
  std::string fifo(const std::string &name) {
    std::string path = dir.path() + "/" + name;
    EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0) << path;
    return path;
  }
  std::string zeroLink(const std::string &name) {
    std::string path = dir.path() + "/" + name;
    EXPECT_EQ(::symlink("/dev/zero", path.c_str()), 0) << path;
    return path;
  }
  void writeVocab() {
    std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n";
    dir.write("vocab.txt", std::vector<uint8_t>(vocab.begin(), vocab.end()));
  }

  TempDir dir;
};

TEST_F(FileInput, TokenizerConfigFifo) {
  writeVocab();
  fifo("tokenizer_config.json");
  EXPECT_EQ(runWithDeadline([&] { return loadTokenizer(dir.path()); }), 0);
  EXPECT_EQ(
      runWithDeadline([&] { return loadTokenizer(dir.path() + "/vocab.txt"); }),
      0);
}

TEST_F(FileInput, TokenizerConfigDevZero) {
  writeVocab();
  zeroLink("tokenizer_config.json");
  EXPECT_EQ(runWithDeadline([&] { return loadTokenizer(dir.path()); }), 0);
}

TEST_F(FileInput, TokenizerFileFifo) {
  std::string path = fifo("tokenizer.json");
  EXPECT_EQ(runWithDeadline([&] { return loadTokenizer(path); }), 0);
  std::string vocab = zeroLink("vocab.txt");
  EXPECT_EQ(runWithDeadline([&] { return loadTokenizer(vocab); }), 0);
}

TEST_F(FileInput, WeightsFileFifo) {
  std::string path = fifo("weights.safetensors");
  EXPECT_EQ(runWithDeadline([&] { return openModel(path); }), 0);
}

TEST_F(FileInput, WeightsFileDevZero) {
  std::string path = zeroLink("weights.safetensors");
  EXPECT_EQ(runWithDeadline([&] { return openModel(path); }), 0);
}

TEST_F(FileInput, WeightsFolderFifo) {
  fifo("model.safetensors");
  EXPECT_EQ(runWithDeadline([&] { return openModel(dir.path()); }), 0);
}

TEST_F(FileInput, NpyFifo) {
  std::string path = fifo("ids.npy");
  EXPECT_EQ(runWithDeadline([&] {
              xfmr::npy::Int64Array array;
              std::string error;
              bool ok = xfmr::npy::readInt64(path, 2, array, error);
              return !ok && error.find(kNotRegular) != std::string::npos ? 0
                                                                         : 1;
            }),
            0);
}

TEST_F(FileInput, SizeLimit) {
  std::string path = dir.write("big", std::vector<uint8_t>(100, 'x'));
  xfmr::fileio::InputFile file;
  std::string error;
  EXPECT_FALSE(file.open(path, 99, error));
  EXPECT_NE(error.find("more than the 99 allowed"), std::string::npos) << error;
  ASSERT_TRUE(file.open(path, 100, error)) << error;
  EXPECT_EQ(file.size(), 100u);
  std::string text;
  ASSERT_TRUE(xfmr::fileio::readWholeFile(path, 100, text, error)) << error;
  EXPECT_EQ(text, std::string(100, 'x'));
}

} // namespace
