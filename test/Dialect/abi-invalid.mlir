// RUN: xfmr-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{'xfmr.model' belongs on a module}}
func.func private @f() attributes {xfmr.model = {name = "m"}}

// -----

// expected-error @+1 {{'xfmr.model' needs a non-empty string 'name'}}
module attributes {xfmr.model = {name = "", config = {}}} {}

// -----

// expected-error @+1 {{'xfmr.model': config needs 'num_heads' as an i64 of at least 1}}
module attributes {xfmr.model = {name = "m", config = {vocab_size = 9 : i64,
    d_model = 4 : i64, num_layers = 0 : i64, max_positions = 8 : i64,
    type_vocab_size = 0 : i64}}} {}

// -----

// A size wider than 64 bits is not truncated.
// expected-error @+1 {{'xfmr.model': config needs 'vocab_size' as an i64 of at least 1}}
module attributes {xfmr.model = {name = "m", config = {vocab_size = 99999999999999999999999 : i128,
    d_model = 4 : i64, num_layers = 0 : i64, num_heads = 1 : i64,
    max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {}

// -----

// expected-error @+1 {{'xfmr.model': config needs 'd_model' as an i64 of at least 1}}
module attributes {xfmr.model = {name = "m", config = {vocab_size = 9 : i64,
    d_model = 0 : i64, num_layers = 0 : i64, num_heads = 1 : i64,
    max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {}

// -----

// expected-error @+1 {{'xfmr.model': unknown config key 'heads'}}
module attributes {xfmr.model = {name = "m", config = {vocab_size = 9 : i64,
    d_model = 4 : i64, num_layers = 0 : i64, num_heads = 1 : i64,
    max_positions = 8 : i64, type_vocab_size = 0 : i64, heads = 1 : i64}}} {}

// -----

// The default truncation of texts fits the positions.
// expected-error @+1 {{'xfmr.model': 'max_length' must be an i64 from 1 to max_positions (8)}}
module attributes {xfmr.model = {name = "m", max_length = 9 : i64,
    config = {vocab_size = 9 : i64, d_model = 4 : i64, num_layers = 0 : i64,
    num_heads = 1 : i64, max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {}

// -----

// expected-error @+1 {{'xfmr.model': 'max_length' must be an i64 from 1 to max_positions (8)}}
module attributes {xfmr.model = {name = "m", max_length = 0 : i64,
    config = {vocab_size = 9 : i64, d_model = 4 : i64, num_layers = 0 : i64,
    num_heads = 1 : i64, max_positions = 8 : i64, type_vocab_size = 0 : i64}}} {}

// -----

// expected-error @+1 {{'xfmr.model': 'weights_file' must be a string}}
module attributes {xfmr.model = {name = "m", weights_file = 3 : i64, config = {}}} {}

// -----

// expected-error @+1 {{'xfmr.entry' must be an #xfmr.entry<...> role}}
func.func private @f() attributes {xfmr.entry = "encode"}

// -----

// expected-error @+2 {{expected ::xfmr::EntryRole to be one of: encode, embed, prefill, decode_step, encode_source}}
// expected-error @+1 {{failed to parse Xfmr_EntryRoleAttr parameter 'value'}}
func.func private @f() attributes {xfmr.entry = #xfmr.entry<generate>}

// -----

// expected-error @+1 {{'xfmr.pooling' belongs on an #xfmr.entry<embed> function}}
func.func private @f() attributes {xfmr.entry = #xfmr.entry<encode>, xfmr.pooling = "mean"}

// -----

// expected-error @+1 {{'xfmr.pooling' must be "cls" or "mean"}}
func.func private @f() attributes {xfmr.entry = #xfmr.entry<embed>, xfmr.pooling = "max"}

// -----

// expected-error @+1 {{unknown xfmr attribute 'xfmr.role'}}
func.func private @f() attributes {xfmr.role = 1 : i64}

// -----

// expected-error @+1 {{'xfmr.name' must be a string of [A-Za-z_][A-Za-z0-9_]*, got "input ids"}}
func.func private @f(tensor<?xi64> {xfmr.name = "input ids"})

// -----

// expected-error @+1 {{'xfmr.name' must be a string of [A-Za-z_][A-Za-z0-9_]*, got "*/"}}
func.func private @f() -> (tensor<?xi64> {xfmr.name = "*/"})

// -----

// expected-error @+1 {{unknown xfmr argument attribute 'xfmr.label'}}
func.func private @f(tensor<?xi64> {xfmr.label = "x"})
