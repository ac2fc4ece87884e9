//===- XfmrOps.td - xfmr operations ------------------------*- tablegen -*-===//
//
// Operations of the xfmr dialect: weights, embeddings and positions, the
// block-level attention and feed-forward ops, and the primitives they
// decompose into.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_OPS_TD
#define XFMR_OPS_TD

include "dialect/XfmrBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Xfmr_F32Tensor : RankedTensorOf<[F32]>;
def Xfmr_I64Tensor : RankedTensorOf<[I64]>;
// Parameters (weights, tables, biases, norm scales) have the model's static
// shape; only activations carry dynamic batch and sequence sizes.
def Xfmr_F32Param : StaticShapeTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def Xfmr_WeightDeclOp : Xfmr_Op<"weight_decl", [Symbol]> {
  let summary = "declares a weight tensor bound at run time";
  let description = [{
    Declares a named, statically shaped f32 tensor whose data is not part of
    the IR: the runtime binds it to the safetensors entry named `key` when a
    compiled model is opened. Keeping weights out of the IR keeps it small and
    compiles fast, and lets one library run many checkpoints of one shape.

    With `panels`, a stored `[out, in]` matrix is declared
    `[out / P, in, P]`: column panels of width `P` (the declared last
    dimension), panel `p` holding `stored[p·P + j, k]` at `[p, k, j]`. That is
    the layout the CPU kernels read; the runtime lays the weight out once,
    when the model is opened (`xfmr-pack-weights` decides it; docs/abi.md).
    The manifest lists the stored shape and the layout.

    A declaration may also be a view of what is stored, taken once at open:
    with `transposed`, the file holds the `[in, out]` transpose of the
    declared `[out, in]` matrix (GPT-2's Conv1D layers); with `rows(b, e of
    n)`, the declaration is rows `[b, e)` of a (transposed) matrix of `n`
    rows, or elements `[b, e)` of a vector of `n` (one projection of a fused
    Q/K/V weight and its bias).

    Example:

    ```mlir
    xfmr.weight_decl @wte key("embeddings.word_embeddings.weight") : tensor<30522x768xf32>
    xfmr.weight_decl @wq key("encoder.layer.0.attention.self.query.weight") panels : tensor<24x768x32xf32>
    xfmr.weight_decl @k key("h.0.attn.c_attn.weight") transposed rows(768, 1536 of 2304) : tensor<768x768xf32>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrAttr:$key,
                       TypeAttrOf<Xfmr_F32Tensor>:$type, UnitAttr:$panels,
                       UnitAttr:$transposed,
                       OptionalAttr<DenseI64ArrayAttr>:$rows);
  let assemblyFormat = [{
    $sym_name `key` `(` $key `)` (`panels` $panels^)?
    (`transposed` $transposed^)? (`rows` `` custom<RowRange>($rows)^)?
    attr-dict `:` $type
  }];
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
    /// The shape of the tensor in the weights file.
    ::llvm::SmallVector<int64_t> getStoredShape();
    /// The declared rows [begin, end) of the stored (transposed) tensor;
    /// [0, all) without `rows`.
    std::pair<int64_t, int64_t> getRowRange();
  }];
  let hasVerifier = 1;
}

def Xfmr_WeightOp : Xfmr_Op<"weight",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "reads a declared weight";
  let description = [{
    Yields the tensor declared by the `xfmr.weight_decl` named `name`; the
    result type must equal the declared type.

    Example:

    ```mlir
    %w = xfmr.weight @wte : tensor<30522x768xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Embeddings, positions, masks
//===----------------------------------------------------------------------===//

def Xfmr_EmbeddingOp : Xfmr_Op<"embedding", [Pure]> {
  let summary = "looks up rows of an embedding table";
  let description = [{
    `result[i..., d] = table[ids[i...], d] * scale`. `scale` is optional
    (absent means 1); Vaswani et al. scale token embeddings by sqrt(d_model),
    BERT does not. Ids must lie in `[0, rows)`: the runtime checks them before
    the compiled code runs.

    Example:

    ```mlir
    %e = xfmr.embedding %ids, %table {scale = 8.0 : f32}
        : tensor<?x?xi64>, tensor<100x64xf32> -> tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Xfmr_I64Tensor:$ids, Xfmr_F32Param:$table,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $ids `,` $table attr-dict `:` type($ids) `,` type($table) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Xfmr_AddPositionsOp : Xfmr_Op<"add_positions",
    [Pure, AllTypesMatch<["input", "result"]>, AttrSizedOperandSegments]> {
  let summary = "adds absolute position terms to [batch, seq, d] activations";
  let description = [{
    `result[b, s, d] = input[b, s, d] + P[p(b, s), d]`, where `P` is either
    the learned table operand (`learned`, shape `[max_positions, d]`) or the
    sinusoidal encoding of Vaswani et al. (`sinusoidal`, no operand):
    `P[p, 2i] = sin(p / 10000^(2i/d))`, `P[p, 2i+1] = cos(p / 10000^(2i/d))`,
    computed by the compiled code. The position `p(b, s)` is `s`, or with
    `at`, `positions[b, s]` (a decoder's `xfmr.token_positions`).

    Example:

    ```mlir
    %y = xfmr.add_positions learned %x, %table
        : tensor<?x?x64xf32>, tensor<512x64xf32>
    %z = xfmr.add_positions sinusoidal %x : tensor<?x?x64xf32>
    %w = xfmr.add_positions learned %x, %table at(%pos : tensor<?x?xi64>)
        : tensor<?x?x64xf32>, tensor<512x64xf32>
    ```
  }];
  let arguments = (ins Xfmr_PositionKind:$kind, Xfmr_F32Tensor:$input,
                       Optional<Xfmr_F32Param>:$table,
                       Optional<Xfmr_I64Tensor>:$positions);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $kind $input (`,` $table^)? (`at` `(` $positions^ `:` type($positions) `)`)?
    attr-dict `:` type($input) (`,` type($table)^)?
  }];
  let hasVerifier = 1;
}

def Xfmr_TokenPositionsOp : Xfmr_Op<"token_positions",
    [Pure, AllTypesMatch<["mask", "result"]>]> {
  let summary = "each token's position: the real tokens before it in its row";
  let description = [{
    `result[b, s] = Σ_{t < s} mask[b, t]` for a 0/1 `mask : [batch, seq]`:
    a left-padded row's first real token is at position 0, as Hugging
    Face's `generate` computes position ids from the attention mask. (A
    padded token gets the count before it; nothing reads its result.)

    Example:

    ```mlir
    %p = xfmr.token_positions %mask : tensor<?x?xi64>
    ```
  }];
  let arguments = (ins Xfmr_I64Tensor:$mask);
  let results = (outs Xfmr_I64Tensor:$result);
  let assemblyFormat = "$mask attr-dict `:` type($mask)";
  let hasVerifier = 1;
}

def Xfmr_AlibiBiasOp : Xfmr_Op<"alibi_bias",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ALiBi's per-head linear bias of how far each key lies behind";
  let description = [{
    For a 0/1 `mask : [batch, keys]` and `num_heads` heads, yields the
    additive score bias `[batch, num_heads, 1, keys]` of ALiBi (Press et
    al., "Train Short, Test Long"): `result[b, h, 0, j] = -m_h · a[b, j]`,
    `a[b, j]` the number of real tokens after key `j` in row `b`, and `m_h`
    the geometric slope of head `h`: `2^(-8(h + 1) / n)` for `n` heads a
    power of two; otherwise the `p` slopes of the power of two `p` below `n`,
    then every other slope of `2p`. For a query at its row's last real token
    that is `-m_h · (query position − key position)`, positions counting the
    real tokens before them; for an earlier query it differs by a constant
    of the query's row, which the softmax cancels. So one bias, broadcast
    over the queries, serves a whole sequence, decoding with a cache
    included, and its values stay small near the newest tokens.

    Example:

    ```mlir
    %bias = xfmr.alibi_bias %mask {num_heads = 6 : i64}
        : tensor<?x?xi64> -> tensor<?x6x1x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_I64Tensor:$mask, I64Attr:$num_heads);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$mask attr-dict `:` type($mask) `->` type($result)";
  let extraClassDeclaration = [{
    /// The slope m_h of each of `heads` heads.
    static ::llvm::SmallVector<double> slopes(int64_t heads);
  }];
  let hasVerifier = 1;
}

def Xfmr_PaddingMaskOp : Xfmr_Op<"padding_mask",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "builds an additive attention mask from a 0/1 padding mask";
  let description = [{
    Turns `padding : [batch, seq]` (1 = token, 0 = padding) into the additive
    mask `[batch, 1, 1, seq]` that broadcasts over heads and queries: 0 where
    the key is a token, the fill of `mask` where it is padding (`neg_inf`;
    `lowest`, the most negative finite f32, which is what BERT's reference
    implementation adds; or `value(v)`). `mask`'s `fully_masked` is what a
    fully padded row yields once `xfmr-fuse-masked-softmax` folds this op
    into the softmax; the fusion fires only where that is what the unfused
    `softmax(x + mask)` computes (`neg_inf` with `zero`, `lowest` with
    `uniform`).

    Example:

    ```mlir
    %m = xfmr.padding_mask %mask mask(<fill = neg_inf, fully_masked = zero>)
        : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
    %n = xfmr.padding_mask %mask
        mask(<fill = value(-1.0e+04), fully_masked = uniform>)
        : tensor<?x?xi64> -> tensor<?x1x1x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_I64Tensor:$padding, Xfmr_MaskAttr:$mask);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $padding `mask` `(` $mask `)` attr-dict `:` type($padding) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Xfmr_CausalMaskOp : Xfmr_Op<"causal_mask", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "the additive causal mask of a [.., queries, keys] score tensor";
  let description = [{
    For scores `[b, h, q, k]` (only the sizes of `like` are used), yields the
    additive `[1, 1, q, k]` mask that is `-inf` where key `j` lies in the
    future of query `i` (`j > i + k - q`, so the last query sees every key, as
    in decoding with a cache) and 0 elsewhere. `xfmr-fuse-masked-softmax`
    replaces it with the `causal` attribute of `xfmr.masked_softmax`, so the
    fused kernel never materialises it.

    Example:

    ```mlir
    %c = xfmr.causal_mask %scores : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$like);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$like attr-dict `:` type($like) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Block-level operations
//===----------------------------------------------------------------------===//

def Xfmr_AttentionOp : Xfmr_Op<"attention",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "multi-head self-attention with separate Q, K, V projections";
  let description = [{
    For `input : [batch, seq, d]`, `num_heads` query heads of `head_dim` and
    `num_kv_heads` key/value heads (absent: `num_heads`; fewer is
    grouped-query attention, each K/V head serving `num_heads /
    num_kv_heads` consecutive query heads): `Q = input·Wqᵀ + bq` (likewise
    K, V), split into heads, with `rotary` each head of Q and K rotated at
    the tokens' `positions` (`xfmr.rotary`), `P = softmax(scale · Q·Kᵀ +
    mask)` over keys, `ctx = P·V`, heads merged, `result = ctx·Woᵀ + bo`.
    Weights are `[d_out, d_in]`: `Wq` `[num_heads · head_dim, d]`, `Wk` and
    `Wv` `[num_kv_heads · head_dim, d]`, `Wo` `[d, num_heads · head_dim]`.
    Biases are optional: those of Q, K and V together, that of the output on
    its own. `mask` is additive and broadcasts to `[batch, heads, seq,
    seq]`; a row whose every key is `-inf` yields zeros. `scale` is usually
    `1/sqrt(head_dim)`. With `causal`, a query attends only to keys at or
    before its position (decoder self-attention). `dropout_rate` and
    `dropout_mode` describe the training-time dropout on `P`. An optional
    `score_bias` is added to the scaled scores before the masks, broadcasting
    like `mask` (`[batch, heads, queries or 1, keys]`): a position bias such
    as ALiBi's (`xfmr.alibi_bias`), computed once for every layer.

    With `cache(%kv)` (`[2, batch, num_kv_heads, capacity, head_dim]`: the
    keys, then the values, of this layer's earlier tokens; sequential
    decoding), the `seq` tokens of `input` are the last of `kv_len` keys,
    `kv_len` being the key count of `mask` (required): their K and V, after
    the rotation, are written to slots `[kv_len - seq, kv_len)` of the cache,
    the queries attend to its slots `[0, kv_len)`, masked by `mask` and, with
    `causal`, each to the slots up to its own, and the second result
    `updated_cache` is the cache with those slots written. Nothing else of
    the cache is read or written, so a cache updated in place costs the
    new tokens' slots per call, never a copy of the cache.

    Example:

    ```mlir
    %a = xfmr.attention %x mask(%m) q(%wq, %bq) k(%wk, %bk) v(%wv, %bv)
        o(%wo, %bo) {num_heads = 4 : i64, scale = 0.353553385 : f32}
        : (tensor<?x?x32xf32>, tensor<?x1x1x?xf32>,
           tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>,
           tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>)
        -> tensor<?x?x32xf32>

    %y, %kv1 = xfmr.attention %x mask(%m) positions(%p) cache(%kv0)
        q(%wq) k(%wk) v(%wv) o(%wo) {causal, num_heads = 4 : i64,
        num_kv_heads = 2 : i64, scale = 0.353553385 : f32,
        rotary = #xfmr.rotary<theta = 1.0e+04, scaling = 1.0,
                              layout = half_split>}
        : (tensor<?x1x32xf32>, tensor<?x1x1x?xf32>, tensor<?x1xi64>,
           tensor<2x?x2x?x8xf32>, tensor<32x32xf32>, tensor<16x32xf32>,
           tensor<16x32xf32>, tensor<32x32xf32>)
        -> (tensor<?x1x32xf32>, tensor<2x?x2x?x8xf32>)
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Optional<Xfmr_F32Tensor>:$mask,
                       Optional<Xfmr_F32Tensor>:$score_bias,
                       Optional<Xfmr_I64Tensor>:$positions,
                       Optional<Xfmr_F32Tensor>:$cache,
                       Xfmr_F32Param:$wq, Optional<Xfmr_F32Param>:$bq,
                       Xfmr_F32Param:$wk, Optional<Xfmr_F32Param>:$bk,
                       Xfmr_F32Param:$wv, Optional<Xfmr_F32Param>:$bv,
                       Xfmr_F32Param:$wo, Optional<Xfmr_F32Param>:$bo,
                       I64Attr:$num_heads, OptionalAttr<I64Attr>:$num_kv_heads,
                       F32Attr:$scale,
                       DefaultValuedAttr<F32Attr, "0.0f">:$dropout_rate,
                       DefaultValuedAttr<Xfmr_DropoutMode,
                           "::xfmr::DropoutKind::inverted">:$dropout_mode,
                       UnitAttr:$causal, OptionalAttr<Xfmr_RotaryAttr>:$rotary);
  let results = (outs Xfmr_F32Tensor:$result,
                      Optional<Xfmr_F32Tensor>:$updated_cache);
  let extraClassDeclaration = [{
    /// `num_kv_heads`, or `num_heads` when absent.
    int64_t getKeyValueHeads();
  }];
  let assemblyFormat = [{
    $input (`mask` `(` $mask^ `)`)? (`score_bias` `(` $score_bias^ `)`)?
    (`positions` `(` $positions^ `)`)?
    (`cache` `(` $cache^ `)`)?
    `q` `(` $wq (`,` $bq^)? `)` `k` `(` $wk (`,` $bk^)? `)`
    `v` `(` $wv (`,` $bv^)? `)` `o` `(` $wo (`,` $bo^)? `)`
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Xfmr_FFNOp : Xfmr_Op<"ffn", [Pure, AttrSizedOperandSegments]> {
  let summary = "position-wise feed-forward block";
  let description = [{
    `result = act(input·W1ᵀ + b1)·W2ᵀ + b2` with `W1 : [ffn, d]`,
    `W2 : [d, ffn]` and optional biases; with a `gate` `Wg : [ffn, d]`,
    `result = (act(input·Wgᵀ + bg) ⊙ (input·W1ᵀ + b1))·W2ᵀ + b2` (SwiGLU
    with `silu`, GeGLU with `gelu`).

    Example:

    ```mlir
    %f = xfmr.ffn gelu %x up(%w1, %b1 : tensor<64xf32>)
        down(%w2, %b2 : tensor<32xf32>)
        : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<32x64xf32> -> tensor<?x?x32xf32>
    ```
  }];
  let arguments = (ins Xfmr_Activation:$activation, Xfmr_F32Tensor:$input,
                       Optional<Xfmr_F32Param>:$wg, Optional<Xfmr_F32Param>:$bg,
                       Xfmr_F32Param:$w1, Optional<Xfmr_F32Param>:$b1,
                       Xfmr_F32Param:$w2, Optional<Xfmr_F32Param>:$b2);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $activation $input
    (`gate` `(` $wg^ `:` type($wg) (`,` $bg^ `:` type($bg))? `)`)?
    `up` `(` $w1 (`,` $b1^ `:` type($b1))? `)`
    `down` `(` $w2 (`,` $b2^ `:` type($b2))? `)`
    attr-dict `:` type($input) `,` type($w1) `,` type($w2) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Primitives
//===----------------------------------------------------------------------===//

def Xfmr_LinearOp : Xfmr_Op<"linear", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "affine map of the last dimension: input·Wᵀ + b";
  let description = [{
    `result[i..., n] = scale * (sum_k input[i..., k] * weight[n, k] + bias[n])`,
    with `weight : [out_features, in_features]` as PyTorch stores it, or, of
    rank 3, `[out_features / P, in_features, P]`: the column panels the CPU
    kernels read, `weight[n / P, k, n mod P]` (see `xfmr-pack-weights`); an optional
    `bias : [out_features]` and an optional output `scale` (absent means 1;
    `xfmr-strip-dropout` folds a classic dropout into it).

    Example:

    ```mlir
    %y = xfmr.linear %x, %w, %b
        : tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32> -> tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Xfmr_F32Param:$weight,
                       Optional<Xfmr_F32Param>:$bias,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)? `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Xfmr_SplitHeadsOp : Xfmr_Op<"split_heads", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "[batch, seq, heads·dh] → [batch, heads, seq, dh]";
  let description = [{
    Example:

    ```mlir
    %h = xfmr.split_heads %q heads(4) : tensor<?x?x32xf32> -> tensor<?x4x?x8xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, I64Attr:$num_heads);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `heads` `(` $num_heads `)` attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Xfmr_MergeHeadsOp : Xfmr_Op<"merge_heads", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "[batch, heads, seq, dh] → [batch, seq, heads·dh]";
  let description = [{
    The inverse of `xfmr.split_heads`.

    Example:

    ```mlir
    %m = xfmr.merge_heads %ctx : tensor<?x4x?x8xf32> -> tensor<?x?x32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Xfmr_MatmulOp : Xfmr_Op<"matmul", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "batched matrix product over the last two dimensions";
  let description = [{
    `result[b..., m, n] = scale * sum_k lhs[b..., m, k] * rhs[b..., k, n]`,
    or with `transpose_rhs`, `rhs[b..., n, k]` (attention scores Q·Kᵀ); the
    optional `scale` is 1 when absent. Both operands
    have the same rank (≥ 2) and the same batch dimensions, except that
    at rank 4 the rhs may have fewer heads (dimension 1, static, dividing
    the lhs's): lhs head `h` then reads rhs head `h / (lhs heads / rhs
    heads)` (grouped-query attention; K and V are never copied per head).

    Example:

    ```mlir
    %s = xfmr.matmul %q, %k transpose_rhs
        : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> -> tensor<?x4x?x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$lhs, Xfmr_F32Tensor:$rhs,
                       UnitAttr:$transpose_rhs, OptionalAttr<F32Attr>:$scale);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Xfmr_ScaleOp : Xfmr_Op<"scale", [Pure, SameOperandsAndResultType]> {
  let summary = "multiplies every element by a constant";
  let description = [{
    Example:

    ```mlir
    %y = xfmr.scale %x by 0.125 : tensor<?x4x?x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, F32Attr:$factor);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$input `by` $factor attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Xfmr_AddOp : Xfmr_Op<"add", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "elementwise sum with broadcasting of size-1 dimensions";
  let description = [{
    Operands have the result's rank; a static size-1 dimension of an operand
    broadcasts along the result (an additive mask `[b, 1, 1, s]` over scores
    `[b, h, s, s]`, a residual, a bias). Other dimensions must agree.

    Example:

    ```mlir
    %y = xfmr.add %s, %m : tensor<?x4x?x?xf32>, tensor<?x1x1x?xf32> -> tensor<?x4x?x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$lhs, Xfmr_F32Tensor:$rhs);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Xfmr_SoftmaxOp : Xfmr_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "numerically safe softmax along one dimension";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (default: the last
    dimension; negative values count from the end). A row whose every element
    is `-inf` (every key masked) yields zeros, never NaN, as PyTorch's safe
    softmax does.

    Example:

    ```mlir
    %p = xfmr.softmax %s : tensor<?x4x?x?xf32>
    %q = xfmr.softmax %s axis(2) : tensor<?x4x?x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input (`axis` `(` $axis^ `)`)? attr-dict `:` type($input)
  }];
  let extraClassDeclaration = [{
    /// `axis` as a non-negative dimension index.
    int64_t getNormalizedAxis();
  }];
  let hasVerifier = 1;
}

def Xfmr_LayerNormOp : Xfmr_Op<"layer_norm",
    [Pure, AllTypesMatch<["input", "result"]>,
     AllTypesMatch<["gamma", "beta"]>]> {
  let summary = "layer normalisation along one dimension";
  let description = [{
    `(x - mean) / sqrt(var + eps) * gamma + beta` with mean and (biased)
    variance along `axis` (default: the last dimension, as in every
    Transformer; negative values count from the end), accumulated in f32;
    `gamma` and `beta` have that dimension's static size.

    Example:

    ```mlir
    %y = xfmr.layer_norm %x, %g, %b eps(1.0e-12)
        : tensor<?x?x32xf32>, tensor<32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Xfmr_F32Param:$gamma,
                       Xfmr_F32Param:$beta, F32Attr:$eps,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `eps` `(` $eps `)` (`axis` `(` $axis^ `)`)?
    attr-dict `:` type($input) `,` type($gamma)
  }];
  let extraClassDeclaration = [{
    /// `axis` as a non-negative dimension index.
    int64_t getNormalizedAxis();
  }];
  let hasVerifier = 1;
}

def Xfmr_RmsNormOp : Xfmr_Op<"rms_norm",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "root-mean-square normalisation of the last dimension";
  let description = [{
    `x / sqrt(mean(x²) + eps) · gamma` along the last dimension (static),
    accumulated in f32 (Zhang and Sennrich; Llama, T5).

    Example:

    ```mlir
    %y = xfmr.rms_norm %x, %g eps(1.0e-06) : tensor<?x?x32xf32>, tensor<32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Xfmr_F32Param:$gamma,
                       F32Attr:$eps);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `eps` `(` $eps `)` attr-dict `:` type($input) `,`
    type($gamma)
  }];
  let hasVerifier = 1;
}

def Xfmr_GeluOp : Xfmr_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `0.5·x·(1 + erf(x/√2))`, or with `tanh` the approximation
    `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` (GPT-2's `gelu_new`).

    Example:

    ```mlir
    %y = xfmr.gelu %x : tensor<?x?x64xf32>
    %z = xfmr.gelu %x tanh : tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, UnitAttr:$tanh);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$input (`tanh` $tanh^)? attr-dict `:` type($input)";
}

def Xfmr_SiluOp : Xfmr_Op<"silu", [Pure, SameOperandsAndResultType]> {
  let summary = "x · sigmoid(x) (SiLU, swish)";
  let description = [{
    Example:

    ```mlir
    %y = xfmr.silu %x : tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Xfmr_MulOp : Xfmr_Op<"mul", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise product";
  let description = [{
    Example (the gate of a SwiGLU feed-forward block):

    ```mlir
    %y = xfmr.mul %a, %b : tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$lhs, Xfmr_F32Tensor:$rhs);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Xfmr_RotaryOp : Xfmr_Op<"rotary", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "rotary position embedding of [batch, heads, seq, head_dim]";
  let description = [{
    Rotates each pair of features of each head by its angle at the token's
    position (`#xfmr.rotary`): for the pair `(a, b)` of index `i` and
    `φ = (positions[b, s] / scaling) · theta^(-2i / head_dim)`,
    `a' = a·cos φ − b·sin φ`, `b' = b·cos φ + a·sin φ`. `head_dim` is even
    and static.

    Example:

    ```mlir
    %r = xfmr.rotary %q at(%pos) {rotary = #xfmr.rotary<theta = 1.000000e+04
        : f32, scaling = 1.000000e+00 : f32, layout = half_split>}
        : tensor<?x4x?x8xf32>, tensor<?x?xi64>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Xfmr_I64Tensor:$positions,
                       Xfmr_RotaryAttr:$rotary);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `at` `(` $positions `)` attr-dict `:` type($input) `,`
    type($positions)
  }];
  let hasVerifier = 1;
}

def Xfmr_ReluOp : Xfmr_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "max(x, 0)";
  let description = [{
    Example:

    ```mlir
    %y = xfmr.relu %x : tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Xfmr_PoolOp : Xfmr_Op<"pool", [Pure]> {
  let summary = "one vector per sequence from its token states";
  let description = [{
    For `hidden : [batch, seq, d]` and the 0/1 `mask : [batch, seq]`: `cls`
    takes the first token's state; `mean` averages the states of the tokens
    (mask 1), as sentence-transformers does: `sum(h * m) / max(sum(m), 1e-9)`.

    Example:

    ```mlir
    %e = xfmr.pool mean %h, %mask
        : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Xfmr_Pooling:$kind, Xfmr_F32Tensor:$hidden,
                       Xfmr_I64Tensor:$mask);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $kind $hidden `,` $mask attr-dict `:` type($hidden) `,` type($mask) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Xfmr_L2NormalizeOp : Xfmr_Op<"l2_normalize",
    [Pure, SameOperandsAndResultType]> {
  let summary = "scales each row of the last dimension to unit L2 norm";
  let description = [{
    `x / max(||x||, eps)` along the last dimension (PyTorch's
    `F.normalize`), so a zero vector stays zero.

    Example:

    ```mlir
    %n = xfmr.l2_normalize %e eps(1.0e-12) : tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, F32Attr:$eps);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = "$input `eps` `(` $eps `)` attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Padding
//===----------------------------------------------------------------------===//

def Xfmr_RemovePaddingOp : Xfmr_Op<"remove_padding",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "gathers the rows of the real tokens: [b, s, ...] → [tokens, ...]";
  let description = [{
    For `input : [batch, seq, ...]` and the 0/1 padding mask
    `mask : [batch, seq]` (1 = token, 0 = padding), yields the rows
    `input[b, s]` whose mask is 1, in row-major order (batch, then
    sequence), as `[tokens, ...]`; `tokens`, the number of ones in the mask,
    is known only at run time. Token-wise work (linear layers, the FFN,
    norms, residual adds) then runs on the real tokens only, as ONNX
    Runtime's `RemovePadding` and padding-free BERT kernels do;
    `xfmr-skip-padding` places it. `xfmr.restore_padding` is the inverse on
    the tokens, so `remove_padding(restore_padding(x, m), m)` folds to `x`.

    Example:

    ```mlir
    %t = xfmr.remove_padding %x, %mask
        : tensor<?x?x32xf32>, tensor<?x?xi64> -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Xfmr_I64Tensor:$mask);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $mask attr-dict `:` type($input) `,` type($mask) `->`
    type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Xfmr_RestorePaddingOp : Xfmr_Op<"restore_padding",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "scatters token rows back: [tokens, ...] → [b, s, ...], zeros at padding";
  let description = [{
    The inverse of `xfmr.remove_padding`: for `input : [tokens, ...]` (the
    real tokens in row-major order) and the 0/1 `mask : [batch, seq]`,
    yields `[batch, seq, ...]` holding the `t`-th row of `input` at the
    position of the `t`-th one of the mask, and zeros at every padded
    position. `input` must have as many rows as the mask has ones. Ops that
    mix tokens (attention over keys, pooling) take their operands in this
    form; a padded row's zeros are never read by a masked key.

    Example:

    ```mlir
    %x = xfmr.restore_padding %t, %mask
        : tensor<?x32xf32>, tensor<?x?xi64> -> tensor<?x?x32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Xfmr_I64Tensor:$mask);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $mask attr-dict `:` type($input) `,` type($mask) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused operations
//===----------------------------------------------------------------------===//

def Xfmr_MaskedSoftmaxOp : Xfmr_Op<"masked_softmax",
    [Pure, AttrSizedOperandSegments, AllTypesMatch<["scores", "result"]>]> {
  let summary = "softmax(scale · scores + bias + mask) over keys, in one kernel";
  let description = [{
    For attention scores `[b, h, q, k]`: `x = scale * scores + bias`, where
    the optional additive `bias` broadcasts over size-1 dimensions; a key is
    masked when `key_padding[b, j] == 0` (the 0/1 padding mask `[b, k]`) or,
    with `causal`, when `j > i + k - q`; a masked score becomes `x + fill` as
    `mask` says, and the row's softmax is taken. A row whose every key is
    masked yields what `mask`'s `fully_masked` says (zeros by default, never
    NaN). Neither mask is materialised: the kernel generates both from the
    indices.

    `xfmr-fuse-masked-softmax` forms this op from `xfmr.matmul`,
    `xfmr.scale`, `xfmr.add` of a `xfmr.padding_mask` / `xfmr.causal_mask`
    and `xfmr.softmax`.

    Example:

    ```mlir
    %p = xfmr.masked_softmax %s key_padding(%mask : tensor<?x?xi64>)
        scale(0.125) causal mask(<fill = neg_inf, fully_masked = zero>)
        : tensor<?x4x?x?xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$scores,
                       Optional<Xfmr_I64Tensor>:$key_padding,
                       Optional<Xfmr_F32Tensor>:$bias,
                       F32Attr:$scale, Xfmr_MaskAttr:$mask, UnitAttr:$causal);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $scores (`key_padding` `(` $key_padding^ `:` type($key_padding) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)? `scale` `(` $scale `)`
    (`causal` $causal^)? `mask` `(` $mask `)` attr-dict `:` type($scores)
  }];
  let hasVerifier = 1;
}

def Xfmr_FusedAttentionOp : Xfmr_Op<"fused_attention",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "softmax(scale · Q·Kᵀ + bias + mask)·V without the score matrix";
  let description = [{
    For `q : [b, h, q, d]`, `k : [b, hk, k, d]` and `v : [b, hk, k, dv]`
    (`hk` = `h`, or fewer K/V heads dividing `h`: query head `i` reads K/V
    head `i / (h / hk)`, as in `xfmr.matmul`):
    `x = scale * (q·kᵀ) + bias` (the optional additive `bias` broadcasts over
    size-1 dimensions), keys masked as by `xfmr.masked_softmax` (by the 0/1
    `key_padding : [b, k]`, and with `causal` where `j > i + k - q`), softmax
    over the keys, and the result `[b, h, q, dv]` is the probabilities times
    `v`: what `xfmr.masked_softmax` followed by `xfmr.matmul` computes, with
    one difference that is the point of the op. A masked key contributes
    exactly nothing: its `k` and `v` rows are never read into a result, so a
    NaN or infinity at a padded position cannot leak (as `0 × NaN` does in
    the unfused product). That is also what the unfused softmax computes
    wherever `exp(masked score + fill − row maximum)` underflows to 0: always
    under the `neg_inf` fill, and under `lowest` or `value(-1e4)` unless a
    masked score exceeds every unmasked one by about `|fill| − 104`.

    A row whose every key is masked yields what `mask`'s `fully_masked`
    says: zeros, or (`uniform`) the mean of `v` over all keys, as the
    uniform probabilities `1 / k` times `v` give; that row alone reads the
    padded values, because that is what the policy means.

    The lowering never materialises the `[q, k]` scores: per query tile it
    runs over tiles of keys with an online softmax (running maximum and sum,
    the accumulator rescaled as the maximum grows), and skips the key tiles
    after a sequence's last real key and, with `causal`, after the query
    tile's diagonal. Results differ from the unfused ops only by rounding.
    `xfmr-fuse-attention` forms this op from `xfmr.matmul` (`transpose_rhs`),
    `xfmr.masked_softmax` (or `xfmr.softmax`) and `xfmr.matmul`.

    Example:

    ```mlir
    %ctx = xfmr.fused_attention %q, %k, %v key_padding(%mask : tensor<?x?xi64>)
        scale(0.125) mask(<fill = neg_inf, fully_masked = zero>)
        : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>
        -> tensor<?x4x?x8xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$q, Xfmr_F32Tensor:$k, Xfmr_F32Tensor:$v,
                       Optional<Xfmr_I64Tensor>:$key_padding,
                       Optional<Xfmr_F32Tensor>:$bias,
                       F32Attr:$scale, Xfmr_MaskAttr:$mask, UnitAttr:$causal);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $q `,` $k `,` $v
    (`key_padding` `(` $key_padding^ `:` type($key_padding) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)? `scale` `(` $scale `)`
    (`causal` $causal^)? `mask` `(` $mask `)` attr-dict `:` type($q) `,`
    type($k) `,` type($v) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Xfmr_ResidualLayerNormOp : Xfmr_Op<"residual_layer_norm",
    [Pure, AllTypesMatch<["input", "residual", "result", "sum"]>,
     AllTypesMatch<["gamma", "beta"]>]> {
  let summary = "layer_norm(input + residual [+ bias]), and the sum itself";
  let description = [{
    `sum = input + residual + bias` (bias `[d]`, optional, broadcast over rows:
    the bias of the linear that produced `input`, folded in as ONNX Runtime's
    SkipLayerNormalization does) and `result = layer_norm(sum)` over the last
    dimension with `gamma`, `beta` and `eps`, statistics in f32. Post-LN
    models (BERT) use `result`; pre-LN models (GPT-2) also carry `sum` on as
    the next residual.

    Example:

    ```mlir
    %y, %s = xfmr.residual_layer_norm %x, %r bias(%b : tensor<32xf32>), %g, %beta
        eps(1.0e-12) : tensor<?x?x32xf32>, tensor<32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, Xfmr_F32Tensor:$residual,
                       Optional<Xfmr_F32Param>:$bias, Xfmr_F32Param:$gamma,
                       Xfmr_F32Param:$beta, F32Attr:$eps);
  let results = (outs Xfmr_F32Tensor:$result, Xfmr_F32Tensor:$sum);
  let assemblyFormat = [{
    $input `,` $residual (`bias` `(` $bias^ `:` type($bias) `)`)? `,` $gamma
    `,` $beta `eps` `(` $eps `)` attr-dict `:` type($input) `,` type($gamma)
  }];
  let hasVerifier = 1;
}

def Xfmr_DropoutOp : Xfmr_Op<"dropout", [Pure, SameOperandsAndResultType]> {
  let summary = "training-time dropout, kept to record its inference meaning";
  let description = [{
    Dropout with rate `rate` in `[0, 1)`. At inference an `inverted` dropout
    (scaled by 1/(1-p) while training, as PyTorch does) is the identity, and a
    `classic` one (not rescaled while training) is a scale by `1 - p`;
    `xfmr-strip-dropout` rewrites it accordingly.

    Example:

    ```mlir
    %y = xfmr.dropout %x rate(0.1) inverted : tensor<?x?x32xf32>
    ```
  }];
  let arguments = (ins Xfmr_F32Tensor:$input, F32Attr:$rate, Xfmr_DropoutMode:$mode);
  let results = (outs Xfmr_F32Tensor:$result);
  let assemblyFormat = [{
    $input `rate` `(` $rate `)` $mode attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // XFMR_OPS_TD
