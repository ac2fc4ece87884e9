//===- XfmrAttrs.cpp - xfmr attributes ------------------------------------===//
#include "dialect/XfmrOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace xfmr;

#define GET_ATTRDEF_CLASSES
#include "dialect/XfmrAttrs.cpp.inc"

void XfmrDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/XfmrAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// MaskAttr: #xfmr.mask<fill = neg_inf | lowest | value(v),
//                      fully_masked = zero | uniform>
//===----------------------------------------------------------------------===//

double MaskAttr::getFillAsDouble() const {
  switch (getFill()) {
  case MaskFillKind::neg_inf:
    return -std::numeric_limits<double>::infinity();
  case MaskFillKind::lowest:
    return std::numeric_limits<float>::lowest();
  case MaskFillKind::value:
    return getFillValue().convertToDouble();
  }
  llvm_unreachable("unknown mask fill");
}

MaskAttr MaskAttr::getDefault(MLIRContext *context) {
  return MaskAttr::get(context, MaskFillKind::neg_inf, llvm::APFloat(0.0f),
                       FullyMaskedPolicy::zero);
}

LogicalResult MaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               MaskFillKind fill, llvm::APFloat fillValue,
                               FullyMaskedPolicy fullyMasked) {
  if (fill == MaskFillKind::value && !fillValue.isFinite())
    return emitError() << "a value fill must be finite (use neg_inf)";
  return success();
}

Attribute MaskAttr::parse(AsmParser &parser, Type) {
  StringRef fillName, policyName;
  double value = 0.0;
  if (parser.parseLess() || parser.parseKeyword("fill") ||
      parser.parseEqual() || parser.parseKeyword(&fillName))
    return {};
  std::optional<MaskFillKind> fill = symbolizeMaskFillKind(fillName);
  if (!fill) {
    parser.emitError(parser.getCurrentLocation(),
                     "expected neg_inf, lowest or value(...), got ")
        << fillName;
    return {};
  }
  if (*fill == MaskFillKind::value &&
      (parser.parseLParen() || parser.parseFloat(value) ||
       parser.parseRParen()))
    return {};
  if (parser.parseComma() || parser.parseKeyword("fully_masked") ||
      parser.parseEqual() || parser.parseKeyword(&policyName))
    return {};
  std::optional<FullyMaskedPolicy> policy =
      symbolizeFullyMaskedPolicy(policyName);
  if (!policy) {
    parser.emitError(parser.getCurrentLocation(),
                     "expected zero or uniform, got ")
        << policyName;
    return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<MaskAttr>(parser.getContext(), *fill,
                                     llvm::APFloat(static_cast<float>(value)),
                                     *policy);
}

void MaskAttr::print(AsmPrinter &printer) const {
  printer << "<fill = " << stringifyMaskFillKind(getFill());
  if (getFill() == MaskFillKind::value) {
    printer << "(";
    printer.printFloat(getFillValue());
    printer << ")";
  }
  printer << ", fully_masked = " << stringifyFullyMaskedPolicy(getFullyMasked())
          << ">";
}

//===----------------------------------------------------------------------===//
// RotaryAttr: #xfmr.rotary<theta = T, scaling = S, layout = L>
//===----------------------------------------------------------------------===//

LogicalResult RotaryAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 FloatAttr theta, FloatAttr scaling,
                                 RotaryLayout) {
  for (auto [name, value] : {std::pair<StringRef, FloatAttr>{"theta", theta},
                             {"scaling", scaling}}) {
    if (!value || !value.getType().isF32())
      return emitError() << name << " must be an f32 attribute";
    double v = value.getValueAsDouble();
    if (!(v > 0.0) || !std::isfinite(v))
      return emitError() << name << " must be finite and positive, got " << v;
  }
  return success();
}
