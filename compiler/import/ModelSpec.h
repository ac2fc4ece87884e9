//===- ModelSpec.h - A validated Transformer model description --*- C++ -*-===//
//
// ModelSpec is what every front end (the JSON spec, a Hugging Face checkpoint
// folder) produces and what the IR importer consumes. Once a ModelSpec exists
// it is valid: every field was checked, and, when a weights file is named,
// every tensor the architecture needs was found with the exact shape.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_IMPORT_MODELSPEC_H
#define XFMR_COMPILER_IMPORT_MODELSPEC_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xfmr {

enum class PositionKind { Learned, Sinusoidal };
enum class Activation { Gelu, GeluTanh, Relu };
enum class NormPlacement { Post, Pre };
enum class DropoutMode { Inverted, Classic };
/// How padded key positions are filled before the softmax.
enum class MaskFill { NegInf, Lowest };
/// The sentence-embedding output a compile adds (xfmrc --pooling).
enum class Pooling { None, Cls, Mean };

struct ModelSpec {
  /// Model name (spec "name", or the checkpoint folder's name).
  std::string name;
  /// "encoder" is the only architecture so far.
  std::string architecture = "encoder";

  int64_t vocabSize = 0;
  int64_t dModel = 0;
  int64_t numHeads = 0;
  int64_t ffnDim = 0;
  int64_t numLayers = 0;
  int64_t maxPositions = 0;
  /// 0 when the model has no token type embeddings.
  int64_t typeVocabSize = 0;
  PositionKind positions = PositionKind::Learned;

  NormPlacement normPlacement = NormPlacement::Post;
  double normEps = 1e-12;
  /// LayerNorm after the embedding sum (BERT: yes).
  bool embeddingLayerNorm = true;
  Activation activation = Activation::Gelu;

  double hiddenDropout = 0.0;
  double attentionDropout = 0.0;
  DropoutMode dropoutMode = DropoutMode::Inverted;

  /// Multiply token embeddings by sqrt(dModel) (Vaswani et al.: yes; BERT: no).
  bool embeddingScale = false;
  MaskFill maskFill = MaskFill::NegInf;
  /// -1 when unset.
  int64_t padTokenId = -1;

  /// A pooled [batch, d_model] output next to the hidden states (set by the
  /// driver, not by the model files), optionally scaled to unit L2 norm.
  Pooling pooling = Pooling::None;
  bool normalizeEmbedding = false;

  /// Absolute path of the safetensors weights, or empty when none is named.
  std::string weightsPath;
  /// Prefix of every tensor name in the weights file ("bert." for checkpoints
  /// saved from a task model), empty otherwise.
  std::string weightPrefix;

  int64_t headDim() const { return dModel / numHeads; }
};

/// A tensor the architecture needs: its name in the weights file (with the
/// prefix) and its exact shape.
struct WeightRef {
  std::string key;
  llvm::SmallVector<int64_t, 2> shape;
  /// The spec fields that make the shape, for messages: "d_model x d_model".
  std::string shapeHint;
};

/// Names of the weights of an encoder, in the naming scheme shared by xfmr
/// specs and Hugging Face BERT checkpoints (docs/spec.md).
namespace weight_names {
std::string wordEmbeddings();
std::string positionEmbeddings();
std::string tokenTypeEmbeddings();
std::string embeddingNorm(llvm::StringRef param); // "weight" | "bias"
/// `part` is e.g. "attention.self.query.weight".
std::string layer(int64_t index, llvm::StringRef part);
} // namespace weight_names

/// Every tensor the model needs, in a fixed order (embeddings, then layer 0,
/// layer 1, ...), with `spec.weightPrefix` applied.
std::vector<WeightRef> requiredWeights(const ModelSpec &spec);

/// Checks the fields of `spec` against each other (heads divide the width,
/// positive sizes, eps > 0, dropout in [0, 1), ...). `origin` names the file
/// in messages.
llvm::Error validateSpec(const ModelSpec &spec, llvm::StringRef origin);

/// Checks that the safetensors file at `spec.weightsPath` holds every tensor
/// of requiredWeights(spec) as F32 with the exact shape.
llvm::Error validateWeights(const ModelSpec &spec);

/// Reads an xfmr JSON spec file (docs/spec.md): parseSpecText of its text.
llvm::Expected<ModelSpec> parseSpecFile(llvm::StringRef path);
/// Parses the text of an xfmr JSON spec. `path` names it in messages, and a
/// relative "weights" field is resolved against its folder (the weights file
/// itself is read and checked).
llvm::Expected<ModelSpec> parseSpecText(llvm::StringRef text,
                                        llvm::StringRef path);
/// Reads a Hugging Face checkpoint folder (config.json + model.safetensors).
llvm::Expected<ModelSpec> importHuggingFaceFolder(llvm::StringRef dir);
/// Parses the text of a Hugging Face config.json into a validated ModelSpec
/// named `name`, without weights (importHuggingFaceFolder adds them). `path`
/// names it in messages.
llvm::Expected<ModelSpec> parseHuggingFaceConfig(llvm::StringRef text,
                                                 llvm::StringRef path,
                                                 llvm::StringRef name);
/// Dispatches on `path`: a folder is a Hugging Face checkpoint, a file is an
/// xfmr JSON spec.
llvm::Expected<ModelSpec> loadModel(llvm::StringRef path);

/// `spec` as an xfmr JSON spec (docs/spec.md) with an absolute "weights"
/// path: what a Hugging Face folder was imported as. parseSpecFile reads it
/// back to an equal ModelSpec.
llvm::json::Value toJSON(const ModelSpec &spec);

} // namespace xfmr

#endif // XFMR_COMPILER_IMPORT_MODELSPEC_H
