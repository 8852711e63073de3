return { noise = { kind = "uniform", level = -1 }, stages = {} }
