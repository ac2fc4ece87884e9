module attributes {xfmr.model = {name = "m", config = {vocab_size = 9 : i64,
    d_model = 4 : i64, num_layers = 0 : i64, max_positions = 8 : i64,
    type_vocab_size = 0 : i64}}} {}
