return { name = "x", sample = function (rng) return { end }
