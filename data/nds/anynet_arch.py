"""The AnyNet spaces' canonical architecture string, from an NDS net_json.

    from anynet_arch import anynet_arch
    anynet_arch({"block_type": "res_basic_block", "bot_muls": [],
                 "ds": [1, 5, 2, 3, 10], "num_gs": [],
                 "ss": [4, 1, 2, 2, 2], "ws": [32, 32, 32, 192, 128]})
    # 'block_type=res_basic_block ds=[1,5,2,3,10] ws=[32,32,32,192,128]
    #  ss=[4,1,2,2,2]'  (one line)

The same string as the Lua encoder of spaces/lib/anynet.lua writes (the
key of data/nds/ResNeXt-A_in.csv, ResNeXt-B_in.csv, ResNet_lr-wd_in.csv
and Vanilla_lr-wd_in.csv; tests/test-anynet.c checks that every row's
`arch` is its own canonical string and what its net_json gives): the
fields block_type, ds, ws, ss, and for bottleneck blocks bot_muls and
num_gs, each list in brackets without spaces; integers as such (1.0 is
1), other numbers in the fewest significant digits that read back as the
same double; bot_muls[0] and num_gs[0] (the stem's, which describe
nothing) as 1.  It does not check the values: the Lua decoder does.

Standard library only.  Copyright 2026 the gennas authors. MIT licence,
see LICENSE.
"""

__all__ = ["anynet_arch"]


def _number(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError("not a number: %r" % (x,))
    if isinstance(x, int):
        return "%d" % x
    if x == int(x) and abs(x) < 2 ** 53:
        return "%d" % int(x)
    for p in range(1, 18):
        s = "%.*g" % (p, x)
        if float(s) == x:
            return s
    return "%.17g" % x


def _list(xs):
    return "[" + ",".join(_number(x) for x in xs) + "]"


def anynet_arch(net):
    """The canonical string of an AnyNet net_json (a dict)."""
    block = net["block_type"]
    s = "block_type=%s ds=%s ws=%s ss=%s" % (
        block, _list(net["ds"]), _list(net["ws"]), _list(net["ss"]))
    if block == "res_bottleneck_block":
        bms = [1] + list(net["bot_muls"][1:])
        gs = [1] + list(net["num_gs"][1:])
        s += " bot_muls=%s num_gs=%s" % (_list(bms), _list(gs))
    return s
