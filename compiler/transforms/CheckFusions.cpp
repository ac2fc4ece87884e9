//===- CheckFusions.cpp - count fusions, enforce the required ones --------===//
//
// A fusion that silently stops firing costs performance and nobody notices.
// This pass states what fired (the fused ops) and what did not (each place
// where a fusion's pattern is still there unfused), so users and tests can
// insist on it.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringSet.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRCHECKFUSIONS
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
constexpr llvm::StringLiteral kMaskedSoftmax = "masked-softmax";
constexpr llvm::StringLiteral kResidualLayerNorm = "residual-layernorm";
constexpr llvm::StringLiteral kAttention = "attention";

/// A softmax over keys whose input is still scaled or masked. A matmul
/// counts only when it is scaled (its output scale, or a scaled operand): the
/// fusion has nothing to take from a plain Q·Kᵀ.
bool isUnfusedMaskedSoftmax(SoftmaxOp op) {
  if (op.getType().getRank() != 4 || op.getNormalizedAxis() != 3)
    return false;
  Operation *def = op.getInput().getDefiningOp();
  if (auto matmul = dyn_cast_or_null<MatmulOp>(def))
    return matmul.getScale() ||
           llvm::any_of(matmul->getOperands(), [](Value operand) {
             return operand.getDefiningOp<ScaleOp>();
           });
  return def && isa<AddOp, ScaleOp>(def);
}

/// Probabilities times V that are still two products around a softmax over
/// keys. (A masked softmax that went on into xfmr.fused_attention counts as
/// an attention fusion, no longer as a masked-softmax one.)
bool isUnfusedAttention(MatmulOp op) {
  if (op.getTransposeRhs() || op.getType().getRank() != 4)
    return false;
  Operation *def = op.getLhs().getDefiningOp();
  if (isa_and_nonnull<MaskedSoftmaxOp>(def))
    return true;
  auto softmax = dyn_cast_or_null<SoftmaxOp>(def);
  return softmax && softmax.getType().getRank() == 4 &&
         softmax.getNormalizedAxis() == 3;
}

/// Where `op` is, for a user: its function and, when the function is a layer
/// called from the entry points, the layers (the importer names each call
/// "encoder.layer.N"; the layer's ops themselves carry the model's location).
std::string placeOf(Operation *op, ModuleOp module) {
  auto func = op->getParentOfType<FunctionOpInterface>();
  if (!func)
    return "";
  std::string place = (" in @" + func.getName()).str();
  SmallVector<StringRef> layers;
  if (std::optional<SymbolTable::UseRange> uses =
          SymbolTable::getSymbolUses(func, module))
    for (const SymbolTable::SymbolUse &use : *uses)
      if (auto name = dyn_cast<NameLoc>(use.getUser()->getLoc()))
        layers.push_back(name.getName().getValue());
  if (!layers.empty())
    place += " (" + llvm::join(layers, ", ") + ")";
  return place;
}

/// A layer norm over the last dimension of a sum.
bool isUnfusedResidualLayerNorm(LayerNormOp op) {
  return op.getNormalizedAxis() == op.getType().getRank() - 1 &&
         op.getInput().getDefiningOp<AddOp>();
}

struct XfmrCheckFusionsPass
    : xfmr::impl::XfmrCheckFusionsBase<XfmrCheckFusionsPass> {
  using XfmrCheckFusionsBase::XfmrCheckFusionsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringSet<> required;
    for (const std::string &name : require) {
      if (name != kMaskedSoftmax && name != kResidualLayerNorm &&
          name != kAttention) {
        module.emitError() << "unknown fusion '" << name << "' (expected "
                           << kMaskedSoftmax << ", " << kResidualLayerNorm
                           << " or " << kAttention << ")";
        return signalPassFailure();
      }
      required.insert(name);
    }

    unsigned fusedSoftmax = 0, fusedNorm = 0, fusedAttention = 0;
    unsigned missedSoftmax = 0, missedNorm = 0, missedAttention = 0;
    bool failedRequirement = false;
    auto missed = [&](Operation *op, StringRef fusion, unsigned &count,
                      StringRef what) {
      ++count;
      if (!required.contains(fusion))
        return;
      op->emitError() << "required fusion '" << fusion
                      << "' did not fire on this " << what
                      << placeOf(op, module);
      failedRequirement = true;
    };
    module.walk([&](Operation *op) {
      if (isa<MaskedSoftmaxOp>(op))
        ++fusedSoftmax;
      else if (isa<ResidualLayerNormOp>(op))
        ++fusedNorm;
      else if (isa<FusedAttentionOp>(op))
        ++fusedAttention;
      else if (auto matmul = dyn_cast<MatmulOp>(op)) {
        if (isUnfusedAttention(matmul))
          missed(op, kAttention, missedAttention,
                 "product of attention probabilities and values");
      } else if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
        if (isUnfusedMaskedSoftmax(softmax))
          missed(op, kMaskedSoftmax, missedSoftmax,
                 "softmax of scaled or masked scores");
      } else if (auto norm = dyn_cast<LayerNormOp>(op)) {
        if (isUnfusedResidualLayerNorm(norm))
          missed(op, kResidualLayerNorm, missedNorm, "layer_norm of a sum");
      }
    });
    if (report)
      module.emitRemark() << "fusions: " << kMaskedSoftmax << " "
                          << fusedSoftmax << " fused, " << missedSoftmax
                          << " missed; " << kResidualLayerNorm << " "
                          << fusedNorm << " fused, " << missedNorm
                          << " missed; " << kAttention << " " << fusedAttention
                          << " fused, " << missedAttention << " missed";
    if (failedRequirement)
      signalPassFailure();
  }
};
} // namespace
