return { stages = { { channels = 2, signals = { { "sin1d", freqs = frange (0.1, 0.2, 0) } } } } }
