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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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
                       const StackSpec &stack, const ModelSpec &spec) {
  if (stack.crossAttention)
    return refuse(p + "attention", "\"cross\" (an encoder-decoder)");
  if (stack.causal && spec.lmHead.kind == LMHeadKind::None)
    return refuse("lm_head", "a decoder stack without an LM head");
  if (stack.causal && spec.pooling != Pooling::None)
    return refuse("pooling", "pooling a decoder");
  const PositionSpec &positions = stack.positions;
  if (positions.kind != PositionKind::Learned &&
      positions.kind != PositionKind::Sinusoidal &&
      positions.kind != PositionKind::Rotary &&
      positions.kind != PositionKind::ALiBi)
    return refuse(p + "positions.kind",
                  quoted(detail::kPositionKinds, positions.kind));
  // An encoder's positions are its token indices, which only the
  // absolute kinds read so far; ALiBi's bias is a decoder's, of the keys
  // behind a query.
  if ((positions.kind == PositionKind::Rotary ||
       positions.kind == PositionKind::ALiBi) &&
      !stack.causal)
    return refuse(p + "positions.kind",
                  quoted(detail::kPositionKinds, positions.kind) +
                      " in an encoder stack");
  if (positions.kind == PositionKind::Sinusoidal &&
      positions.layout != FeatureLayout::Interleaved)
    return refuse(p + "positions.layout",
                  quoted(detail::kLayouts, positions.layout));
  return llvm::Error::success();
}

} // namespace

llvm::Error checkImportable(const ModelSpec &spec) {
  Refusal refuse(spec);
  if (spec.stacks.size() != 1)
    return refuse("stacks", "an encoder-decoder (two stacks)");
  // validateSpec allows an LM head only with a decoder stack.
  return checkStack(refuse, "stacks[0].", spec.stacks.front(), spec);
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
    return ActivationKind::silu;
  }
  llvm_unreachable("unknown activation");
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

/// Imports a model of one stack: an encoder (`encode`, and `embed` when
/// pooled) or a decoder with its LM head (`logits`).
class StackImporter {
public:
  StackImporter(const ModelSpec &spec, MLIRContext &context)
      : spec(spec), stack(spec.stacks.front()), builder(&context),
        loc(NameLoc::get(builder.getStringAttr(spec.name))),
        weights(requiredWeights(spec)), decoder(stack.causal),
        rotary(stack.positions.kind == PositionKind::Rotary),
        alibi(stack.positions.kind == PositionKind::ALiBi) {}

  OwningOpRef<ModuleOp> run() {
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc, spec.name);
    abi::setModelInfo(*module,
                      {spec.name,
                       spec.weightsPath,
                       {spec.vocabSize, spec.dModel, stack.numLayers,
                        stack.numHeads, spec.maxPositions, spec.typeVocabSize},
                       spec.maxLength,
                       spec.eosTokenId});
    builder.setInsertionPointToEnd(module->getBody());
    declareWeights();
    func::FuncOp layer = buildLayerFunction(/*cached=*/false);
    if (decoder) {
      buildEntry(layer, kLogitsEntry, EntryRole::logits);
      func::FuncOp cachedLayer = buildLayerFunction(/*cached=*/true);
      buildCachedEntry(cachedLayer, kPrefillEntry, EntryRole::prefill);
      buildCachedEntry(cachedLayer, kDecodeStepEntry, EntryRole::decode_step);
      return module;
    }
    buildEntry(layer, kEncodeEntry, EntryRole::encode);
    if (spec.pooling != Pooling::None)
      buildEntry(layer, kEmbedEntry, EntryRole::embed);
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
  /// [batch, seq] token ids, attention masks, token types and positions.
  RankedTensorType idsType() {
    return tensor({ShapedType::kDynamic, ShapedType::kDynamic},
                  builder.getI64Type());
  }

  /// The weights' symbols are their names without the task prefix.
  /// A slice of a stored tensor adds its rows ("...c_attn.weight[0:768]").
  std::string symbol(const WeightRef &ref) {
    std::string name =
        StringRef(ref.key).drop_front(spec.weightPrefix.size()).str();
    if (ref.view.isSlice())
      name += "[" + std::to_string(ref.view.rowBegin) + ":" +
              std::to_string(ref.view.rowEnd) + "]";
    return name;
  }

  void declareWeights() {
    for (auto [index, ref] : llvm::enumerate(weights)) {
      const WeightView &view = ref.view;
      DenseI64ArrayAttr rows;
      if (view.isSlice())
        rows = builder.getDenseI64ArrayAttr(
            {view.rowBegin, view.rowEnd, view.storedRows});
      WeightDeclOp::create(builder, loc, symbol(ref), ref.key,
                           tensor(ref.shape), /*panels=*/false, view.transposed,
                           rows);
      if (ref.tensor.layer < 0)
        modelWeights[ref.tensor.kind][ref.tensor.param] = index;
      else
        layerWeights[ref.tensor.layer].push_back(index);
    }
    // A tied LM head reads the token embedding as its matrix: a second
    // declaration of that tensor, so that each use gets its own layout
    // (xfmr-pack-weights lays a linear's weight out in panels).
    if (spec.lmHead.kind == LMHeadKind::Tied) {
      const WeightRef &table =
          weights[modelWeights.at(Kind::TokenEmbedding).at(Param::Weight)];
      WeightDeclOp::create(builder, loc, kTiedHeadSymbol, table.key,
                           tensor(table.shape), /*panels=*/false,
                           /*transposed=*/false, DenseI64ArrayAttr());
    }
  }

  /// Reads a model- or stack-level weight in the current function.
  Value readWeight(Kind kind, Param param = Param::Weight) {
    const WeightRef &ref = weights[modelWeights.at(kind).at(param)];
    return WeightOp::create(builder, loc, tensor(ref.shape), symbol(ref));
  }
  /// The same, or null when the model has no such tensor.
  Value readOptionalWeight(Kind kind, Param param) {
    auto it = modelWeights.find(kind);
    if (it == modelWeights.end() || !it->second.count(param))
      return Value();
    return readWeight(kind, param);
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

  /// `x` normalised as `norm` says: LayerNorm with its bias, or RMSNorm.
  Value normalize(Value x, const NormSpec &norm, Value gamma, Value beta) {
    if (norm.kind == NormKind::RMSNorm)
      return RmsNormOp::create(builder, loc, x, gamma,
                               builder.getF32FloatAttr(norm.eps));
    return LayerNormOp::create(builder, loc, x, gamma, beta,
                               builder.getF32FloatAttr(norm.eps));
  }

  Value residual(Value x, Value y) {
    return AddOp::create(builder, loc, activations(), x, y);
  }

  RotaryAttr rotaryAttr() {
    const PositionSpec &positions = stack.positions;
    return RotaryAttr::get(
        builder.getContext(),
        builder.getF32FloatAttr(static_cast<float>(positions.theta)),
        builder.getF32FloatAttr(static_cast<float>(positions.scaling)),
        positions.layout == FeatureLayout::HalfSplit
            ? RotaryLayout::half_split
            : RotaryLayout::interleaved);
  }

  /// The K/V cache of one layer: [2, batch, kv_heads, capacity, head_dim].
  RankedTensorType layerCacheType() {
    return tensor({2, ShapedType::kDynamic, stack.numKVHeads,
                   ShapedType::kDynamic, stack.headDim(spec.dModel)});
  }
  /// ALiBi's [batch, heads, 1, keys]: broadcast over the queries.
  RankedTensorType scoreBiasType() {
    return tensor(
        {ShapedType::kDynamic, stack.numHeads, 1, ShapedType::kDynamic});
  }
  /// Every layer's: [layers, 2, batch, kv_heads, capacity, head_dim].
  RankedTensorType cacheType() {
    SmallVector<int64_t> shape = {stack.numLayers};
    llvm::append_range(shape, layerCacheType().getShape());
    return tensor(shape);
  }

  /// One layer of the stack, taking layer 0's tensors in requiredWeights
  /// order: each sublayer with its residual, post-LN
  /// `h = norm(h + sublayer(h))` or pre-LN `h = h + sublayer(norm(h))`.
  /// A `cached` decoder layer also takes every layer's K/V cache and its
  /// own index, and returns the cache with its slice updated; its mask is
  /// over every cached token, the new ones last. (The whole cache, not the
  /// layer's slice: a slice at an offset would be copied across the call.)
  func::FuncOp buildLayerFunction(bool cached) {
    // The layer takes the 0/1 attention mask, not the additive one, so that
    // the masked-softmax fusion sees where its mask comes from; with ALiBi,
    // the score bias; with rotary positions, the tokens' positions.
    SmallVector<Type> inputs = {activations(), idsType()};
    unsigned biasArg = inputs.size();
    if (alibi)
      inputs.push_back(scoreBiasType());
    unsigned positionsArg = inputs.size();
    if (rotary)
      inputs.push_back(idsType());
    unsigned cacheArg = inputs.size();
    if (cached)
      inputs.append({cacheType(), builder.getIndexType()});
    std::map<LayerSlot, unsigned> slots;
    for (size_t index : layerWeights.at(0)) {
      slots[slotOf(weights[index].tensor)] = inputs.size();
      inputs.push_back(tensor(weights[index].shape));
    }
    SmallVector<Type> results = {activations()};
    if (cached)
      results.push_back(cacheType());
    auto type = builder.getFunctionType(inputs, results);
    auto func = func::FuncOp::create(builder, loc,
                                     !decoder ? "encoder_layer"
                                     : cached ? "cached_decoder_layer"
                                              : "decoder_layer",
                                     type);
    func.setPrivate();
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(func.addEntryBlock());
    auto arg = [&](Kind kind, Sublayer sublayer, Param param) -> Value {
      auto it = slots.find({kind, sublayer, param});
      return it == slots.end() ? Value() : func.getArgument(it->second);
    };
    constexpr Param W = Param::Weight, B = Param::Bias;
    auto self = [&](Kind kind, Param param) {
      return arg(kind, Sublayer::SelfAttention, param);
    };
    auto ffnArg = [&](Kind kind, Param param) {
      return arg(kind, Sublayer::FFN, param);
    };
    bool pre = stack.normPlacement == NormPlacement::Pre;
    // h + sublayer(norm(h)) or norm(h + sublayer(h)), dropout on the
    // sublayer's output.
    auto withResidual = [&](Value h, Value gamma, Value beta,
                            llvm::function_ref<Value(Value)> sublayer) {
      if (pre)
        return residual(h,
                        dropout(sublayer(normalize(h, stack.norm, gamma, beta)),
                                spec.hiddenDropout));
      return normalize(residual(h, dropout(sublayer(h), spec.hiddenDropout)),
                       stack.norm, gamma, beta);
    };

    Value h = func.getArgument(0);
    Value mask =
        PaddingMaskOp::create(builder, loc, func.getArgument(1), maskAttr());
    Value scoreBias = alibi ? func.getArgument(biasArg) : Value();
    Value positions = rotary ? func.getArgument(positionsArg) : Value();
    Value cache;
    SmallVector<OpFoldResult> sliceOffsets, sliceSizes, sliceStrides;
    if (cached) {
      Value all = func.getArgument(cacheArg);
      std::tie(sliceOffsets, sliceSizes, sliceStrides) =
          layerSlice(all, func.getArgument(cacheArg + 1));
      cache = tensor::ExtractSliceOp::create(builder, loc, layerCacheType(),
                                             all, sliceOffsets, sliceSizes,
                                             sliceStrides);
    }
    int64_t kvHeads = stack.numKVHeads;
    h = withResidual(h, self(Kind::Norm, W), self(Kind::Norm, B), [&](Value x) {
      auto attention = AttentionOp::create(
          builder, loc, activations(), cached ? layerCacheType() : Type(), x,
          mask, scoreBias, positions, cache, self(Kind::Query, W),
          self(Kind::Query, B), self(Kind::Key, W), self(Kind::Key, B),
          self(Kind::Value, W), self(Kind::Value, B),
          self(Kind::AttentionOutput, W), self(Kind::AttentionOutput, B),
          builder.getI64IntegerAttr(stack.numHeads),
          kvHeads == stack.numHeads ? IntegerAttr()
                                    : builder.getI64IntegerAttr(kvHeads),
          builder.getF32FloatAttr(stack.scale(spec.dModel)),
          builder.getF32FloatAttr(spec.attentionDropout),
          DropoutKindAttr::get(builder.getContext(), toIR(spec.dropoutMode)),
          decoder ? builder.getUnitAttr() : UnitAttr(),
          rotary ? rotaryAttr() : RotaryAttr());
      cache = attention.getUpdatedCache();
      return attention.getResult();
    });
    h = withResidual(
        h, ffnArg(Kind::Norm, W), ffnArg(Kind::Norm, B), [&](Value x) {
          return FFNOp::create(
              builder, loc, activations(), toIR(stack.activation), x,
              ffnArg(Kind::FFNGate, W), ffnArg(Kind::FFNGate, B),
              ffnArg(Kind::FFNUp, W), ffnArg(Kind::FFNUp, B),
              ffnArg(Kind::FFNDown, W), ffnArg(Kind::FFNDown, B));
        });
    SmallVector<Value> returned = {h};
    if (cached)
      returned.push_back(tensor::InsertSliceOp::create(
          builder, loc, cache, func.getArgument(cacheArg), sliceOffsets,
          sliceSizes, sliceStrides));
    func::ReturnOp::create(builder, loc, returned);
    return func;
  }

  /// An entry point: the embeddings, every layer, then the pooling
  /// (`embed`) or the final norm and the LM head (`logits`). Each entry has
  /// its own copy of these few ops: weights are read only in entry points,
  /// where xfmr-bind-weights turns them into arguments.
  void buildEntry(func::FuncOp layer, StringRef name, EntryRole role) {
    bool pooled = role == EntryRole::embed;
    SmallVector<Type> inputs = {idsType(), idsType()};
    if (spec.typeVocabSize > 0)
      inputs.push_back(idsType());
    auto pooledType = tensor({ShapedType::kDynamic, spec.dModel});
    auto logitsType =
        tensor({ShapedType::kDynamic, ShapedType::kDynamic, spec.vocabSize});
    Type resultType = pooled                      ? Type(pooledType)
                      : role == EntryRole::logits ? Type(logitsType)
                                                  : Type(activations());
    auto type = builder.getFunctionType(inputs, {resultType});
    auto func = func::FuncOp::create(builder, loc, name, type);
    SmallVector<StringRef> argNames = {"input_ids", "attention_mask"};
    if (spec.typeVocabSize > 0)
      argNames.push_back("token_type_ids");
    StringRef resultName = pooled                      ? "sentence_embedding"
                           : role == EntryRole::logits ? "logits"
                                                       : "last_hidden_state";
    abi::markEntry(func, role, argNames, {resultName});
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
    // A decoder's token is at the count of real tokens before it in its
    // row (left padding included); an encoder's at its index.
    Value positions;
    if (decoder)
      positions = TokenPositionsOp::create(builder, loc, attentionMask);

    Value h =
        embedTokens(inputIds, positions,
                    spec.typeVocabSize > 0 ? func.getArgument(2) : Value());
    Value scoreBias = alibiBias(attentionMask);
    for (int64_t i = 0; i < stack.numLayers; ++i)
      h = callLayer(layer, i, h, attentionMask, scoreBias, positions)
              .getResult(0);
    h = finalNorm(h);
    if (pooled) {
      PoolingKind kind =
          spec.pooling == Pooling::Cls ? PoolingKind::cls : PoolingKind::mean;
      h = PoolOp::create(builder, loc, pooledType, kind, h, attentionMask);
      if (spec.normalizeEmbedding)
        h = L2NormalizeOp::create(builder, loc, h,
                                  builder.getF32FloatAttr(1e-12));
    }
    if (role == EntryRole::logits)
      h = lmHead(h);
    func::ReturnOp::create(builder, loc, h);
  }

  /// The embeddings of `inputIds` at `positions`, with `types` (or null).
  Value embedTokens(Value inputIds, Value positions, Value types) {
    FloatAttr embScale;
    if (spec.embeddingScale)
      embScale =
          builder.getF32FloatAttr(std::sqrt(static_cast<double>(spec.dModel)));
    Value h = EmbeddingOp::create(builder, loc, activations(), inputIds,
                                  readWeight(Kind::TokenEmbedding), embScale);
    if (stack.positions.kind == PositionKind::Learned)
      h = AddPositionsOp::create(builder, loc, PositionEncoding::learned, h,
                                 readWeight(Kind::PositionEmbedding),
                                 positions);
    else if (stack.positions.kind == PositionKind::Sinusoidal)
      h = AddPositionsOp::create(builder, loc, PositionEncoding::sinusoidal, h,
                                 Value(), positions);
    if (types)
      h = residual(h, EmbeddingOp::create(builder, loc, activations(), types,
                                          readWeight(Kind::TokenTypeEmbedding),
                                          FloatAttr()));
    if (spec.embeddingNorm)
      h = normalize(h, *spec.embeddingNorm, readWeight(Kind::EmbeddingNorm),
                    readOptionalWeight(Kind::EmbeddingNorm, Param::Bias));
    return dropout(h, spec.hiddenDropout);
  }

  /// The offsets, sizes and strides of layer `index`'s slice of `cache`.
  std::tuple<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>,
             SmallVector<OpFoldResult>>
  layerSlice(Value cache, Value index) {
    OpFoldResult zero = builder.getIndexAttr(0), one = builder.getIndexAttr(1);
    SmallVector<OpFoldResult> offsets(cacheType().getRank(), zero);
    offsets[0] = index;
    SmallVector<OpFoldResult> sizes = {one};
    for (int64_t i = 1; i < cacheType().getRank(); ++i)
      sizes.push_back(tensor::getMixedSize(builder, loc, cache, i));
    return {offsets, sizes, SmallVector<OpFoldResult>(sizes.size(), one)};
  }

  /// ALiBi's score bias over the keys of `mask` (null without ALiBi).
  Value alibiBias(Value mask) {
    if (!alibi)
      return Value();
    return AlibiBiasOp::create(builder, loc, scoreBiasType(), mask,
                               builder.getI64IntegerAttr(stack.numHeads));
  }

  /// Layer `i` on `h`: a call of `layer` with that layer's weights, after
  /// the mask, the score bias (ALiBi), the positions (rotary) and, for a
  /// cached layer, `cache` and the layer's index.
  func::CallOp callLayer(func::FuncOp layer, int64_t i, Value h, Value mask,
                         Value scoreBias, Value positions,
                         Value cache = Value()) {
    SmallVector<Value> operands = {h, mask};
    if (alibi)
      operands.push_back(scoreBias);
    if (rotary)
      operands.push_back(positions);
    if (cache)
      operands.append({cache, arith::ConstantIndexOp::create(builder, loc, i)});
    for (size_t index : layerWeights.at(i))
      operands.push_back(WeightOp::create(
          builder, loc, tensor(weights[index].shape), symbol(weights[index])));
    Location layerLoc = NameLoc::get(builder.getStringAttr(
        (decoder ? "decoder.layers." : "encoder.layer.") + std::to_string(i)));
    return func::CallOp::create(builder, layerLoc, layer, operands);
  }

  Value finalNorm(Value h) {
    if (!stack.finalNorm)
      return h;
    return normalize(h, stack.norm, readWeight(Kind::FinalNorm),
                     readOptionalWeight(Kind::FinalNorm, Param::Bias));
  }

  /// A decoder's `prefill` (any number of new tokens) or `decode_step` (one
  /// per sequence): `input_ids` and `position_ids` [batch, new] of the new
  /// tokens, `attention_mask` [batch, kv_len] over every token of the
  /// cache, the new ones last, and `kv_cache`, updated in place (the result
  /// of the same name). Returns the logits of the last token of each row,
  /// [batch, vocab]: the caller left-aligns a batch of prompts so that it
  /// is real.
  void buildCachedEntry(func::FuncOp layer, StringRef name, EntryRole role) {
    int64_t seq =
        role == EntryRole::decode_step ? 1 : int64_t(ShapedType::kDynamic);
    auto newIds = tensor({ShapedType::kDynamic, seq}, builder.getI64Type());
    auto logitsType = tensor({ShapedType::kDynamic, spec.vocabSize});
    auto type = builder.getFunctionType(
        {newIds, newIds, idsType(), cacheType()}, {logitsType, cacheType()});
    auto func = func::FuncOp::create(builder, loc, name, type);
    abi::markEntry(func, role,
                   {"input_ids", "position_ids", "attention_mask", "kv_cache"},
                   {"logits", "kv_cache"});
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(func.addEntryBlock());
    // The layers take any number of new tokens.
    auto anyCount = [&](Value ids) {
      return tensor::CastOp::create(builder, loc, idsType(), ids);
    };
    Value inputIds = anyCount(func.getArgument(0));
    Value positions = anyCount(func.getArgument(1));
    Value mask = func.getArgument(2), cache = func.getArgument(3);
    Value h = embedTokens(inputIds, positions, Value());

    // Each layer reads and writes its slice of the cache, in place.
    Value scoreBias = alibiBias(mask);
    for (int64_t i = 0; i < stack.numLayers; ++i) {
      func::CallOp call =
          callLayer(layer, i, h, mask, scoreBias, positions, cache);
      h = call.getResult(0);
      cache = call.getResult(1);
    }

    // The last token of each row, [batch, 1, d], through the head.
    OpFoldResult batch = tensor::getMixedSize(builder, loc, inputIds, 0);
    OpFoldResult count = tensor::getMixedSize(builder, loc, inputIds, 1);
    OpFoldResult zero = builder.getIndexAttr(0), one = builder.getIndexAttr(1);
    Value last = arith::SubIOp::create(
        builder, loc, getValueOrCreateConstantIndexOp(builder, loc, count),
        arith::ConstantIndexOp::create(builder, loc, 1));
    h = tensor::ExtractSliceOp::create(
        builder, loc, tensor({ShapedType::kDynamic, 1, spec.dModel}), h,
        ArrayRef<OpFoldResult>{zero, last, zero},
        ArrayRef<OpFoldResult>{batch, one, builder.getIndexAttr(spec.dModel)},
        ArrayRef<OpFoldResult>{one, one, one});
    Value logits = lmHead(finalNorm(h));
    logits = tensor::CollapseShapeOp::create(
        builder, loc, logitsType, logits,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    func::ReturnOp::create(builder, loc, ValueRange{logits, cache});
  }

  /// (scale · h)·Wᵀ + b, W the token embedding (tied) or the head's own.
  Value lmHead(Value h) {
    const LMHeadSpec &head = spec.lmHead;
    if (head.scale != 1.0)
      h = ScaleOp::create(
          builder, loc, h,
          builder.getF32FloatAttr(static_cast<float>(head.scale)));
    Value matrix;
    if (head.kind == LMHeadKind::Tied) {
      const WeightRef &table =
          weights[modelWeights.at(Kind::TokenEmbedding).at(Param::Weight)];
      matrix =
          WeightOp::create(builder, loc, tensor(table.shape), kTiedHeadSymbol);
    } else {
      matrix = readWeight(Kind::LMHead);
    }
    return LinearOp::create(builder, loc, h, matrix,
                            readOptionalWeight(Kind::LMHead, Param::Bias),
                            FloatAttr());
  }

  /// The symbol of the token embedding's second declaration, the matrix of
  /// a tied LM head.
  static constexpr llvm::StringLiteral kTiedHeadSymbol = "lm_head.tied";

  const ModelSpec &spec;
  /// The one stack of an importable model.
  const StackSpec &stack;
  OpBuilder builder;
  Location loc;
  std::vector<WeightRef> weights;
  /// Rotary positions rotate Q and K at the tokens' positions; ALiBi adds
  /// one score bias, computed per entry from the mask, in every layer.
  bool decoder, rotary, alibi;
  /// Indices into `weights`: of the model's and the stack's tensors by kind
  /// and parameter, and of each layer's tensors in order.
  std::map<Kind, std::map<Param, size_t>> modelWeights;
  std::map<int64_t, SmallVector<size_t>> layerWeights;
};

} // namespace

OwningOpRef<ModuleOp> importModel(const ModelSpec &spec, MLIRContext &context) {
  context.loadDialect<XfmrDialect, func::FuncDialect, arith::ArithDialect,
                      tensor::TensorDialect>();
  if (llvm::Error e = checkImportable(spec)) {
    emitError(UnknownLoc::get(&context)) << llvm::toString(std::move(e));
    return nullptr;
  }
  return StackImporter(spec, context).run();
}

} // namespace xfmr
