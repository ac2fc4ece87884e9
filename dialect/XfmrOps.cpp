//===- XfmrOps.cpp - xfmr operations and their verifiers -----------------===//
//
// Verifiers name the offending operand and dimension, so a malformed model or
// a bad hand-written test fails with a message a user can act on.
//
//===----------------------------------------------------------------------===//
#include "dialect/XfmrOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"

#include <cmath>

using namespace mlir;
using namespace xfmr;

#include "dialect/XfmrEnums.cpp.inc"

/// `(b, e of n)`, the rows of a weight declaration.
static ParseResult parseRowRange(OpAsmParser &parser, DenseI64ArrayAttr &rows) {
  int64_t begin, end, count;
  if (parser.parseLParen() || parser.parseInteger(begin) ||
      parser.parseComma() || parser.parseInteger(end) ||
      parser.parseKeyword("of") || parser.parseInteger(count) ||
      parser.parseRParen())
    return failure();
  rows = parser.getBuilder().getDenseI64ArrayAttr({begin, end, count});
  return success();
}

static void printRowRange(OpAsmPrinter &printer, Operation *,
                          DenseI64ArrayAttr rows) {
  ArrayRef<int64_t> r = rows.asArrayRef();
  printer << "(" << r[0] << ", " << r[1] << " of " << r[2] << ")";
}

#define GET_OP_CLASSES
#include "dialect/XfmrOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Prints a dimension the way MLIR types spell it.
std::string dimStr(int64_t dim) {
  return ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim);
}

/// Two dimensions agree when equal or when either is only known at run time.
bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Checks that `type` is `[expected...]`, naming `what` in the message.
LogicalResult expectShape(Operation *op, StringRef what, RankedTensorType type,
                          ArrayRef<int64_t> expected,
                          ArrayRef<StringRef> dimNames) {
  if (type.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError()
           << what << " must have rank " << expected.size() << ", got " << type;
  for (auto [i, dim] : llvm::enumerate(type.getShape())) {
    if (dimsAgree(dim, expected[i]))
      continue;
    return op->emitOpError()
           << what << " dimension " << i << " (" << dimNames[i] << ") is "
           << dimStr(dim) << ", expected " << dimStr(expected[i]);
  }
  return success();
}

/// Checks that the broadcast dimensions `dims` of a mask `type` are exactly
/// 1: a mask's lowering relies on them, so "?" will not do.
LogicalResult expectBroadcastDims(Operation *op, RankedTensorType type,
                                  ArrayRef<unsigned> dims) {
  for (unsigned dim : dims)
    if (type.getDimSize(dim) != 1)
      return op->emitOpError() << "result dimension " << dim
                               << " must be 1 (it broadcasts), got " << type;
  return success();
}

/// The result shape `op`'s type inference gives, once the verifier has
/// checked the operands it is computed from: one formula for the builders and
/// the verifier's message.
template <typename OpTy> SmallVector<int64_t> inferredShape(OpTy op) {
  SmallVector<Type> inferred;
  (void)OpTy::inferReturnTypes(op.getContext(), op.getLoc(),
                               typename OpTy::Adaptor(op), inferred);
  return SmallVector<int64_t>(
      cast<RankedTensorType>(inferred.front()).getShape());
}

/// Verifies an optional additive bias over [b, h, q, k] scores: rank 4, each
/// dimension 1 (broadcast) or the scores'.
LogicalResult verifyScoreBias(Operation *op, Value bias,
                              ArrayRef<int64_t> scores,
                              StringRef name = "bias") {
  if (!bias)
    return success();
  RankedTensorType biasType = tensorType(bias);
  if (biasType.getRank() != 4)
    return op->emitOpError() << name
                             << " must have rank 4 (size-1 dimensions "
                                "broadcast), got "
                             << biasType;
  for (auto [i, dim] : llvm::enumerate(biasType.getShape()))
    if (dim != 1 && !dimsAgree(dim, scores[i]))
      return op->emitOpError()
             << name << " dimension " << i << " is " << dimStr(dim)
             << ", expected 1 or " << dimStr(scores[i]);
  return success();
}

/// Verifies a projection weight `[out, in]` and its optional bias `[out]`.
LogicalResult verifyProjection(Operation *op, StringRef name, Value weight,
                               Value bias, int64_t in, int64_t out) {
  std::string weightName = (name + " weight").str();
  if (failed(expectShape(op, weightName, tensorType(weight), {out, in},
                         {"out_features", "in_features"})))
    return failure();
  if (!bias)
    return success();
  std::string biasName = (name + " bias").str();
  return expectShape(op, biasName, tensorType(bias), {out}, {"out_features"});
}

/// A linear weight's output width: [out, in], or panels [out / P, in, P].
int64_t outFeatures(RankedTensorType weight) {
  if (weight.getRank() == 3)
    return weight.getDimSize(0) * weight.getDimSize(2);
  return weight.getDimSize(0);
}

/// Normalisations divide by sqrt(var + eps) or max(norm, eps).
LogicalResult verifyPositiveEps(Operation *op, llvm::APFloat eps) {
  if (eps.convertToFloat() > 0.0f)
    return success();
  return op->emitOpError() << "eps must be positive, got "
                           << eps.convertToFloat();
}

/// The model width: the static last dimension of a [..., d] activation.
FailureOr<int64_t> staticWidth(Operation *op, Value input) {
  RankedTensorType type = tensorType(input);
  if (type.getRank() == 0 || ShapedType::isDynamic(type.getShape().back())) {
    op->emitOpError() << "input must have a static last dimension, got "
                      << type;
    return failure();
  }
  return type.getShape().back();
}
} // namespace

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

LogicalResult WeightDeclOp::verify() {
  if (!getTensorType().hasStaticShape())
    return emitOpError() << "declared type must have a static shape, got "
                         << getType();
  if (getKey().empty())
    return emitOpError() << "key must not be empty";
  if (getPanels() && getTensorType().getRank() != 3)
    return emitOpError() << "a weight in panels must be [out / P, in, P], got "
                         << getType();
  int64_t rank = getPanels() ? 2 : getTensorType().getRank();
  if (getTransposed() && rank != 2)
    return emitOpError() << "only a matrix can be stored transposed, got "
                         << getType();
  if (std::optional<ArrayRef<int64_t>> rows = getRows()) {
    int64_t declared = getPanels() ? getTensorType().getDimSize(0) *
                                         getTensorType().getDimSize(2)
                                   : getTensorType().getDimSize(0);
    // In panels, the last panel may be short of rows: zero-padded.
    int64_t width = getPanels() ? getTensorType().getDimSize(2) : 1;
    int64_t taken = rows->size() == 3 ? (*rows)[1] - (*rows)[0] : -1;
    if (rank < 1 || rows->size() != 3 || (*rows)[0] < 0 || taken > declared ||
        taken <= declared - width || (*rows)[1] > (*rows)[2])
      return emitOpError() << "rows must be (begin, end of count) with "
                              "0 <= begin, end - begin = "
                           << declared
                           << (width > 1 ? " (less a short last panel)" : "")
                           << " and end <= count";
  }
  return success();
}

SmallVector<int64_t> WeightDeclOp::getStoredShape() {
  SmallVector<int64_t> shape(getTensorType().getShape());
  if (getPanels())
    shape = {shape[0] * shape[2], shape[1]};
  if (std::optional<ArrayRef<int64_t>> rows = getRows())
    shape[0] = (*rows)[2];
  if (getTransposed())
    std::swap(shape[0], shape[1]);
  return shape;
}

std::pair<int64_t, int64_t> WeightDeclOp::getRowRange() {
  if (std::optional<ArrayRef<int64_t>> rows = getRows())
    return {(*rows)[0], (*rows)[1]};
  SmallVector<int64_t> shape(getTensorType().getShape());
  return {0, getPanels() ? shape[0] * shape[2] : shape[0]};
}

LogicalResult WeightOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto decl =
      symbolTable.lookupNearestSymbolFrom<WeightDeclOp>(*this, getNameAttr());
  if (!decl)
    return emitOpError() << "'" << getName()
                         << "' does not name an xfmr.weight_decl";
  if (decl.getType() != getType())
    return emitOpError() << "result type " << getType()
                         << " differs from the declared type "
                         << decl.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Embeddings, positions, masks
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  RankedTensorType ids = getIds().getType();
  RankedTensorType table = getTable().getType();
  RankedTensorType result = getType();
  if (table.getRank() != 2)
    return emitOpError() << "table must be [rows, width], got " << table;
  if (result.getRank() != ids.getRank() + 1)
    return emitOpError() << "result must have rank " << ids.getRank() + 1
                         << " (ids rank + 1), got " << result;
  for (auto [i, dim] : llvm::enumerate(ids.getShape()))
    if (!dimsAgree(dim, result.getDimSize(i)))
      return emitOpError() << "result dimension " << i << " is "
                           << dimStr(result.getDimSize(i))
                           << ", expected ids dimension " << i << " ("
                           << dimStr(dim) << ")";
  if (!dimsAgree(result.getShape().back(), table.getDimSize(1)))
    return emitOpError() << "result width " << dimStr(result.getShape().back())
                         << " differs from the table width "
                         << dimStr(table.getDimSize(1));
  return success();
}

LogicalResult AddPositionsOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() != 3)
    return emitOpError() << "input must be [batch, seq, d], got " << input;
  if (failed(staticWidth(*this, getInput())))
    return failure();
  if (Value positions = getPositions())
    if (failed(expectShape(*this, "positions", tensorType(positions),
                           {input.getDimSize(0), input.getDimSize(1)},
                           {"batch", "seq"})))
      return failure();
  bool learned = getKind() == PositionEncoding::learned;
  if (!learned) {
    if (getTable())
      return emitOpError() << "sinusoidal positions take no table";
    return success();
  }
  if (!getTable())
    return emitOpError() << "learned positions need a table operand";
  RankedTensorType table = getTable().getType();
  // Any number of positions; only the rank and the width are checked here
  // (table.getDimSize(0) would assert on a rank-0 table).
  if (failed(expectShape(*this, "table", table,
                         {ShapedType::kDynamic, input.getDimSize(2)},
                         {"positions", "d"})))
    return failure();
  int64_t seq = input.getDimSize(1), rows = table.getDimSize(0);
  if (!getPositions() && !ShapedType::isDynamic(seq) &&
      !ShapedType::isDynamic(rows) && seq > rows)
    return emitOpError() << "sequence length " << seq << " exceeds the " << rows
                         << " positions of the table";
  return success();
}

LogicalResult TokenPositionsOp::verify() {
  if (getMask().getType().getRank() != 2)
    return emitOpError() << "mask must be [batch, seq], got "
                         << getMask().getType();
  return success();
}

SmallVector<double> AlibiBiasOp::slopes(int64_t heads) {
  auto below = static_cast<int64_t>(llvm::bit_floor(uint64_t(heads)));
  SmallVector<double> result;
  for (int64_t i = 1; i <= below; ++i)
    result.push_back(std::exp2(-8.0 * double(i) / double(below)));
  // Then the odd-numbered slopes of 2 · below.
  for (int64_t i = 0; i < heads - below; ++i)
    result.push_back(std::exp2(-8.0 * double(2 * i + 1) / double(2 * below)));
  return result;
}

LogicalResult AlibiBiasOp::verify() {
  if (getMask().getType().getRank() != 2)
    return emitOpError() << "mask must be [batch, keys], got "
                         << getMask().getType();
  if (getNumHeads() <= 0)
    return emitOpError() << "num_heads must be positive, got " << getNumHeads();
  if (failed(expectShape(*this, "result", getType(), inferredShape(*this),
                         {"batch", "heads", "queries", "keys"})))
    return failure();
  return expectBroadcastDims(*this, getType(), {2});
}

LogicalResult PaddingMaskOp::verify() {
  RankedTensorType padding = getPadding().getType();
  if (padding.getRank() != 2)
    return emitOpError() << "mask must be [batch, seq], got " << padding;
  if (failed(expectShape(*this, "result", getType(), inferredShape(*this),
                         {"batch", "heads", "queries", "keys"})))
    return failure();
  return expectBroadcastDims(*this, getType(), {1, 2});
}

LogicalResult CausalMaskOp::verify() {
  RankedTensorType like = getLike().getType();
  if (like.getRank() != 4)
    return emitOpError() << "needs [batch, heads, queries, keys] scores, got "
                         << like;
  if (failed(expectShape(*this, "result", getType(), inferredShape(*this),
                         {"batch", "heads", "queries", "keys"})))
    return failure();
  return expectBroadcastDims(*this, getType(), {0, 1});
}

//===----------------------------------------------------------------------===//
// Block-level operations
//===----------------------------------------------------------------------===//

int64_t AttentionOp::getKeyValueHeads() {
  return getNumKvHeads().value_or(getNumHeads());
}

LogicalResult AttentionOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() != 3)
    return emitOpError() << "input must be [batch, seq, d], got " << input;
  FailureOr<int64_t> width = staticWidth(*this, getInput());
  if (failed(width))
    return failure();
  int64_t d = *width, heads = getNumHeads(), kvHeads = getKeyValueHeads();
  RankedTensorType wq = getWq().getType();
  if (wq.getRank() != 2 || ShapedType::isDynamic(wq.getDimSize(0)))
    return emitOpError() << "query weight must be a static [num_heads * "
                            "head_dim, d] matrix, got "
                         << wq;
  int64_t inner = wq.getDimSize(0);
  if (heads <= 0 || inner % heads != 0)
    return emitOpError() << "num_heads (" << heads
                         << ") must be positive and divide the query width ("
                         << inner << ")";
  if (kvHeads <= 0 || heads % kvHeads != 0)
    return emitOpError() << "num_kv_heads (" << kvHeads
                         << ") must be positive and divide num_heads (" << heads
                         << ")";
  int64_t headDim = inner / heads, kvInner = kvHeads * headDim;
  bool qkvBias = getBq() || getBk() || getBv();
  if (qkvBias && !(getBq() && getBk() && getBv()))
    return emitOpError() << "the query, key and value biases must be given "
                            "together or not at all";
  if (failed(verifyProjection(*this, "query", getWq(), getBq(), d, inner)) ||
      failed(verifyProjection(*this, "key", getWk(), getBk(), d, kvInner)) ||
      failed(verifyProjection(*this, "value", getWv(), getBv(), d, kvInner)) ||
      failed(verifyProjection(*this, "output", getWo(), getBo(), inner, d)))
    return failure();
  if (getRotary()) {
    if (!getPositions())
      return emitOpError() << "rotary positions need the positions operand";
    if (headDim % 2 != 0)
      return emitOpError() << "rotary positions need an even head_dim, got "
                           << headDim;
  }
  if (Value positions = getPositions()) {
    if (!getRotary())
      return emitOpError() << "positions are only read by rotary positions";
    if (failed(expectShape(*this, "positions", tensorType(positions),
                           {input.getDimSize(0), input.getDimSize(1)},
                           {"batch", "seq"})))
      return failure();
  }
  Value cache = getCache();
  if (cache) {
    if (!getMask())
      return emitOpError() << "a cache needs the mask: its key count is the "
                              "number of cached tokens";
    if (failed(expectShape(
            *this, "cache", tensorType(cache),
            {2, input.getDimSize(0), kvHeads, ShapedType::kDynamic, headDim},
            {"keys and values", "batch", "kv_heads", "capacity", "head_dim"})))
      return failure();
    if (!getUpdatedCache() || getUpdatedCache().getType() != cache.getType())
      return emitOpError() << "with a cache, the second result must be the "
                              "updated cache, of type "
                           << cache.getType();
  } else if (getUpdatedCache()) {
    return emitOpError() << "an updated cache needs the cache operand";
  }
  // With a cache, the keys are the cached tokens, the new ones last: as
  // many as the mask has.
  int64_t keys = input.getDimSize(1);
  if (cache)
    keys = tensorType(getMask()).getRank() == 4
               ? tensorType(getMask()).getDimSize(3)
               : ShapedType::kDynamic;
  int64_t scores[] = {input.getDimSize(0), heads, input.getDimSize(1), keys};
  if (Value mask = getMask()) {
    RankedTensorType maskType = tensorType(mask);
    if (maskType.getRank() != 4)
      return emitOpError() << "mask must be [batch, heads, queries, keys] "
                              "(size-1 dimensions broadcast), got "
                           << maskType;
    StringRef names[] = {"batch", "heads", "queries", "keys"};
    for (unsigned i = 0; i < 4; ++i) {
      int64_t dim = maskType.getDimSize(i);
      if (dim != 1 && !dimsAgree(dim, scores[i]))
        return emitOpError()
               << "mask dimension " << i << " (" << names[i] << ") is " << dim
               << ", expected 1 or " << dimStr(scores[i]);
    }
  }
  if (failed(verifyScoreBias(*this, getScoreBias(), scores, "score_bias")))
    return failure();
  float rate = getDropoutRate().convertToFloat();
  if (!(rate >= 0.0f && rate < 1.0f))
    return emitOpError() << "dropout_rate must be in [0, 1), got " << rate;
  if (getResult().getType() != input)
    return emitOpError() << "result type " << getResult().getType()
                         << " must equal the input type " << input;
  return success();
}

LogicalResult FFNOp::verify() {
  FailureOr<int64_t> width = staticWidth(*this, getInput());
  if (failed(width))
    return failure();
  int64_t d = *width;
  RankedTensorType w1 = getW1().getType();
  if (w1.getRank() != 2 || ShapedType::isDynamic(w1.getDimSize(0)))
    return emitOpError() << "up weight must be a static [ffn, d] matrix, got "
                         << w1;
  int64_t ffn = w1.getDimSize(0);
  if (getBg() && !getWg())
    return emitOpError() << "a gate bias needs a gate weight";
  if (getWg() &&
      failed(verifyProjection(*this, "gate", getWg(), getBg(), d, ffn)))
    return failure();
  if (failed(verifyProjection(*this, "up", getW1(), getB1(), d, ffn)) ||
      failed(verifyProjection(*this, "down", getW2(), getB2(), ffn, d)))
    return failure();
  if (getType() != getInput().getType())
    return emitOpError() << "result type " << getType()
                         << " must equal the input type "
                         << getInput().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Primitives
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  FailureOr<int64_t> width = staticWidth(*this, getInput());
  if (failed(width))
    return failure();
  RankedTensorType weight = getWeight().getType();
  if (weight.getRank() != 2 && weight.getRank() != 3)
    return emitOpError() << "weight must be [out_features, in_features] or "
                            "panels [out_features / P, in_features, P], got "
                         << weight;
  int64_t out = outFeatures(weight);
  if (weight.getRank() == 3) {
    int64_t panel = weight.getDimSize(2);
    if (failed(expectShape(*this, "linear weight", weight,
                           {out / panel, *width, panel},
                           {"panels", "in_features", "panel_width"})) ||
        (getBias() &&
         failed(expectShape(*this, "linear bias", tensorType(getBias()), {out},
                            {"out_features"}))))
      return failure();
  } else if (failed(verifyProjection(*this, "linear", getWeight(), getBias(),
                                     *width, out))) {
    return failure();
  }
  SmallVector<StringRef> names(getInput().getType().getRank(), "leading");
  names.back() = "out_features";
  return expectShape(*this, "result", getType(), inferredShape(*this), names);
}

LogicalResult SplitHeadsOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() != 3)
    return emitOpError() << "input must be [batch, seq, d], got " << input;
  FailureOr<int64_t> width = staticWidth(*this, getInput());
  if (failed(width))
    return failure();
  int64_t heads = getNumHeads();
  if (heads <= 0 || *width % heads != 0)
    return emitOpError() << "num_heads (" << heads
                         << ") must be positive and divide the width ("
                         << *width << ")";
  return expectShape(*this, "result", getType(), inferredShape(*this),
                     {"batch", "heads", "seq", "head_dim"});
}

LogicalResult MergeHeadsOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() != 4 || ShapedType::isDynamic(input.getDimSize(1)) ||
      ShapedType::isDynamic(input.getDimSize(3)))
    return emitOpError() << "input must be [batch, heads, seq, head_dim] with "
                            "static heads and head_dim, got "
                         << input;
  return expectShape(*this, "result", getType(), inferredShape(*this),
                     {"batch", "seq", "d"});
}

LogicalResult MatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  int64_t rank = lhs.getRank();
  if (rank < 2 || rhs.getRank() != rank)
    return emitOpError() << "operands must have the same rank (at least 2), "
                            "got "
                         << lhs << " and " << rhs;
  for (int64_t i = 0; i < rank - 2; ++i) {
    int64_t l = lhs.getDimSize(i), r = rhs.getDimSize(i);
    if (rank == 4 && i == 1 && !ShapedType::isDynamic(l) &&
        !ShapedType::isDynamic(r) && r > 0 && l % r == 0)
      continue; // grouped heads
    if (!dimsAgree(l, r))
      return emitOpError() << "batch dimension " << i
                           << " differs: " << dimStr(l) << " vs " << dimStr(r)
                           << (rank == 4 && i == 1
                                   ? " (fewer rhs heads must be static and "
                                     "divide the lhs heads)"
                                   : "");
  }
  bool transposed = getTransposeRhs();
  int64_t k = lhs.getDimSize(rank - 1);
  int64_t rhsK = rhs.getDimSize(transposed ? rank - 1 : rank - 2);
  if (!dimsAgree(k, rhsK))
    return emitOpError() << "contraction dimension differs: lhs has "
                         << dimStr(k) << ", rhs has " << dimStr(rhsK);
  SmallVector<StringRef> names(rank, "batch");
  names[rank - 2] = "m";
  names[rank - 1] = "n";
  return expectShape(*this, "result", getType(), inferredShape(*this), names);
}

LogicalResult AddOp::verify() {
  RankedTensorType result = getType();
  for (auto [name, operand] :
       {std::pair<StringRef, Value>{"lhs", getLhs()}, {"rhs", getRhs()}}) {
    RankedTensorType type = tensorType(operand);
    if (type.getRank() != result.getRank())
      return emitOpError() << name << " must have the result's rank ("
                           << result.getRank() << "), got " << type;
    for (auto [i, dim] : llvm::enumerate(type.getShape())) {
      if (dim == 1 || dimsAgree(dim, result.getDimSize(i)))
        continue;
      return emitOpError() << name << " dimension " << i << " is "
                           << dimStr(dim) << ", expected 1 or "
                           << dimStr(result.getDimSize(i));
    }
  }
  return success();
}

namespace {
/// Checks `axis` against `rank` (negative values count from the end).
LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (rank == 0)
    return op->emitOpError() << "input must have at least one dimension";
  if (axis < -rank || axis >= rank)
    return op->emitOpError()
           << "axis " << axis << " is out of range for rank " << rank;
  return success();
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}
} // namespace

int64_t SoftmaxOp::getNormalizedAxis() {
  return normalizeAxis(getAxis(), getType().getRank());
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType().getRank());
}

int64_t LayerNormOp::getNormalizedAxis() {
  return normalizeAxis(getAxis(), getType().getRank());
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType input = getInput().getType();
  if (failed(verifyAxis(*this, getAxis(), input.getRank())))
    return failure();
  int64_t axis = getNormalizedAxis();
  if (ShapedType::isDynamic(input.getDimSize(axis)))
    return emitOpError() << "the normalised dimension " << axis
                         << " must be static, got " << input;
  std::optional<int64_t> width = input.getDimSize(axis);
  if (failed(
          expectShape(*this, "gamma", getGamma().getType(), {*width}, {"d"})) ||
      failed(expectShape(*this, "beta", getBeta().getType(), {*width}, {"d"})))
    return failure();
  return verifyPositiveEps(*this, getEps());
}

LogicalResult RmsNormOp::verify() {
  FailureOr<int64_t> width = staticWidth(*this, getInput());
  if (failed(width) || failed(expectShape(*this, "gamma", getGamma().getType(),
                                          {*width}, {"d"})))
    return failure();
  return verifyPositiveEps(*this, getEps());
}

LogicalResult RotaryOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() != 4)
    return emitOpError() << "input must be [batch, heads, seq, head_dim], got "
                         << input;
  int64_t headDim = input.getDimSize(3);
  if (ShapedType::isDynamic(headDim) || headDim % 2 != 0)
    return emitOpError() << "head_dim must be static and even, got " << input;
  return expectShape(*this, "positions", getPositions().getType(),
                     {input.getDimSize(0), input.getDimSize(2)},
                     {"batch", "seq"});
}

LogicalResult DropoutOp::verify() {
  float rate = getRate().convertToFloat();
  if (!(rate >= 0.0f && rate < 1.0f))
    return emitOpError() << "rate must be in [0, 1), got " << rate;
  return success();
}

//===----------------------------------------------------------------------===//
// Padding
//===----------------------------------------------------------------------===//

namespace {
/// Names the dimensions of a [lead..., rest...] tensor: `lead`, then "d".
SmallVector<StringRef> paddingDimNames(ArrayRef<StringRef> lead, int64_t rank) {
  SmallVector<StringRef> names(lead);
  names.resize(std::max<int64_t>(rank, lead.size()), "d");
  return names;
}

LogicalResult verifyPaddingMask(Operation *op, Value mask) {
  RankedTensorType type = tensorType(mask);
  if (type.getRank() != 2)
    return op->emitOpError() << "mask must be [batch, seq], got " << type;
  return success();
}
} // namespace

LogicalResult RemovePaddingOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() < 2)
    return emitOpError() << "input must be [batch, seq, ...], got " << input;
  if (failed(verifyPaddingMask(*this, getMask())) ||
      failed(expectShape(*this, "mask", getMask().getType(),
                         {input.getDimSize(0), input.getDimSize(1)},
                         {"batch", "seq"})))
    return failure();
  return expectShape(*this, "result", getType(), inferredShape(*this),
                     paddingDimNames({"tokens"}, getType().getRank()));
}

/// Gathering the tokens that were just scattered gives them back.
OpFoldResult RemovePaddingOp::fold(FoldAdaptor) {
  auto restore = getInput().getDefiningOp<RestorePaddingOp>();
  if (restore && restore.getMask() == getMask() &&
      restore.getInput().getType() == getType())
    return restore.getInput();
  return {};
}

LogicalResult RestorePaddingOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() < 1)
    return emitOpError() << "input must be [tokens, ...], got " << input;
  if (failed(verifyPaddingMask(*this, getMask())))
    return failure();
  return expectShape(*this, "result", getType(), inferredShape(*this),
                     paddingDimNames({"batch", "seq"}, getType().getRank()));
}

//===----------------------------------------------------------------------===//
// Fused operations
//===----------------------------------------------------------------------===//

LogicalResult MaskedSoftmaxOp::verify() {
  RankedTensorType scores = getScores().getType();
  if (scores.getRank() != 4)
    return emitOpError() << "scores must be [batch, heads, queries, keys], got "
                         << scores;
  int64_t batch = scores.getDimSize(0), keys = scores.getDimSize(3);
  if (Value padding = getKeyPadding())
    if (failed(expectShape(*this, "key_padding", tensorType(padding),
                           {batch, keys}, {"batch", "keys"})))
      return failure();
  return verifyScoreBias(*this, getBias(), scores.getShape());
}

LogicalResult FusedAttentionOp::verify() {
  StringRef names[] = {"batch", "heads", "seq", "head_dim"};
  for (auto [name, operand] : {std::pair<StringRef, Value>{"q", getQ()},
                               {"k", getK()},
                               {"v", getV()}}) {
    RankedTensorType type = tensorType(operand);
    if (type.getRank() != 4)
      return emitOpError() << name
                           << " must be [batch, heads, seq, head_dim], got "
                           << type;
    // The kernel's tiles are [rows, head_dim]: a model dimension.
    if (ShapedType::isDynamic(type.getDimSize(3)))
      return emitOpError() << name << " must have a static head_dim, got "
                           << type;
  }
  RankedTensorType q = getQ().getType();
  RankedTensorType k = getK().getType();
  int64_t batch = q.getDimSize(0), heads = q.getDimSize(1);
  // K and V may have fewer heads that divide the queries' (grouped-query
  // attention): then both heads counts are static.
  int64_t kvHeads = k.getDimSize(1);
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(kvHeads) ||
      kvHeads <= 0 || heads % kvHeads != 0)
    kvHeads = heads;
  if (failed(expectShape(
          *this, "k", k,
          {batch, kvHeads, ShapedType::kDynamic, q.getDimSize(3)}, names)) ||
      failed(expectShape(
          *this, "v", getV().getType(),
          {batch, kvHeads, k.getDimSize(2), ShapedType::kDynamic}, names)))
    return failure();
  int64_t keys = k.getDimSize(2);
  if (Value padding = getKeyPadding())
    if (failed(expectShape(*this, "key_padding", tensorType(padding),
                           {batch, keys}, {"batch", "keys"})))
      return failure();
  int64_t scores[] = {batch, heads, q.getDimSize(2), keys};
  if (failed(verifyScoreBias(*this, getBias(), scores)))
    return failure();
  return expectShape(*this, "result", getType(), inferredShape(*this), names);
}

LogicalResult ResidualLayerNormOp::verify() {
  FailureOr<int64_t> width = staticWidth(*this, getInput());
  if (failed(width))
    return failure();
  if (failed(
          expectShape(*this, "gamma", getGamma().getType(), {*width}, {"d"})))
    return failure();
  if (Value bias = getBias())
    if (failed(expectShape(*this, "bias", tensorType(bias), {*width}, {"d"})))
      return failure();
  return verifyPositiveEps(*this, getEps());
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult PoolOp::verify() {
  RankedTensorType hidden = getHidden().getType();
  if (hidden.getRank() != 3)
    return emitOpError() << "hidden must be [batch, seq, d], got " << hidden;
  if (failed(expectShape(*this, "mask", getMask().getType(),
                         {hidden.getDimSize(0), hidden.getDimSize(1)},
                         {"batch", "seq"})))
    return failure();
  return expectShape(*this, "result", getType(),
                     {hidden.getDimSize(0), hidden.getDimSize(2)},
                     {"batch", "d"});
}

LogicalResult L2NormalizeOp::verify() {
  if (getType().getRank() == 0)
    return emitOpError() << "input must have at least one dimension";
  return verifyPositiveEps(*this, getEps());
}

//===----------------------------------------------------------------------===//
// Result type inference
//
// The result type of a primitive follows from its operands, so builders take
// none and passes never rebuild one. Where the operands are malformed the
// inferred type is unranked and isCompatibleReturnTypes accepts anything:
// the verifiers check the declared type against the operands and name the
// dimension that disagrees, which a generic "incompatible types" could not.
//===----------------------------------------------------------------------===//

namespace {
Type unknownResult(MLIRContext *context) {
  return UnrankedTensorType::get(Float32Type::get(context));
}

LogicalResult inferShape(MLIRContext *context,
                         std::optional<ArrayRef<int64_t>> shape,
                         SmallVectorImpl<Type> &inferred) {
  inferred.push_back(
      shape ? Type(RankedTensorType::get(*shape, Float32Type::get(context)))
            : unknownResult(context));
  return success();
}
} // namespace

#define XFMR_ACCEPT_DECLARED_RESULT(Op)                                        \
  bool Op::isCompatibleReturnTypes(TypeRange, TypeRange) { return true; }
XFMR_ACCEPT_DECLARED_RESULT(AlibiBiasOp)
XFMR_ACCEPT_DECLARED_RESULT(PaddingMaskOp)
XFMR_ACCEPT_DECLARED_RESULT(CausalMaskOp)
XFMR_ACCEPT_DECLARED_RESULT(LinearOp)
XFMR_ACCEPT_DECLARED_RESULT(SplitHeadsOp)
XFMR_ACCEPT_DECLARED_RESULT(MergeHeadsOp)
XFMR_ACCEPT_DECLARED_RESULT(MatmulOp)
XFMR_ACCEPT_DECLARED_RESULT(AddOp)
XFMR_ACCEPT_DECLARED_RESULT(FusedAttentionOp)
XFMR_ACCEPT_DECLARED_RESULT(RemovePaddingOp)
XFMR_ACCEPT_DECLARED_RESULT(RestorePaddingOp)
#undef XFMR_ACCEPT_DECLARED_RESULT

LogicalResult AlibiBiasOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto mask = cast<RankedTensorType>(adaptor.getMask().getType());
  if (mask.getRank() != 2)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape = {mask.getDimSize(0), adaptor.getNumHeads(), 1,
                                mask.getDimSize(1)};
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult PaddingMaskOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  auto padding = cast<RankedTensorType>(adaptor.getPadding().getType());
  if (padding.getRank() != 2)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape = {padding.getDimSize(0), 1, 1,
                                padding.getDimSize(1)};
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult CausalMaskOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location>,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto like = cast<RankedTensorType>(adaptor.getLike().getType());
  if (like.getRank() != 4)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape = {1, 1, like.getDimSize(2), like.getDimSize(3)};
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (input.getRank() == 0 || (weight.getRank() != 2 && weight.getRank() != 3))
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape(input.getShape());
  shape.back() = outFeatures(weight);
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult SplitHeadsOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location>,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t heads = adaptor.getNumHeads();
  if (input.getRank() != 3 || ShapedType::isDynamic(input.getDimSize(2)) ||
      heads <= 0 || input.getDimSize(2) % heads != 0)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape = {input.getDimSize(0), heads, input.getDimSize(1),
                                input.getDimSize(2) / heads};
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult MergeHeadsOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location>,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() != 4 || ShapedType::isDynamic(input.getDimSize(1)) ||
      ShapedType::isDynamic(input.getDimSize(3)))
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape = {input.getDimSize(0), input.getDimSize(2),
                                input.getDimSize(1) * input.getDimSize(3)};
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  int64_t rank = lhs.getRank();
  if (rank < 2 || rhs.getRank() != rank)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape(lhs.getShape());
  shape.back() =
      rhs.getDimSize(adaptor.getTransposeRhs() ? rank - 2 : rank - 1);
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult AddOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location>, Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getRank() != rhs.getRank())
    return inferShape(context, std::nullopt, inferred);
  // A size-1 dimension broadcasts; a static size beats a dynamic one.
  SmallVector<int64_t> shape;
  for (auto [a, b] : llvm::zip(lhs.getShape(), rhs.getShape()))
    shape.push_back(a == 1 || ShapedType::isDynamic(a) ? (b == 1 ? a : b) : a);
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult
FusedAttentionOp::inferReturnTypes(MLIRContext *context,
                                   std::optional<Location>, Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  auto q = cast<RankedTensorType>(adaptor.getQ().getType());
  auto v = cast<RankedTensorType>(adaptor.getV().getType());
  if (q.getRank() != 4 || v.getRank() != 4)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape = {q.getDimSize(0), q.getDimSize(1),
                                q.getDimSize(2), v.getDimSize(3)};
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult
RemovePaddingOp::inferReturnTypes(MLIRContext *context, std::optional<Location>,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() < 2)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape = {ShapedType::kDynamic};
  llvm::append_range(shape, input.getShape().drop_front(2));
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

LogicalResult
RestorePaddingOp::inferReturnTypes(MLIRContext *context,
                                   std::optional<Location>, Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto mask = cast<RankedTensorType>(adaptor.getMask().getType());
  if (input.getRank() < 1 || mask.getRank() != 2)
    return inferShape(context, std::nullopt, inferred);
  SmallVector<int64_t> shape(mask.getShape());
  llvm::append_range(shape, input.getShape().drop_front());
  return inferShape(context, ArrayRef<int64_t>(shape), inferred);
}

//===----------------------------------------------------------------------===//
// Folders and canonicalization: the identities of the dialect
//===----------------------------------------------------------------------===//

namespace {
bool isOne(std::optional<llvm::APFloat> factor) {
  return factor && factor->isExactlyValue(1.0);
}
} // namespace

OpFoldResult ScaleOp::fold(FoldAdaptor) {
  if (getFactor().isExactlyValue(1.0))
    return getInput();
  return {};
}

/// At inference an inverted dropout (and any dropout of rate 0) is the
/// identity; a classic one is a scale, which xfmr-strip-dropout places.
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getMode() == DropoutKind::inverted || getRate().isZero())
    return getInput();
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + (-0) is x, bit for bit, when x already has the result's type (no
  // broadcast). x + (+0) is not: it turns -0 into +0 (as arith.addf, which
  // folds only -0 too).
  for (auto [value, constant] : {std::pair(getLhs(), adaptor.getRhs()),
                                 std::pair(getRhs(), adaptor.getLhs())}) {
    auto splat = dyn_cast_if_present<SplatElementsAttr>(constant);
    if (splat && splat.getSplatValue<llvm::APFloat>().isNegZero() &&
        value.getType() == getType())
      return value;
  }
  return {};
}

/// An output scale of exactly 1 is no scale.
OpFoldResult LinearOp::fold(FoldAdaptor) {
  if (!isOne(getScale()))
    return {};
  removeScaleAttr();
  return getResult();
}

OpFoldResult MatmulOp::fold(FoldAdaptor) {
  if (!isOne(getScale()))
    return {};
  removeScaleAttr();
  return getResult();
}
