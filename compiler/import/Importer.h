//===- Importer.h - ModelSpec → xfmr IR -------------------------*- C++ -*-===//
#ifndef XFMR_COMPILER_IMPORT_IMPORTER_H
#define XFMR_COMPILER_IMPORT_IMPORTER_H

#include "compiler/import/ModelSpec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace xfmr {

/// Names of the entry points in the imported module (and, after code
/// generation, the suffixes of their packed wrappers `xfmr_entry_<name>`):
/// `encode` returns an encoder's last hidden state; `embed`, present when
/// the spec asks for pooling, the pooled (and maybe normalised) [batch, d]
/// vectors; `logits`, a decoder's logits [batch, seq, vocab] for every
/// position of the batch at once; `prefill` and `decode_step`, a decoder's
/// next-token logits [batch, vocab] with its K/V cache (docs/abi.md).
inline constexpr llvm::StringLiteral kEncodeEntry = "encode";
inline constexpr llvm::StringLiteral kEmbedEntry = "embed";
inline constexpr llvm::StringLiteral kLogitsEntry = "logits";
inline constexpr llvm::StringLiteral kPrefillEntry = "prefill";
inline constexpr llvm::StringLiteral kDecodeStepEntry = "decode_step";

/// Whether importModel can lower the valid `spec` today. The description
/// can say more than the importer builds (decoders, pre-LN, RMSNorm,
/// rotary...); the first field it cannot lower is refused as
/// `ORIGIN: field 'stacks[0].norm.kind': "rms_norm" is not supported yet`,
/// with the field's path in a version 2 spec.
llvm::Error checkImportable(const ModelSpec &spec);

/// Builds the xfmr module of a valid model that passes checkImportable:
///  - the `xfmr.model` attribute and the entry points' ABI attributes
///    (dialect/XfmrABI.h);
///  - one `xfmr.weight_decl` per tensor of requiredWeights(spec), in order;
///  - `func.func @encode(ids, attention_mask[, token_type_ids])` with dynamic
///    batch and sequence sizes, returning the last hidden state (and
///    `@embed`, with the same arguments, returning the pooled vectors), or
///    for a decoder `@logits(ids, attention_mask)`;
///  - one private `@encoder_layer` (`@decoder_layer`) called once per layer,
///    so the IR (and the compile time) does not grow with the number of
///    layers.
/// A spec that fails checkImportable gives a null module, after an error on
/// `context`'s diagnostic engine.
mlir::OwningOpRef<mlir::ModuleOp> importModel(const ModelSpec &spec,
                                              mlir::MLIRContext &context);

} // namespace xfmr

#endif // XFMR_COMPILER_IMPORT_IMPORTER_H
