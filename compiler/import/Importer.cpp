//===- Importer.cpp - ModelSpec → xfmr IR ---------------------------------===//
//
// The importer speaks in blocks (embedding, attention, FFN, norms) and keeps
// dropout in the IR: what they mean at inference is for the passes to decide.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/Importer.h"
#include "dialect/XfmrABI.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

using namespace mlir;

namespace xfmr {
namespace {
/// The per-layer tensors, in the order the layer function takes them.
constexpr llvm::StringLiteral kLayerParts[] = {
    "attention.self.query.weight",       "attention.self.query.bias",
    "attention.self.key.weight",         "attention.self.key.bias",
    "attention.self.value.weight",       "attention.self.value.bias",
    "attention.output.dense.weight",     "attention.output.dense.bias",
    "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
    "intermediate.dense.weight",         "intermediate.dense.bias",
    "output.dense.weight",               "output.dense.bias",
    "output.LayerNorm.weight",           "output.LayerNorm.bias"};

enum LayerArg : unsigned {
  kWq, kBq, kWk, kBk, kWv, kBv, kWo, kBo, kLn1G, kLn1B,
  kW1, kB1, kW2, kB2, kLn2G, kLn2B, kNumLayerArgs
};
static_assert(kNumLayerArgs == std::size(kLayerParts));

ActivationKind toIR(Activation act) {
  switch (act) {
  case Activation::Gelu:
    return ActivationKind::gelu;
  case Activation::GeluTanh:
    return ActivationKind::gelu_tanh;
  case Activation::Relu:
    return ActivationKind::relu;
  }
  llvm_unreachable("unknown activation");
}

DropoutKind toIR(DropoutMode mode) {
  return mode == DropoutMode::Classic ? DropoutKind::classic
                                      : DropoutKind::inverted;
}

class EncoderImporter {
public:
  EncoderImporter(const ModelSpec &spec, MLIRContext &context)
      : spec(spec), builder(&context),
        loc(NameLoc::get(builder.getStringAttr(spec.name))) {}

  OwningOpRef<ModuleOp> run() {
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc, spec.name);
    abi::setModelInfo(*module,
                      {spec.name,
                       spec.weightsPath,
                       {spec.vocabSize, spec.dModel, spec.numLayers,
                        spec.numHeads, spec.maxPositions, spec.typeVocabSize}});
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

  void declareWeights() {
    for (const WeightRef &ref : requiredWeights(spec)) {
      StringRef name = StringRef(ref.key).drop_front(spec.weightPrefix.size());
      auto type = tensor(ref.shape);
      WeightDeclOp::create(builder, loc, name, ref.key, type);
      declared[name] = type;
    }
  }

  /// Reads weight `name` (unprefixed) in the current function.
  Value readWeight(StringRef name) {
    RankedTensorType type = declared.lookup(name);
    assert(type && "weight not declared by requiredWeights");
    return WeightOp::create(builder, loc, type, name);
  }

  /// The padding mask's fill, and what a fully padded row yields: what the
  /// unfused softmax of the masked scores gives (zeros under -inf, a uniform
  /// row under the lowest finite value).
  MaskAttr maskAttr() {
    bool lowest = spec.maskFill == MaskFill::Lowest;
    return MaskAttr::get(
        builder.getContext(),
        lowest ? MaskFillKind::lowest : MaskFillKind::neg_inf,
        llvm::APFloat(0.0f),
        lowest ? FullyMaskedPolicy::uniform : FullyMaskedPolicy::zero);
  }

  Value dropout(Value x, double rate) {
    if (rate == 0.0)
      return x;
    return DropoutOp::create(
        builder, loc, x, builder.getF32FloatAttr(rate),
        DropoutKindAttr::get(builder.getContext(), toIR(spec.dropoutMode)));
  }

  Value layerNorm(Value x, Value gamma, Value beta) {
    return LayerNormOp::create(builder, loc, x, gamma, beta,
                               builder.getF32FloatAttr(spec.normEps));
  }

  Value residual(Value x, Value y) {
    return AddOp::create(builder, loc, activations(), x, y);
  }

  /// One post-LN encoder layer (BERT, Vaswani et al.).
  func::FuncOp buildLayerFunction() {
    // The layer takes the 0/1 attention mask, not the additive one, so that
    // the masked-softmax fusion sees where its mask comes from.
    SmallVector<Type> inputs = {activations(), idsType()};
    for (StringRef part : kLayerParts)
      inputs.push_back(declared.lookup(weight_names::layer(0, part)));
    auto type = builder.getFunctionType(inputs, {activations()});
    auto func = func::FuncOp::create(builder, loc, "encoder_layer", type);
    func.setPrivate();
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(func.addEntryBlock());
    ValueRange args = func.getArguments();
    Value x = args[0];
    ValueRange w = args.drop_front(2);
    Value mask = PaddingMaskOp::create(builder, loc, args[1], maskAttr());

    double scale = 1.0 / std::sqrt(static_cast<double>(spec.headDim()));
    Value attn = AttentionOp::create(
        builder, loc, activations(), x, mask, w[kWq], w[kBq], w[kWk], w[kBk],
        w[kWv], w[kBv], w[kWo], w[kBo],
        builder.getI64IntegerAttr(spec.numHeads),
        builder.getF32FloatAttr(scale),
        builder.getF32FloatAttr(spec.attentionDropout),
        DropoutKindAttr::get(builder.getContext(), toIR(spec.dropoutMode)));
    attn = dropout(attn, spec.hiddenDropout);
    Value h = layerNorm(residual(x, attn), w[kLn1G], w[kLn1B]);

    Value ffn = FFNOp::create(builder, loc, activations(),
                              toIR(spec.activation), h, w[kW1], w[kB1],
                              w[kW2], w[kB2]);
    ffn = dropout(ffn, spec.hiddenDropout);
    Value out = layerNorm(residual(h, ffn), w[kLn2G], w[kLn2B]);
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
      embScale = builder.getF32FloatAttr(
          std::sqrt(static_cast<double>(spec.dModel)));
    Value h = EmbeddingOp::create(builder, loc, activations(), inputIds,
                                  readWeight(weight_names::wordEmbeddings()),
                                  embScale);
    if (spec.positions == PositionKind::Learned)
      h = AddPositionsOp::create(
          builder, loc, PositionEncoding::learned, h,
          readWeight(weight_names::positionEmbeddings()));
    else
      h = AddPositionsOp::create(builder, loc, PositionEncoding::sinusoidal, h,
                                 Value());
    if (spec.typeVocabSize > 0) {
      Value types = EmbeddingOp::create(
          builder, loc, activations(), func.getArgument(2),
          readWeight(weight_names::tokenTypeEmbeddings()), FloatAttr());
      h = residual(h, types);
    }
    if (spec.embeddingLayerNorm)
      h = layerNorm(h, readWeight(weight_names::embeddingNorm("weight")),
                    readWeight(weight_names::embeddingNorm("bias")));
    h = dropout(h, spec.hiddenDropout);

    for (int64_t i = 0; i < spec.numLayers; ++i) {
      SmallVector<Value> operands = {h, attentionMask};
      for (StringRef part : kLayerParts)
        operands.push_back(readWeight(weight_names::layer(i, part)));
      Location layerLoc = NameLoc::get(
          builder.getStringAttr("encoder.layer." + std::to_string(i)));
      h = func::CallOp::create(builder, layerLoc, layer, operands).getResult(0);
    }
    if (pooled) {
      PoolingKind kind = spec.pooling == Pooling::Cls ? PoolingKind::cls
                                                      : PoolingKind::mean;
      h = PoolOp::create(builder, loc, pooledType, kind, h, attentionMask);
      if (spec.normalizeEmbedding)
        h = L2NormalizeOp::create(builder, loc, h,
                                  builder.getF32FloatAttr(1e-12));
    }
    func::ReturnOp::create(builder, loc, h);
  }

  const ModelSpec &spec;
  OpBuilder builder;
  Location loc;
  llvm::StringMap<RankedTensorType> declared;
};
} // namespace

OwningOpRef<ModuleOp> importModel(const ModelSpec &spec,
                                  MLIRContext &context) {
  context.loadDialect<XfmrDialect, func::FuncDialect>();
  return EncoderImporter(spec, context).run();
}

} // namespace xfmr
