"""Unique emails and user names: a number only where an earlier row has the same address."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.engine.columns import Columns
from phony_pdl.generators import unique as unique_mod
from phony_pdl.generators._common import ascii_word, language_of
from phony_pdl.generators.internet import _local_keys
from phony_pdl.generators.unique import occurrence_rank, rank_numbers
from phony_pdl.rng import mix

ROOT = Path(__file__).resolve().parent.parent


def schema(locale: str, rows: int, seed: int, field: dict):
    return phony_pdl.load(
        {
            "pdl": 1,
            "name": "u",
            "seed": seed,
            "locale": locale,
            "entities": {
                "users": {
                    "count": rows,
                    "fields": {
                        "id": {"sequence": 1},
                        "first_name": {"generator": "person.first_name"},
                        "last_name": {"generator": "person.last_name"},
                        "value": {**field, "unique": True},
                    },
                }
            },
        }
    )


def values(locale: str, rows: int, seed: int, field: dict, **kw) -> pa.Table:
    return schema(locale, rows, seed, field).generate(**kw)["users"]


def trailing_digits(column: pa.Array) -> list[str]:
    return [re.match(r"^[^@]*?(\d*)(@|$)", v).group(1) for v in column.to_pylist()]


# --------------------------------------------------------------------------- the pieces


def test_occurrence_rank_counts_earlier_equal_keys() -> None:
    rng = np.random.default_rng(3)
    for shift in (0, 40, 58):  # the packed sort, and keys too wide for it (stable argsort)
        keys = rng.integers(0, 50, 5_000).astype(np.int64) << np.int64(shift)
        seen: Counter = Counter()
        want = []
        for k in keys.tolist():
            want.append(seen[k])
            seen[k] += 1
        assert occurrence_rank(keys).tolist() == want
    assert occurrence_rank(np.array([7], dtype=np.int64)).tolist() == [0]


def test_occurrence_rank_on_two_threads_equals_one_sort() -> None:
    """From _SPLIT_RANK_FROM keys on, the keys are ranked in two halves on two threads."""
    rng = np.random.default_rng(5)
    n = unique_mod._SPLIT_RANK_FROM + 1_234
    for top in (50, 300_000, 1 << 50):  # long runs, a few repeats, keys too wide to pack
        keys = rng.integers(0, top, n).astype(np.int64)
        expected = unique_mod._occurrence_rank(keys.copy())
        assert np.array_equal(occurrence_rank(keys.copy(), overwrite=True), expected)
    runs = n // 1_000
    in_runs = np.repeat(np.arange(1_000, dtype=np.int64), runs)  # each key's rows together
    assert np.array_equal(occurrence_rank(in_runs), np.tile(np.arange(runs), 1_000))


def test_rank_numbers_are_distinct_within_a_group_and_short_for_small_ranks() -> None:
    groups = np.repeat(np.arange(4, dtype=np.uint64), 12_000)
    ranks = np.tile(np.arange(12_000, dtype=np.int64), 4)
    numbers = rank_numbers(mix(11, groups), ranks)
    for g in range(4):
        mine = numbers[groups == g]
        assert len(np.unique(mine)) == 12_000
    # a rank's number has as many digits as the rank: below 100, 100–999, 1,000–9,999 …
    for low, high in ((0, 100), (100, 1_000), (1_000, 10_000), (10_000, 12_000)):
        inside = (ranks >= low) & (ranks < high)
        assert numbers[inside].min() >= low
        assert numbers[inside].max() < max(high, 10 * low)


def test_pairs_that_spell_the_same_local_part_share_a_code() -> None:
    """firstlast: "ann" + "amarie" and "anna" + "marie" are one string."""
    data = SimpleNamespace(
        heads=pa.array(["ann", "anna", "ann.", "j.", "j."]),
        tails=pa.array(["amarie", "marie", "smith", "marie"]),
    )
    keys = _local_keys(data)
    size = keys.tails

    def code(h: int, t: int) -> int:
        pair = int(keys.head[h]) * size + int(keys.tail[t])
        at = np.searchsorted(keys.ambiguous, pair)
        if at < len(keys.ambiguous) and keys.ambiguous[at] == pair:
            return int(keys.canonical[at])
        return pair

    assert code(0, 0) == code(1, 1)  # annamarie
    assert code(3, 2) == code(4, 2)  # the same head string, one code
    assert code(2, 0) != code(2, 1) and code(0, 1) != code(1, 1)
    # names with digits would read as numbers: no prepared keys, the old suffix stays
    assert _local_keys(SimpleNamespace(heads=pa.array(["a1."]), tails=pa.array(["b"]))) is None


# --------------------------------------------------------------------------- uniqueness


FIELDS = [
    {"generator": "internet.email"},
    {"generator": "internet.username"},
    {"generator": "internet.email", "domain": "example.com"},
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    rows=st.integers(1, 30_000),
    locale=st.sampled_from(["pt_BR", "en_US", "de_DE", "en_GB"]),
    field=st.sampled_from(FIELDS),
)
def test_unique_over_seeds_row_counts_and_locales(seed, rows, locale, field) -> None:
    column = values(locale, rows, seed, field).column("value")
    assert pc.count_distinct(column).as_py() == rows


def test_many_rows_per_name_stay_unique_with_long_numbers() -> None:
    """pt_BR has 301 given and 144 family names: 200,000 user names repeat the common ones
    hundreds of times, so ranks run into the three-digit tier."""
    column = values("pt_BR", 200_000, 5, {"generator": "internet.username"}).column("value")
    assert pc.count_distinct(column).as_py() == 200_000
    lengths = Counter(len(d) for d in trailing_digits(column))
    assert lengths[3] > 0  # rank 100 and later: three digits
    assert max(lengths) <= 4


@pytest.mark.parametrize("kind", [{"kind": "company"}, {"domain_from": "org"}])
def test_domains_from_elsewhere_keep_the_local_part_unique(kind: dict) -> None:
    """The key leaves such a domain out: the local part is unique on its own."""
    org = {"org": {"choice": ["a.example", "b.example"]}} if "domain_from" in kind else {}
    fields = {
        **org,
        "first_name": {"generator": "person.first_name"},
        "value": {"generator": "internet.email", **kind, "unique": True},
    }
    doc = {"pdl": 1, "name": "u", "seed": 2, "entities": {"t": {"count": 20_000, "fields": fields}}}
    column = phony_pdl.load(doc).generate()["t"].column("value")
    local = [v.split("@")[0] for v in column.to_pylist()]
    assert len(set(local)) == len(local) == 20_000
    assert sum(not re.search(r"\d$", v) for v in local) > 0.5 * len(local)


# --------------------------------------------------------------------------- the look


def test_most_unique_emails_carry_no_number() -> None:
    users = phony_pdl.load(ROOT / "examples" / "users.yaml")
    for scale in (1, 100):
        digits = trailing_digits(users.generate(scale=scale)["users"].column("email"))
        bare = sum(d == "" for d in digits) / len(digits)
        assert 0.55 < bare < 0.65, (scale, bare)  # as without unique: 60 %
        assert max(len(d) for d in digits) <= 3


def test_the_local_part_still_spells_the_row_names() -> None:
    table = values("de_DE", 5_000, 9, {"generator": "internet.email"})
    for row in table.slice(0, 2_000).to_pylist():
        local = re.sub(r"\d+$", "", row["value"].split("@")[0])
        first = ascii_word(row["first_name"], language_of("de_DE"))
        last = ascii_word(row["last_name"], language_of("de_DE"))
        assert local in {
            f"{first}.{last}",
            f"{first}{last}",
            f"{first[0]}.{last}",
            f"{first}_{last}",
            f"{last}.{first}",
        }, row


# --------------------------------------------------------------------------- determinism


def test_block_size_and_workers_do_not_change_the_numbers(tmp_path: Path) -> None:
    users = phony_pdl.load(ROOT / "examples" / "users.yaml")
    want = users.generate(scale=20, block_rows=65_536)["users"]
    assert want.equals(users.generate(scale=20, block_rows=97)["users"])
    users.generate(scale=20, block_rows=1_000).write(tmp_path / "w2", format="parquet", workers=2)
    forked = pq.read_table(tmp_path / "w2" / "users.parquet")
    assert forked.column("email").equals(want.column("email"))
    # a lookup of some rows reads the numbers the whole table has
    rows = np.array([19_999, 3, 12_345], dtype=np.int64)
    looked = Columns(users.generate(scale=20).plan).lookup("users", "email", rows)
    assert looked.to_pylist() == want.column("email").take(rows).to_pylist()


def test_two_name_pairs_spelling_one_user_name_do_not_clash() -> None:
    """fr_FR at 300,000 rows, seed 1, has two rows whose firstlast user names are one
    string from different (first, last) pairs: without the shared code they clashed."""
    column = values("fr_FR", 300_000, 1, {"generator": "internet.username"}).column("value")
    assert pc.count_distinct(column).as_py() == 300_000


def test_a_preview_reads_the_values_of_the_whole_run(monkeypatch) -> None:
    """The first rows need only a prefix of the entity ranked (a preview of a billion rows
    must not rank them all), and get the whole run's values."""
    from phony_pdl.engine import columns as columns_mod
    from phony_pdl.generators import internet

    monkeypatch.setattr(columns_mod, "PREPARED_PREFIX", 4_096)
    monkeypatch.setattr(internet, "SHARE_ROWS", 4_096)
    users = phony_pdl.load(ROOT / "examples" / "users.yaml")
    whole = users.generate(scale=30)["users"].column("email")
    dataset = users.generate(scale=30)
    columns = Columns(dataset.plan)
    first = columns.table("users", np.arange(50, dtype=np.int64)).column("email")
    assert dataset.plan.__dict__["_cache"][("prepared", "users", "email")][0] == 4_096
    assert first.to_pylist() == whole.slice(0, 50).to_pylist()
    later = columns.lookup("users", "email", np.array([29_999, 7], dtype=np.int64))
    assert later.to_pylist() == [whole[29_999].as_py(), whole[7].as_py()]
