//===- XfmrABI.cpp - the library ABI stated in the IR ---------------------===//
//
// The attribute verifiers check what holds at every stage of the pipeline
// (the attributes' own form: they stay on the functions down to the LLVM
// dialect, after weights became arguments and tensors memrefs); readModelABI
// checks the rest on the xfmr module, where the entry points still have the
// signatures users call.
//
//===----------------------------------------------------------------------===//
#include "dialect/XfmrABI.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace xfmr::abi {

bool isValidName(StringRef name) {
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

void setModelInfo(ModuleOp module, const ModelInfo &info) {
  assert(info.config.size() == std::size(kConfigKeys) &&
         "one value per config key");
  Builder b(module.getContext());
  SmallVector<NamedAttribute> config;
  for (auto [key, value] : llvm::zip(kConfigKeys, info.config))
    config.push_back(b.getNamedAttr(key, b.getI64IntegerAttr(value)));
  SmallVector<NamedAttribute> model = {
      b.getNamedAttr("name", b.getStringAttr(info.name)),
      b.getNamedAttr("weights_file", b.getStringAttr(info.weightsFile)),
      b.getNamedAttr("config", b.getDictionaryAttr(config))};
  if (info.maxLength > 0)
    model.push_back(
        b.getNamedAttr("max_length", b.getI64IntegerAttr(info.maxLength)));
  if (info.eosTokenId >= 0)
    model.push_back(
        b.getNamedAttr("eos_token_id", b.getI64IntegerAttr(info.eosTokenId)));
  module->setAttr(kModelAttr, b.getDictionaryAttr(model));
}

void markEntry(FunctionOpInterface func, EntryRole role,
               ArrayRef<StringRef> argNames, ArrayRef<StringRef> resultNames) {
  assert(argNames.size() == func.getNumArguments() &&
         resultNames.size() == func.getNumResults() && "one name each");
  Builder b(func.getContext());
  func->setAttr(kEntryAttr, EntryRoleAttr::get(func.getContext(), role));
  for (auto [i, name] : llvm::enumerate(argNames))
    func.setArgAttr(i, kNameAttr, b.getStringAttr(name));
  for (auto [i, name] : llvm::enumerate(resultNames))
    func.setResultAttr(i, kNameAttr, b.getStringAttr(name));
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult verifyModelAttr(Operation *op, NamedAttribute attr) {
  if (!isa<ModuleOp>(op))
    return op->emitError() << "'" << kModelAttr << "' belongs on a module";
  auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
  if (!dict)
    return op->emitError() << "'" << kModelAttr << "' must be a dictionary";
  auto name = dict.getAs<StringAttr>("name");
  if (!name || name.getValue().empty())
    return op->emitError() << "'" << kModelAttr
                           << "' needs a non-empty string 'name'";
  Attribute weights = dict.get("weights_file");
  if (weights && !isa<StringAttr>(weights))
    return op->emitError() << "'" << kModelAttr
                           << "': 'weights_file' must be a string";
  auto config = dict.getAs<DictionaryAttr>("config");
  if (!config)
    return op->emitError() << "'" << kModelAttr
                           << "' needs a dictionary 'config'";
  for (StringRef key : kConfigKeys) {
    // Sizes of a model: at least 1, but for what a model may have none of.
    int64_t min = key == "num_layers" || key == "type_vocab_size" ? 0 : 1;
    auto value = config.getAs<IntegerAttr>(key);
    if (!value || !value.getType().isSignlessInteger(64) ||
        value.getInt() < min)
      return op->emitError() << "'" << kModelAttr << "': config needs '" << key
                             << "' as an i64 of at least " << min;
  }
  for (NamedAttribute entry : config)
    if (!llvm::is_contained(kConfigKeys, entry.getName().getValue()))
      return op->emitError() << "'" << kModelAttr << "': unknown config key '"
                             << entry.getName().getValue() << "'";
  if (Attribute maxLength = dict.get("max_length")) {
    auto value = dyn_cast<IntegerAttr>(maxLength);
    int64_t positions = config.getAs<IntegerAttr>("max_positions").getInt();
    if (!value || !value.getType().isSignlessInteger(64) ||
        value.getInt() < 1 || value.getInt() > positions)
      return op->emitError() << "'" << kModelAttr
                             << "': 'max_length' must be an i64 from 1 to "
                                "max_positions ("
                             << positions << ")";
  }
  if (Attribute eos = dict.get("eos_token_id")) {
    auto value = dyn_cast<IntegerAttr>(eos);
    int64_t vocab = config.getAs<IntegerAttr>("vocab_size").getInt();
    if (!value || !value.getType().isSignlessInteger(64) ||
        value.getInt() < 0 || value.getInt() >= vocab)
      return op->emitError() << "'" << kModelAttr
                             << "': 'eos_token_id' must be an i64 in [0, "
                                "vocab_size) = [0, "
                             << vocab << ")";
  }
  for (NamedAttribute entry : dict)
    if (!llvm::is_contained(
            {"name", "weights_file", "config", "max_length", "eos_token_id"},
            entry.getName().getValue()))
      return op->emitError() << "'" << kModelAttr << "': unknown key '"
                             << entry.getName().getValue() << "'";
  return success();
}

LogicalResult verifyEntryAttr(Operation *op, NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kEntryAttr) {
    if (!isa<FunctionOpInterface>(op))
      return op->emitError() << "'" << kEntryAttr << "' belongs on a function";
    if (!isa<EntryRoleAttr>(attr.getValue()))
      return op->emitError()
             << "'" << kEntryAttr << "' must be an #xfmr.entry<...> role";
    return success();
  }
  if (name == kPoolingAttr || name == kNormalizeAttr) {
    auto role = op->getAttrOfType<EntryRoleAttr>(kEntryAttr);
    if (!role || role.getValue() != EntryRole::embed)
      return op->emitError()
             << "'" << name << "' belongs on an #xfmr.entry<embed> function";
    if (name == kNormalizeAttr && !isa<UnitAttr>(attr.getValue()))
      return op->emitError()
             << "'" << kNormalizeAttr << "' is a unit attribute";
    auto pooling = dyn_cast<StringAttr>(attr.getValue());
    if (name == kPoolingAttr &&
        (!pooling || !symbolizePoolingKind(pooling.getValue())))
      return op->emitError()
             << "'" << kPoolingAttr << "' must be \"cls\" or \"mean\"";
    return success();
  }
  return op->emitError() << "unknown xfmr attribute '" << name << "'";
}

LogicalResult verifyNameAttr(Operation *op, NamedAttribute attr) {
  if (attr.getName().getValue() != kNameAttr)
    return op->emitError() << "unknown xfmr argument attribute '"
                           << attr.getName().getValue() << "'";
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name || !isValidName(name.getValue()))
    return op->emitError() << "'" << kNameAttr
                           << "' must be a string of [A-Za-z_][A-Za-z0-9_]*, "
                              "got "
                           << attr.getValue();
  return success();
}

//===----------------------------------------------------------------------===//
// Reading the ABI back
//===----------------------------------------------------------------------===//

namespace {
FailureOr<TensorInfo> tensorInfo(FunctionOpInterface func, Type type,
                                 DictionaryAttr attrs, StringRef what,
                                 unsigned index) {
  auto name = attrs ? attrs.getAs<StringAttr>(kNameAttr) : StringAttr();
  if (!name)
    return func.emitError() << "entry point @" << func.getName() << ": " << what
                            << " " << index << " has no '" << kNameAttr << "'";
  auto tensor = dyn_cast<RankedTensorType>(type);
  Type element = tensor ? tensor.getElementType() : Type();
  if (!tensor || !(element.isF32() || element.isInteger(64)))
    return func.emitError()
           << "entry point @" << func.getName() << ": " << what << " '"
           << name.getValue() << "' must be a ranked tensor of f32 or i64, got "
           << type;
  TensorInfo info;
  info.name = name.getValue().str();
  info.dtype = element.isF32() ? "F32" : "I64";
  for (int64_t dim : tensor.getShape())
    info.shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
  return info;
}
} // namespace

std::optional<unsigned> updatedArgument(FunctionOpInterface func,
                                        unsigned result) {
  auto name = func.getResultAttrOfType<StringAttr>(result, kNameAttr);
  if (!name)
    return std::nullopt;
  for (unsigned arg = 0; arg < func.getNumArguments(); ++arg)
    if (func.getArgAttrOfType<StringAttr>(arg, kNameAttr) == name &&
        func.getArgumentTypes()[arg] == func.getResultTypes()[result])
      return arg;
  return std::nullopt;
}

FailureOr<ModelABI> readModelABI(ModuleOp module) {
  ModelABI abi;
  auto model = module->getAttrOfType<DictionaryAttr>(kModelAttr);
  if (!model)
    return module.emitError() << "the module states no model: it needs an '"
                              << kModelAttr << "' attribute (docs/abi.md)";
  abi.model.name = model.getAs<StringAttr>("name").getValue().str();
  if (auto weights = model.getAs<StringAttr>("weights_file"))
    abi.model.weightsFile = weights.getValue().str();
  auto config = model.getAs<DictionaryAttr>("config");
  for (StringRef key : kConfigKeys)
    abi.model.config.push_back(config.getAs<IntegerAttr>(key).getInt());
  auto maxLength = model.getAs<IntegerAttr>("max_length");
  abi.model.maxLength =
      maxLength ? maxLength.getInt()
                : config.getAs<IntegerAttr>("max_positions").getInt();
  if (auto eos = model.getAs<IntegerAttr>("eos_token_id"))
    abi.model.eosTokenId = eos.getInt();

  // The library's own symbols (the runtime's xfmr_* API, the entry table,
  // the manifest) and MLIR's (_mlir_ciface_*, the allocation functions)
  // share one object file with the model's functions.
  for (auto func : module.getOps<FunctionOpInterface>())
    if (func.getName().starts_with("xfmr_") ||
        func.getName().starts_with("_mlir_"))
      return func.emitError() << "the symbol @" << func.getName()
                              << " is reserved (names starting with xfmr_ or "
                                 "_mlir_ belong to the library ABI)";
  // Entry points of nested modules would never be reached.
  WalkResult nested = module.walk([&](Operation *op) {
    if (op->hasAttr(kEntryAttr) && op->getParentOp() != module) {
      op->emitError() << "an entry point must be a function of the top-level "
                         "module";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (nested.wasInterrupted())
    return failure();

  llvm::SmallDenseSet<EntryRole> roles;
  for (auto func : module.getOps<FunctionOpInterface>()) {
    auto role = func->getAttrOfType<EntryRoleAttr>(kEntryAttr);
    if (!role)
      continue;
    if (!func.isPublic() || func.isExternal())
      return func.emitError() << "entry point @" << func.getName()
                              << " must be a public function with a body";
    // Its signature becomes the library's (destination-passing); a call
    // inside the module would no longer match it.
    if (!SymbolTable::symbolKnownUseEmpty(func, module))
      return func.emitError() << "entry point @" << func.getName()
                              << " must not be called from the module";
    if (!roles.insert(role.getValue()).second)
      return func.emitError() << "a second entry point of role '"
                              << stringifyEntryRole(role.getValue()) << "'";
    EntryInfo entry;
    entry.role = role.getValue();
    entry.symbol = func.getName().str();
    llvm::StringSet<> names;
    auto add = [&](FailureOr<TensorInfo> info,
                   SmallVectorImpl<TensorInfo> &list) -> LogicalResult {
      if (failed(info))
        return failure();
      if (!names.insert(info->name).second)
        return func.emitError()
               << "entry point @" << func.getName() << ": the name '"
               << info->name << "' is used twice";
      list.push_back(std::move(*info));
      return success();
    };
    ArrayRef<Type> argTypes = func.getArgumentTypes();
    for (unsigned i = 0; i < argTypes.size(); ++i)
      if (failed(add(tensorInfo(func, argTypes[i], func.getArgAttrDict(i),
                                "argument", i),
                     entry.inputs)))
        return failure();
    ArrayRef<Type> resultTypes = func.getResultTypes();
    for (unsigned i = 0; i < resultTypes.size(); ++i) {
      FailureOr<TensorInfo> info = tensorInfo(
          func, resultTypes[i], func.getResultAttrDict(i), "result", i);
      if (failed(info))
        return failure();
      // A result named as an argument of its type is that argument
      // updated in place (a decoder's K/V cache); a second such result is
      // a name used twice.
      if (std::optional<unsigned> arg = updatedArgument(func, i);
          arg && !entry.inputs[*arg].inout) {
        entry.inputs[*arg].inout = true;
        continue;
      }
      if (failed(add(std::move(info), entry.outputs)))
        return failure();
    }
    if (entry.outputs.empty())
      return func.emitError()
             << "entry point @" << func.getName() << " returns nothing";
    if (auto pooling = func->getAttrOfType<StringAttr>(kPoolingAttr))
      entry.pooling = symbolizePoolingKind(pooling.getValue());
    entry.normalize = func->hasAttr(kNormalizeAttr);
    if (entry.role == EntryRole::embed && !entry.pooling)
      return func.emitError()
             << "entry point @" << func.getName() << " of role 'embed' needs '"
             << kPoolingAttr << "'";
    abi.entries.push_back(std::move(entry));
  }
  if (abi.entries.empty())
    return module.emitError()
           << "the module has no entry point: mark a public function with '"
           << kEntryAttr << " = #xfmr.entry<encode>' (docs/abi.md)";

  for (auto decl : module.getOps<WeightDeclOp>()) {
    SmallVector<int64_t> shape = decl.getStoredShape();
    WeightInfo weight{decl.getKey().str(),
                      {shape.begin(), shape.end()},
                      decl.getPanels() ? decl.getTensorType().getDimSize(2)
                                       : 0};
    weight.transposed = decl.getTransposed();
    if (decl.getRows())
      weight.rows = decl.getRowRange();
    abi.weights.push_back(std::move(weight));
  }
  return abi;
}

} // namespace xfmr::abi
