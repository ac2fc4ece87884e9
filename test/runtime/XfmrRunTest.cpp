//===- XfmrRunTest.cpp - xfmr-run against a stub model library ------------===//
//
// Runs the real xfmr-run binary on a shared library built from StubModel.cpp
// and the runtime archive, linked the way xfmrc links a model, so the CLI,
// dlopen/dlsym and the exported C API are tested together.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/StubModel.h"
#include "tools/xfmr-run/Npy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <dlfcn.h>
#include <regex>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using xfmr::test::bytesOf;
using xfmr::test::makeNpy;
using xfmr::test::stubWeights;
using xfmr::test::TempDir;

namespace {

struct ToolRun {
  int status;
  std::string output; // stdout and stderr together
};

/// Runs xfmr-run with `args`; one that blocks is killed after a minute (so a
/// hang fails the test instead of the suite).
/// `env`: assignments to run it with ("NAME='value' ").
ToolRun runTool(const std::string &args, const std::string &env = "") {
  std::string command =
      env + "timeout 60 '" + XFMR_RUN_PATH + "' " + args + " 2>&1";
  ToolRun run{-1, ""};
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return run;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    run.output.append(buffer, n);
  int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return run;
}

std::string ids2d(const std::vector<int64_t> &values, int rows, int cols) {
  return "{'descr': '<i8', 'fortran_order': False, 'shape': (" +
         std::to_string(rows) + ", " + std::to_string(cols) + "), }";
}

class XfmrRun : public ::testing::Test {
protected:
  void SetUp() override {
    // emb[i][d] = 4 i + d, bias = 0.5 (StubModel.h).
    weights = dir.write("model.safetensors", stubWeights());
    ids = writeIds("ids.npy", {1, 2, 3, 4, 5, 6}, 2, 3);
    lib = std::string("'") + XFMR_STUB_MODEL_PATH + "'";
  }

  std::string writeIds(const std::string &name,
                       const std::vector<int64_t> &values, int rows, int cols) {
    return dir.write(name, makeNpy(ids2d(values, rows, cols), bytesOf(values)));
  }

  void expectError(const std::string &args, const std::string &message) {
    ToolRun run = runTool(args);
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_EQ(run.output, "xfmr-run: error: " + message + "\n");
  }

  TempDir dir;
  std::string weights, ids, lib;
};

TEST_F(XfmrRun, Help) {
  ToolRun run = runTool("--help");
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.output.find("usage: xfmr-run LIB.so"), std::string::npos);
}

TEST_F(XfmrRun, PrintsSummary) {
  ToolRun run = runTool(lib + " --weights " + weights + " --input-ids " + ids);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output.rfind("last_hidden_state: shape [2, 3, 4] float32\n"
                             "  [0, 0, :4] = 14.500000 15.500000 16.500000 "
                             "17.500000\n"
                             "  [1, 0, :4] = 26.500000 27.500000",
                             0),
            0u)
      << run.output;
  EXPECT_NE(run.output.find("  mean "), std::string::npos) << run.output;
}

TEST_F(XfmrRun, WritesOutput) {
  std::string out = dir.path() + "/out.npy";
  std::vector<int64_t> mask = {1, 1, 0, 1, 0, 0};
  std::string maskPath = writeIds("mask.npy", mask, 2, 3);
  std::vector<int32_t> types = {0, 1, 0, 0, 0, 1};
  std::string typesPath = dir.write(
      "types.npy",
      makeNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }",
              bytesOf(types)));
  // --flag=value form as well.
  ToolRun run = runTool(lib + " --weights=" + weights + " --input-ids=" + ids +
                        " --attention-mask " + maskPath +
                        " --token-type-ids=" + typesPath + " --output " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output, "");
  FILE *f = fopen(out.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::vector<uint8_t> bytes(1 << 12);
  bytes.resize(fread(bytes.data(), 1, bytes.size(), f));
  fclose(f);
  size_t headerLength = bytes[8] | (bytes[9] << 8);
  std::string header(bytes.begin() + 10, bytes.begin() + 10 + headerLength);
  EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos);
  EXPECT_NE(header.find("'shape': (2, 3, 4)"), std::string::npos);
  ASSERT_EQ(bytes.size(), 10 + headerLength + 24 * 4);
  const uint8_t *data = bytes.data() + 10 + headerLength;
  std::vector<int64_t> idValues = {1, 2, 3, 4, 5, 6};
  for (int t = 0; t < 6; ++t) {
    for (int d = 0; d < 4; ++d) {
      float v;
      std::memcpy(&v, data + 4 * (t * 4 + d), 4);
      EXPECT_EQ(v, 4 * idValues[t] + d + 0.5f + 10 * mask[t] + 100 * types[t]);
    }
  }
}

// --output never touches what it names until the whole file is written, and
// never removes a path it did not create.
TEST_F(XfmrRun, OutputToDevFull) {
  struct stat before;
  ASSERT_EQ(::stat("/dev/full", &before), 0);
  ASSERT_TRUE(S_ISCHR(before.st_mode));
  expectError(lib + " --weights " + weights + " --input-ids " + ids +
                  " --output /dev/full",
              "/dev/full is not a regular file");
  struct stat after;
  ASSERT_EQ(::stat("/dev/full", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode));
  EXPECT_EQ(after.st_rdev, before.st_rdev);
}

TEST_F(XfmrRun, OutputToReadOnlyFolder) {
  // chmod does not stop root; /proc refuses new files to everyone.
  std::string folder = dir.path() + "/ro";
  if (::geteuid() == 0) {
    folder = "/proc";
  } else {
    ASSERT_EQ(::mkdir(folder.c_str(), 0555), 0);
  }
  ToolRun run = runTool(lib + " --weights " + weights + " --input-ids " + ids +
                        " --output " + folder + "/out.npy");
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_EQ(run.output.rfind("xfmr-run: error: " + folder +
                                 "/out.npy: cannot create a file in " + folder,
                             0),
            0u)
      << run.output;
  struct stat st;
  EXPECT_NE(::stat((folder + "/out.npy").c_str(), &st), 0);
  ::chmod(folder.c_str(), 0755);
}

TEST_F(XfmrRun, OutputReplacesAtomically) {
  std::string out = dir.write("out.npy", std::vector<uint8_t>(10, 'x'));
  ASSERT_EQ(::chmod(out.c_str(), 0640), 0);
  struct stat before;
  ASSERT_EQ(::stat(out.c_str(), &before), 0);
  ToolRun run = runTool(lib + " --weights " + weights + " --input-ids " + ids +
                        " --output " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  std::string bytes = xfmr::test::readAll(out);
  ASSERT_GT(bytes.size(), 10u);
  EXPECT_EQ(bytes.compare(0, 6, "\x93NUMPY"), 0);
  struct stat after;
  ASSERT_EQ(::stat(out.c_str(), &after), 0);
  // A new file renamed over the old one, with the old one's permissions.
  EXPECT_NE(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mode & 07777, 0640u);
  // Nothing else left in the folder (no temporary).
  std::string listing;
  FILE *ls = popen(("ls -A '" + dir.path() + "'").c_str(), "r");
  ASSERT_NE(ls, nullptr);
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), ls))
    listing += buffer;
  pclose(ls);
  EXPECT_EQ(listing, "ids.npy\nmodel.safetensors\nout.npy\n");
}

TEST_F(XfmrRun, Bench) {
  // One line: the median over the repeats of a batch of that shape.
  auto expectMedian = [&](const std::string &args, const std::string &what) {
    ToolRun run = runTool(lib + " --weights " + weights + " --bench " + args);
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_TRUE(std::regex_match(
        run.output,
        std::regex(R"(median latency: [0-9]+\.[0-9]{3} ms \()" + what + R"(\)
)"))) << run.output;
  };
  expectMedian("--batch 2 --seq=4 --repeat 3", "batch 2, seq 4, 3 repeats");
  // A given batch is timed as it is, padding and all.
  std::string mask = writeIds("mask.npy", {1, 1, 0, 1, 1, 1}, 2, 3);
  expectMedian("--input-ids " + ids + " --attention-mask " + mask +
                   " --repeat 2",
               "batch 2, seq 3, 2 repeats");
  ToolRun threaded =
      runTool(lib + " --weights " + weights +
              " --bench --batch 2 --seq=4 --repeat 3 --threads 2");
  EXPECT_EQ(threaded.status, 0) << threaded.output;
  expectError(lib + " --weights " + weights + " --bench --threads 4294967297",
              "--threads 4294967297 is too large");
  expectError(lib + " --weights " + weights + " --bench --seq 9",
              "--seq 9 exceeds the model's maximum of 8 positions");
  expectError(lib + " --weights " + weights + " --bench --repeat 0",
              "--repeat expects a positive integer, got '0'");
}

TEST_F(XfmrRun, SentenceEmbedding) {
  // A library with an embed entry prints the pooled vectors: the mean over
  // each row's tokens (here all of them, ids 1 2 3 and 4 5 6).
  std::string embed = std::string("'") + XFMR_STUB_EMBED_MODEL_PATH + "'";
  ToolRun run =
      runTool(embed + " --weights " + weights + " --input-ids " + ids);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output.rfind("sentence_embedding: shape [2, 4] float32\n"
                             "  [0, :4] = 18.500000 19.500000 20.500000 "
                             "21.500000\n"
                             "  [1, :4] = 30.500000 31.500000 32.500000 "
                             "33.500000\n",
                             0),
            0u)
      << run.output;
}

TEST_F(XfmrRun, UsageErrors) {
  expectError("", "no model library given (see --help)");
  expectError(lib, "missing --input-ids IDS.npy (or --text TEXT, or --bench)");
  expectError(lib + " --frobnicate",
              "unknown option '--frobnicate' (see --help)");
  expectError(lib + " --input-ids", "--input-ids needs a value");
  expectError(lib + " --decoder-input-ids x",
              "--decoder-input-ids is not supported yet");
  // Generation's flags, each checked as it is read, then together.
  expectError(lib + " --max-new-tokens x",
              "--max-new-tokens expects a positive integer, got 'x'");
  expectError(lib + " --top-k x",
              "--top-k expects a positive integer, got 'x'");
  expectError(lib + " --seed -1",
              "--seed expects a non-negative integer, got '-1'");
  expectError(lib + " --temperature x",
              "--temperature expects a number, got 'x'");
  expectError(lib + " --temperature 0",
              "--temperature expects a number > 0 (greedy is --greedy), got 0");
  expectError(lib + " --top-p 1.5",
              "--top-p expects a number in (0, 1], got 1.5");
  expectError(lib + " --input-ids " + ids + " --greedy",
              "--greedy, --temperature, --top-k, --top-p and --seed need "
              "--generate");
  expectError(lib + " --input-ids " + ids + " --generate --greedy --seed 1",
              "--greedy excludes --temperature, --top-k, --top-p and --seed");
  expectError(lib + " --input-ids " + ids + " --generate --top-k 5",
              "--top-k and --top-p sample: they need --temperature");
  expectError(lib + " --input-ids " + ids + " --generate --output o.npy",
              "--generate prints the new tokens; it takes no --bench, --output "
              "or --token-type-ids");
  expectError(lib + " --text hi --input-ids " + ids,
              "--text and --input-ids exclude each other");
  expectError(lib + " --text hi --attention-mask " + ids,
              "--attention-mask and --token-type-ids come from the tokenizer "
              "with --text");
  expectError(lib + " --input-ids " + ids + " --tokenizer x",
              "--tokenizer is used with --text or --generate");
  expectError(lib + " --bench --text hi",
              "--bench times --input-ids or random ids; it takes no --text");
  expectError(lib + " --bench --input-ids " + ids + " --batch 2",
              "--batch and --seq shape random ids; --input-ids has its own "
              "shape");
  expectError(lib + " --bench --attention-mask " + ids,
              "--attention-mask and --token-type-ids go with --input-ids");
}

TEST_F(XfmrRun, LoadErrors) {
  ToolRun run = runTool(dir.path() + "/missing.so --input-ids " + ids);
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.output.rfind("xfmr-run: error: cannot load '" + dir.path() +
                                 "/missing.so': ",
                             0),
            0u)
      << run.output;
  std::string notElf = dir.write("garbage.so", {'n', 'o', 'p', 'e'});
  run = runTool(notElf + " --input-ids " + ids);
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.output.rfind("xfmr-run: error: cannot load", 0), 0u)
      << run.output;

  expectError(lib + " --input-ids " + ids,
              "no weights: the library embeds none and records no weights "
              "file; pass the weights (a .safetensors file, or a folder "
              "holding model.safetensors) to xfmr_model_open (xfmr-run: "
              "--weights FILE_OR_DIR), or compile the library with xfmrc "
              "--embed-weights");
  std::string pickle = dir.write("pytorch_model.bin", {0x80});
  expectError(lib + " --weights " + pickle + " --input-ids " + ids,
              pickle + ": pickle checkpoints (.bin, .pt, .pth) are not loaded "
                       "because unpickling runs arbitrary code; convert the "
                       "checkpoint to safetensors");
  // A folder holding model.safetensors works.
  run = runTool(lib + " --weights " + dir.path() + " --input-ids " + ids);
  EXPECT_EQ(run.status, 0) << run.output;
}

// dlopen blocks on a FIFO; xfmr-run refuses it first.
// A cuda library on a machine without a usable driver: one line, exit 1.
TEST_F(XfmrRun, CudaLibraryWithoutADriver) {
  std::string cudaLib = std::string("'") + XFMR_STUB_CUDA_MODEL_PATH + "'";
  std::string args = cudaLib + " --weights " + weights + " --input-ids " + ids;
  const std::string needs =
      "this library runs on an NVIDIA GPU (target cuda, sm_80): ";
  std::string missing = dir.path() + "/libcuda.so.1";
  ToolRun run = runTool(args, "XFMR_CUDA_DRIVER='" + missing + "' ");
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_EQ(run.output, "xfmr-run: error: " + needs + "no CUDA driver (" +
                            missing + " not found)\n");

  // The toolkit's stub loads, but its cuInit fails.
  const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  if (access(stub, R_OK) == 0) {
    run = runTool(args, std::string("XFMR_CUDA_DRIVER='") + stub + "' ");
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_EQ(run.output.rfind("xfmr-run: error: " + needs +
                                   "no CUDA device (cuInit: CUDA_ERROR_",
                               0),
              0u)
        << run.output;
    EXPECT_EQ(run.output.find('\n'), run.output.size() - 1) << run.output;
  }

  // The driver's own name, where this machine has none.
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver) {
    dlclose(driver);
    return;
  }
  run = runTool(args, "XFMR_CUDA_DRIVER= ");
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_EQ(run.output, "xfmr-run: error: " + needs +
                            "no CUDA driver (libcuda.so.1 not found)\n");
}

TEST_F(XfmrRun, LibraryFifo) {
  std::string fifo = dir.path() + "/model.so";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expectError(fifo + " --input-ids " + ids,
              "cannot load '" + fifo + "': " + fifo + " is not a regular file");
}

TEST_F(XfmrRun, InputErrors) {
  std::string w = lib + " --weights " + weights;
  std::string bad = writeIds("bad.npy", {1, 10, 3}, 1, 3);
  expectError(w + " --input-ids " + bad,
              "input_ids[0][1] = 10 is outside the vocabulary [0, 10)");
  std::string longer = writeIds("long.npy", std::vector<int64_t>(9, 1), 1, 9);
  expectError(w + " --input-ids " + longer,
              "sequence length 9 exceeds the model's maximum of 8 positions");
  std::string floats = dir.write(
      "f.npy",
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
              bytesOf(std::vector<float>{1, 2})));
  expectError(w + " --input-ids " + floats,
              floats + ": expected int64 or int32, got '<f4'");
  std::string flat = dir.write(
      "flat.npy",
      makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
              bytesOf(std::vector<int64_t>{1, 2})));
  expectError(w + " --input-ids " + flat,
              flat + ": expected a rank-2 array, got shape [2]");
  std::string mask = writeIds("mask.npy", {1, 1, 1}, 1, 3);
  expectError(w + " --input-ids " + ids + " --attention-mask " + mask,
              mask + ": --attention-mask has shape [1, 3], but --input-ids "
                     "has shape [2, 3]");
  std::string twos = writeIds("twos.npy", {1, 1, 2, 1, 1, 1}, 2, 3);
  expectError(w + " --input-ids " + ids + " --attention-mask " + twos,
              "attention_mask[0][2] = 2 is not 0 or 1");
  expectError(w + " --input-ids " + dir.path() + "/nope.npy",
              dir.path() + "/nope.npy: No such file or directory");
}

} // namespace

// --text: the stub model has a vocabulary of 10, so the tokenizer beside
// its weights is a 10-token WordPiece vocabulary.
class XfmrRunText : public XfmrRun {
protected:
  void SetUp() override {
    XfmrRun::SetUp();
    const std::string vocab =
        "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\n##s\n!\na\nb\n";
    dir.write("vocab.txt", std::vector<uint8_t>(vocab.begin(), vocab.end()));
  }
};

TEST_F(XfmrRunText, UsesTheTokenizerBesideTheWeights) {
  ToolRun run = runTool(lib + " --weights " + weights +
                        " --text 'Hello worlds!' --text=a");
  ASSERT_EQ(run.status, 0) << run.output;
  // [CLS] hello world ##s ! [SEP], and [CLS] a [SEP] padded with [PAD].
  EXPECT_EQ(run.output.rfind("input_ids[0] = [2, 4, 5, 6, 7, 3]\n"
                             "input_ids[1] = [2, 8, 3]\n"
                             "last_hidden_state: shape [2, 6, 4] float32\n"
                             "  [0, 0, :4] = 18.500000 19.500000 20.500000 "
                             "21.500000\n"
                             "  [1, 0, :4] = 18.500000",
                             0),
            0u)
      << run.output;
}

TEST_F(XfmrRunText, TextFilesAndStandardInput) {
  auto bytes = [](const std::string &text) {
    return std::vector<uint8_t>(text.begin(), text.end());
  };
  // Over the 128 KiB limit of one command-line argument.
  std::string big;
  for (int i = 0; i < 40000; ++i)
    big += "hello ";
  std::string bigPath = dir.write("big.txt", bytes(big + "\n"));
  std::string smallPath = dir.write("small.txt", bytes("Hello worlds!\r\n"));
  // Files, standard input and --text keep their order; rows are cut to the
  // stub model's 8 positions.
  ToolRun run = runTool(lib + " --weights " + weights + " --text-file " +
                        smallPath + " --text=a --text-file - < " + bigPath);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output.rfind("input_ids[0] = [2, 4, 5, 6, 7, 3]\n"
                             "input_ids[1] = [2, 8, 3]\n"
                             "input_ids[2] = [2, 4, 4, 4, 4, 4, 4, 3]\n",
                             0),
            0u)
      << run.output;
  // The same text from a file and from the command line: the same row.
  run = runTool(lib + " --weights " + weights + " --text-file=" + smallPath);
  ToolRun direct =
      runTool(lib + " --weights " + weights + " --text 'Hello worlds!'");
  EXPECT_EQ(run.output, direct.output);

  // --max-length overrides the model's own length, within its positions.
  run = runTool(lib + " --weights " + weights + " --text-file " + bigPath +
                " --max-length 5");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output.rfind("input_ids[0] = [2, 4, 4, 4, 3]\n", 0), 0u)
      << run.output;
  expectError(lib + " --weights " + weights + " --text a --max-length 9",
              "--max-length 9 exceeds the model's maximum of 8 positions");
  expectError(lib + " --weights " + weights + " --input-ids " + ids +
                  " --max-length 4",
              "--max-length is used with --text");

  expectError(lib + " --weights " + weights + " --text-file " + dir.path() +
                  "/none.txt",
              "--text-file " + dir.path() +
                  "/none.txt: No such file or directory");
  expectError(lib + " --weights " + weights +
                  " --text-file - --text-file - < " + smallPath,
              "--text-file - is given twice (standard input is read once)");
}

TEST_F(XfmrRunText, WritesPaddedOutput) {
  TempDir other;
  const std::string vocab = "[UNK]\n[PAD]\nb\na\n[CLS]\n[SEP]\n";
  std::string path = other.write(
      "vocab.txt", std::vector<uint8_t>(vocab.begin(), vocab.end()));
  std::string out = dir.path() + "/text.npy";
  // [CLS] a b a [SEP] and [CLS] b [SEP], padded with [PAD] (1).
  ToolRun run = runTool(lib + " --weights " + weights + " --tokenizer " + path +
                        " --text 'a b a' --text b --output " + out);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output, "");
  FILE *f = fopen(out.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::vector<uint8_t> bytes(1 << 12);
  bytes.resize(fread(bytes.data(), 1, bytes.size(), f));
  fclose(f);
  size_t headerLength = bytes[8] | (bytes[9] << 8);
  std::string header(bytes.begin() + 10, bytes.begin() + 10 + headerLength);
  EXPECT_NE(header.find("'shape': (2, 5, 4)"), std::string::npos) << header;
  ASSERT_EQ(bytes.size(), 10 + headerLength + 40 * 4);
  const uint8_t *data = bytes.data() + 10 + headerLength;
  std::vector<int64_t> idValues = {4, 3, 2, 3, 5, 4, 2, 5, 1, 1};
  std::vector<int64_t> mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  for (int t = 0; t < 10; ++t) {
    float v;
    std::memcpy(&v, data + 4 * (t * 4), 4);
    EXPECT_EQ(v, 4 * idValues[t] + 0.5f + 10 * mask[t]) << "token " << t;
  }
}

// The symptom of a FIFO beside vocab.txt: xfmr-run blocked in fopen.
TEST_F(XfmrRunText, TokenizerConfigFifo) {
  std::string fifo = dir.path() + "/tokenizer_config.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expectError(lib + " --weights " + weights + " --text hello",
              fifo + " is not a regular file");
}

TEST_F(XfmrRunText, Errors) {
  TempDir empty;
  std::string w = empty.path() + "/model.safetensors";
  std::string cmd = "cp '" + weights + "' '" + w + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  expectError(lib + " --weights " + w + " --text hi",
              "no tokenizer (tokenizer.json, vocab.txt or vocab.json + "
              "merges.txt) in " +
                  empty.path() +
                  "; the library embeds none (its model folder had none "
                  "when it was compiled); pass one to xfmr_tokenizer_load "
                  "(xfmr-run: --tokenizer PATH)");
  expectError(lib + " --weights " + weights + " --tokenizer " + empty.path() +
                  "/nope.json --text hi",
              empty.path() + "/nope.json: No such file or directory");
  // Ids the model does not have: a tokenizer of another model.
  const std::string big =
      "[UNK]\n[CLS]\n[SEP]\na\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
  std::string path =
      empty.write("vocab.txt", std::vector<uint8_t>(big.begin(), big.end()));
  expectError(lib + " --weights " + weights + " --tokenizer " + path +
                  " --text k",
              "input_ids[0][1] = 13 is outside the vocabulary [0, 10)");
}
