return {
  stages = {
    { channels = 8, signals = { { "sin3d", freqs = { 0.1 } } } },
  },
}
