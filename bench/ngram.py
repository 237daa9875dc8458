"""Quality and speed of `.phony` n-gram models: python bench/ngram.py [--quick] [--samples N]

Per bundled model (rebuilt in memory from generators/locales by
generators/models/build_models.py, so the figures match the committed models):

- held-out cross-entropy: train on 80% of the corpus, score the other 20% in
  bits per token (characters plus one end marker per line), interpolated
  Witten-Bell (phony_pdl.ngram.model.NgramModel.log2_likelihood), against a
  unigram model trained on the same 80%;
- of N samples (default 1,000,000): share of distinct values, share not in the
  training corpus, and the Kolmogorov-Smirnov statistic of their lengths
  against the training lines' lengths.

Speed: names per second on one core (CPU time and wall time, best of 5) for
the order-3 char model en_US/first_names with min_length=3, max_length=12,
producing a pyarrow string array, plus a per-phase breakdown; and training
throughput on a 1,000,000-line corpus.

Prints a markdown section (bench/RESULTS.md is written by hand from it).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.stats import ks_2samp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from phony_pdl.ngram.model import train_lines  # noqa: E402
from phony_pdl.ngram.sample import compile_model, sample  # noqa: E402
from phony_pdl.rng import derive_key  # noqa: E402


def _build_module():
    spec = importlib.util.spec_from_file_location(
        "build_models", ROOT / "generators" / "models" / "build_models.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_models"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def corpora(locales: list[str] | None) -> list[tuple[str, object, list[str], str | None]]:
    """(model name, spec, training lines, locale) for every bundled model."""
    bm = _build_module()
    out = []
    for loc in bm.locales():
        if locales and loc not in locales:
            continue
        for spec in bm.LOCALE_MODELS:
            lines, _ = bm.locale_corpus(spec, loc)
            if len(lines) >= 20:
                out.append((f"{loc}/{spec.name}", spec, lines, loc))
    person = {
        loc: json.loads((bm.LOCALES / loc / "person.json").read_text("utf-8"))
        for loc in bm.locales()
        if (bm.LOCALES / loc / "person.json").is_file()
    }
    for spec, loc in bm.GENERIC_MODELS:
        if loc is None:
            lines = spec.corpus(person, "xx")
        else:
            lines = spec.corpus(
                json.loads((bm.LOCALES / loc / f"{spec.family}.json").read_text()), loc
            )
        out.append((f"xx/{spec.name}", spec, lines, None))
    return out


def key_of(seed: int):
    return lambda label: derive_key(seed, "bench", "ngram", label)


def quality(name: str, spec, lines: list[str], locale: str | None, n: int) -> dict:
    kw = dict(order=spec.order_for(lines), mode=spec.mode, lowercase=spec.lowercase, locale=locale)
    smoothing = dict(smoothing=spec.smoothing)
    perm = np.random.default_rng(0).permutation(len(lines))
    cut = round(0.8 * len(lines))
    train = [lines[i] for i in sorted(perm[:cut])]
    test = [lines[i] for i in sorted(perm[cut:])]
    held = train_lines(train, **kw)
    uni = train_lines(train, **{**kw, "order": 1})
    lp, tokens = held.log2_likelihood(test)
    lp1, _ = uni.log2_likelihood(test)
    model = train_lines(lines, **kw, **smoothing)
    compiled = compile_model(model)
    values = sample(compiled, np.arange(n), key_of(1))
    norm = [model.normalize(x) for x in lines]
    known = pc.is_in(values, value_set=pa.array(norm))
    lengths = pc.utf8_length(values).to_numpy()
    train_lengths = np.array([len(x) for x in norm])
    return {
        "model": name,
        "lines": len(lines),
        "order": kw["order"],
        "bits": -lp / tokens,
        "bits_unigram": -lp1 / tokens,
        "distinct": pc.count_distinct(values).as_py() / n,
        "novel": 1 - pc.sum(known).as_py() / n,
        "ks": float(ks_2samp(lengths, train_lengths).statistic),
        "examples": values.slice(0, 5).to_pylist(),
    }


def _best(fn, repeat: int = 5) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall)


def speed(n: int) -> dict:
    bm = _build_module()
    lines, _ = bm.locale_corpus(bm.LOCALE_MODELS[0], "en_US")  # en_US/first_names
    model = train_lines(lines, order=3)
    started = time.perf_counter()
    compiled = compile_model(model)
    compile_s = time.perf_counter() - started
    rows = np.arange(n)
    key = key_of(7)
    kw = dict(min_length=3, max_length=12)
    sample(compiled, rows[:10_000], key, **kw)  # warm up
    cpu, wall = _best(lambda: sample(compiled, rows, key, **kw))
    cpu_free, _ = _best(lambda: sample(compiled, rows, key))
    cpu_novel, _ = _best(lambda: sample(compiled, rows, key, novel=True, **kw), 3)
    # where the time goes: one attempt over all rows, phase by phase
    cfg = compiled.configure(prefix="", suffix="", novel=False, **kw)
    draws = -(-cfg.steps // compiled.fast.per_draw)
    keys = [key(f"step{k}") for k in range(draws)]
    body = compiled.lengths(rows, key("length"), cfg)
    t_len, _ = _best(lambda: compiled.lengths(rows, key("length"), cfg))
    chunks = range(0, n, 1 << 15)

    def walk_all():
        step = 1 << 15
        return [compiled.walk(rows[i : i + step], body[i : i + step], keys, cfg) for i in chunks]

    t_walk, _ = _best(walk_all)
    walked = walk_all()
    toks = np.concatenate([w[0] for w in walked])
    length = np.concatenate([w[1] for w in walked])
    ended = np.concatenate([w[2] for w in walked])
    suspicious = np.concatenate([w[3] for w in walked])
    t_judge, _ = _best(lambda: compiled.judge(toks, length, ended, cfg))
    ok_toks, ok_length = toks[ended], length[ended]
    sus = np.flatnonzero(suspicious & ended)
    t_block, _ = _best(lambda: compiled.blocked(toks[sus], length[sus], cfg))
    t_str, _ = _best(lambda: compiled.strings(ok_toks, ok_length, cfg))
    t_str *= n / max(len(ok_length), 1)  # per row, as if every row were accepted
    return {
        "n": n,
        "cpu": cpu,
        "wall": wall,
        "cpu_unconstrained": cpu_free,
        "cpu_novel": cpu_novel,
        "compile": compile_s,
        "phases": {
            "lengths": t_len,
            "walk": t_walk,
            "judge": t_judge,
            "blocklist": t_block,
            "strings": t_str,
        },
        "suspicious": float(suspicious.mean()),
        "accept": float(ended.mean()),
        "per_draw": compiled.fast.per_draw,
        "slots": len(compiled.fast.thr),
    }


def training(n_lines: int) -> dict:
    bm = _build_module()
    lines, _ = bm.locale_corpus(bm.LOCALE_MODELS[0], "en_US")  # en_US/first_names
    compiled = compile_model(train_lines(lines, order=3))
    corpus = sample(compiled, np.arange(n_lines), key_of(3)).to_pylist()
    size = sum(len(x) + 1 for x in corpus)
    cpu, wall = _best(lambda: train_lines(corpus, order=3), 3)
    return {"lines": n_lines, "bytes": size, "cpu": cpu, "wall": wall}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="n-gram model quality and speed")
    parser.add_argument("--quick", action="store_true", help="100k samples, fewer models")
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--locales", default=None, help="comma-separated (default: all)")
    args = parser.parse_args(argv)
    n = args.samples or (100_000 if args.quick else 1_000_000)
    locales = (
        args.locales.split(",")
        if args.locales
        else (["en_US", "de_DE", "tr_TR"] if args.quick else None)
    )
    rows = [quality(*c, n) for c in corpora(locales)]
    sp = speed(1_000_000 if not args.quick else 200_000)
    tr = training(1_000_000 if not args.quick else 200_000)

    print("## N-gram models (`bench/ngram.py`)\n")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pyarrow {pa.__version__}. {n:,} samples per model "
        "(seed 1); held-out: train on 80 %, score 20 % (bits per token = per character "
        "plus one end marker per line, interpolated Witten-Bell).\n"
    )
    print(
        "| model | lines | order | held-out bits/char | unigram bits/char | distinct | not in training | KS lengths | examples |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        ex = ", ".join(r["examples"])
        print(
            f"| {r['model']} | {r['lines']:,} | {r['order']} | {r['bits']:.2f} | {r['bits_unigram']:.2f} "
            f"| {r['distinct']:.1%} | {r['novel']:.1%} | {r['ks']:.3f} | {ex} |"
        )
    print()
    ph = sp["phases"]
    rate = sp["n"] / sp["cpu"]
    print(
        f"Speed, one core, en_US/first_names (order 3, char), min_length=3, max_length=12, "
        f"{sp['n']:,} names to a pyarrow string array: **{rate / 1e6:.2f} M names/s** CPU time "
        f"({sp['n'] / sp['wall'] / 1e6:.2f} M/s wall, best of 5). Without bounds: "
        f"{sp['n'] / sp['cpu_unconstrained'] / 1e6:.2f} M/s; with `novel: true`: "
        f"{sp['n'] / sp['cpu_novel'] / 1e6:.2f} M/s. Compiling the model: {sp['compile'] * 1e3:.0f} ms "
        f"({sp['slots']:,} alias slots, {sp['per_draw']} tokens per draw).\n"
    )
    first = sum(ph.values())
    print(
        "One attempt over all rows, by phase (CPU s per million rows): "
        + ", ".join(f"{k} {v / sp['n'] * 1e6:.3f}" for k, v in ph.items())
        + f"; {sp['accept']:.1%} of rows end in a context that may end (the rest are redrawn), so "
        f"redraws add about {(sp['cpu'] - first) / sp['n'] * 1e6:.3f} s per million.\n"
    )
    print(
        f"Training: {tr['lines']:,} lines ({tr['bytes'] / 1e6:.1f} MB), order 3, char: "
        f"{tr['lines'] / tr['cpu'] / 1e6:.2f} M lines/s, {tr['bytes'] / tr['cpu'] / 1e6:.1f} MB/s "
        "(CPU time, best of 3).\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
