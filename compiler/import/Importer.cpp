//===- Importer.cpp - ModelSpec → xfmr IR ---------------------------------===//
//
// The importer speaks in blocks (embedding, attention, FFN, norms) and keeps
// dropout in the IR: what they mean at inference is for the passes to decide.
// It reads tensors by what they are (TensorRef), never by a checkpoint's
// names. It lowers a post-LN LayerNorm encoder with every bias so far;
// checkImportable refuses the rest of what a description can say, naming
// the field.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/Importer.h"
#include "compiler/import/ImportUtils.h"
#include "compiler/import/SpecFormat.h"
#include "dialect/XfmrABI.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <map>
#include <tuple>

using namespace mlir;

namespace xfmr {

//===----------------------------------------------------------------------===//
// What can be lowered
//===----------------------------------------------------------------------===//

namespace {

/// "field 'F': WHAT is not supported yet", naming the description's origin.
class Refusal {
public:
  explicit Refusal(const ModelSpec &spec)
      : origin(spec.origin.empty() ? "model '" + spec.name + "'"
                                   : spec.origin) {}

  llvm::Error operator()(const llvm::Twine &field,
                         const llvm::Twine &what) const {
    return detail::makeError(origin + ": field '" + field + "': " + what +
                             " is not supported yet");
  }

private:
  std::string origin;
};

/// A value as the spec spells it: "\"rms_norm\"".
template <typename T, size_t N>
std::string quoted(const detail::Choice<T> (&choices)[N], T value) {
  return ("\"" + detail::spell(choices, value) + "\"").str();
}

llvm::Error checkStack(const Refusal &refuse, const std::string &p,
                       const StackSpec &stack, int64_t dModel) {
  if (stack.causal)
    return refuse(p + "attention", quoted(detail::kAttentionEntries,
                                          detail::AttentionEntry::CausalSelf) +
                                       " (a decoder stack)");
  if (stack.numKVHeads != stack.numHeads)
    return refuse(p + "num_kv_heads",
                  llvm::Twine(stack.numKVHeads) + " (grouped-query attention)");
  if (stack.numHeads * stack.headDim(dModel) != dModel)
    return refuse(p + "head_dim", llvm::Twine(stack.explicitHeadDim) +
                                      " (num_heads * head_dim != d_model)");
  const PositionSpec &positions = stack.positions;
  if (positions.kind != PositionKind::Learned &&
      positions.kind != PositionKind::Sinusoidal)
    return refuse(p + "positions.kind",
                  quoted(detail::kPositionKinds, positions.kind));
  if (positions.kind == PositionKind::Sinusoidal &&
      positions.layout != FeatureLayout::Interleaved)
    return refuse(p + "positions.layout",
                  quoted(detail::kLayouts, positions.layout));
  if (stack.norm.kind != NormKind::LayerNorm)
    return refuse(p + "norm.kind", quoted(detail::kNormKinds, stack.norm.kind));
  if (stack.normPlacement != NormPlacement::Post)
    return refuse(p + "norm.placement",
                  quoted(detail::kPlacements, stack.normPlacement));
  if (stack.finalNorm)
    return refuse(p + "norm.final", "true");
  if (stack.activation == Activation::Silu)
    return refuse(p + "ffn.activation",
                  quoted(detail::kActivations, stack.activation));
  if (stack.gatedFFN)
    return refuse(p + "ffn.gated", "true");
  for (auto [key, present] :
       {std::pair<const char *, bool>{"qkv", stack.qkvBias},
        {"attention_output", stack.attentionOutputBias},
        {"ffn", stack.ffnBias}})
    if (!present)
      return refuse(p + "bias." + key, "false");
  return llvm::Error::success();
}

} // namespace

llvm::Error checkImportable(const ModelSpec &spec) {
  Refusal refuse(spec);
  if (spec.embeddingNorm && spec.embeddingNorm->kind != NormKind::LayerNorm)
    return refuse("embedding_norm.kind",
                  quoted(detail::kNormKinds, spec.embeddingNorm->kind));
  for (auto [index, stack] : llvm::enumerate(spec.stacks))
    if (llvm::Error e =
            checkStack(refuse, "stacks[" + std::to_string(index) + "].", stack,
                       spec.dModel))
      return e;
  // Only a decoder has an LM head (validateSpec); it is refused with it.
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The encoder
//===----------------------------------------------------------------------===//

namespace {

using Kind = TensorRef::Kind;
using Sublayer = TensorRef::Sublayer;
using Param = TensorRef::Param;

ActivationKind toIR(Activation act) {
  switch (act) {
  case Activation::Gelu:
    return ActivationKind::gelu;
  case Activation::GeluTanh:
    return ActivationKind::gelu_tanh;
  case Activation::Relu:
    return ActivationKind::relu;
  case Activation::Silu:
    break;
  }
  llvm_unreachable("refused by checkImportable");
}

DropoutKind toIR(DropoutMode mode) {
  return mode == DropoutMode::Classic ? DropoutKind::classic
                                      : DropoutKind::inverted;
}

/// What a tensor is within its layer (the layer index left out), so that
/// layer 0's order of tensors is every layer's.
using LayerSlot = std::tuple<Kind, Sublayer, Param>;
LayerSlot slotOf(const TensorRef &ref) {
  return {ref.kind, ref.sublayer, ref.param};
}

class EncoderImporter {
public:
  EncoderImporter(const ModelSpec &spec, MLIRContext &context)
      : spec(spec), stack(spec.stacks.front()), builder(&context),
        loc(NameLoc::get(builder.getStringAttr(spec.name))),
        weights(requiredWeights(spec)) {}

  OwningOpRef<ModuleOp> run() {
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc, spec.name);
    abi::setModelInfo(*module,
                      {spec.name,
                       spec.weightsPath,
                       {spec.vocabSize, spec.dModel, stack.numLayers,
                        stack.numHeads, spec.maxPositions, spec.typeVocabSize},
                       spec.maxLength});
    builder.setInsertionPointToEnd(module->getBody());
    declareWeights();
    func::FuncOp layer = buildLayerFunction();
    buildEntry(layer, kEncodeEntry, /*pooled=*/false);
    if (spec.pooling != Pooling::None)
      buildEntry(layer, kEmbedEntry, /*pooled=*/true);
    return module;
  }

private:
  Type f32() { return builder.getF32Type(); }
  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element = {}) {
    return RankedTensorType::get(shape, element ? element : f32());
  }
  /// [batch, seq, d] activations.
  RankedTensorType activations() {
    return tensor({ShapedType::kDynamic, ShapedType::kDynamic, spec.dModel});
  }
  /// [batch, seq] token ids, attention masks and token types.
  RankedTensorType idsType() {
    return tensor({ShapedType::kDynamic, ShapedType::kDynamic},
                  builder.getI64Type());
  }

  /// The weights' symbols are their names without the task prefix.
  StringRef symbol(const WeightRef &ref) {
    return StringRef(ref.key).drop_front(spec.weightPrefix.size());
  }

  void declareWeights() {
    for (auto [index, ref] : llvm::enumerate(weights)) {
      WeightDeclOp::create(builder, loc, symbol(ref), ref.key,
                           tensor(ref.shape));
      if (ref.tensor.layer < 0)
        modelWeights[ref.tensor.kind][ref.tensor.param] = index;
      else
        layerWeights[ref.tensor.layer].push_back(index);
    }
  }

  /// Reads a model- or stack-level weight in the current function.
  Value readWeight(Kind kind, Param param = Param::Weight) {
    const WeightRef &ref = weights[modelWeights.at(kind).at(param)];
    return WeightOp::create(builder, loc, tensor(ref.shape), symbol(ref));
  }

  /// The padding mask's fill, and what a fully padded row yields: what the
  /// unfused softmax of the masked scores gives (zeros under -inf, a uniform
  /// row under the lowest finite value). A finite value fill gives neither
  /// (the row's own scores decide), so no fusion folds it; uniform is the
  /// nearer description.
  MaskAttr maskAttr() {
    switch (spec.maskFill) {
    case MaskFill::NegInf:
      return MaskAttr::get(builder.getContext(), MaskFillKind::neg_inf,
                           llvm::APFloat(0.0f), FullyMaskedPolicy::zero);
    case MaskFill::Lowest:
      return MaskAttr::get(builder.getContext(), MaskFillKind::lowest,
                           llvm::APFloat(0.0f), FullyMaskedPolicy::uniform);
    case MaskFill::Value:
      return MaskAttr::get(
          builder.getContext(), MaskFillKind::value,
          llvm::APFloat(static_cast<float>(spec.maskFillValue)),
          FullyMaskedPolicy::uniform);
    }
    llvm_unreachable("unknown mask fill");
  }

  Value dropout(Value x, double rate) {
    if (rate == 0.0)
      return x;
    return DropoutOp::create(
        builder, loc, x, builder.getF32FloatAttr(rate),
        DropoutKindAttr::get(builder.getContext(), toIR(spec.dropoutMode)));
  }

  Value layerNorm(Value x, Value gamma, Value beta, double eps) {
    return LayerNormOp::create(builder, loc, x, gamma, beta,
                               builder.getF32FloatAttr(eps));
  }

  Value residual(Value x, Value y) {
    return AddOp::create(builder, loc, activations(), x, y);
  }

  /// One post-LN encoder layer (BERT, Vaswani et al.), taking layer 0's
  /// tensors in requiredWeights order.
  func::FuncOp buildLayerFunction() {
    // The layer takes the 0/1 attention mask, not the additive one, so that
    // the masked-softmax fusion sees where its mask comes from.
    SmallVector<Type> inputs = {activations(), idsType()};
    std::map<LayerSlot, unsigned> slots;
    for (size_t index : layerWeights.at(0)) {
      slots[slotOf(weights[index].tensor)] = inputs.size();
      inputs.push_back(tensor(weights[index].shape));
    }
    auto type = builder.getFunctionType(inputs, {activations()});
    auto func = func::FuncOp::create(builder, loc, "encoder_layer", type);
    func.setPrivate();
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(func.addEntryBlock());
    auto arg = [&](Kind kind, Sublayer sublayer, Param param = Param::Weight) {
      return func.getArgument(slots.at({kind, sublayer, param}));
    };
    auto self = [&](Kind kind, Param param) {
      return arg(kind, Sublayer::SelfAttention, param);
    };
    Value x = func.getArgument(0);
    Value mask =
        PaddingMaskOp::create(builder, loc, func.getArgument(1), maskAttr());

    constexpr Param W = Param::Weight, B = Param::Bias;
    Value attn = AttentionOp::create(
        builder, loc, activations(), x, mask, self(Kind::Query, W),
        self(Kind::Query, B), self(Kind::Key, W), self(Kind::Key, B),
        self(Kind::Value, W), self(Kind::Value, B),
        self(Kind::AttentionOutput, W), self(Kind::AttentionOutput, B),
        builder.getI64IntegerAttr(stack.numHeads),
        builder.getF32FloatAttr(stack.scale(spec.dModel)),
        builder.getF32FloatAttr(spec.attentionDropout),
        DropoutKindAttr::get(builder.getContext(), toIR(spec.dropoutMode)));
    attn = dropout(attn, spec.hiddenDropout);
    Value h = layerNorm(residual(x, attn), self(Kind::Norm, W),
                        self(Kind::Norm, B), stack.norm.eps);

    Value ffn = FFNOp::create(
        builder, loc, activations(), toIR(stack.activation), h,
        arg(Kind::FFNUp, Sublayer::FFN), arg(Kind::FFNUp, Sublayer::FFN, B),
        arg(Kind::FFNDown, Sublayer::FFN),
        arg(Kind::FFNDown, Sublayer::FFN, B));
    ffn = dropout(ffn, spec.hiddenDropout);
    Value out = layerNorm(residual(h, ffn), arg(Kind::Norm, Sublayer::FFN),
                          arg(Kind::Norm, Sublayer::FFN, B), stack.norm.eps);
    func::ReturnOp::create(builder, loc, out);
    return func;
  }

  /// An entry point: the embeddings, every layer, and for `pooled` the
  /// pooling. Each entry has its own copy of these few ops: weights are read
  /// only in entry points, where xfmr-bind-weights turns them into arguments.
  void buildEntry(func::FuncOp layer, StringRef name, bool pooled) {
    SmallVector<Type> inputs = {idsType(), idsType()};
    if (spec.typeVocabSize > 0)
      inputs.push_back(idsType());
    auto pooledType = tensor({ShapedType::kDynamic, spec.dModel});
    Type resultType = pooled ? Type(pooledType) : Type(activations());
    auto type = builder.getFunctionType(inputs, {resultType});
    auto func = func::FuncOp::create(builder, loc, name, type);
    SmallVector<StringRef> argNames = {"input_ids", "attention_mask"};
    if (spec.typeVocabSize > 0)
      argNames.push_back("token_type_ids");
    abi::markEntry(func, pooled ? EntryRole::embed : EntryRole::encode,
                   argNames,
                   {pooled ? "sentence_embedding" : "last_hidden_state"});
    if (pooled) {
      func->setAttr(abi::kPoolingAttr,
                    builder.getStringAttr(stringifyPoolingKind(
                        spec.pooling == Pooling::Cls ? PoolingKind::cls
                                                     : PoolingKind::mean)));
      if (spec.normalizeEmbedding)
        func->setAttr(abi::kNormalizeAttr, builder.getUnitAttr());
    }
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(func.addEntryBlock());
    Value inputIds = func.getArgument(0), attentionMask = func.getArgument(1);

    FloatAttr embScale;
    if (spec.embeddingScale)
      embScale =
          builder.getF32FloatAttr(std::sqrt(static_cast<double>(spec.dModel)));
    Value h = EmbeddingOp::create(builder, loc, activations(), inputIds,
                                  readWeight(Kind::TokenEmbedding), embScale);
    if (stack.positions.kind == PositionKind::Learned)
      h = AddPositionsOp::create(builder, loc, PositionEncoding::learned, h,
                                 readWeight(Kind::PositionEmbedding));
    else
      h = AddPositionsOp::create(builder, loc, PositionEncoding::sinusoidal, h,
                                 Value());
    if (spec.typeVocabSize > 0) {
      Value types = EmbeddingOp::create(
          builder, loc, activations(), func.getArgument(2),
          readWeight(Kind::TokenTypeEmbedding), FloatAttr());
      h = residual(h, types);
    }
    if (spec.embeddingNorm)
      h = layerNorm(h, readWeight(Kind::EmbeddingNorm),
                    readWeight(Kind::EmbeddingNorm, Param::Bias),
                    spec.embeddingNorm->eps);
    h = dropout(h, spec.hiddenDropout);

    for (int64_t i = 0; i < stack.numLayers; ++i) {
      SmallVector<Value> operands = {h, attentionMask};
      for (size_t index : layerWeights.at(i))
        operands.push_back(WeightOp::create(builder, loc,
                                            tensor(weights[index].shape),
                                            symbol(weights[index])));
      Location layerLoc = NameLoc::get(
          builder.getStringAttr("encoder.layer." + std::to_string(i)));
      h = func::CallOp::create(builder, layerLoc, layer, operands).getResult(0);
    }
    if (pooled) {
      PoolingKind kind =
          spec.pooling == Pooling::Cls ? PoolingKind::cls : PoolingKind::mean;
      h = PoolOp::create(builder, loc, pooledType, kind, h, attentionMask);
      if (spec.normalizeEmbedding)
        h = L2NormalizeOp::create(builder, loc, h,
                                  builder.getF32FloatAttr(1e-12));
    }
    func::ReturnOp::create(builder, loc, h);
  }

  const ModelSpec &spec;
  /// The one stack of an importable model.
  const StackSpec &stack;
  OpBuilder builder;
  Location loc;
  std::vector<WeightRef> weights;
  /// Indices into `weights`: of the model's and the stack's tensors by kind
  /// and parameter, and of each layer's tensors in order.
  std::map<Kind, std::map<Param, size_t>> modelWeights;
  std::map<int64_t, SmallVector<size_t>> layerWeights;
};

} // namespace

OwningOpRef<ModuleOp> importModel(const ModelSpec &spec, MLIRContext &context) {
  context.loadDialect<XfmrDialect, func::FuncDialect>();
  if (llvm::Error e = checkImportable(spec)) {
    emitError(UnknownLoc::get(&context)) << llvm::toString(std::move(e));
    return nullptr;
  }
  return EncoderImporter(spec, context).run();
}

} // namespace xfmr
