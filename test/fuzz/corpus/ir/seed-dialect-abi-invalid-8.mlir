module attributes {xfmr.model = {name = "m", weights_file = 3 : i64, config = {}}} {}
