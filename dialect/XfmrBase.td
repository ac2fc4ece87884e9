//===- XfmrBase.td - xfmr dialect, enums and attributes ----*- tablegen -*-===//
//
// The xfmr dialect: Transformer building blocks as MLIR operations, from block
// level (attention, feed-forward) down to the primitives the fusions and the
// lowerings work on.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_BASE_TD
#define XFMR_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Xfmr_Dialect : Dialect {
  let name = "xfmr";
  let cppNamespace = "::xfmr";
  let summary = "Transformer models as MLIR operations";
  let useDefaultAttributePrinterParser = 1;
  // xfmr.model, xfmr.entry, xfmr.name, xfmr.pooling, xfmr.normalize: the
  // library ABI stated in the IR (dialect/XfmrABI.h, docs/abi.md).
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Defined next to the attribute storage classes (XfmrAttrs.cpp).
    void registerAttributes();
  }];
  let description = [{
    The `xfmr` dialect describes Transformer models on builtin ranked tensors.
    Model dimensions (width, heads, vocabulary) are static; batch and sequence
    length are dynamic. Weights are not stored in the IR: `xfmr.weight_decl`
    declares a named tensor that the runtime binds to a safetensors entry, and
    `xfmr.weight` reads it.

    Block-level operations (`xfmr.attention`, `xfmr.ffn`) are what the
    importers emit; `xfmr-decompose` rewrites them into primitives
    (`xfmr.linear`, `xfmr.split_heads`, `xfmr.matmul`, `xfmr.softmax`, ...),
    which the conversion to linalg understands.
  }];
}

class Xfmr_Op<string mnemonic, list<Trait> traits = []>
    : Op<Xfmr_Dialect, mnemonic, traits>;

def Xfmr_PositionKind : I32EnumAttr<"PositionEncoding",
    "absolute position terms added to the embeddings", [
      I32EnumAttrCase<"learned", 0>,
      I32EnumAttrCase<"sinusoidal", 1>
    ]> {
  let cppNamespace = "::xfmr";
}

def Xfmr_Activation : I32EnumAttr<"ActivationKind",
    "activation function of a feed-forward block", [
      I32EnumAttrCase<"gelu", 0>,
      I32EnumAttrCase<"gelu_tanh", 1>,
      I32EnumAttrCase<"relu", 2>,
      I32EnumAttrCase<"silu", 3>
    ]> {
  let cppNamespace = "::xfmr";
}

def Xfmr_RotaryLayout : I32EnumAttr<"RotaryLayout",
    "which features of a head a rotary position embedding rotates together", [
      I32EnumAttrCase<"half_split", 0>,
      I32EnumAttrCase<"interleaved", 1>
    ]> {
  let cppNamespace = "::xfmr";
}

def Xfmr_RotaryAttr : AttrDef<Xfmr_Dialect, "Rotary"> {
  let mnemonic = "rotary";
  let summary = "a rotary position embedding (RoPE)";
  let description = [{
    Feature pair `i` of a head of width `d` turns by the angle
    `(position / scaling) · theta^(-2i / d)`. The pairs are `(i, i + d / 2)`
    (`half_split`, as Hugging Face Llama computes it) or `(2i, 2i + 1)`
    (`interleaved`, the layout of RoFormer and Meta's Llama); `scaling` is
    linear position interpolation (1: none).

    ```mlir
    #xfmr.rotary<theta = 1.000000e+04 : f32, scaling = 1.000000e+00 : f32,
                 layout = half_split>
    ```
  }];
  let parameters = (ins "::mlir::FloatAttr":$theta, "::mlir::FloatAttr":$scaling,
                        "::xfmr::RotaryLayout":$layout);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Xfmr_MaskFill : I32EnumAttr<"MaskFillKind",
    "value added to the scores of masked positions", [
      I32EnumAttrCase<"neg_inf", 0>,
      I32EnumAttrCase<"lowest", 1>,
      I32EnumAttrCase<"value", 2>
    ]> {
  let cppNamespace = "::xfmr";
}

def Xfmr_FullyMasked : I32EnumAttr<"FullyMaskedPolicy",
    "what a softmax row whose every key is masked yields", [
      I32EnumAttrCase<"zero", 0>,
      I32EnumAttrCase<"uniform", 1>
    ]> {
  let cppNamespace = "::xfmr";
}

def Xfmr_MaskAttr : AttrDef<Xfmr_Dialect, "Mask"> {
  let mnemonic = "mask";
  let summary = "how masked attention scores are filled and normalised";
  let description = [{
    `fill` is what a masked score becomes: `neg_inf`, `lowest` (the most
    negative finite f32, which BERT's reference implementation adds) or
    `value(v)` (e.g. the -10000 of older checkpoints). `fully_masked` decides
    the probabilities of a row whose every key is masked: `zero` (the default,
    PyTorch's safe softmax: never NaN) or `uniform` (1 / keys).

    ```mlir
    #xfmr.mask<fill = neg_inf, fully_masked = zero>
    #xfmr.mask<fill = value(-1.0e+04), fully_masked = uniform>
    ```
  }];
  let parameters = (ins "::xfmr::MaskFillKind":$fill,
                        "::llvm::APFloat":$fillValue,
                        "::xfmr::FullyMaskedPolicy":$fullyMasked);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The additive value of a masked score: -inf, the lowest f32, or the
    /// given value.
    double getFillAsDouble() const;
    /// The default policy: -inf fill, fully masked rows yield zeros.
    static MaskAttr getDefault(::mlir::MLIRContext *context);
  }];
}

def Xfmr_DropoutMode : I32EnumAttr<"DropoutKind",
    "how a dropout layer was trained", [
      I32EnumAttrCase<"inverted", 0>,
      I32EnumAttrCase<"classic", 1>
    ]> {
  let cppNamespace = "::xfmr";
}

def Xfmr_Pooling : I32EnumAttr<"PoolingKind",
    "how token states become one vector per sequence", [
      I32EnumAttrCase<"cls", 0>,
      I32EnumAttrCase<"mean", 1>
    ]> {
  let cppNamespace = "::xfmr";
}

def Xfmr_EntryRoleEnum : I32EnumAttr<"EntryRole",
    "what an entry point of a compiled model does", [
      I32EnumAttrCase<"encode", 0>,
      I32EnumAttrCase<"embed", 1>,
      I32EnumAttrCase<"prefill", 2>,
      I32EnumAttrCase<"decode_step", 3>,
      I32EnumAttrCase<"encode_source", 4>,
      I32EnumAttrCase<"logits", 5>
    ]> {
  let cppNamespace = "::xfmr";
  let genSpecializedAttr = 0;
}

def Xfmr_EntryRoleAttr : EnumAttr<Xfmr_Dialect, Xfmr_EntryRoleEnum, "entry"> {
  let summary = "the role of an entry point in the library ABI";
  let description = [{
    Marks a public `func.func` as an entry point of the compiled library, and
    says which: `encode` (last hidden state of an encoder), `embed` (pooled
    sentence embeddings), `logits` (a decoder's logits at every position of
    a batch, computed in parallel, without a cache), and, for the cached
    decoding and encoder-decoder models to come, `prefill`, `decode_step`
    and `encode_source`. The manifest lists
    entry points by role (docs/abi.md).

    ```mlir
    func.func @encode(...) attributes {xfmr.entry = #xfmr.entry<encode>}
    ```
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // XFMR_BASE_TD
