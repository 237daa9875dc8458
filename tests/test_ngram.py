""".phony n-gram models: training, the file format and its failure modes, sampling."""

from __future__ import annotations

import base64
import csv
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.errors import GenerationError, SchemaError
from phony_pdl.generators import registry
from phony_pdl.ngram import commands, fileformat
from phony_pdl.ngram.model import (
    ERROR_CODES,
    ModelError,
    membership_hashes,
    normalize,
    token_hash,
    train_lines,
)
from phony_pdl.ngram.sample import compile_model, default_blocklist, sample
from phony_pdl.rng import derive_key

from .conftest import ROOT

BROKEN = ROOT / "tests" / "ngram_broken"
EXPECTED = json.loads((BROKEN / "expected.json").read_text(encoding="utf-8"))
NAMES = sorted(
    {n for sex in ("female", "male") for n, _ in json.loads(
        (ROOT / "generators/locales/en_US/person.json").read_text("utf-8"))["first_names"][sex]}
)  # fmt: skip


SIXTEEN = ["Anna", "Maria", "John", "Peter", "Paul", "Mary", "Michael", "Sarah", "David",
           "Laura", "James", "Emma", "Oliver", "Sophia", "Lucas", "Mia"]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def ngram_generator():
    """The `ngram` generator, registered for these tests.

    Importing phony_pdl.generators.ngram registers it. Until builtin.py imports it
    too, the registration is undone afterwards, so the registry-derived files
    (schemas/pdl-1.schema.json, spec/generators.md) stay in sync for other tests.
    """
    wired = registry.get("ngram") is not None
    import phony_pdl.generators.ngram as module

    yield module
    if not wired:
        registry.REGISTRY.pop("ngram", None)


@pytest.fixture(scope="module")
def names_txt(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "names.txt"
    path.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def names_model(names_txt, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "names.phony"
    commands.train(names_txt, out, locale="en_US")
    return out


def key(seed: int = 1):
    return lambda label: derive_key(seed, "t", "f", label)


def doc(fields: dict, count: int = 500, locale: str | None = None) -> dict:
    d = {"pdl": 1, "name": "t", "seed": 11, "entities": {"t": {"count": count, "fields": {
        "id": {"sequence": 1}, **fields}}}}  # fmt: skip
    if locale:
        d["locale"] = locale
    return d


# ------------------------------------------------------------------ training and the file


def test_round_trip_and_identical_bytes(names_txt, names_model, tmp_path) -> None:
    again = tmp_path / "again.phony"
    commands.train(names_txt, again, locale="en_US")
    assert again.read_bytes() == names_model.read_bytes()
    model = fileformat.read(names_model)
    assert model == train_lines(NAMES, locale="en_US", source=model_source(names_txt))
    assert fileformat.dumps(model) == names_model.read_bytes()
    data = names_model.read_bytes()
    assert data[:4] == b"\x1f\x8b\x08\x00"  # deflate, no FNAME/FCOMMENT/FEXTRA flags
    assert data[4:8] == b"\0\0\0\0"  # mtime 0
    doc_ = json.loads(gzip.decompress(data))
    assert doc_["format"] == "phony" and doc_["version"] == 1
    assert doc_["metadata"]["source"]["name"] == "names.txt"  # no folder in the metadata
    assert doc_["metadata"]["phony_version"] == phony_pdl.__version__
    assert doc_["checksum"] == fileformat.checksum(doc_)


def model_source(path: Path):
    from phony_pdl.ngram.commands import read_lines

    return read_lines(path)[1]


def test_progress_reports_bytes_read(names_txt, tmp_path) -> None:
    calls: list[tuple[int, int]] = []
    commands.train(names_txt, tmp_path / "p.phony", progress=lambda d, t: calls.append((d, t)))
    size = names_txt.stat().st_size
    assert calls and calls[-1] == (size, size)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_info_and_validate_accept_bundled_names() -> None:
    assert dict(commands.info("tr_TR/first_names"))["locale"] == "tr_TR"
    commands.validate("en_US/last_names")
    with pytest.raises(ModelError, match="did you mean 'first_names'") as exc:
        commands.info("first_nams")
    assert exc.value.code == "model-not-found"


def test_counts_backoff_and_membership() -> None:
    model = train_lines(["abc", "abd", "abc"], order=3)
    assert model.vocabulary == ("", "a", "b", "c", "d")
    top = model.levels[2]
    # context "ab" (ids 1, 2) is followed by c twice and d once
    i = [tuple(c) for c in top.contexts.tolist()].index((1, 2))
    lo, hi = top.offsets[i], top.offsets[i + 1]
    assert dict(zip(top.next[lo:hi].tolist(), top.counts[lo:hi].tolist(), strict=True)) == {
        3: 2,
        4: 1,
    }
    assert model.metadata["lines"] == 3 and model.metadata["distinct_lines"] == 2
    assert model.metadata["length_counts"] == [0, 0, 0, 3]
    assert model.contains("abc") and not model.contains("abe")
    h = membership_hashes([["a", "b", "c"], ["a", "b", "d"]])
    assert sorted(h.tolist()) == model.training_hashes.tolist()


def test_membership_hash_reference_vector() -> None:
    # spec/phony-format.md gives this value; another implementation must reproduce it
    assert token_hash("A") == int.from_bytes(
        __import__("hashlib").sha256(b"A").digest()[:8], "little"
    )
    assert int(membership_hashes([["A", "n", "n", "a"]])[0]) == 0x176E0074DC3C3764


def test_min_count_prunes_and_keeps_shorter_contexts() -> None:
    model = train_lines(["abc"] * 3 + ["xyz"], order=3, min_count=2)
    assert "x" in model.vocabulary  # the vocabulary keeps every token
    assert all(c >= 2 for lv in model.levels for c in lv.counts.tolist())
    fileformat.loads(fileformat.dumps(model))  # still a consistent file


def test_csv_json_jsonl_inputs(tmp_path) -> None:
    with (tmp_path / "n.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name"])
        w.writerows([i, n] for i, n in enumerate(NAMES))
    (tmp_path / "n.json").write_text(
        json.dumps({"people": [{"name": {"given": n}} for n in NAMES]})
    )
    (tmp_path / "n.jsonl").write_text("\n".join(json.dumps({"n": n}) for n in NAMES))
    models = [
        commands.train(tmp_path / "n.csv", tmp_path / "a.phony", column="name"),
        commands.train(tmp_path / "n.json", tmp_path / "b.phony", field="people.name.given"),
        commands.train(tmp_path / "n.jsonl", tmp_path / "c.phony", field="n"),
    ]
    assert {m["lines"] for m in models} == {len(NAMES)}
    loaded = [fileformat.read(tmp_path / f"{x}.phony") for x in "abc"]
    assert loaded[0].levels == loaded[1].levels == loaded[2].levels
    assert loaded[0].metadata["source"]["column"] == "name"
    assert loaded[1].metadata["source"]["field"] == "people.name.given"


def test_json_line_separators_and_weighted_pairs(tmp_path) -> None:
    """Only LF ends a JSON line (json.dumps(ensure_ascii=False) leaves U+2028 raw), and a
    --field reaching `[name, weight]` pairs takes each pair as one name."""
    (tmp_path / "s.jsonl").write_text(
        "".join(json.dumps({"n": n}, ensure_ascii=False) + "\n" for n in ["Anna", "Ma\u2028ria"])
    )
    assert commands.read_lines(tmp_path / "s.jsonl", field="n")[0] == ["Anna", "Ma\u2028ria"]
    (tmp_path / "p.json").write_text(json.dumps({"people": [{"name": ["Anna", 3]},
                                                            {"name": ["Maria", 1]}]}))  # fmt: skip
    assert commands.read_lines(tmp_path / "p.json", field="people.name")[0] == ["Anna", "Maria"]


def test_an_unwritable_model_path_is_a_model_error(names_txt, tmp_path) -> None:
    (tmp_path / "d.phony").mkdir()
    with pytest.raises(ModelError, match=r"it is a folder; give a file name") as caught:
        commands.train(names_txt, tmp_path / "d.phony")
    assert caught.value.code == "bad-option"
    assert [p.name for p in tmp_path.iterdir()] == ["d.phony"]  # no temp file left


def test_char_mode_lengths_hold_in_late_attempts() -> None:
    """Sixteen names pruned hard (--min-count 5): most contexts only ever ended a line, so
    walks of late attempts stop there, and used to be kept below min_length."""
    pruned = train_lines(SIXTEEN, min_count=5)
    values = sample(compile_model(pruned), np.arange(3000), key(), min_length=3).to_pylist()
    assert min(len(v) for v in values) >= 3


@pytest.mark.parametrize(
    ("setup", "kwargs", "code", "fragment"),
    [
        (None, {}, "input-not-found", "does not exist"),
        ("", {}, "empty-corpus", "the file is empty"),
        (" \n\t\n", {}, "empty-corpus", "every line is blank"),
        (b"ok\n\xff\n", {}, "bad-input", "not UTF-8 text: invalid byte 0xff on line 2"),
        ("a,b\n1,2\n", {"column": "c"}, "column-not-found", "column 'c' is not in the header"),
        ("a,b\n1,2\n", {}, "column-not-found", "has 2 columns; name one with --column"),
        ('[{"name": "x"}]', {"field": "nme"}, "field-not-found", "did you mean 'name'?"),
        ('[{"name": {"x": 1}}]', {"field": "name"}, "field-not-found", "not a string"),
        ("{", {"field": "x"}, "bad-input", "is not valid JSON"),
        ("x\n", {"order": 0}, "bad-option", "order=0"),
        ("x\n", {"mode": "byte"}, "bad-option", "mode='byte'"),
        ("a\nb\n", {"min_count": 5}, "empty-corpus", "min_count=5 removes"),
    ],
)
def test_training_failures(tmp_path, setup, kwargs, code, fragment) -> None:
    suffix = (
        ".csv"
        if "column" in kwargs or (isinstance(setup, str) and setup.startswith("a,b"))
        else (".json" if "field" in kwargs else ".txt")
    )
    path = tmp_path / f"in{suffix}"
    if isinstance(setup, bytes):
        path.write_bytes(setup)
    elif setup is not None:
        path.write_text(setup, encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        commands.train(path, tmp_path / "out.phony", **kwargs)
    assert exc.value.code == code
    assert fragment in str(exc.value)
    assert isinstance(exc.value, ValueError) and exc.value.exit_code == 1
    assert not (tmp_path / "out.phony").exists()


# ------------------------------------------------------------------ broken files


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=sorted(EXPECTED))
def test_broken_files_are_rejected_precisely(name: str) -> None:
    want = EXPECTED[name]
    for check in (commands.validate, fileformat.read):
        with pytest.raises(ModelError) as exc:
            check(BROKEN / name)
        assert exc.value.code == want["code"], str(exc.value)
        assert want["message"] in str(exc.value)
        assert name in str(exc.value)  # the message names the file


def test_broken_files_have_distinct_messages() -> None:
    messages = []
    for name in EXPECTED:
        with pytest.raises(ModelError) as exc:
            fileformat.read(BROKEN / name)
        messages.append(str(exc.value).replace(name, ""))
    assert len(set(messages)) == len(messages)
    assert {e["code"] for e in EXPECTED.values()} >= {
        "empty-file", "not-gzip", "truncated", "corrupt-gzip", "not-utf8", "bad-json",
        "not-a-model", "unsupported-version", "bad-checksum", "bad-structure",
        "inconsistent-counts",
    }  # fmt: skip


def test_missing_model_file(tmp_path) -> None:
    with pytest.raises(ModelError, match="does not exist") as exc:
        commands.validate(tmp_path / "nope.phony")
    assert exc.value.code == "model-not-found"


def test_json_schema_accepts_models_and_is_valid(names_model) -> None:
    schema = json.loads((ROOT / "schemas" / "phony-1.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(gzip.decompress(names_model.read_bytes())), schema)
    commands.validate(names_model)


def test_error_codes_are_documented() -> None:
    spec = (ROOT / "spec" / "phony-format.md").read_text(encoding="utf-8")
    section = spec.split("\n## Error codes\n", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.MULTILINE)
    assert documented == list(ERROR_CODES)


# ------------------------------------------------------------------ info and stats


def test_info_and_stats(names_model) -> None:
    info = dict(commands.info(names_model))
    assert info["order"] == 3 and info["mode"] == "char" and info["locale"] == "en_US"
    assert info["lines"] == len(NAMES) and info["source"] == "names.txt"
    assert info["checksum"].startswith("sha256:")
    assert info["smoothing"] == "interpolated"  # what `phony train` records by default
    # as `phony train` reports them: every character, no end markers
    assert info["tokens"] == sum(len(n) for n in NAMES)
    stats = commands.stats(names_model, samples=2000)
    assert stats["contexts"]["length 0"] == 1
    assert stats["branching_factor"]["mean"] > 1
    assert len(stats["top_transitions"]) == 10
    assert stats["length"]["min"] == min(len(n) for n in NAMES)
    assert 1.0 < stats["entropy_bits_per_token"] < 5.0
    assert stats["sample"]["novel_share"] > 0.8
    assert stats == commands.stats(names_model, samples=2000)  # deterministic


# ------------------------------------------------------------------ sampling


@pytest.mark.parametrize("mode", ["char", "word"])
def test_context_look_ups_by_table_and_by_search_agree(mode, monkeypatch) -> None:
    """Small context key spaces are looked up in a dense table, large ones searched."""
    import phony_pdl.ngram.sample as sample_module

    lines = NAMES if mode == "char" else [" ".join(NAMES[i : i + 3]) for i in range(300)]
    model = train_lines(lines, order=4, mode=mode)
    by_table = compile_model(model, blocklist=())
    monkeypatch.setattr(sample_module, "_DENSE_KEYS", 0)
    by_search = compile_model(model, blocklist=())
    assert not by_search._key_indexes and by_table._key_indexes
    for name in ("keep_alias", "next_table", "end_after", "forced_any", "emit"):
        assert np.array_equal(getattr(by_table, name), getattr(by_search, name))
    assert by_table.start == by_search.start


def test_rows_are_independent_of_the_call(names_model) -> None:
    compiled = compile_model(fileformat.read(names_model))
    rows = np.arange(5000)
    full = sample(compiled, rows, key(), min_length=4, max_length=9)
    part_rows = rows[3::7]
    part = sample(compiled, part_rows[::-1], key(), min_length=4, max_length=9)
    assert part.to_pylist() == full.take(pa.array(part_rows[::-1])).to_pylist()
    other_seed = sample(compiled, rows, key(2), min_length=4, max_length=9)
    assert other_seed.to_pylist() != full.to_pylist()


def test_lengths_prefix_suffix_and_novel(names_model) -> None:
    model = fileformat.read(names_model)
    compiled = compile_model(model)
    values = sample(
        compiled, np.arange(20_000), key(), min_length=7, max_length=9, prefix="Ma", suffix="!"
    ).to_pylist()
    assert all(7 <= len(v) <= 9 and v.startswith("Ma") and v.endswith("!") for v in values)
    plain = sample(compiled, np.arange(20_000), key()).to_pylist()
    assert any(v in NAMES for v in plain)  # a plain model reproduces some training names
    novel = sample(compiled, np.arange(20_000), key(), novel=True).to_pylist()
    assert not set(novel) & set(NAMES)
    # rows whose first draw was new keep their value: novel only redraws the known ones
    same = [a == b for a, b in zip(plain, novel, strict=True) if a not in NAMES]
    assert all(same)


def test_lengths_follow_training(names_model) -> None:
    compiled = compile_model(fileformat.read(names_model))
    values = sample(compiled, np.arange(50_000), key())
    lengths = np.bincount([len(v) for v in values.to_pylist()], minlength=20)[:20] / 50_000
    train = np.bincount([len(n) for n in NAMES], minlength=20)[:20] / len(NAMES)
    assert np.abs(np.cumsum(lengths) - np.cumsum(train)).max() < 0.05  # KS distance


def _pairs(values: list[str]) -> set[str]:
    return {v[i : i + 2] for v in values for i in range(len(v) - 1)}


def test_interpolated_smoothing_invents_more_and_keeps_seen_pairs() -> None:
    lines = NAMES[:300]
    smooth = train_lines(lines, order=3, smoothing="interpolated")
    raw = train_lines(lines, order=3, smoothing="backoff")
    assert (smooth.smoothing, raw.smoothing) == ("interpolated", "backoff")
    n = 50_000
    a = sample(compile_model(smooth), np.arange(n), key()).to_pylist()
    b = sample(compile_model(raw), np.arange(n), key()).to_pylist()
    assert len(set(a)) > 1.3 * len(set(b)), (len(set(a)), len(set(b)))
    # interpolation stops at one-token contexts: every adjacent pair was seen in training
    assert _pairs(a) <= _pairs(lines)
    # with backoff every trigram was seen; interpolation makes new ones
    tri = {v[i : i + 3] for v in lines for i in range(len(v) - 2)}
    assert all(v[i : i + 3] in tri for v in b for i in range(len(v) - 2))
    assert any(v[i : i + 3] not in tri for v in a for i in range(len(v) - 2))


def test_interpolated_tables_are_integer_and_sum_to_scale() -> None:
    from phony_pdl.ngram.smoothing import SCALE, interpolated

    model = train_lines(["abc", "abd", "abc", "bcd"], order=3)
    levels = interpolated(model)
    assert levels[0] == model.levels[0]  # below the floor: raw counts
    top = levels[2]
    assert top.counts.dtype == np.int64
    ab = [tuple(c) for c in top.contexts.tolist()].index((1, 2))  # context "ab"
    lo, hi = top.offsets[ab], top.offsets[ab + 1]
    got = dict(zip(top.next[lo:hi].tolist(), top.counts[lo:hi].tolist(), strict=True))
    # "ab" saw c twice and d once (N=3, T=2); its suffix "b" saw c three times, d once,
    # and never ended: P(c) = (2 + 2 * 3/4) / 5, P(d) = (1 + 2 * 1/4) / 5
    assert got == {3: SCALE * 7 // 10, 4: SCALE * 3 // 10}
    # the same tables every time (integers only)
    again = interpolated(model)
    assert all(x == y for x, y in zip(levels, again, strict=True))


def test_files_without_smoothing_sample_with_backoff(tmp_path) -> None:
    model = train_lines(NAMES[:200], order=3, smoothing="backoff")
    doc = fileformat.to_document(model)
    del doc["metadata"]["smoothing"]
    doc.pop("checksum")
    doc["checksum"] = fileformat.checksum(doc)
    old = fileformat.loads(fileformat.gzip_bytes(fileformat.canonical_json(doc)))
    assert "smoothing" not in old.metadata and old.smoothing == "backoff"
    rows = np.arange(5000)
    assert (
        sample(compile_model(old), rows, key()).to_pylist()
        == sample(compile_model(model), rows, key()).to_pylist()
    )


def test_bad_smoothing_option(tmp_path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("Anna\nBert\n", encoding="utf-8")
    with pytest.raises(ModelError, match="smoothing='katz': expected 'interpolated' or 'backoff'"):
        commands.train(path, tmp_path / "out.phony", smoothing="katz")
    assert not (tmp_path / "out.phony").exists()


def test_impossible_bounds_fail_with_a_clear_error(tmp_path) -> None:
    model = train_lines(["ab", "ab", "ba"], order=3)
    compiled = compile_model(model)
    with pytest.raises(GenerationError, match="rows found no acceptable value after 64"):
        sample(compiled, np.arange(10), key(), novel=True, name="tiny")


def test_blocked_words_are_redrawn() -> None:
    model = train_lines(
        ["Ashita", "Shitara", "Shannon", "Fuckel", "Anna", "Hannah", "Tucker", "Bitchen"]
    )
    words = default_blocklist()
    assert {"fuck", "shit"} <= set(words)

    def bad(v: str) -> bool:
        return any(w in v.lower() for w in words)

    free = sample(compile_model(model, blocklist=()), np.arange(5000), key()).to_pylist()
    assert any(bad(v) for v in free)
    clean = sample(compile_model(model), np.arange(5000), key()).to_pylist()
    assert not any(bad(v) for v in clean)
    assert all(a == b for a, b in zip(free, clean, strict=True) if not bad(a))  # only hits redrawn
    free = sample(compile_model(model, blocklist=()), np.arange(2000), key(), prefix="Sh")
    assert any(bad(v) for v in free.to_pylist())
    prefixed = sample(compile_model(model), np.arange(2000), key(), prefix="Sh").to_pylist()
    assert not any(bad(v) for v in prefixed)  # words across the prefix count too


def test_word_mode(tmp_path) -> None:
    lines = [
        f"{a} {m} {p}"
        for a in ("Big", "Small", "Red")
        for m in ("Steel", "Wood")
        for p in ("Chair", "Table", "Lamp")
    ]
    model = train_lines(lines, order=2, mode="word")
    assert model.vocabulary[1:] == tuple(sorted({w for x in lines for w in x.split()}))
    values = sample(compile_model(model), np.arange(2000), key(), max_length=15).to_pylist()
    assert all(len(v) <= 15 and "  " not in v and v == v.strip() for v in values)
    assert all(len(v.split()) == 3 for v in values)  # every line had three words
    prefixed = sample(compile_model(model), np.arange(100), key(), prefix="Big").to_pylist()
    assert all(v.startswith("Big ") for v in prefixed)
    spaced = sample(compile_model(model), np.arange(100), key(), prefix="Sir ", max_length=20)
    assert all(v.startswith("Sir ") and "  " not in v and len(v) <= 20 for v in spaced.to_pylist())


def test_turkish_lowercase() -> None:
    assert normalize("IŞIK İZMİR", lowercase=True, locale="tr_TR") == "ışık izmir"
    assert normalize("  Anna\t Maria ", lowercase=False) == "Anna Maria"
    assert normalize("e\u0301", lowercase=False) == "\u00e9"  # NFC


def test_unknown_prefix_characters_start_a_new_string(names_model) -> None:
    compiled = compile_model(fileformat.read(names_model))
    values = sample(compiled, np.arange(200), key(), prefix="Dr. ").to_pylist()
    assert all(v.startswith("Dr. ") and v[4].isupper() for v in values)
    # a known word followed by a space ends there: the name starts afresh, capitalised
    values = sample(compiled, np.arange(200), key(), prefix="Sir ").to_pylist()
    assert all(v.startswith("Sir ") and v[4].isupper() for v in values)


# ------------------------------------------------------------------ through PDL


def test_generator_is_registered_with_its_params(ngram_generator) -> None:
    spec = registry.REGISTRY["ngram"]
    assert set(spec.params.model_fields) == {
        "model", "min_length", "max_length", "prefix", "suffix", "novel",
    }  # fmt: skip
    assert ngram_generator.ngram is spec.func


def test_same_names_for_any_block_size_and_worker_count(tmp_path) -> None:
    schema = phony_pdl.load(doc({
        "first": {"generator": "ngram", "model": "first_names", "min_length": 3, "max_length": 12},
        "street": {"generator": "ngram", "model": "de_DE/street_names"},
        "user": {"generator": "ngram", "model": "email_usernames", "novel": True},
    }, count=3000, locale="tr_TR"))  # fmt: skip
    small = schema.generate(block_rows=7)["t"]
    large = schema.generate(block_rows=65536)["t"]
    assert small.equals(large)
    assert all(3 <= len(v) <= 12 for v in small.column("first").to_pylist())
    one = schema.generate(block_rows=1000)
    two = schema.generate(block_rows=1000)
    one.write(tmp_path / "one", format="csv", workers=1)
    two.write(tmp_path / "two", format="csv", workers=2)
    assert (tmp_path / "one" / "t.csv").read_bytes() == (tmp_path / "two" / "t.csv").read_bytes()
    assert small.column("first").to_pylist() == [
        r["first"] for r in csv.DictReader((tmp_path / "two" / "t.csv").open(encoding="utf-8"))
    ]


def test_locale_picks_the_bundled_model() -> None:
    tr = phony_pdl.load(doc({"n": {"generator": "ngram", "model": "first_names"}}, 200, "tr_TR"))
    us = phony_pdl.load(doc({"n": {"generator": "ngram", "model": "first_names"}}, 200, "en_US"))
    tr_names = tr.generate()["t"].column("n").to_pylist()
    assert any(set(n) & set("çğıöşüİ") for n in tr_names)
    assert tr_names != us.generate()["t"].column("n").to_pylist()


def test_unique_redraws_duplicates() -> None:
    schema = phony_pdl.load(
        doc({"n": {"generator": "ngram", "model": "en_US/last_names", "unique": True}}, 20_000)
    )
    values = schema.generate(block_rows=4096)["t"].column("n").to_pylist()
    assert len(set(values)) == len(values) == 20_000
    assert values == schema.generate(block_rows=333)["t"].column("n").to_pylist()


def test_unique_settles_the_last_few_rows_of_a_small_model(tmp_path) -> None:
    """Sixteen training names make about two thousand distinct ones, yet 300 distinct rows
    used to fail: the last few rows kept landing on common names and the redraws stopped
    after three tries without progress."""
    small = tmp_path / "small.phony"
    fileformat.write(train_lines(SIXTEEN, order=3), small)
    for seed in range(1, 9):
        d = doc({"n": {"generator": "ngram", "model": str(small), "unique": True}}, 300)
        d["seed"] = seed
        values = phony_pdl.load(d).generate()["t"].column("n").to_pylist()
        assert len(set(values)) == 300, seed


def test_unique_beyond_the_model_errors(tmp_path) -> None:
    tiny = tmp_path / "tiny.phony"
    fileformat.write(train_lines(["ab", "ba"], order=3), tiny)
    schema = phony_pdl.load(
        doc({"n": {"generator": "ngram", "model": str(tiny), "unique": True}}, 50)
    )
    with pytest.raises(GenerationError, match=r"t\.n: only \d+ of 50 rows could be made unique"):
        schema.generate()["t"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"model": "first_name"}, "did you mean 'first_names'?"),
        ({"model": "en_US/first_nmes"}, "did you mean 'en_US/first_names'?"),
        ({"model": "missing/model.phony"}, "model file 'missing/model.phony' does not exist"),
        ({"model": "first_names", "min_length": 9, "max_length": 3}, "min_length=9 is greater"),
        ({"model": "first_names", "max_length": 3, "prefix": "Abc"}, "leaves no room"),
        ({"model": "first_names", "min_length": 0}, "min_length=0: expected an integer >= 1"),
    ],
)
def test_bad_params_are_schema_errors(params, fragment) -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(doc({"n": {"generator": "ngram", **params}}))
    assert exc.value.codes == ["bad-generator-param"]
    assert fragment in exc.value.render()


def test_corrupted_model_at_generation_is_a_generation_error(tmp_path) -> None:
    path = tmp_path / "m.phony"
    fileformat.write(train_lines(NAMES), path)
    schema = phony_pdl.load(doc({"n": {"generator": "ngram", "model": str(path)}}, 10))
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(GenerationError, match=r"t\.n: .*is truncated"):
        schema.generate()["t"]


# ------------------------------------------------------------------ bundled models


def test_bundled_models_are_valid_and_in_sync(ngram_generator) -> None:
    names = ngram_generator.bundled_models()
    for loc in ("en_US", "de_DE", "tr_TR"):
        for model in ("first_names", "last_names", "company_names", "street_names", "city_names"):
            assert f"{loc}/{model}" in names
    for model in ("email_usernames", "product_names", "lorem_words"):
        assert f"xx/{model}" in names
    for name in names:
        commands.validate(ngram_generator.models_dir() / f"{name}.phony")
    script = ROOT / "generators" / "models" / "build_models.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, "run python generators/models/build_models.py\n" + done.stdout


def test_training_set_is_base64_of_sorted_hashes(names_model) -> None:
    doc_ = json.loads(gzip.decompress(names_model.read_bytes()))
    raw = base64.b64decode(doc_["training_set"]["hashes"])
    hashes = np.frombuffer(raw, dtype="<u8")
    assert len(hashes) == doc_["metadata"]["distinct_lines"]
    assert np.all(hashes[1:] > hashes[:-1])


def test_cli_train_records_backoff(tmp_path) -> None:
    src = tmp_path / "names.txt"
    src.write_text("\n".join(NAMES[:100]) + "\n", encoding="utf-8")
    out = tmp_path / "m.phony"
    done = subprocess.run(
        [sys.executable, "-m", "phony_pdl.cli", "train", str(src), "-o", str(out),
         "--smoothing", "backoff", "--quiet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert fileformat.read(out).smoothing == "backoff"
    bad = subprocess.run(
        [sys.executable, "-m", "phony_pdl.cli", "train", str(src), "-o", str(tmp_path / "x.phony"),
         "--smoothing", "katz"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "--smoothing 'katz'" in bad.stderr


def test_train_reads_a_semicolon_separated_csv(tmp_path) -> None:
    from phony_pdl.ngram.commands import train

    (tmp_path / "names.csv").write_text("name;n\nAda;1\nAlan;2\nGrace;3\nEdsger;4\n")
    summary = train(tmp_path / "names.csv", tmp_path / "n.phony", column="name")
    assert summary["lines"] == 4 and summary["tokens"] - summary["lines"] == len(
        "AdaAlanGraceEdsger"
    )


def test_the_spec_worked_example_is_what_train_writes(tmp_path) -> None:
    text = (ROOT / "spec" / "phony-format.md").read_text("utf-8")
    block = text.split("### Example", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    documented = "".join(line.strip() for line in block.splitlines())
    (tmp_path / "tiny.txt").write_text("ana\nanna\nan\n")
    commands.train(tmp_path / "tiny.txt", tmp_path / "tiny.phony", order=2)
    assert gzip.decompress((tmp_path / "tiny.phony").read_bytes()).decode() == documented


def _suspicious_by_search(compiled, e_tok: np.ndarray) -> np.ndarray:
    """The blocklist rule transition by transition, every word searched (as it was done
    for every model before characters got their per-context look-ups)."""
    from phony_pdl.ngram.sample import BOUNDARY

    words = [w.lower() for w in compiled.blocklist if w]
    tails = {w[i:] for w in words for i in range(1, len(w))}
    vocab = compiled.model.vocabulary
    flag = np.zeros(len(e_tok), dtype=bool)
    entry = 1
    for lv in compiled.levels:
        for ctx, d in zip(lv.contexts.tolist(), lv.context_degrees().tolist(), strict=True):
            anchored = bool(ctx) and ctx[0] == BOUNDARY
            head = "".join(vocab[i] for i in ctx if i != BOUNDARY).lower()
            for e in range(entry, entry + d):
                t = int(e_tok[e])
                if t != BOUNDARY:
                    flag[e] = compiled._blocked_after(
                        head, vocab[t].lower(), anchored, words, tails
                    )
            entry += d
    return flag


@pytest.mark.parametrize("order", [2, 3, 4, 5])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_character_models_flag_the_same_transitions_as_searching_every_word(order, seed) -> None:
    """A model of long comments took minutes to compile (`phony infer` on TPC-H's comment
    columns: 38 s at 2 % scale) searching every blocked word for every transition; the
    per-context look-ups must flag exactly the same transitions."""
    rng = np.random.default_rng(seed)
    letters = list("abcdeiknorstuhşİIK ")
    lines = ["".join(rng.choice(letters, rng.integers(2, 14))) for _ in range(400)]
    lines += ["Ashita", "Shitara", "Fuckel", "Bitchen", "İstanbul", "KISS kiss"]
    blocked = ("shit", "fuck", "a", "kis", "İs", "bitch", "ss k", "tra")
    model = train_lines(lines, order=order)
    compiled = compile_model(model, blocklist=blocked)
    e_tok = np.concatenate([[0], np.concatenate([lv.next for lv in compiled.levels])])
    deg = np.concatenate([lv.context_degrees() for lv in compiled.levels])
    fast = compiled._suspicious(e_tok.astype(np.int64), deg)
    slow = _suspicious_by_search(compiled, e_tok)
    assert fast.any() and np.array_equal(fast, slow)


_LETTERS = "abkisIKİß \u0307"  # 'İ' lowercases to two characters; U+0307 is its second


@settings(max_examples=40)
@given(
    lines=st.lists(st.text(_LETTERS, min_size=1, max_size=12), min_size=5, max_size=60),
    blocked=st.lists(st.text(_LETTERS, min_size=1, max_size=5), min_size=1, max_size=6),
    order=st.integers(1, 5),
)
def test_blocklist_flags_match_the_search_for_any_corpus_and_words(lines, blocked, order):
    """Contexts matched a level at once (one character per token) and one by one (a token
    whose lower case is longer, a blank word): the flags of searching every word."""
    model = train_lines(lines, order=order)
    compiled = compile_model(model, blocklist=tuple(blocked))
    e_tok = np.concatenate([[0], np.concatenate([lv.next for lv in compiled.levels])])
    deg = np.concatenate([lv.context_degrees() for lv in compiled.levels])
    fast = compiled._suspicious(e_tok.astype(np.int64), deg)
    assert np.array_equal(fast, _suspicious_by_search(compiled, e_tok))
