//===- ModelSpec.h - A validated Transformer model description --*- C++ -*-===//
//
// ModelSpec is what every front end (the JSON spec, a Hugging Face checkpoint
// folder) produces and what the IR importer consumes: the model-level
// embedding, head and masking choices, and a list of stacks of identical
// layers (an encoder, a decoder, or an encoder then a decoder). It can
// describe BERT, GPT-2, Llama, Marian and T5; what the importer lowers today
// is a subset (checkImportable in Importer.h).
//
// Once a ModelSpec exists it is valid: every field was checked, and, when a
// weights file is named, every tensor the description needs was found with
// the exact shape. Tensors are known by what they are (TensorRef); how a
// checkpoint names them is a naming scheme (`weightNames`) chosen by the
// front end.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_IMPORT_MODELSPEC_H
#define XFMR_COMPILER_IMPORT_MODELSPEC_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xfmr {

enum class NormKind { LayerNorm, RMSNorm };
enum class NormPlacement { Post, Pre };
enum class PositionKind {
  /// No position term (a model that has none, or gets positions elsewhere).
  None,
  /// A [max_positions, d_model] table added to the embeddings.
  Learned,
  /// Fixed sin/cos features added to the embeddings (Vaswani et al.).
  Sinusoidal,
  /// A learned bias per head and bucket of relative distance (T5).
  RelativeBuckets,
  /// Rotary position embedding of queries and keys (RoFormer, Llama).
  Rotary,
  /// A fixed per-head linear bias of the distance (Press et al.).
  ALiBi
};
/// How sinusoidal or rotary features pair up: (2i, 2i+1), or (i, i + n/2)
/// with the two halves side by side.
enum class FeatureLayout { Interleaved, HalfSplit };
enum class Activation { Gelu, GeluTanh, Relu, Silu };
enum class DropoutMode { Inverted, Classic };
/// What is added to the attention scores of padded keys.
enum class MaskFill { NegInf, Lowest, Value };
enum class LMHeadKind { None, Tied, Separate };
/// The sentence-embedding output a compile adds (xfmrc --pooling).
enum class Pooling { None, Cls, Mean };
enum class StackRole { Encoder, Decoder };
enum class Architecture { Encoder, Decoder, EncoderDecoder };

struct NormSpec {
  NormKind kind = NormKind::LayerNorm;
  double eps = 1e-12;

  /// LayerNorm has a bias (beta); RMSNorm does not.
  bool hasBias() const { return kind == NormKind::LayerNorm; }
  friend bool operator==(const NormSpec &a, const NormSpec &b) {
    return a.kind == b.kind && a.eps == b.eps;
  }
  friend bool operator!=(const NormSpec &a, const NormSpec &b) {
    return !(a == b);
  }
};

/// A stack's position scheme. Only the fields of its kind are meaningful
/// (and compared).
struct PositionSpec {
  PositionKind kind = PositionKind::Learned;
  /// Sinusoidal (default interleaved) and rotary (default half-split).
  FeatureLayout layout = FeatureLayout::Interleaved;
  /// Rotary: the base of the frequencies, and the linear scaling factor the
  /// positions are divided by (1: none).
  double theta = 10000.0;
  double scaling = 1.0;
  /// Relative buckets: the number of buckets and the distance from which
  /// every distance shares the last bucket.
  int64_t numBuckets = 32;
  int64_t maxDistance = 128;

  friend bool operator==(const PositionSpec &a, const PositionSpec &b);
  friend bool operator!=(const PositionSpec &a, const PositionSpec &b) {
    return !(a == b);
  }
};

/// A stack of `numLayers` identical layers. Each layer has a self-attention
/// sublayer, a cross-attention sublayer when `crossAttention`, and a
/// feed-forward sublayer, each with its residual connection and norm.
struct StackSpec {
  int64_t numLayers = 0;
  /// Causal self-attention makes the stack a decoder; bidirectional, an
  /// encoder.
  bool causal = false;
  /// Attention to the encoder's output (the decoder of an encoder-decoder).
  bool crossAttention = false;
  /// Query heads, and key/value heads (fewer: grouped-query attention; 1:
  /// multi-query).
  int64_t numHeads = 0;
  int64_t numKVHeads = 0;
  /// 0: d_model / num_heads.
  int64_t explicitHeadDim = 0;
  /// Unset: 1 / sqrt(head_dim).
  std::optional<double> attentionScale;

  PositionSpec positions;

  NormSpec norm;
  NormPlacement normPlacement = NormPlacement::Post;
  /// A norm after the last layer (pre-LN models).
  bool finalNorm = false;

  int64_t ffnDim = 0;
  Activation activation = Activation::Gelu;
  /// act(x·Wgateᵀ) ⊙ (x·Wupᵀ) instead of act(x·Wupᵀ) (SwiGLU, GeGLU).
  bool gatedFFN = false;

  bool qkvBias = true;
  bool attentionOutputBias = true;
  bool ffnBias = true;

  StackRole role() const {
    return causal ? StackRole::Decoder : StackRole::Encoder;
  }
  int64_t headDim(int64_t dModel) const {
    return explicitHeadDim ? explicitHeadDim : dModel / numHeads;
  }
  double scale(int64_t dModel) const;

  friend bool operator==(const StackSpec &a, const StackSpec &b);
  friend bool operator!=(const StackSpec &a, const StackSpec &b) {
    return !(a == b);
  }
};

struct LMHeadSpec {
  /// Tied: the token embedding is the output matrix.
  LMHeadKind kind = LMHeadKind::None;
  bool bias = false;
  /// Multiplies the last hidden state before the head (T5 with a tied head:
  /// d_model^-0.5).
  double scale = 1.0;

  friend bool operator==(const LMHeadSpec &a, const LMHeadSpec &b) {
    return a.kind == b.kind && a.bias == b.bias && a.scale == b.scale;
  }
};

struct ModelSpec {
  /// Model name (spec "name", or the checkpoint folder's name).
  std::string name;

  int64_t vocabSize = 0;
  int64_t dModel = 0;
  /// Longest sequence; rows of a learned position table.
  int64_t maxPositions = 0;
  /// The length texts are truncated to by default, at most maxPositions; 0
  /// for maxPositions. A checkpoint folder's own: sentence_bert_config.json's
  /// max_seq_length, else tokenizer.json's truncation.
  int64_t maxLength = 0;
  /// 0 when the model has no token type embeddings (added to the first
  /// stack's embeddings).
  int64_t typeVocabSize = 0;
  /// Multiply token embeddings by sqrt(dModel) (Vaswani et al.: yes; BERT: no).
  bool embeddingScale = false;
  /// A norm after the embedding sum (BERT: a LayerNorm).
  std::optional<NormSpec> embeddingNorm;

  /// An encoder, a decoder, or an encoder then a decoder.
  llvm::SmallVector<StackSpec, 2> stacks;
  LMHeadSpec lmHead;

  double hiddenDropout = 0.0;
  double attentionDropout = 0.0;
  DropoutMode dropoutMode = DropoutMode::Inverted;

  MaskFill maskFill = MaskFill::NegInf;
  /// The fill of MaskFill::Value: a finite number < 0 (e.g. -10000).
  double maskFillValue = 0.0;
  /// -1 when unset.
  int64_t padTokenId = -1;
  /// The token that ends a generated sequence; -1 when unset.
  int64_t eosTokenId = -1;

  /// A pooled [batch, d_model] output next to the hidden states (set by the
  /// driver, not by the model files), optionally scaled to unit L2 norm.
  Pooling pooling = Pooling::None;
  bool normalizeEmbedding = false;

  /// The naming scheme of the weights file ("xfmr", "bert"; docs/spec.md).
  std::string weightNames = "xfmr";
  /// Absolute path of the safetensors weights, or empty when none is named.
  std::string weightsPath;
  /// Prefix of every tensor name in the weights file ("bert." for checkpoints
  /// saved from a task model), empty otherwise.
  std::string weightPrefix;

  /// The file the description was read from (spec.json, config.json), for
  /// messages; not part of the model.
  std::string origin;

  Architecture architecture() const;

  /// Same model: every field but `origin`.
  friend bool operator==(const ModelSpec &a, const ModelSpec &b);
  friend bool operator!=(const ModelSpec &a, const ModelSpec &b) {
    return !(a == b);
  }
};

/// A tensor of the model by what it is, independent of its name in a
/// checkpoint.
struct TensorRef {
  enum class Kind {
    // The model's.
    TokenEmbedding,
    TokenTypeEmbedding,
    EmbeddingNorm,
    LMHead,
    // A stack's.
    PositionEmbedding,
    RelativeBias,
    FinalNorm,
    // A layer's: the attention projections and norm of `sublayer`...
    Query,
    Key,
    Value,
    AttentionOutput,
    Norm,
    // ...and the feed-forward projections.
    FFNUp,
    FFNGate,
    FFNDown
  };
  enum class Sublayer { None, SelfAttention, CrossAttention, FFN };
  enum class Param { Weight, Bias };

  Kind kind;
  Param param = Param::Weight;
  /// Index into ModelSpec::stacks, for a stack's or a layer's tensor.
  int stack = -1;
  int64_t layer = -1;
  Sublayer sublayer = Sublayer::None;

  friend bool operator==(const TensorRef &a, const TensorRef &b) {
    return a.kind == b.kind && a.param == b.param && a.stack == b.stack &&
           a.layer == b.layer && a.sublayer == b.sublayer;
  }
};

/// How a checkpoint stores a tensor of the description when not as it is
/// read: a matrix stored transposed ([in, out], GPT-2's Conv1D), and rows
/// [rowBegin, rowEnd) of a stored tensor of `storedRows` rows (after the
/// transposition), such as one projection of a fused Q/K/V weight.
struct WeightView {
  bool transposed = false;
  /// storedRows 0: every row, no slice.
  int64_t rowBegin = 0, rowEnd = 0, storedRows = 0;

  bool isSlice() const { return storedRows != 0; }
};

/// A tensor the description needs: what it is, its name in the weights file
/// (with the prefix), its exact shape as the model reads it, and the view
/// that shape is of what the file stores.
struct WeightRef {
  TensorRef tensor;
  std::string key;
  llvm::SmallVector<int64_t, 2> shape;
  /// The spec fields that make the shape, for messages: "d_model x d_model".
  std::string shapeHint;
  WeightView view;

  /// The shape the weights file must hold.
  llvm::SmallVector<int64_t, 2> storedShape() const;
};

/// Every tensor the model needs, in a fixed order: the token embedding, the
/// learned position tables, the token types and the embedding norm, then each
/// stack (its relative bias, layer 0, layer 1, ..., its final norm), then the
/// LM head (docs/spec.md, "Weight names"); named by `spec.weightNames` with
/// `spec.weightPrefix`. `spec` must be valid.
std::vector<WeightRef> requiredWeights(const ModelSpec &spec);

/// Checks the fields of `spec` against each other (heads divide the width,
/// positive sizes, eps > 0, dropout in [0, 1), the stacks form an encoder, a
/// decoder or an encoder-decoder, the naming scheme names every tensor...).
/// `origin` names the file in messages, and `fieldName` turns the field path
/// of a version 2 spec ("stacks[0].num_heads") into the origin's spelling.
llvm::Error
validateSpec(const ModelSpec &spec, llvm::StringRef origin,
             llvm::function_ref<std::string(llvm::StringRef)> fieldName);
/// validateSpec with the field paths of a version 2 spec.
llvm::Error validateSpec(const ModelSpec &spec, llvm::StringRef origin);

/// Checks that the safetensors file at `spec.weightsPath` holds every tensor
/// of requiredWeights(spec) as F32 with the exact shape.
llvm::Error validateWeights(const ModelSpec &spec);

/// Reads an xfmr JSON spec file (docs/spec.md): parseSpecText of its text.
llvm::Expected<ModelSpec> parseSpecFile(llvm::StringRef path);
/// Parses the text of an xfmr JSON spec (version 1 or 2). `path` names it in
/// messages, and a relative "weights" field is resolved against its folder
/// (the weights file itself is read and checked).
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

/// `spec` as a version 2 xfmr JSON spec (docs/spec.md) with an absolute
/// "weights" path: what a Hugging Face folder was imported as. parseSpecFile
/// reads it back to an equal ModelSpec.
llvm::json::Value toJSON(const ModelSpec &spec);

} // namespace xfmr

#endif // XFMR_COMPILER_IMPORT_MODELSPEC_H
