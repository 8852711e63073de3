"""rankstats.py - rank statistics for the bench scripts (pure Python, no
SciPy on the machines these run on): average ranks, Spearman's rho,
Kendall's tau-b and top-K% retrieval as `gennas rank` reports them."""
import math


def ranks(values):
    """average ranks, 1-based, ties sharing their mean rank"""
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0 + 1
        i = j + 1
    return r


def spearman(x, y):
    """Spearman's rho: the correlation of the average ranks (nan when
    either does not vary)"""
    rx, ry = ranks(x), ranks(y)
    n = len(x)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def kendall_b(x, y):
    """Kendall's tau-b, O(n^2)"""
    conc = disc = tx = ty = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif (dx > 0) == (dy > 0):
                conc += 1
            else:
                disc += 1
    return (conc - disc) / math.sqrt((conc + disc + tx) * (conc + disc + ty))


def top_share(score, truth, frac=0.1):
    """the share of the truly best frac (rounded up) also in the best frac
    by score, as `gennas rank` reports top-10%"""
    k = max(1, math.ceil(frac * len(score)))
    best_true = set(sorted(range(len(truth)), key=lambda i: -truth[i])[:k])
    best_score = set(sorted(range(len(score)), key=lambda i: -score[i])[:k])
    return len(best_true & best_score) / k
