return { stages = { { channels = 4097, signals = {} } } }
