//===- ConfigReader.h - Checked reads of a config.json ----------*- C++ -*-===//
//
// Private to compiler/import: what every Hugging Face front end reads
// config.json with. A field that is absent takes the front end's default (its
// transformers config class's); a present one must have the right JSON type
// and range. Messages name config.json and the field by its own name.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_IMPORT_HF_CONFIGREADER_H
#define XFMR_COMPILER_IMPORT_HF_CONFIGREADER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>

namespace xfmr::hf {

class ConfigReader {
public:
  ConfigReader(llvm::StringRef file, const llvm::json::Object &config,
               std::string prefix = "")
      : file(file), config(config), prefix(std::move(prefix)) {}

  llvm::Error fieldError(llvm::StringRef key, const llvm::Twine &what) const;

  /// An integer field (absent: `fallback`) in [min, max].
  llvm::Error readInt(llvm::StringRef key, int64_t fallback, int64_t min,
                      int64_t max, int64_t &out) const;
  llvm::Error readNumber(llvm::StringRef key, double fallback,
                         double &out) const;
  /// A number in [0, 1).
  llvm::Error readRate(llvm::StringRef key, double fallback, double &out) const;
  /// A finite number > 0.
  llvm::Error readPositive(llvm::StringRef key, double fallback,
                           double &out) const;
  llvm::Error readBool(llvm::StringRef key, bool fallback, bool &out) const;
  llvm::Error readString(llvm::StringRef key, llvm::StringRef fallback,
                         std::string &out) const;
  /// A token id in [0, vocabSize), or null (-1); absent: `fallback`, which
  /// is not checked.
  llvm::Error readTokenId(llvm::StringRef key, int64_t fallback,
                          int64_t vocabSize, int64_t &out) const;

  /// Whether the field is present and not null.
  bool has(llvm::StringRef key) const;
  /// The reader of the object field `key` (its messages name `key.field`),
  /// or std::nullopt when it is absent or null; an error when it is
  /// something else.
  llvm::Expected<std::optional<ConfigReader>>
  readObject(llvm::StringRef key) const;

  llvm::StringRef getFile() const { return file; }

private:
  llvm::StringRef file;
  const llvm::json::Object &config;
  /// "rope_scaling." in a nested object's messages.
  std::string prefix;
};

} // namespace xfmr::hf

#endif // XFMR_COMPILER_IMPORT_HF_CONFIGREADER_H
