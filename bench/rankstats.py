"""rankstats.py - rank statistics for the bench scripts (pure Python, no
SciPy on the machines these run on): average ranks, Spearman's rho,
Kendall's tau-b and top-K% retrieval as `gennas rank` reports them, and
the reader of the CSV files `gennas rank --csv` writes."""
import csv
import math


def read_rank_csv(path, truth_columns, who):
    """{arch: score} of a `gennas rank --csv` file (finite scores only),
    and {column: {arch: truth}}; a missing column stops @who (the
    script's name) with a message"""
    scores, truth = {}, {c: {} for c in truth_columns}
    with open(path) as f:
        reader = csv.DictReader(f)
        for c in truth_columns:
            if c not in (reader.fieldnames or []):
                raise SystemExit("%s: %s has no column '%s' (its columns: "
                                 "%s; choose one with --truth)"
                                 % (who, path, c,
                                    ", ".join(reader.fieldnames or [])))
        for row in reader:
            s = float(row["score"]) if row["score"] else float("nan")
            if math.isfinite(s):
                scores[row["arch"]] = s
                for c in truth_columns:
                    truth[c][row["arch"]] = float(row[c])
    return scores, truth


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


def _inversions(v):
    """sorts v (a list) ascending in place; returns the number of pairs
    i < j with v[i] > v[j]"""
    if len(v) < 2:
        return 0
    mid = len(v) // 2
    left, right = v[:mid], v[mid:]
    inv = _inversions(left) + _inversions(right)
    i = j = k = 0
    while i < len(left) and j < len(right):
        if right[j] < left[i]:
            v[k] = right[j]
            inv += len(left) - i
            j += 1
        else:
            v[k] = left[i]
            i += 1
        k += 1
    v[k:] = left[i:] + right[j:]
    return inv


def _tied_pairs(sorted_values):
    pairs, run = 0, 1
    for a, b in zip(sorted_values, sorted_values[1:]):
        if a == b:
            run += 1
        else:
            pairs += run * (run - 1) // 2
            run = 1
    return pairs + run * (run - 1) // 2


def kendall_b(x, y):
    """Kendall's tau-b, O(n log n) (Knight's algorithm, as gennas and
    scipy compute it)"""
    n = len(x)
    pairs = sorted(zip(x, y))
    tot = n * (n - 1) // 2
    xtie = _tied_pairs([p[0] for p in pairs])
    ntie = _tied_pairs(pairs)
    ys = [p[1] for p in pairs]
    dis = _inversions(ys)
    ytie = _tied_pairs(ys)
    if xtie == tot or ytie == tot:
        return float("nan")
    return (tot - xtie - ytie + ntie - 2 * dis) / math.sqrt(
        (tot - xtie) * (tot - ytie))


def top_share(score, truth, frac=0.1):
    """the share of the truly best frac (rounded up) also in the best frac
    by score, as `gennas rank` reports top-10%"""
    k = max(1, math.ceil(frac * len(score)))
    best_true = set(sorted(range(len(truth)), key=lambda i: -truth[i])[:k])
    best_score = set(sorted(range(len(score)), key=lambda i: -score[i])[:k])
    return len(best_true & best_score) / k


def bootstrap(score, truth, resamples=1000, level=0.95, seed=20211206,
              frac=0.1):
    """percentile bootstrap intervals of (spearman, kendall, top share) as
    `gennas rank` draws them: pairs resampled with replacement; returns
    ((lo, hi), (lo, hi), (lo, hi))"""
    import random
    rng = random.Random(seed)
    n = len(score)
    stats = ([], [], [])
    for _ in range(resamples):
        idx = [rng.randrange(n) for _ in range(n)]
        s = [score[i] for i in idx]
        t = [truth[i] for i in idx]
        for k, v in enumerate((spearman(s, t), kendall_b(s, t),
                               top_share(s, t, frac))):
            if v == v:
                stats[k].append(v)

    def quantile(v, q):
        v = sorted(v)
        pos = q * (len(v) - 1)
        i = int(pos)
        return v[-1] if i + 1 >= len(v) else v[i] + (pos - i) * (v[i + 1] - v[i])
    lo, hi = (1 - level) / 2, (1 + level) / 2
    return tuple((quantile(v, lo), quantile(v, hi)) if v else
                 (float("nan"), float("nan")) for v in stats)
