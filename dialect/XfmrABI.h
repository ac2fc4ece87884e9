//===- XfmrABI.h - the library ABI stated in the IR -------------*- C++ -*-===//
//
// A compiled model's ABI (docs/abi.md) is described by its xfmr module, not by
// whatever front end produced it: the module's `xfmr.model` attribute names
// the model and gives the facts the runtime checks inputs against, and each
// entry point is a public function marked `xfmr.entry = #xfmr.entry<ROLE>`
// whose arguments and results carry `xfmr.name`. Importers write these
// attributes through the setters below; the back end reads them back with
// readModelABI, so `xfmrc model.mlir` needs nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_DIALECT_XFMRABI_H
#define XFMR_DIALECT_XFMRABI_H

#include "dialect/XfmrOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <optional>
#include <string>

namespace xfmr::abi {

inline constexpr llvm::StringLiteral kModelAttr = "xfmr.model";
inline constexpr llvm::StringLiteral kEntryAttr = "xfmr.entry";
inline constexpr llvm::StringLiteral kNameAttr = "xfmr.name";
inline constexpr llvm::StringLiteral kPoolingAttr = "xfmr.pooling";
inline constexpr llvm::StringLiteral kNormalizeAttr = "xfmr.normalize";
/// On the module after bufferization (xfmr-plan-work-memory): the bytes of
/// work memory the compiler could size.
inline constexpr llvm::StringLiteral kStaticWorkBytesAttr =
    "xfmr.static_work_bytes";

/// The `config` integers every model states, in manifest order.
inline constexpr llvm::StringLiteral kConfigKeys[] = {
    "vocab_size", "d_model",       "num_layers",
    "num_heads",  "max_positions", "type_vocab_size"};

/// Whether `name` may name an argument or result: `[A-Za-z_][A-Za-z0-9_]*`.
bool isValidName(llvm::StringRef name);

/// What `xfmr.model` says.
struct ModelInfo {
  std::string name;
  /// Absolute path of the weights the model was compiled from, or empty.
  std::string weightsFile;
  /// One value per kConfigKeys entry, in that order.
  llvm::SmallVector<int64_t, 6> config;
  /// `max_length`: the length texts are truncated to by default, from 1 to
  /// `max_positions`. Unset (0) when setting it means `max_positions`; read
  /// back, it is never 0.
  int64_t maxLength = 0;
  /// `eos_token_id`: the token that ends a generated sequence; -1 unset.
  int64_t eosTokenId = -1;
};

/// Sets `xfmr.model` on `module`.
void setModelInfo(mlir::ModuleOp module, const ModelInfo &info);

/// Marks `func` as the entry point of `role` and names its arguments and
/// results (one name each). A result given an argument's name and type is
/// that argument updated in place.
void markEntry(mlir::FunctionOpInterface func, EntryRole role,
               llvm::ArrayRef<llvm::StringRef> argNames,
               llvm::ArrayRef<llvm::StringRef> resultNames);

/// The argument that result `result` of entry point `func` updates in
/// place: the one of the result's `xfmr.name` and type, if any.
std::optional<unsigned> updatedArgument(mlir::FunctionOpInterface func,
                                        unsigned result);

/// An argument or result of an entry point.
struct TensorInfo {
  std::string name;
  /// "F32" or "I64".
  std::string dtype;
  /// -1 for a dimension given at call time.
  llvm::SmallVector<int64_t, 4> shape;
  /// An input the entry point also updates in place: a result of the same
  /// name and type (`xfmr.name`) is this argument after the call.
  bool inout = false;
};

struct EntryInfo {
  EntryRole role;
  /// The function's symbol.
  std::string symbol;
  llvm::SmallVector<TensorInfo, 3> inputs, outputs;
  /// Only for `embed`.
  std::optional<PoolingKind> pooling;
  bool normalize = false;
};

struct WeightInfo {
  std::string key;
  /// The shape in the weights file.
  llvm::SmallVector<int64_t, 2> shape;
  /// P when the runtime passes the stored [out, in] matrix as column panels
  /// [out / P, in, P] (`xfmr.weight_decl ... panels`); 0 for as stored.
  int64_t panelWidth = 0;
  /// The view the declaration takes (`transposed`, `rows`): the stored
  /// [in, out] matrix read as [out, in]; its rows [rowBegin, rowEnd), or
  /// every row when `rows` is unset.
  bool transposed = false;
  std::optional<std::pair<int64_t, int64_t>> rows;
};

/// The whole ABI of a module, in the order the manifest lists it.
struct ModelABI {
  ModelInfo model;
  llvm::SmallVector<EntryInfo, 2> entries;
  llvm::SmallVector<WeightInfo> weights;
};

/// Reads the ABI of an xfmr module (before xfmr-bind-weights: the weights are
/// its `xfmr.weight_decl`s). Emits an error on the module and fails when the
/// module states no model or no entry point.
mlir::FailureOr<ModelABI> readModelABI(mlir::ModuleOp module);

/// Verifies the ABI attributes (the dialect's attribute verifiers).
mlir::LogicalResult verifyModelAttr(mlir::Operation *op,
                                    mlir::NamedAttribute attr);
mlir::LogicalResult verifyEntryAttr(mlir::Operation *op,
                                    mlir::NamedAttribute attr);
mlir::LogicalResult verifyNameAttr(mlir::Operation *op,
                                   mlir::NamedAttribute attr);

} // namespace xfmr::abi

#endif // XFMR_DIALECT_XFMRABI_H
