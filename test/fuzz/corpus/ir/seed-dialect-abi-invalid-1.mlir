module attributes {xfmr.model = {name = "", config = {}}} {}
