//===- xfmr-run.cpp - run a compiled xfmr model library -------------------===//
//
// Loads a model library with dlopen and drives it through the C API of
// runtime.h only (the header is included for its types), so this tool works
// with any library xfmrc builds and links nothing of the compiler. Runs go
// through one call context, reused by every repeat of --bench.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/FileRead.h"
#include "tools/xfmr-run/Npy.h"
#include "xfmr/runtime.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <random>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

const char *kUsage =
    "usage: xfmr-run LIB.so [--weights FILE_OR_DIR] --input-ids IDS.npy\n"
    "                [--attention-mask M.npy] [--token-type-ids T.npy]\n"
    "                [--output OUT.npy] [--threads T]\n"
    "       xfmr-run LIB.so [--weights FILE_OR_DIR] --text TEXT [--text ...]\n"
    "                [--text-file FILE|-] [--tokenizer PATH] [--max-length N]\n"
    "                [--output OUT.npy]\n"
    "       xfmr-run LIB.so [--weights FILE_OR_DIR] --bench [--batch B]\n"
    "                [--seq S] [--repeat N] [--threads T]\n"
    "       xfmr-run LIB.so [--weights FILE_OR_DIR] --bench --input-ids "
    "IDS.npy\n"
    "                [--attention-mask M.npy] [--token-type-ids T.npy]\n"
    "                [--repeat N] [--threads T]\n"
    "       xfmr-run LIB.so [--weights FILE_OR_DIR] (--input-ids IDS.npy\n"
    "                [--attention-mask M.npy] | --text TEXT [--text ...])\n"
    "                --generate [--max-new-tokens N] [--tokenizer PATH]\n"
    "                [--greedy | --temperature T [--top-k K] [--top-p P]\n"
    "                --seed S] [--threads T]\n"
    "\n"
    "Runs a model library compiled by xfmrc. Inputs are .npy files of int64\n"
    "(or int32) of shape [batch, seq]; the output is float32. Without\n"
    "--output, prints a summary of the output. --text tokenizes each text\n"
    "(one batch row each, padded, truncated to the model's own length or\n"
    "to --max-length N) with --tokenizer (a tokenizer.json, vocab.txt,\n"
    "vocab.json or a folder) or, by default, the tokenizer files beside\n"
    "--weights, else the tokenizer embedded in the library, and prints the\n"
    "ids. Without --weights the library's own weights are used: embedded in\n"
    "it, or the file it records relative to its folder. --text-file reads\n"
    "one text from a file ('-': standard input), less one final newline,\n"
    "for texts too long for the command line; texts keep the order of the\n"
    "flags. --bench times the model on --input-ids (and --attention-mask,\n"
    "--token-type-ids) or on random ids of --batch x --seq and prints the\n"
    "median latency. --generate continues each prompt of a decoder library\n"
    "(greedy by default; --temperature samples, reproducibly from --seed) for\n"
    "--max-new-tokens (20) or until the model's end-of-sequence token, and\n"
    "prints each sequence's new token ids on a line, then, when a tokenizer\n"
    "is known (--tokenizer, or the model's own), each one's decoded text as\n"
    "'text[B] = \"...\"' (a JSON string). Its prompts are --input-ids or\n"
    "--text, tokenized with the template's special tokens (BOS).\n"
    "--threads T runs each call on T threads (OpenMP; default 1); the\n"
    "results are the same for every T.\n";

/// Prints a one-line error and exits with status 1.
template <typename... Args>
[[noreturn]] void die(fmt::format_string<Args...> format, Args &&...args) {
  fmt::print(stderr, "xfmr-run: error: {}\n",
             fmt::format(format, std::forward<Args>(args)...));
  std::exit(1);
}

/// The runtime.h entry points, resolved from the library.
struct Api {
  const char *(*statusString)(xfmr_status);
  const char *(*lastError)(void);
  xfmr_status (*modelOpen)(const char *, xfmr_model **);
  void (*modelClose)(xfmr_model *);
  xfmr_status (*modelGetInfo)(const xfmr_model *, xfmr_model_info *);
  // The context API (ABI version 2); required once the version is checked,
  // so that an older library is told apart by its version.
  xfmr_status (*contextCreate)(const xfmr_model *, xfmr_context **);
  void (*contextFree)(xfmr_context *);
  xfmr_status (*contextSetNumThreads)(xfmr_context *, int32_t);
  xfmr_status (*encode)(xfmr_context *, int64_t, int64_t, const int64_t *,
                        const int64_t *, const int64_t *, float *);
  xfmr_status (*embed)(xfmr_context *, int64_t, int64_t, const int64_t *,
                       const int64_t *, const int64_t *, float *);
  // A decoder's; null in libraries built before decoders.
  xfmr_status (*logits)(xfmr_context *, int64_t, int64_t, const int64_t *,
                        const int64_t *, float *);
  xfmr_status (*generate)(xfmr_context *, int64_t, int64_t, const int64_t *,
                          const int64_t *, const xfmr_generate_options *,
                          int64_t *, int64_t *);
  // The tokenizer API; null in libraries built before it existed.
  xfmr_status (*tokenizerLoad)(const char *, uint32_t, xfmr_tokenizer **);
  xfmr_status (*modelLoadTokenizer)(const xfmr_model *, xfmr_tokenizer **);
  void (*tokenizerFree)(xfmr_tokenizer *);
  xfmr_status (*encodeBatch)(const xfmr_tokenizer *, int64_t,
                             const char *const *, const size_t *,
                             const char *const *, const size_t *, int64_t,
                             uint32_t, xfmr_encoding **);
  void (*encodingFree)(xfmr_encoding *);
  xfmr_status (*decode)(const xfmr_tokenizer *, const int64_t *, int64_t,
                        uint32_t, char **, size_t *);
  void (*textFree)(char *);

  void check(xfmr_status status) const {
    if (status != XFMR_OK)
      die("{}", lastError()[0] ? lastError() : statusString(status));
  }
};

template <typename Fn>
void resolve(void *handle, const std::string &lib, const char *name, Fn &fn) {
  void *symbol = dlsym(handle, name);
  if (!symbol)
    die("'{}' is not an xfmr model library (no symbol '{}')", lib, name);
  fn = reinterpret_cast<Fn>(symbol);
}

template <typename Fn>
void resolveOptional(void *handle, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
}

Api loadLibrary(const std::string &path) {
  // dlopen searches the library path for a name without '/'; the user
  // means the file in the current folder.
  std::string name = path.find('/') == std::string::npos ? "./" + path : path;
  // dlopen would block on a FIFO; refuse anything but a regular file first.
  {
    std::string error;
    xfmr::fileio::InputFile file;
    if (!file.open(name, xfmr::fileio::kMaxLibraryBytes, error))
      die("cannot load '{}': {}", path, error);
  }
  void *handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    die("cannot load '{}': {}", path, why ? why : "unknown error");
  }
  Api api;
  resolve(handle, path, "xfmr_status_string", api.statusString);
  resolve(handle, path, "xfmr_last_error", api.lastError);
  resolve(handle, path, "xfmr_model_open", api.modelOpen);
  resolve(handle, path, "xfmr_model_close", api.modelClose);
  resolve(handle, path, "xfmr_model_get_info", api.modelGetInfo);
  resolveOptional(handle, "xfmr_context_create", api.contextCreate);
  resolveOptional(handle, "xfmr_context_free", api.contextFree);
  resolveOptional(handle, "xfmr_context_set_num_threads",
                  api.contextSetNumThreads);
  resolveOptional(handle, "xfmr_context_encode", api.encode);
  resolveOptional(handle, "xfmr_context_embed", api.embed);
  resolveOptional(handle, "xfmr_context_logits", api.logits);
  resolveOptional(handle, "xfmr_context_generate", api.generate);
  resolveOptional(handle, "xfmr_tokenizer_load", api.tokenizerLoad);
  resolveOptional(handle, "xfmr_model_load_tokenizer", api.modelLoadTokenizer);
  resolveOptional(handle, "xfmr_tokenizer_free", api.tokenizerFree);
  resolveOptional(handle, "xfmr_tokenizer_encode_batch", api.encodeBatch);
  resolveOptional(handle, "xfmr_encoding_free", api.encodingFree);
  resolveOptional(handle, "xfmr_tokenizer_decode", api.decode);
  resolveOptional(handle, "xfmr_text_free", api.textFree);
  // The handle stays open for the life of the process.
  return api;
}

/// Fails like resolve() for the first context function `path` lacks.
void requireContextApi(const Api &api, const std::string &path) {
  const std::pair<bool, const char *> functions[] = {
      {api.contextCreate != nullptr, "xfmr_context_create"},
      {api.contextFree != nullptr, "xfmr_context_free"},
      {api.contextSetNumThreads != nullptr, "xfmr_context_set_num_threads"},
      {api.encode != nullptr, "xfmr_context_encode"},
      {api.embed != nullptr, "xfmr_context_embed"}};
  for (const auto &[found, name] : functions)
    if (!found)
      die("'{}' is not an xfmr model library (no symbol '{}')", path, name);
}

struct Options {
  std::string library;
  bool hasWeights = false;
  std::string weights;
  std::string inputIds, attentionMask, tokenTypeIds, output;
  std::vector<std::string> texts;
  bool hasTokenizer = false;
  std::string tokenizer;
  /// --max-length; 0: the model's own.
  int64_t maxLength = 0;
  bool bench = false;
  int64_t batch = -1, seq = -1, repeat = -1, threads = 1;
  /// --generate and its sampling; temperature < 0: not given.
  bool generate = false, greedy = false, hasSeed = false;
  int64_t maxNewTokens = 20, topK = -1;
  double temperature = -1.0, topP = -1.0;
  uint64_t seed = 0;
};

/// A finite number from a flag's value.
double parseNumber(const std::string &flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value))
    die("{} expects a number, got '{}'", flag, text);
  return value;
}

int64_t parsePositive(const std::string &flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || value <= 0)
    die("{} expects a positive integer, got '{}'", flag, text);
  return value;
}

/// The text of --text-file: the whole file ("-": standard input) less one
/// final newline, as a shell's $(cat FILE) would drop it. Standard input is
/// read once; the size is bounded either way.
std::string readTextFile(const std::string &path, bool &readStdin) {
  std::string text, error;
  if (path != "-") {
    if (!xfmr::fileio::readWholeFile(path, xfmr::fileio::kMaxTextBytes, text,
                                     error))
      die("--text-file {}", error);
  } else {
    if (readStdin)
      die("--text-file - is given twice (standard input is read once)");
    readStdin = true;
    char buffer[1 << 16];
    while (true) {
      ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        die("--text-file -: {}", std::strerror(errno));
      if (got == 0)
        break;
      if (text.size() + got > xfmr::fileio::kMaxTextBytes)
        die("--text-file -: standard input holds more than the {} bytes "
            "allowed",
            xfmr::fileio::kMaxTextBytes);
      text.append(buffer, static_cast<size_t>(got));
    }
  }
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
    if (!text.empty() && text.back() == '\r')
      text.pop_back();
  }
  return text;
}

Options parseArgs(int argc, char **argv) {
  static const char *kNotYet[] = {"--decoder-input-ids"};
  Options opts;
  bool readStdin = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      if (!opts.library.empty())
        die("unexpected argument '{}' (the library is '{}')", arg,
            opts.library);
      opts.library = arg;
      continue;
    }
    std::string flag = arg, value;
    bool hasValue = false;
    size_t eq = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      hasValue = true;
    }
    for (const char *unsupported : kNotYet)
      if (flag == unsupported)
        die("{} is not supported yet", flag);
    if (flag == "--bench" || flag == "--generate" || flag == "--greedy") {
      if (hasValue)
        die("{} takes no value", flag);
      (flag == "--bench"      ? opts.bench
       : flag == "--generate" ? opts.generate
                              : opts.greedy) = true;
      continue;
    }
    auto takeValue = [&]() -> std::string {
      if (hasValue)
        return value;
      if (i + 1 >= argc)
        die("{} needs a value", flag);
      return argv[++i];
    };
    if (flag == "--weights") {
      opts.weights = takeValue();
      opts.hasWeights = true;
    } else if (flag == "--input-ids") {
      opts.inputIds = takeValue();
    } else if (flag == "--attention-mask") {
      opts.attentionMask = takeValue();
    } else if (flag == "--token-type-ids") {
      opts.tokenTypeIds = takeValue();
    } else if (flag == "--text") {
      opts.texts.push_back(takeValue());
    } else if (flag == "--text-file") {
      opts.texts.push_back(readTextFile(takeValue(), readStdin));
    } else if (flag == "--tokenizer") {
      opts.tokenizer = takeValue();
      opts.hasTokenizer = true;
    } else if (flag == "--max-length") {
      opts.maxLength = parsePositive(flag, takeValue());
    } else if (flag == "--output") {
      opts.output = takeValue();
    } else if (flag == "--batch") {
      opts.batch = parsePositive(flag, takeValue());
    } else if (flag == "--seq") {
      opts.seq = parsePositive(flag, takeValue());
    } else if (flag == "--repeat") {
      opts.repeat = parsePositive(flag, takeValue());
    } else if (flag == "--threads") {
      opts.threads = parsePositive(flag, takeValue());
    } else if (flag == "--max-new-tokens") {
      opts.maxNewTokens = parsePositive(flag, takeValue());
    } else if (flag == "--temperature") {
      opts.temperature = parseNumber(flag, takeValue());
      if (opts.temperature <= 0)
        die("--temperature expects a number > 0 (greedy is --greedy), got "
            "{}",
            opts.temperature);
    } else if (flag == "--top-k") {
      opts.topK = parsePositive(flag, takeValue());
    } else if (flag == "--top-p") {
      opts.topP = parseNumber(flag, takeValue());
      if (!(opts.topP > 0 && opts.topP <= 1))
        die("--top-p expects a number in (0, 1], got {}", opts.topP);
    } else if (flag == "--seed") {
      std::string text = takeValue();
      errno = 0;
      char *end = nullptr;
      unsigned long long value = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || text[0] == '-' || *end != '\0' || errno == ERANGE)
        die("--seed expects a non-negative integer, got '{}'", text);
      opts.seed = value;
      opts.hasSeed = true;
    } else {
      die("unknown option '{}' (see --help)", flag);
    }
  }
  if (opts.library.empty())
    die("no model library given (see --help)");
  bool sampling = opts.temperature > 0 || opts.topK > 0 || opts.topP > 0;
  if (!opts.generate && (sampling || opts.greedy || opts.hasSeed))
    die("--greedy, --temperature, --top-k, --top-p and --seed need "
        "--generate");
  if (opts.greedy && (sampling || opts.hasSeed))
    die("--greedy excludes --temperature, --top-k, --top-p and --seed");
  if ((opts.topK > 0 || opts.topP > 0) && opts.temperature <= 0)
    die("--top-k and --top-p sample: they need --temperature");
  if (opts.temperature > 0 && !opts.hasSeed)
    die("sampling (--temperature) needs --seed, so that a run can be "
        "repeated");
  if (opts.generate &&
      (opts.bench || !opts.output.empty() || !opts.tokenTypeIds.empty()))
    die("--generate prints the new tokens; it takes no --bench, --output or "
        "--token-type-ids");
  bool text = !opts.texts.empty();
  if (!opts.bench && opts.inputIds.empty() && !text)
    die("missing --input-ids IDS.npy (or --text TEXT, or --bench)");
  if (text && !opts.inputIds.empty())
    die("--text and --input-ids exclude each other");
  if (text && (!opts.attentionMask.empty() || !opts.tokenTypeIds.empty()))
    die("--attention-mask and --token-type-ids come from the tokenizer with "
        "--text");
  if (opts.hasTokenizer && !text && !opts.generate)
    die("--tokenizer is used with --text or --generate");
  if (opts.maxLength > 0 && !text)
    die("--max-length is used with --text");
  if (opts.bench && text)
    die("--bench times --input-ids or random ids; it takes no --text");
  if (!opts.bench && (opts.batch > 0 || opts.seq > 0 || opts.repeat > 0))
    die("--batch, --seq and --repeat need --bench");
  if (opts.bench && !opts.output.empty())
    die("--output is not used with --bench");
  if (opts.bench && !opts.inputIds.empty() && (opts.batch > 0 || opts.seq > 0))
    die("--batch and --seq shape random ids; --input-ids has its own shape");
  if (opts.inputIds.empty() &&
      (!opts.attentionMask.empty() || !opts.tokenTypeIds.empty()) && !text)
    die("--attention-mask and --token-type-ids go with --input-ids");
  return opts;
}

/// Reads an optional [batch, seq] companion array of the ids.
std::vector<int64_t> readCompanion(const std::string &flag,
                                   const std::string &path,
                                   const xfmr::npy::Int64Array &ids) {
  if (path.empty())
    return {};
  xfmr::npy::Int64Array array;
  std::string error;
  if (!xfmr::npy::readInt64(path, 2, array, error))
    die("{}", error);
  if (array.shape != ids.shape)
    die("{}: {} has shape {}, but --input-ids has shape {}", path, flag,
        xfmr::npy::formatShape(array.shape), xfmr::npy::formatShape(ids.shape));
  return std::move(array.data);
}

/// What one run produced: the model's output, named as in the manifest.
struct Output {
  const char *name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// Whether the library is a decoder: its output is the logits.
bool isDecoder(const xfmr_model_info &info) {
  return std::string_view(info.kind) == "decoder";
}

/// The width of the model's output per token.
int64_t outputWidth(const xfmr_model_info &info) {
  return isDecoder(info) ? info.vocab_size : info.d_model;
}

/// Runs the batch: a decoder's logits, the sentence embedding of a library
/// compiled with --pooling, the last hidden state otherwise.
Output runModel(const Api &api, xfmr_context *context,
                const xfmr_model_info &info, int64_t batch, int64_t seq,
                const int64_t *ids, const int64_t *mask, const int64_t *types) {
  // Overflow of batch * seq * d_model is ruled out by the runtime before it
  // writes anything, but the buffer is sized here; check first.
  uint64_t count = 0;
  int64_t width = outputWidth(info);
  if (__builtin_mul_overflow(static_cast<uint64_t>(batch) * seq,
                             static_cast<uint64_t>(width), &count) ||
      count > (1ull << 40))
    die("output of shape [{}, {}, {}] is too large", batch, seq, width);
  if (isDecoder(info)) {
    if (types)
      die("--token-type-ids: a decoder takes no token types");
    if (!api.logits)
      die("this library has no xfmr_context_logits");
    Output out{"logits", {batch, seq, width}, {}};
    out.values.resize(count);
    api.check(api.logits(context, batch, seq, ids, mask, out.values.data()));
    return out;
  }
  if (info.pooling) {
    Output out{"sentence_embedding", {batch, info.d_model}, {}};
    out.values.resize(static_cast<size_t>(batch * info.d_model));
    api.check(
        api.embed(context, batch, seq, ids, mask, types, out.values.data()));
    return out;
  }
  Output out{"last_hidden_state", {batch, seq, info.d_model}, {}};
  out.values.resize(count);
  api.check(
      api.encode(context, batch, seq, ids, mask, types, out.values.data()));
  return out;
}

/// Writes the output to --output, or prints a summary: the first values of
/// each sequence's first row, and the mean and spread of everything.
void emitOutput(const Options &opts, const Output &out) {
  if (!opts.output.empty()) {
    std::string error;
    if (!xfmr::npy::writeFloat32(opts.output, out.shape, out.values.data(),
                                 error))
      die("{}", error);
    return;
  }
  const std::vector<int64_t> &shape = out.shape;
  fmt::print("{}: shape {} float32\n", out.name, xfmr::npy::formatShape(shape));
  bool perToken = shape.size() == 3;
  int64_t width = shape.back();
  int64_t rowSize = perToken ? shape[1] * width : width;
  int64_t shown = std::min<int64_t>(6, width);
  for (int64_t b = 0; b < shape[0]; ++b) {
    const float *row = out.values.data() + b * rowSize;
    fmt::print("  [{}, {}:{}] = {:.6f}\n", b, perToken ? "0, " : "", shown,
               fmt::join(row, row + shown, " "));
  }
  double sum = 0, sumSq = 0;
  for (float v : out.values)
    sum += v;
  size_t n = out.values.size();
  double mean = n ? sum / n : 0;
  for (float v : out.values)
    sumSq += (v - mean) * (v - mean);
  double spread = n ? std::sqrt(sumSq / n) : 0;
  fmt::print("  mean {:.6f}, std {:.6f}\n", mean, spread);
}

/// --input-ids and its companions.
struct Inputs {
  int64_t batch = 0, seq = 0;
  std::vector<int64_t> ids, mask, types;
  const int64_t *maskData() const {
    return mask.empty() ? nullptr : mask.data();
  }
  const int64_t *typesData() const {
    return types.empty() ? nullptr : types.data();
  }
};

Inputs readInputs(const Options &opts) {
  xfmr::npy::Int64Array ids;
  std::string error;
  if (!xfmr::npy::readInt64(opts.inputIds, 2, ids, error))
    die("{}", error);
  Inputs in;
  in.mask = readCompanion("--attention-mask", opts.attentionMask, ids);
  in.types = readCompanion("--token-type-ids", opts.tokenTypeIds, ids);
  in.batch = ids.shape[0];
  in.seq = ids.shape[1];
  if (in.batch == 0 || in.seq == 0)
    die("{}: empty input of shape {}", opts.inputIds,
        xfmr::npy::formatShape(ids.shape));
  in.ids = std::move(ids.data);
  return in;
}

int runOnce(const Api &api, xfmr_context *context, const xfmr_model_info &info,
            const Options &opts) {
  Inputs in = readInputs(opts);
  emitOutput(opts, runModel(api, context, info, in.batch, in.seq, in.ids.data(),
                            in.maskData(), in.typesData()));
  return 0;
}

/// --tokenizer, or the model's own tokenizer files.
xfmr_tokenizer *loadTokenizer(const Api &api, xfmr_model *model,
                              const Options &opts) {
  if (!api.tokenizerLoad || !api.modelLoadTokenizer || !api.encodeBatch ||
      !api.tokenizerFree || !api.encodingFree)
    die("'{}' was built without tokenizer support; rebuild it with this "
        "xfmrc, or pass --input-ids",
        opts.library);
  xfmr_tokenizer *tokenizer = nullptr;
  if (opts.hasTokenizer)
    api.check(api.tokenizerLoad(opts.tokenizer.c_str(), 0, &tokenizer));
  else
    api.check(api.modelLoadTokenizer(model, &tokenizer));
  return tokenizer;
}

/// The --text batch, tokenized by `tokenizer`; free with encodingFree.
xfmr_encoding *encodeTexts(const Api &api, const xfmr_tokenizer *tokenizer,
                           const xfmr_model_info &info, const Options &opts) {
  std::vector<const char *> texts;
  std::vector<size_t> sizes;
  for (const std::string &t : opts.texts) {
    texts.push_back(t.data());
    sizes.push_back(t.size());
  }
  // Texts longer than the model's own length are cut, as its tokenizer or
  // sentence-transformers would cut them, rather than refused. A library
  // that predates max_length reports 0: its maximum positions.
  int64_t maxLength =
      info.max_length > 0 ? info.max_length : info.max_positions;
  if (opts.maxLength > 0) {
    if (opts.maxLength > info.max_positions)
      die("--max-length {} exceeds the model's maximum of {} positions",
          opts.maxLength, info.max_positions);
    maxLength = opts.maxLength;
  }
  xfmr_encoding *enc = nullptr;
  api.check(api.encodeBatch(tokenizer, static_cast<int64_t>(texts.size()),
                            texts.data(), sizes.data(), nullptr, nullptr,
                            maxLength, 0, &enc));
  return enc;
}

/// Tokenizes --text with --tokenizer or the model's own tokenizer files and
/// runs the batch like --input-ids.
int runText(const Api &api, xfmr_model *model, xfmr_context *context,
            const xfmr_model_info &info, const Options &opts) {
  xfmr_tokenizer *tokenizer = loadTokenizer(api, model, opts);
  xfmr_encoding *enc = encodeTexts(api, tokenizer, info, opts);
  // Single texts are all type 0, which a model without token types also
  // accepts as "no types".
  Output out =
      runModel(api, context, info, enc->batch, enc->seq, enc->input_ids,
               enc->attention_mask,
               info.type_vocab_size > 0 ? enc->token_type_ids : nullptr);
  if (opts.output.empty()) {
    for (int64_t b = 0; b < enc->batch; ++b) {
      const int64_t *row = enc->input_ids + b * enc->seq;
      fmt::print("input_ids[{}] = [{}]\n", b,
                 fmt::join(row, row + enc->lengths[b], ", "));
    }
  }
  api.encodingFree(enc);
  api.tokenizerFree(tokenizer);
  emitOutput(opts, out);
  return 0;
}

/// Times the model on --input-ids (with its mask and types) or, without
/// it, on random ids of --batch x --seq.
int runBench(const Api &api, xfmr_context *context, const xfmr_model_info &info,
             const Options &opts) {
  Inputs in;
  if (!opts.inputIds.empty()) {
    in = readInputs(opts);
  } else {
    in.batch = opts.batch > 0 ? opts.batch : 1;
    in.seq =
        opts.seq > 0 ? opts.seq : std::min<int64_t>(128, info.max_positions);
    if (in.seq > info.max_positions)
      die("--seq {} exceeds the model's maximum of {} positions", in.seq,
          info.max_positions);
    // A fixed seed: every run times the same inputs.
    std::mt19937_64 rng(0x786d6672);
    std::uniform_int_distribution<int64_t> token(0, info.vocab_size - 1);
    in.ids.resize(in.batch * in.seq);
    for (int64_t &id : in.ids)
      id = token(rng);
  }
  int64_t batch = in.batch, seq = in.seq;
  int64_t width = outputWidth(info);
  if (batch > (1 << 20) || seq * width > (1ll << 30) / batch)
    die("--batch {} x --seq {} is too large", batch, seq);
  int64_t repeat = opts.repeat > 0 ? opts.repeat : 10;
  std::vector<float> out(batch * seq * width);
  // One context for every repeat: from the second call on, the work memory
  // of the first is reused.
  auto run = [&] {
    if (isDecoder(info))
      api.check(api.logits(context, batch, seq, in.ids.data(), in.maskData(),
                           out.data()));
    else
      api.check(api.encode(context, batch, seq, in.ids.data(), in.maskData(),
                           in.typesData(), out.data()));
  };
  run(); // warm-up: page in the weights, fill the context's work memory
  std::vector<double> times;
  for (int64_t i = 0; i < repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    auto stop = std::chrono::steady_clock::now();
    times.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  fmt::print("median latency: {:.3f} ms (batch {}, seq {}, {} repeats)\n",
             median, batch, seq, repeat);
  return 0;
}

/// `text` as a JSON string.
std::string jsonString(const char *text, size_t size) {
  std::string out = "\"";
  for (size_t i = 0; i < size; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\')
      out += {'\\', static_cast<char>(c)};
    else if (c == '\n')
      out += "\\n";
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\u{:04x}", c);
    else
      out += static_cast<char>(c);
  }
  return out + "\"";
}

/// Continues the prompts of --input-ids or --text and prints each
/// sequence's new tokens, one sequence a line, then their text when a
/// tokenizer is known.
int runGenerate(const Api &api, xfmr_model *model, xfmr_context *context,
                const xfmr_model_info &info, const Options &opts) {
  if (!isDecoder(info))
    die("--generate needs a decoder; '{}' is an {}", opts.library, info.kind);
  if (!api.generate)
    die("this library has no xfmr_context_generate");
  Inputs in;
  xfmr_tokenizer *tokenizer = nullptr;
  if (!opts.texts.empty()) {
    tokenizer = loadTokenizer(api, model, opts);
    xfmr_encoding *enc = encodeTexts(api, tokenizer, info, opts);
    in.batch = enc->batch;
    in.seq = enc->seq;
    in.ids.assign(enc->input_ids, enc->input_ids + enc->batch * enc->seq);
    in.mask.assign(enc->attention_mask,
                   enc->attention_mask + enc->batch * enc->seq);
    api.encodingFree(enc);
  } else {
    in = readInputs(opts);
    // Only to decode: a library without one prints the ids alone.
    if (opts.hasTokenizer)
      tokenizer = loadTokenizer(api, model, opts);
    else if (api.modelLoadTokenizer &&
             api.modelLoadTokenizer(model, &tokenizer) != XFMR_OK)
      tokenizer = nullptr;
  }
  xfmr_generate_options options{};
  options.max_new_tokens = opts.maxNewTokens;
  options.temperature =
      opts.temperature > 0 ? static_cast<float>(opts.temperature) : 0.0f;
  options.top_k =
      opts.topK > 0
          ? static_cast<int32_t>(std::min<int64_t>(opts.topK, INT32_MAX))
          : 0;
  options.top_p = opts.topP > 0 ? static_cast<float>(opts.topP) : 1.0f;
  options.seed = opts.seed;
  options.eos_token_id = XFMR_EOS_MODEL;
  if (in.batch > (1 << 20) || opts.maxNewTokens > (1ll << 30) / in.batch)
    die("--max-new-tokens {} for a batch of {} is too large", opts.maxNewTokens,
        in.batch);
  std::vector<int64_t> ids(in.batch * opts.maxNewTokens), lengths(in.batch);
  api.check(api.generate(context, in.batch, in.seq, in.ids.data(),
                         in.maskData(), &options, ids.data(), lengths.data()));
  for (int64_t b = 0; b < in.batch; ++b) {
    const int64_t *row = &ids[b * opts.maxNewTokens];
    fmt::print("{}\n", fmt::join(row, row + lengths[b], " "));
  }
  if (tokenizer && api.decode && api.textFree) {
    for (int64_t b = 0; b < in.batch; ++b) {
      char *text = nullptr;
      size_t size = 0;
      api.check(api.decode(tokenizer, &ids[b * opts.maxNewTokens], lengths[b],
                           XFMR_DECODE_SKIP_SPECIAL_TOKENS, &text, &size));
      fmt::print("text[{}] = {}\n", b, jsonString(text, size));
      api.textFree(text);
    }
  }
  if (tokenizer)
    api.tokenizerFree(tokenizer);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options opts = parseArgs(argc, argv);
  Api api = loadLibrary(opts.library);
  xfmr_model *model = nullptr;
  // No --weights: the weights the model was compiled from.
  api.check(
      api.modelOpen(opts.hasWeights ? opts.weights.c_str() : nullptr, &model));
  xfmr_model_info info{};
  api.check(api.modelGetInfo(model, &info));
  if (info.abi_version != XFMR_ABI_VERSION)
    die("'{}' uses ABI version {}; this xfmr-run supports version {}",
        opts.library, info.abi_version, XFMR_ABI_VERSION);
  requireContextApi(api, opts.library);
  xfmr_context *context = nullptr;
  api.check(api.contextCreate(model, &context));
  if (opts.threads > INT32_MAX)
    die("--threads {} is too large", opts.threads);
  api.check(
      api.contextSetNumThreads(context, static_cast<int32_t>(opts.threads)));
  int rc = opts.bench            ? runBench(api, context, info, opts)
           : opts.generate       ? runGenerate(api, model, context, info, opts)
           : !opts.texts.empty() ? runText(api, model, context, info, opts)
                                 : runOnce(api, context, info, opts);
  api.contextFree(context);
  api.modelClose(model);
  return rc;
}
