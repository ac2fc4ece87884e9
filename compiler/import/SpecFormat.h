//===- SpecFormat.h - The spellings of the xfmr spec format -----*- C++ -*-===//
//
// Private to compiler/import: the JSON spelling of every enumerated field of
// a version 2 spec (docs/spec.md), shared by the reader and the writer so
// that the two cannot drift apart.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_IMPORT_SPECFORMAT_H
#define XFMR_COMPILER_IMPORT_SPECFORMAT_H

#include "compiler/import/ModelSpec.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ErrorHandling.h"

#include <cstddef>

namespace xfmr::detail {

/// A string value a field may take, and what it means.
template <typename T> struct Choice {
  llvm::StringLiteral spelling;
  T value;
};

/// The spelling of `value` among `choices`.
template <typename T, size_t N>
llvm::StringRef spell(const Choice<T> (&choices)[N], T value) {
  for (const Choice<T> &choice : choices)
    if (choice.value == value)
      return choice.spelling;
  llvm_unreachable("a value without a spelling");
}

inline constexpr Choice<NormKind> kNormKinds[] = {
    {"layer_norm", NormKind::LayerNorm}, {"rms_norm", NormKind::RMSNorm}};
inline constexpr Choice<NormPlacement> kPlacements[] = {
    {"post", NormPlacement::Post}, {"pre", NormPlacement::Pre}};
inline constexpr Choice<PositionKind> kPositionKinds[] = {
    {"learned", PositionKind::Learned},
    {"sinusoidal", PositionKind::Sinusoidal},
    {"relative_buckets", PositionKind::RelativeBuckets},
    {"rotary", PositionKind::Rotary},
    {"alibi", PositionKind::ALiBi},
    {"none", PositionKind::None}};
inline constexpr Choice<FeatureLayout> kLayouts[] = {
    {"interleaved", FeatureLayout::Interleaved},
    {"half_split", FeatureLayout::HalfSplit}};
inline constexpr Choice<Activation> kActivations[] = {
    {"gelu", Activation::Gelu},
    {"gelu_tanh", Activation::GeluTanh},
    {"relu", Activation::Relu},
    {"silu", Activation::Silu}};
inline constexpr Choice<DropoutMode> kDropoutModes[] = {
    {"inverted", DropoutMode::Inverted}, {"classic", DropoutMode::Classic}};
/// MaskFill::Value is written as the number itself.
inline constexpr Choice<MaskFill> kMaskFills[] = {{"neg_inf", MaskFill::NegInf},
                                                  {"lowest", MaskFill::Lowest}};
/// LMHeadKind::None is an absent "lm_head".
inline constexpr Choice<LMHeadKind> kLMHeads[] = {
    {"tied", LMHeadKind::Tied}, {"separate", LMHeadKind::Separate}};

/// The entries of a stack's "attention" list.
enum class AttentionEntry { Self, CausalSelf, Cross };
inline constexpr Choice<AttentionEntry> kAttentionEntries[] = {
    {"self", AttentionEntry::Self},
    {"causal_self", AttentionEntry::CausalSelf},
    {"cross", AttentionEntry::Cross}};

} // namespace xfmr::detail

#endif // XFMR_COMPILER_IMPORT_SPECFORMAT_H
