return { name = "x", genome = { genes = {} }, bogus = 1 }
