#!/usr/bin/env python3
# export-torch-check.py - PyTorch's side of tests/test-export-torch.sh:
# builds each model.py gennas exported and checks it as its user would.
#
# Copyright 2026 the gennas authors. MIT licence, see LICENSE.
#
#   export-torch-check.py MANIFEST FIRST
#
# MANIFEST has one case a line, tab-separated:
#   NAME  MODEL.py  BATCH  CLASSES  SOURCE=PARAMS[,...]  DUMP-DIR or -
# For each: the module imports with torch alone, Network() has exactly
# each SOURCE's PARAMS (gennas space info's, a paper's table's),
# a forward pass of a random [BATCH, *INPUT_SHAPE] batch gives logits
# [BATCH, CLASSES], and, with a DUMP-DIR written by tests/net-dump, the
# model loaded with gennas's parameters computes gennas's logits on
# gennas's input, in training mode (batch statistics) and then in
# evaluation mode (the running statistics that pass updated).  Prints
# TAP lines numbered from FIRST (the plan is the caller's) and exits 1
# if any failed.
import importlib.util
import os
import re
import sys

import torch

# float32 through some twenty cells: the two sums differ in rounding only
TOLERANCE = 1e-3


def load_module(path):
    name = "exported_" + re.sub(r"\W", "_", os.path.basename(path)[:-3])
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def floats(path, shape=None):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    t = torch.frombuffer(data, dtype=torch.float32).clone()
    return t.view(*shape) if shape else t


def load_gennas_params(model, dump):
    """Copies gennas's parameters into the model: gennas's tensors of
    node N are those of the module named after N (conv12: node 12)."""
    by_node = {}
    for name, p in model.named_parameters():
        m = re.fullmatch(r"[a-z]+(\d+)\.(weight|bias)", name)
        assert m, f"parameter {name} is not named after a node"
        by_node[(int(m.group(1)), m.group(2))] = p
    values = floats(os.path.join(dump, "params.bin"))
    offset = 0
    with open(os.path.join(dump, "params.txt")) as f:
        index = [line.split() for line in f]
    assert len(index) == len(by_node), \
        f"gennas has {len(index)} tensors, the model {len(by_node)}"
    with torch.no_grad():
        for node, kind, size in index:
            p = by_node[(int(node), kind)]
            size = int(size)
            assert p.numel() == size, \
                f"node {node} {kind}: {p.numel()} values, gennas {size}"
            p.copy_(values[offset:offset + size].view_as(p))
            offset += size
    assert offset == values.numel()


def relative_error(got, want):
    return ((got - want).abs().max() / (1.0 + want.abs().max())).item()


def check(name, path, batch, classes, figures, dump):
    module = load_module(path)
    model = module.Network()
    params = sum(p.numel() for p in model.parameters())
    assert params == module.PARAMS
    notes = [f"PyTorch {params} parameters = " +
             " = ".join(f"{source} {figure}" for source, figure in figures)]
    for source, figure in figures:
        assert params == figure, f"{params} parameters, {source} {figure}"
    shape = (batch,) + tuple(module.INPUT_SHAPE)
    with torch.no_grad():
        logits = model(torch.randn(*shape))
    assert tuple(logits.shape) == (batch, classes), \
        f"logits {tuple(logits.shape)}, not {(batch, classes)}"
    notes.append(f"logits {tuple(logits.shape)}")
    if dump != "-":
        model = module.Network()  # running statistics as gennas's: fresh
        load_gennas_params(model, dump)
        x = floats(os.path.join(dump, "input.bin"), shape)
        with torch.no_grad():
            for mode in ("train", "eval"):
                model.train(mode == "train")
                got = model(x)
                want = floats(os.path.join(dump, mode + ".bin"), got.shape)
                err = relative_error(got, want)
                assert err < TOLERANCE, \
                    f"{mode} logits differ from gennas's by {err:.3g}"
                notes.append(f"{mode} logits as gennas's (error {err:.1e})")
    return ", ".join(notes)


def main():
    manifest, n = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(0)
    torch.set_num_threads(1)
    failed = 0
    with open(manifest) as f:
        for line in f:
            name, path, batch, classes, figures, dump = \
                line.rstrip("\n").split("\t")
            figures = [(f.split("=")[0], int(f.split("=")[1]))
                       for f in figures.split(",")]
            try:
                note = check(name, path, int(batch), int(classes), figures,
                             dump)
                print(f"ok {n} - {name}: {note}")
            except Exception as e:  # noqa: BLE001 - each case reports
                failed += 1
                print(f"not ok {n} - {name}")
                print(f"# {type(e).__name__}: {e}")
            sys.stdout.flush()
            n += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
