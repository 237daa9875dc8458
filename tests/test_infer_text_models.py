"""`phony infer` trains n-gram models for free-text columns; schemas find models beside them."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from typer.testing import CliRunner

import phony_pdl
from phony_pdl.cli import app
from phony_pdl.infer import infer, text_models
from phony_pdl.ngram import fileformat
from phony_pdl.ngram.model import train_lines
from phony_pdl.ngram.smoothing import interpolated, interpolated_size

runner = CliRunner()

_PLACES = ["Cedar", "Maple", "Silver", "Horn", "Eagle", "Pine", "Lake", "Red", "Stone", "Fox"]
_KINDS = ["County", "Municipal", "Regional", "Memorial", "Field", "Airpark", "Intl"]


def _names(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        f"{_PLACES[a]} {_PLACES[b]} {_KINDS[c]}" if b != a else f"{_PLACES[a]} {_KINDS[c]}"
        for a, b, c in zip(
            rng.integers(0, 10, n), rng.integers(0, 10, n), rng.integers(0, 7, n), strict=True
        )
    ]


def _table() -> pa.Table:
    names = _names(400, 1)
    rng = np.random.default_rng(2)
    syllables = ["tho", "mar", "ven", "ell", "ig", "pen", "ra", "do", "ston", "wick", "ley"]
    words = [  # one word each, like the surnames in airport names: text, not a code
        "".join(rng.choice(syllables, rng.integers(2, 4))).capitalize() for _ in range(400)
    ]
    return pa.table({"name": names, "code": words, "n": np.arange(400)})


def test_free_text_gets_a_model_that_invents_new_values() -> None:
    result = infer(_table(), name="t")
    fields = result.document["entities"]["t"]["fields"]
    spec = fields["name"]
    assert spec["generator"] == "ngram" and spec["novel"] is True
    assert spec["model"].startswith("models/t.name.") and spec["model"].endswith(".phony")
    assert "order-2 word model" in result.text
    assert fields["code"]["generator"] == "ngram"
    assert "order-4 character model" in result.text
    assert set(result.models) == {fields["name"]["model"], fields["code"]["model"]}
    out = result.schema().generate(seed=3)["t"]
    made = out["name"].to_pylist()
    training = set(_table()["name"].to_pylist())
    assert not training & set(made)  # no value of the sample is copied
    vocabulary = set(_PLACES) | set(_KINDS)
    assert all(set(v.split()) <= vocabulary for v in made)  # built from the sample's words
    assert len(set(made)) > 50


def test_no_models_keeps_random_letters() -> None:
    result = infer(_table(), name="t", models=False)
    spec = result.document["entities"]["t"]["fields"]["name"]
    assert spec["type"] == "string" and "generator" not in spec
    assert result.models == {}


def test_written_schema_finds_its_models_from_any_directory(tmp_path) -> None:
    result = infer(_table(), name="t")
    target = tmp_path / "out" / "schema.yaml"
    written = result.write(target)
    assert target in written and all(p.is_file() for p in written)
    rel = result.document["entities"]["t"]["fields"]["name"]["model"]
    assert fileformat.read(target.parent / rel).mode == "word"
    # a fresh process, elsewhere: the relative path is read beside the PDL file
    code = f"import phony_pdl; print(phony_pdl.load({str(target)!r}).generate()['t'].num_rows)"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "400"


def test_cli_writes_models_beside_the_output(tmp_path, monkeypatch) -> None:
    pacsv.write_csv(_table(), tmp_path / "places.csv")
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["infer", "places.csv", "-o", "learnt/places.yaml"])
    assert res.exit_code == 0, res.output
    models = sorted((tmp_path / "learnt" / "models").glob("*.phony"))
    assert [m.name.split(".")[1] for m in models] == ["code", "name"]
    assert "wrote learnt/models/places.name." in res.output
    gen = runner.invoke(app, ["generate", "--schema", "learnt/places.yaml", "--out", "gen", "-q"])
    assert gen.exit_code == 0, gen.output
    # to stdout: the models go under the working directory
    res = runner.invoke(app, ["infer", "places.csv"])
    assert res.exit_code == 0 and "generator: ngram" in res.output
    assert len(list((tmp_path / "models").glob("*.phony"))) == 2
    res = runner.invoke(app, ["infer", "places.csv", "--no-models"])
    assert "generator: ngram" not in res.output


def test_user_models_are_found_beside_the_schema(tmp_path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(_names(300, 4)) + "\n")
    from phony_pdl.ngram.commands import train

    (tmp_path / "schemas" / "m").mkdir(parents=True)
    train(corpus, tmp_path / "schemas" / "m" / "places.phony", order=2, mode="word")
    pdl = tmp_path / "schemas" / "s.yaml"
    pdl.write_text(
        "pdl: 1\nname: s\nentities:\n  t:\n    count: 20\n    fields:\n"
        "      place: { generator: ngram, model: m/places.phony }\n"
    )
    table = phony_pdl.load(pdl).generate()["t"]  # the working directory is elsewhere
    assert table.num_rows == 20 and all(table["place"].to_pylist())


def test_long_text_from_a_shared_vocabulary_gets_a_word_model_not_lorem() -> None:
    """Reviews of 3–15 words from the column's own vocabulary were written as Latin
    `lorem.sentence`; a word model of those words is trained instead (lorem stays the
    fallback when no model can be trained)."""
    rng = np.random.default_rng(2)
    vocab = [
        "the",
        "delivery",
        "was",
        "fast",
        "and",
        "item",
        "arrived",
        "broken",
        "great",
        "quality",
        "would",
        "buy",
        "again",
    ]
    reviews = [" ".join(rng.choice(vocab, rng.integers(3, 16))) for _ in range(600)]
    learnt = infer(pa.table({"review": reviews}), name="r")
    spec = learnt.document["entities"]["r"]["fields"]["review"]
    assert spec["generator"] == "ngram" and "word model" in learnt.text
    out = learnt.schema().generate(seed=1)["r"]["review"].to_pylist()
    assert all(set(v.split()) <= set(vocab) for v in out)
    assert not set(out) & set(reviews)  # new values only


def _rows_in_worker(dataset) -> int:
    return dataset["pubs"].num_rows


def test_an_inferred_model_travels_with_the_dataset_to_a_spawned_process() -> None:
    """Models learnt by `infer` live in memory until `write`; a Dataset sent to a process
    that starts fresh (spawn: the default on macOS and Windows) carries them along."""
    import multiprocessing
    import random

    import pyarrow as pa

    from phony_pdl.infer import infer

    rng = random.Random(1)
    words = ["Red", "Lion", "Crown", "Anchor", "Rose", "Swan", "Bell", "Oak", "Star", "Fox"]
    names = [f"The {rng.choice(words)} {rng.choice(words)}{rng.choice(['', ' Inn', ' Arms'])}"
             for _ in range(400)]  # fmt: skip
    learnt = infer(pa.table({"pub": names}), name="pubs")
    assert learnt.document["entities"]["pubs"]["fields"]["pub"]["generator"] == "ngram"
    dataset = learnt.schema().generate(seed=1)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_rows_in_worker, (dataset,)) == 400


def test_a_model_that_mostly_repeats_its_lines_is_not_sampled_novel() -> None:
    """ "reboot on <device id>" from 4 kinds and ~119 ids: the word model re-makes a training
    line 88 % of the time, passed the 2,000-row probe, and then a `novel: true` run of ~1,000
    rows failed on one row ("found no acceptable value after 64 attempts")."""
    doc = """
pdl: 1
name: iot
entities:
  devices:
    count: 119
    fields:
      id: { generator: id.uuid7 }
  events:
    count: { per: devices, distribution: poisson, mean: 7 }
    fields:
      device_id: { ref: devices.id }
      kind: { choice: { reboot: 50, firmware_update: 10, low_battery: 20, offline: 20 } }
      payload: { template: "{kind} on {device_id}" }
"""
    payload = phony_pdl.load(doc).generate(seed=1)["events"]["payload"].to_pylist()
    learnt = infer(pa.table({"payload": payload}), name="events")
    spec = learnt.document["entities"]["events"]["fields"]["payload"]
    assert spec["generator"] == "ngram"
    assert learnt.models[spec["model"]].mode == "char"  # the word model is refused
    table = learnt.schema().generate(seed=1, scale=5)["events"]
    assert table.num_rows == len(payload) * 5
    assert not set(table["payload"].to_pylist()) & set(payload)


def _random_codes(n: int, seed: int) -> list[str]:
    """Random letters and digits: every order-3 context sees nearly the whole alphabet once
    smoothed, the worst case for a model's size (TPC-H's addresses)."""
    rng = np.random.default_rng(seed)
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    return ["".join(rng.choice(alphabet, rng.integers(12, 30))) for _ in range(n)]


def test_interpolated_size_bounds_the_smoothed_model() -> None:
    for lines, order, mode, slack in [
        (_random_codes(300, 1), 4, "char", 1.1),  # nearly exact where it matters most
        (_random_codes(50, 2), 3, "char", 1.1),
        (_names(300, 4), 4, "char", 2.0),
        (_names(300, 4), 2, "word", 1.0),  # two-token contexts: nothing interpolated
    ]:
        model = train_lines(lines, order=order, mode=mode)
        actual = sum(level.n_transitions for level in interpolated(model))
        bound = interpolated_size(model)
        assert actual <= bound <= slack * actual, (mode, order, actual, bound)


def test_a_column_too_large_to_sample_trains_on_every_nth_value(monkeypatch) -> None:
    codes = _random_codes(600, 3)
    whole = infer(pa.table({"code": codes}), name="t")
    model = next(iter(whole.models.values()))
    assert model.metadata["lines"] == 600  # under the bound: every value
    assert "of the 600 distinct values (new values only" in whole.text

    size = interpolated_size(model)
    monkeypatch.setattr(text_models, "MAX_TRANSITIONS", size // 3)
    capped = infer(pa.table({"code": codes}), name="t")
    spec = capped.document["entities"]["t"]["fields"]["code"]
    model = capped.models[spec["model"]]
    assert model.metadata["lines"] == 150  # halved twice: every 4th value
    assert interpolated_size(model) <= size // 3
    assert "every 4th value (150 of the 600 distinct values" in capped.text
    assert (
        model.metadata["source"]["sha256"]
        == hashlib.sha256("\n".join(codes[::4]).encode()).hexdigest()
    )
    made = capped.schema().generate(seed=1)["t"]["code"].to_pylist()
    assert len(made) == 600 and not set(made) & set(codes[::4])
