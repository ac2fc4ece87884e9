//===- Importer.h - ModelSpec → xfmr IR -------------------------*- C++ -*-===//
#ifndef XFMR_COMPILER_IMPORT_IMPORTER_H
#define XFMR_COMPILER_IMPORT_IMPORTER_H

#include "compiler/import/ModelSpec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace xfmr {

/// Names of the entry points in the imported module (and, after code
/// generation, the suffixes of their packed wrappers `xfmr_entry_<name>`):
/// `encode` returns the last hidden state; `embed`, present when the spec
/// asks for pooling, the pooled (and maybe normalised) [batch, d] vectors.
inline constexpr llvm::StringLiteral kEncodeEntry = "encode";
inline constexpr llvm::StringLiteral kEmbedEntry = "embed";

/// Builds the xfmr module of a validated model:
///  - one `xfmr.weight_decl` per tensor of requiredWeights(spec), in order;
///  - `func.func @encode(ids, attention_mask[, token_type_ids])` with dynamic
///    batch and sequence sizes, returning the last hidden state (and
///    `@embed`, with the same arguments, returning the pooled vectors);
///  - one private `@encoder_layer` called once per layer, so the IR (and the
///    compile time) does not grow with the number of layers.
mlir::OwningOpRef<mlir::ModuleOp> importModel(const ModelSpec &spec,
                                              mlir::MLIRContext &context);

} // namespace xfmr

#endif // XFMR_COMPILER_IMPORT_IMPORTER_H
