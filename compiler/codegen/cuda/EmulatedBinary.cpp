//===- EmulatedBinary.cpp - kernels compiled for the CUDA emulator --------===//
//
// In place of gpu-module-to-binary: the kernels of each gpu.module, already
// in NVVM, move into the host module as host functions, their GPU
// operations turned into calls through the emulator's device table, and
// the gpu.module becomes a gpu.binary whose image names them
// (EmulatedDevice.h). The host code is left exactly as a GPU library's.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cuda/EmulatedDevice.h"
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUEMULATEDBINARY
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;
namespace emulated = xfmr::cuda::emulated;

namespace {

/// The host function a libdevice function `__nv_NAME` is, or "" if it has
/// none: the C library's of the same name (its fast_ variants too), or for
/// rsqrt one of ours (defineReciprocalSqrt).
/// The prefix of the host twins the pass defines itself.
constexpr StringLiteral kOwnTwinPrefix = "xfmr_emulated_";

std::string hostTwin(StringRef name) {
  static const llvm::StringSet<> libm = {
      "acosf",  "acos",  "asinf",  "asin",  "atanf", "atan", "atan2f", "atan2",
      "cbrtf",  "cbrt",  "ceilf",  "ceil",  "cosf",  "cos",  "coshf",  "cosh",
      "erff",   "erf",   "expf",   "exp",   "exp2f", "exp2", "expm1f", "expm1",
      "fabsf",  "fabs",  "floorf", "floor", "fmaf",  "fma",  "fmaxf",  "fmax",
      "fminf",  "fmin",  "fmodf",  "fmod",  "logf",  "log",  "log10f", "log10",
      "log1pf", "log1p", "log2f",  "log2",  "powf",  "pow",  "roundf", "round",
      "sinf",   "sin",   "sinhf",  "sinh",  "sqrtf", "sqrt", "tanf",   "tan",
      "tanhf",  "tanh",  "truncf", "trunc"};
  if (!name.consume_front("__nv_"))
    return "";
  name.consume_front("fast_");
  if (name == "rsqrtf" || name == "rsqrt")
    return (kOwnTwinPrefix + name).str();
  return libm.contains(name) ? name.str() : "";
}

/// Defines `func` (declared as the host twin of libdevice's rsqrt): 1 / sqrt.
void defineReciprocalSqrt(LLVM::LLVMFuncOp func) {
  OpBuilder b(func.getContext());
  Block *body = func.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Location loc = func.getLoc();
  Value x = body->getArgument(0);
  Type type = x.getType();
  Value root = LLVM::SqrtOp::create(b, loc, x);
  Value one = LLVM::ConstantOp::create(b, loc, type, b.getFloatAttr(type, 1.0));
  Value result = LLVM::FDivOp::create(b, loc, one, root);
  LLVM::ReturnOp::create(b, loc, result);
  func.setLinkage(LLVM::Linkage::Internal);
}

/// What the kernels' GPU operations become.
class DeviceCalls {
public:
  DeviceCalls(ModuleOp module, LLVM::GlobalOp table)
      : context(module.getContext()), table(table) {}

  /// A call through slot `slot` of the table, at `b`'s insertion point.
  Value call(OpBuilder &b, Location loc, emulated::Slot slot, Type result,
             ValueRange args) const {
    auto ptr = LLVM::LLVMPointerType::get(context);
    Value base = LLVM::AddressOfOp::create(b, loc, table);
    Value entry = LLVM::GEPOp::create(
        b, loc, ptr, table.getGlobalType(), base,
        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(slot)});
    Value fn = LLVM::LoadOp::create(b, loc, ptr, entry);
    SmallVector<Type> params;
    for (Value arg : args)
      params.push_back(arg.getType());
    auto type = LLVM::LLVMFunctionType::get(
        result ? result : LLVM::LLVMVoidType::get(context), params);
    SmallVector<Value> operands = {fn};
    llvm::append_range(operands, args);
    auto op = LLVM::CallOp::create(b, loc, type, operands);
    return result ? op.getResult() : Value();
  }

  /// Replaces the NVVM operation `op`; fails on one it cannot.
  LogicalResult rewrite(Operation *op) const;

private:
  Value i32(OpBuilder &b, Location loc, int64_t value) const {
    return LLVM::ConstantOp::create(b, loc, b.getI32Type(),
                                    b.getI32IntegerAttr(value));
  }
  LogicalResult specialRegister(Operation *op,
                                emulated::SpecialRegister which) const;
  LogicalResult barrier(Operation *op) const;
  LogicalResult shuffle(NVVM::ShflOp op) const;
  LogicalResult mma(NVVM::MmaOp op) const;

  MLIRContext *context;
  mutable LLVM::GlobalOp table;
};

LogicalResult
DeviceCalls::specialRegister(Operation *op,
                             emulated::SpecialRegister which) const {
  OpBuilder b(op);
  Value value = call(b, op->getLoc(), emulated::kSpecialRegisterSlot,
                     b.getI32Type(), {i32(b, op->getLoc(), which)});
  op->getResult(0).replaceAllUsesWith(value);
  op->erase();
  return success();
}

LogicalResult DeviceCalls::barrier(Operation *op) const {
  OpBuilder b(op);
  call(b, op->getLoc(), emulated::kBarrierSlot, Type(), {});
  op->erase();
  return success();
}

LogicalResult DeviceCalls::shuffle(NVVM::ShflOp op) const {
  OpBuilder b(op);
  Location loc = op.getLoc();
  // The verifier allows f32 and i32 alone.
  Type type = op.getVal().getType();
  emulated::ShuffleMode mode = emulated::kButterfly;
  switch (op.getKind()) {
  case NVVM::ShflKind::bfly:
    mode = emulated::kButterfly;
    break;
  case NVVM::ShflKind::up:
    mode = emulated::kUp;
    break;
  case NVVM::ShflKind::down:
    mode = emulated::kDown;
    break;
  case NVVM::ShflKind::idx:
    mode = emulated::kIndex;
    break;
  }
  Value bits = op.getVal();
  if (type.isF32())
    bits = LLVM::BitcastOp::create(b, loc, b.getI32Type(), bits);
  Value shuffled = call(b, loc, emulated::kShuffleSlot, b.getI32Type(),
                        {i32(b, loc, mode), op.getThreadMask(), bits,
                         op.getOffset(), op.getMaskAndClamp()});
  if (type.isF32())
    shuffled = LLVM::BitcastOp::create(b, loc, type, shuffled);
  Value result = shuffled;
  if (op.getReturnValueAndIsValid().value_or(false)) {
    Value valid = call(b, loc, emulated::kShuffleValidSlot, b.getI32Type(), {});
    Value flag = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, valid,
                                      i32(b, loc, 0));
    Value pair = LLVM::UndefOp::create(b, loc, op.getRes().getType());
    pair = LLVM::InsertValueOp::create(b, loc, pair, shuffled,
                                       ArrayRef<int64_t>{0});
    result =
        LLVM::InsertValueOp::create(b, loc, pair, flag, ArrayRef<int64_t>{1});
  }
  op.getRes().replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult DeviceCalls::mma(NVVM::MmaOp op) const {
  NVVM::MMAShapeAttr shape = op.getShape();
  auto a = op.getMultiplicandAPtxType(), b = op.getMultiplicandBPtxType();
  if (shape.getM() != 16 || shape.getN() != 8 || shape.getK() != 8 ||
      a != NVVM::MMATypes::tf32 || b != NVVM::MMATypes::tf32 ||
      op.getLayoutA() != NVVM::MMALayout::row ||
      op.getLayoutB() != NVVM::MMALayout::col || op.getOperandA().size() != 4 ||
      op.getOperandB().size() != 2 || op.getOperandC().size() != 4)
    return op.emitOpError("cannot be emulated: only the m16n8k8 TF32 "
                          "mma.sync (row, col) with f32 accumulators is");
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Type f32 = builder.getF32Type();
  auto ptr = LLVM::LLVMPointerType::get(context);
  // The fragments through memory: a, b, c and d, 14 floats, in the entry
  // block (an alloca in a loop would grow the stack each iteration).
  Value buffer;
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(
        &op->getParentOfType<LLVM::LLVMFuncOp>().getBody().front());
    buffer =
        LLVM::AllocaOp::create(builder, loc, ptr, f32, i32(builder, loc, 14));
  }
  auto at = [&](int64_t index) -> Value {
    return LLVM::GEPOp::create(
        builder, loc, ptr, f32, buffer,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
  };
  int64_t slot = 0;
  for (OperandRange fragment :
       {op.getOperandA(), op.getOperandB(), op.getOperandC()})
    for (Value v : fragment) {
      Value value = v.getType().isF32()
                        ? v
                        : LLVM::BitcastOp::create(builder, loc, f32, v);
      LLVM::StoreOp::create(builder, loc, value, at(slot++));
    }
  call(builder, loc, emulated::kMmaTf32Slot, Type(),
       {at(0), at(4), at(6), at(10)});
  Value result = LLVM::UndefOp::create(builder, loc, op.getRes().getType());
  auto structType = cast<LLVM::LLVMStructType>(op.getRes().getType());
  for (int64_t i = 0; i < 4; ++i) {
    Value value = LLVM::LoadOp::create(builder, loc, f32, at(10 + i));
    if (structType.getBody()[i] != f32)
      return op.emitOpError("cannot be emulated: results of type ")
             << structType.getBody()[i];
    result = LLVM::InsertValueOp::create(builder, loc, result, value,
                                         ArrayRef<int64_t>{i});
  }
  op.getRes().replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult DeviceCalls::rewrite(Operation *op) const {
  using SR = emulated::SpecialRegister;
  auto sreg = [&](SR which) { return specialRegister(op, which); };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](NVVM::ThreadIdXOp) { return sreg(emulated::kTidX); })
      .Case([&](NVVM::ThreadIdYOp) { return sreg(emulated::kTidY); })
      .Case([&](NVVM::ThreadIdZOp) { return sreg(emulated::kTidZ); })
      .Case([&](NVVM::BlockDimXOp) { return sreg(emulated::kNtidX); })
      .Case([&](NVVM::BlockDimYOp) { return sreg(emulated::kNtidY); })
      .Case([&](NVVM::BlockDimZOp) { return sreg(emulated::kNtidZ); })
      .Case([&](NVVM::BlockIdXOp) { return sreg(emulated::kCtaidX); })
      .Case([&](NVVM::BlockIdYOp) { return sreg(emulated::kCtaidY); })
      .Case([&](NVVM::BlockIdZOp) { return sreg(emulated::kCtaidZ); })
      .Case([&](NVVM::GridDimXOp) { return sreg(emulated::kNctaidX); })
      .Case([&](NVVM::GridDimYOp) { return sreg(emulated::kNctaidY); })
      .Case([&](NVVM::GridDimZOp) { return sreg(emulated::kNctaidZ); })
      .Case([&](NVVM::LaneIdOp) { return sreg(emulated::kLaneId); })
      .Case([&](NVVM::WarpSizeOp) { return sreg(emulated::kWarpSize); })
      .Case([&](NVVM::ShflOp shfl) { return shuffle(shfl); })
      .Case([&](NVVM::MmaOp mmaOp) { return mma(mmaOp); })
      .Case([&](NVVM::Barrier0Op) { return barrier(op); })
      .Case([&](NVVM::BarrierOp named) -> LogicalResult {
        if (named.getBarrierId() || named.getNumberOfThreads() ||
            op->getNumResults())
          return op->emitOpError("cannot be emulated: only bar.sync 0 is");
        return barrier(op);
      })
      .Default([&](Operation *other) {
        return other->emitOpError("cannot be emulated");
      });
}

/// The device table's global, made once per module.
LLVM::GlobalOp getOrCreateTable(ModuleOp module) {
  if (auto table = module.lookupSymbol<LLVM::GlobalOp>(emulated::kDeviceTable))
    return table;
  MLIRContext *context = module.getContext();
  auto b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = module.getLoc();
  auto type = LLVM::LLVMArrayType::get(LLVM::LLVMPointerType::get(context),
                                       emulated::kSlotCount);
  auto table = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/false,
                                      LLVM::Linkage::External,
                                      emulated::kDeviceTable, Attribute());
  Block *init = b.createBlock(&table.getInitializerRegion());
  b.setInsertionPointToStart(init);
  Value zero = LLVM::ZeroOp::create(b, loc, type);
  LLVM::ReturnOp::create(b, loc, zero);
  return table;
}

/// The exported entry of `kernel` the emulator calls with cuLaunchKernel's
/// parameters: one pointer to each argument.
void createEntry(OpBuilder &b, LLVM::LLVMFuncOp kernel, StringRef name) {
  MLIRContext *context = kernel.getContext();
  Location loc = kernel.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto type =
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {ptr});
  auto entry = LLVM::LLVMFuncOp::create(b, loc, name, type);
  OpBuilder::InsertionGuard guard(b);
  Block *body = entry.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Value params = body->getArgument(0);
  SmallVector<Value> args;
  for (auto [i, argType] :
       llvm::enumerate(kernel.getFunctionType().getParams())) {
    Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, params,
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
    Value arg = LLVM::LoadOp::create(b, loc, ptr, slot);
    args.push_back(LLVM::LoadOp::create(b, loc, argType, arg));
  }
  LLVM::CallOp::create(b, loc, kernel, args);
  LLVM::ReturnOp::create(b, loc, ValueRange());
}

struct XfmrGpuEmulatedBinaryPass
    : public xfmr::cuda::impl::XfmrGpuEmulatedBinaryBase<
          XfmrGpuEmulatedBinaryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(
        module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    DeviceCalls calls(module, getOrCreateTable(module));
    for (gpu::GPUModuleOp kernels : kernelModules)
      if (failed(emulate(kernels, calls)))
        return signalPassFailure();
  }

  LogicalResult emulate(gpu::GPUModuleOp kernels, const DeviceCalls &calls) {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    std::string prefix = (kernels.getName() + "__").str();
    // The module's symbols under their host names: definitions prefixed
    // with the module's name, libdevice's functions as the C library's.
    DenseMap<StringAttr, StringAttr> renamed;
    for (Operation &op : kernels.getBody()->getOperations()) {
      auto symbol = dyn_cast<SymbolOpInterface>(&op);
      if (!symbol)
        continue;
      StringRef name = symbol.getName();
      std::string host = prefix + name.str();
      if (auto func = dyn_cast<LLVM::LLVMFuncOp>(&op);
          func && func.isExternal()) {
        host = hostTwin(name);
        if (host.empty())
          return func.emitOpError("cannot be emulated: no host function "
                                  "for the device function @")
                 << name;
      }
      renamed[symbol.getNameAttr()] = StringAttr::get(context, host);
    }

    // Host pointers everywhere: shared, global and local memory alike.
    AttrTypeReplacer hostPointers;
    hostPointers.addReplacement([&](LLVM::LLVMPointerType type) -> Type {
      return LLVM::LLVMPointerType::get(context);
    });

    auto b = OpBuilder::atBlockEnd(module.getBody());
    SmallVector<Operation *> moved;
    SmallVector<std::pair<LLVM::LLVMFuncOp, std::string>> entries;
    for (Operation &op : kernels.getBody()->getOperations()) {
      auto symbol = dyn_cast<SymbolOpInterface>(&op);
      if (!symbol)
        return op.emitOpError("cannot be emulated: not a function or global");
      StringAttr host = renamed.lookup(symbol.getNameAttr());
      // One declaration of a C library function serves every module.
      if (module.lookupSymbol(host)) {
        if (auto func = dyn_cast<LLVM::LLVMFuncOp>(&op);
            func && func.isExternal())
          continue;
        return op.emitOpError("cannot be emulated: @")
               << host.getValue() << " is taken on the host";
      }
      Operation *clone = b.clone(op);
      SymbolTable::setSymbolName(clone, host);
      for (auto [from, to] : renamed)
        if (failed(SymbolTable::replaceAllSymbolUses(from, to, clone)))
          return op.emitOpError("cannot be emulated: its symbol uses");
      hostPointers.recursivelyReplaceElementsIn(clone, /*replaceAttrs=*/true,
                                                /*replaceLocs=*/false,
                                                /*replaceTypes=*/true);
      if (auto global = dyn_cast<LLVM::GlobalOp>(clone)) {
        global.setAddrSpace(0);
        global.setLinkage(LLVM::Linkage::Internal);
      }
      if (auto func = dyn_cast<LLVM::LLVMFuncOp>(clone)) {
        if (func.isExternal() && host.getValue().starts_with(kOwnTwinPrefix))
          defineReciprocalSqrt(func);
        bool kernel = op.hasAttr(gpu::GPUDialect::getKernelFuncAttrName()) ||
                      op.hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName());
        // The GPU's attributes (kernel, block sizes) mean nothing here.
        for (NamedAttribute attr : llvm::to_vector(func->getDiscardableAttrs()))
          if (attr.getName().getValue().starts_with("nvvm.") ||
              attr.getName().getValue().starts_with("gpu."))
            func->removeDiscardableAttr(attr.getName());
        func.setCConvAttr(LLVM::CConvAttr::get(context, LLVM::cconv::CConv::C));
        if (!func.isExternal())
          func.setLinkage(LLVM::Linkage::Internal);
        if (kernel)
          entries.emplace_back(func, emulated::kKernelPrefix + prefix +
                                         symbol.getName().str());
      }
      moved.push_back(clone);
    }

    for (Operation *op : moved) {
      SmallVector<Operation *> device;
      op->walk([&](Operation *nested) {
        if (isa<NVVM::NVVMDialect>(nested->getDialect()))
          device.push_back(nested);
        // Same-space casts are no casts.
        if (auto cast = dyn_cast<LLVM::AddrSpaceCastOp>(nested))
          if (cast.getArg().getType() == cast.getType())
            device.push_back(nested);
      });
      for (Operation *nested : device) {
        if (auto cast = dyn_cast<LLVM::AddrSpaceCastOp>(nested)) {
          cast.replaceAllUsesWith(cast.getArg());
          cast.erase();
          continue;
        }
        if (failed(calls.rewrite(nested)))
          return failure();
      }
    }
    for (auto &[kernel, name] : entries)
      createEntry(b, kernel, name);

    // The image the emulator loads: which module's kernels to look for.
    Attribute target =
        kernels.getTargetsAttr() && !kernels.getTargetsAttr().empty()
            ? kernels.getTargetsAttr()[0]
            : NVVM::NVVMTargetAttr::get(context);
    std::string image = std::string(emulated::kImageMagic) + '\0' +
                        kernels.getName().str() + '\0';
    auto object = gpu::ObjectAttr::get(
        context, target, gpu::CompilationTarget::Binary,
        StringAttr::get(context, image), DictionaryAttr(), nullptr);
    OpBuilder at(kernels);
    gpu::BinaryOp::create(at, kernels.getLoc(), kernels.getName(), Attribute(),
                          ArrayRef<Attribute>{object});
    kernels.erase();
    return success();
  }
};

} // namespace
