//===- Importer.h - ModelSpec → xfmr IR -------------------------*- C++ -*-===//
#ifndef XFMR_COMPILER_IMPORT_IMPORTER_H
#define XFMR_COMPILER_IMPORT_IMPORTER_H

#include "compiler/import/ModelSpec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace xfmr {

/// Name of the encoder entry point in the imported module (and, after code
/// generation, the suffix of its packed wrapper `xfmr_entry_encode`).
inline constexpr llvm::StringLiteral kEncodeEntry = "encode";

/// Builds the xfmr module of a validated model:
///  - one `xfmr.weight_decl` per tensor of requiredWeights(spec), in order;
///  - `func.func @encode(ids, attention_mask[, token_type_ids])` with dynamic
///    batch and sequence sizes, returning the last hidden state;
///  - one private `@encoder_layer` called once per layer, so the IR (and the
///    compile time) does not grow with the number of layers.
mlir::OwningOpRef<mlir::ModuleOp> importModel(const ModelSpec &spec,
                                              mlir::MLIRContext &context);

} // namespace xfmr

#endif // XFMR_COMPILER_IMPORT_IMPORTER_H
