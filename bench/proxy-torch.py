#!/usr/bin/python3
"""proxy-torch.py - the work of one GenNAS regression evaluation, done by
PyTorch on a network gennas exported, for timing side by side (bench only).

    proxy-torch.py MODEL.py [--steps 100] [--batch 8] [--channels 80,32,80]
                   [--noise 0.2] [--autocast bf16] [--threads 1] [--repeat 1]

MODEL.py is `gennas export-arch ... --format pytorch` of the proxy network
(the same space options as the scoring).  What is timed is what
plugins/regression does per architecture: build the network, put a head on
each of the taps stage0..stage2 (nearest resize to 8x8, batch norm, 1x1
convolution with bias, to the recipe's channels), then STEPS steps of SGD
(lr 0.1, momentum 0.9, weight decay 4e-5) on the weighted MSE (0.25, 0.5,
1) to fixed targets from a batch with fresh Gaussian noise of sd --noise
each step (0 for none, as the combo recipe), then one evaluation-mode
forward pass.  The targets are random here (making gennas's signal bases
is not the work being compared).  With --autocast bf16, the forward
passes run under torch.autocast("cpu", torch.bfloat16): PyTorch's mixed
precision on CPU (bf16 convolutions and matrix products through oneDNN,
fp32 weights and optimiser).  Prints one line: seconds=S per evaluation
(the best of --repeat).
"""
import argparse
import contextlib
import importlib.util
import time

import torch
from torch import nn
import torch.nn.functional as F


def load_model(path):
    spec = importlib.util.spec_from_file_location("exported_model", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Heads(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.bns = nn.ModuleList(nn.BatchNorm2d(c) for c in in_channels)
        self.convs = nn.ModuleList(
            nn.Conv2d(i, o, 1) for i, o in zip(in_channels, out_channels))

    def forward(self, taps):
        out = []
        for s, (bn, conv) in enumerate(zip(self.bns, self.convs)):
            x = F.interpolate(taps["stage%d" % s], size=(8, 8), mode="nearest")
            out.append(conv(bn(x)))
        return out


def precision(autocast):
    if autocast == "none":
        return contextlib.nullcontext()
    return torch.autocast("cpu", dtype=torch.bfloat16)


def one_evaluation(mod, steps, batch, channels, noise=0.2, autocast="none"):
    torch.manual_seed(1)
    net = mod.Network()
    shape = (batch,) + tuple(mod.INPUT_SHAPE)
    x = torch.randn(shape)
    with torch.no_grad():
        taps = net(x, taps=True)
    heads = Heads([taps["stage%d" % s].shape[1] for s in range(3)], channels)
    targets = [torch.randn(batch, c, 8, 8) for c in channels]
    weights = (0.25, 0.5, 1.0)
    decayed = [p for n, p in list(net.named_parameters()) +
               list(heads.named_parameters())
               if p.dim() > 1]
    plain = [p for n, p in list(net.named_parameters()) +
             list(heads.named_parameters())
             if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decayed, "weight_decay": 4e-5},
                           {"params": plain, "weight_decay": 0.0}],
                          lr=0.1, momentum=0.9)
    net.train()
    heads.train()
    for _ in range(steps):
        noisy = x + noise * torch.randn_like(x) if noise > 0 else x
        with precision(autocast):
            outs = heads(net(noisy, taps=True))
            loss = sum(w * F.mse_loss(o.float(), t)
                       for w, o, t in zip(weights, outs, targets))
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    heads.eval()
    with torch.no_grad(), precision(autocast):
        outs = heads(net(x + noise * torch.randn_like(x), taps=True))
        loss = sum(w * F.mse_loss(o, t)
                   for w, o, t in zip(weights, outs, targets))
    return float(loss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--channels", default="80,32,80")
    ap.add_argument("--noise", type=float, default=0.2)
    ap.add_argument("--autocast", choices=("none", "bf16"), default="none")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    channels = [int(c) for c in a.channels.split(",")]
    mod = load_model(a.model)
    best = None
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        one_evaluation(mod, a.steps, a.batch, channels, a.noise, a.autocast)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print("seconds=%.3f" % best)


if __name__ == "__main__":
    main()
