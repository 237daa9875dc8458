"""The Faker-style Python API (phony_pdl.fake.Phony) and the pytest plugin fixtures."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest

from phony_pdl.errors import UsageError
from phony_pdl.fake import Phony
from phony_pdl.generators._common import ascii_word

from .conftest import ROOT

pytest_plugins = ["phony_pdl.pytest_plugin", "pytester"]


def test_one_value_or_an_array() -> None:
    fake = Phony(locale="de_DE", seed=1)
    name = fake.person.first_name()
    assert isinstance(name, str) and name
    names = fake.person.first_name(n=100_000)
    assert isinstance(names, pa.Array) and len(names) == 100_000
    assert names.type == pa.string() and names.null_count == 0
    assert len(set(names.to_pylist())) > 200
    one = fake.person.first_name(n=1)
    assert isinstance(one, pa.Array) and len(one) == 1


def test_python_types_of_single_values() -> None:
    fake = Phony(seed=3)
    assert isinstance(fake.person.age(), int)
    assert isinstance(fake.person.birth_date(), dt.date)
    assert isinstance(fake.address.latitude(), float)
    assert isinstance(fake.commerce.price(), Decimal)
    assert isinstance(fake.misc.boolean(), bool)
    assert isinstance(fake.id.uuid4(), str)


def test_params_as_keyword_arguments() -> None:
    fake = Phony(locale="de_DE", seed=1)
    women = fake.person.first_name(n=200, gender="female").to_pylist()
    men = fake.person.first_name(n=200, gender="male").to_pylist()
    assert not set(women) & set(men) - {"Kim", "Toni", "Luca", "Sascha", "Andrea"}
    full = fake.person.full_name(n=200, gender="male").to_pylist()
    assert {name.split(" ")[0] for name in full} <= set(men) | set(
        fake.person.first_name(n=5000, gender="male").to_pylist()
    )
    assert all(
        x.endswith("@example.com")
        for x in fake.internet.email(n=5, domain="example.com").to_pylist()
    )
    assert all(x.startswith("+49") for x in fake.phone.number(n=5, format="e164").to_pylist())
    assert fake.finance.iban(country="NL").startswith("NL")
    assert fake.finance.iban(country="fr").startswith("FR")  # codes in any case


def test_successive_calls_advance_and_are_reproducible() -> None:
    a, b = Phony("en_US", seed=7), Phony("en_US", seed=7)
    first = [a.internet.email() for _ in range(5)]
    assert len(set(first)) == 5  # each call draws new rows
    assert [b.internet.email() for _ in range(5)] == first  # same seed, same calls
    assert a.row == 5
    a.reset()
    assert a.internet.email() == first[0]
    other = Phony("en_US", seed=8)
    assert [other.internet.email() for _ in range(5)] != first


def test_batch_equals_single_calls() -> None:
    """A value depends only on its row: n=5 gives what five single calls give."""
    a, b = Phony("fr_FR", seed=2), Phony("fr_FR", seed=2)
    assert a.address.city(n=5).to_pylist() == [b.address.city() for _ in range(5)]


def test_record_is_coherent_per_row() -> None:
    fake = Phony(locale="pl_PL", seed=5)
    table = fake.record("person", n=500)
    assert isinstance(table, pa.Table) and table.num_rows == 500
    assert set(table.column_names) >= {
        "first_name",
        "last_name",
        "full_name",
        "sex",
        "prefix",
        "job_title",
        "birth_date",
        "age",
    }
    for row in table.to_pylist():
        assert row["full_name"] == f"{row['first_name']} {row['last_name']}"
        born = row["birth_date"]
        assert row["age"] == 2025 - born.year - ((born.month, born.day) > (1, 1))
        if row["sex"] == "female":
            assert row["prefix"] in ("Pani", "Dr")


def test_record_of_several_families_and_chosen_fields() -> None:
    fake = Phony(locale="de_DE", seed=1)
    table = fake.record("person", "internet", n=50)
    assert table.column_names[:2] == ["age", "birth_date"]  # person first, as asked
    for row in table.to_pylist():
        local = row["email"].split("@")[0]
        assert ascii_word(row["last_name"], "de") in local  # the same person
        assert ascii_word(row["last_name"], "de") in row["username"]
    picked = fake.record(fields=["address.city", "address.postal_code", "phone.number"], n=20)
    assert picked.column_names == ["city", "postal_code", "number"]
    clash = fake.record(fields=["commerce.currency", "finance.currency"], n=2)
    assert clash.column_names == ["commerce.currency", "finance.currency"]


def test_errors_are_helpful() -> None:
    with pytest.raises(UsageError, match="unknown locale 'de_CH'"):
        Phony(locale="de_CH")
    with pytest.raises(UsageError, match=r"unknown locale 'de'; did you mean 'de_DE'\?"):
        Phony(locale="de")  # a bare language: difflib finds nothing that short
    with pytest.raises(UsageError, match=r"unknown locale 'en'; did you mean 'en_GB' or 'en_US'\?"):
        Phony(locale="en")
    fake = Phony()
    with pytest.raises(AttributeError, match="did you mean 'person'"):
        fake.persn  # noqa: B018
    with pytest.raises(AttributeError, match="did you mean 'first_name'"):
        fake.person.frist_name  # noqa: B018
    with pytest.raises(UsageError, match="gendr"):
        fake.person.first_name(gendr="female")
    with pytest.raises(UsageError, match="gender"):
        fake.person.first_name(gender="other")
    with pytest.raises(UsageError, match="n must be"):
        fake.person.first_name(n=-1)
    with pytest.raises(UsageError, match="unknown generator"):
        fake.generate("person.nope")
    with pytest.raises(UsageError, match="no generator family"):
        fake.record("persons")


def test_discovery() -> None:
    fake = Phony()
    assert {"person", "internet", "address", "finance"} <= set(dir(fake))
    assert "first_name" in dir(fake.person)
    assert "first_name" in list(fake.person)
    assert "Given name" in fake.person.first_name.__doc__
    assert repr(fake).startswith("Phony(locale='en_US'")


def test_generate_by_name() -> None:
    fake = Phony(locale="it_IT", seed=1)
    assert fake.generate("address.country_code") == "IT"
    assert len(fake.generate("id.ulid", n=3)) == 3


# --------------------------------------------------------------------------- pytest plugin


def node_seed(nodeid: str) -> int:
    from phony_pdl.pytest_plugin import node_seed as seed_of

    return seed_of(nodeid)


def test_phony_fixture_is_seeded_from_the_node_id(phony, request) -> None:
    assert isinstance(phony, Phony)
    assert phony.seed == node_seed(request.node.nodeid)
    assert phony.locale == "en_US"
    again = Phony(locale="en_US", seed=node_seed(request.node.nodeid))
    assert phony.person.full_name(n=3).to_pylist() == again.person.full_name(n=3).to_pylist()


def test_node_seed_is_stable() -> None:
    assert node_seed("tests/test_x.py::test_a") == node_seed("tests/test_x.py::test_a")
    assert node_seed("tests/test_x.py::test_a") != node_seed("tests/test_x.py::test_b")
    assert node_seed("a") == 310482890  # hashlib, not the salted hash(): same everywhere


def test_phony_dataset_from_a_path(phony_dataset) -> None:
    data = phony_dataset(ROOT / "examples" / "users.yaml", scale=0.1)
    assert set(data) == {"users"}
    assert isinstance(data["users"], pa.Table) and data["users"].num_rows == 100
    again = phony_dataset(ROOT / "examples" / "users.yaml", scale=0.1)
    assert again["users"].equals(data["users"])
    other = phony_dataset(ROOT / "examples" / "users.yaml", scale=0.1, seed=99)
    assert not other["users"].equals(data["users"])


def test_phony_dataset_with_counts(phony_dataset) -> None:
    data = phony_dataset(ROOT / "examples" / "shop.yaml", counts={"customers": 12}, scale=0.05)
    assert data["customers"].num_rows == 12 and data["products"].num_rows == 10
    assert set(data["orders"]["customer_id"].to_pylist()) <= set(range(1, 13))


def test_phony_dataset_relative_to_the_test_file(phony_dataset) -> None:
    data = phony_dataset("../examples/users.yaml", scale=0.01)
    assert data["users"].num_rows == 10


def test_phony_dataset_names_where_it_looked_for_a_missing_file(
    phony_dataset, monkeypatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        phony_dataset("shop.yaml")
    assert str(info.value) == (
        "phony_dataset: no PDL file 'shop.yaml' in the working directory or beside the test "
        f"(looked in {tmp_path} and {ROOT / 'tests'})"
    )


def test_phony_dataset_from_a_dict(phony_dataset) -> None:
    doc = {
        "pdl": 1,
        "name": "t",
        "locale": "nl_NL",
        "entities": {
            "a": {"count": 5, "fields": {"name": {"generator": "person.full_name"}}},
            "b": {"count": 3, "fields": {"id": {"sequence": 1}}},
        },
    }
    data = phony_dataset(doc)
    assert {k: v.num_rows for k, v in data.items()} == {"a": 5, "b": 3}


def test_plugin_gives_each_test_its_own_stable_values(pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_one(phony):
            print("VALUE", phony.person.full_name())

        def test_two(phony):
            print("VALUE", phony.person.full_name())

        @pytest.mark.phony(locale="tr_TR", seed=42)
        def test_marker(phony):
            assert phony.locale == "tr_TR" and phony.seed == 42
            assert phony.address.country_code() == "TR"

        @pytest.mark.phony("de_DE")  # positional, as Phony("de_DE") takes it
        def test_positional_marker(phony):
            assert phony.locale == "de_DE"
            assert phony.address.country_code() == "DE"
        """
    )
    runs = []
    for _ in range(2):
        result = pytester.runpytest_subprocess(
            "-s", "-p", "phony_pdl.pytest_plugin", "-W", "error::pytest.PytestUnknownMarkWarning"
        )
        result.assert_outcomes(passed=4)
        runs.append(re.findall(r"VALUE ([^\n.]+)", result.stdout.str()))
    assert runs[0] == runs[1] and len(runs[0]) == 2
    assert runs[0][0] != runs[0][1]


def test_threads_sharing_one_phony_never_draw_the_same_rows() -> None:
    import sys
    from concurrent.futures import ThreadPoolExecutor

    fake = Phony(seed=2)
    fake.id.uuid4()  # warm
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up
    try:
        with ThreadPoolExecutor(8) as pool:
            batches = list(pool.map(lambda _: [fake.id.uuid4() for _ in range(2000)], range(8)))
    finally:
        sys.setswitchinterval(interval)
    values = [v for batch in batches for v in batch]
    assert len(set(values)) == len(values) == 16_000
    assert fake.row == 16_001


def test_first_use_from_several_threads_sees_every_generator(tmp_path) -> None:
    """The registry fills once, behind a lock: a thread never sees it half-filled."""
    import subprocess
    import sys

    script = tmp_path / "threads.py"
    script.write_text(
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from phony_pdl import Phony\n"
        "fake = Phony(seed=1)\n"
        "with ThreadPoolExecutor(8) as pool:\n"
        "    print(list(pool.map(lambda _: fake.person.first_name(), range(16))))\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    values = eval(out.stdout)  # a printed list of names
    assert len(values) == 16 and all(isinstance(v, str) and v for v in values)


def test_reseeding_faker_style() -> None:
    fake = Phony(seed=5)
    first = fake.person.first_name(n=5).to_pylist()
    fake.person.first_name(n=3)
    assert fake.seed_instance(5) is fake and fake.row == 0
    assert fake.person.first_name(n=5).to_pylist() == first
    fake.seed = 6
    assert fake.row == 0 and fake.person.first_name(n=5).to_pylist() != first
    with pytest.raises(UsageError, match="seed must be an int, got float"):
        fake.seed = 2.5


def test_a_family_that_is_one_generator_is_callable() -> None:
    fake = Phony(seed=1)
    assert dir(fake.ngram) == ["ngram"] and "ngram" in repr(fake.ngram)
    names = fake.ngram(model="en_US/first_names", n=3)
    assert len(names) == 3 and all(names.to_pylist())
    assert isinstance(fake.ngram.ngram(model="en_US/first_names"), str)
    with pytest.raises(UsageError, match="ngram: model: Field required"):
        fake.record("ngram")
    with pytest.raises(TypeError, match="'person' is a family of generators, not one"):
        fake.person(3)


def test_record_with_a_positional_count_says_how_to_write_it() -> None:
    with pytest.raises(UsageError, match=r"write record\('person', n=3\)"):
        Phony().record("person", 3)


def test_fakers_names_point_at_phonys() -> None:
    fake = Phony(seed=1)
    with pytest.raises(AttributeError, match=r"did you mean fake\.person\.full_name\(\)"):
        fake.name  # noqa: B018
    with pytest.raises(AttributeError, match=r"did you mean company\.name\(\)"):
        fake.company.company  # noqa: B018
    with pytest.raises(AttributeError, match=r"did you mean address\.postal_code\(\)"):
        fake.address.zipcode  # noqa: B018
    with pytest.raises(UsageError, match=r"person\.full_name\(gender='female'\)"):
        fake.generate("person.name_female")


def test_unique_values_like_fakers_fake_unique() -> None:
    fake = Phony(seed=4)
    emails = fake.unique.internet.email(n=50_000).to_pylist()
    assert len(set(emails)) == 50_000
    more = fake.unique.internet.email(n=1_000).to_pylist()  # remembered across calls
    assert not set(more) & set(emails) and len(set(more)) == 1_000
    cities = [fake.unique.address.city() for _ in range(60)]  # every en_US city, once
    assert len(set(cities)) == 60
    with pytest.raises(UsageError, match=r"address\.city: no new distinct value .* about 60"):
        fake.unique.address.city()
    fake.unique.clear()
    assert fake.unique.address.city() in cities
    # unique=True on one call: the same memory; other parameters keep their own
    ids = fake.generate("internet.email", n=10, unique=True, domain="example.com").to_pylist()
    assert len(set(ids)) == 10 and all(x.endswith("@example.com") for x in ids)
    # deterministic for a seed, like every draw
    a = Phony(seed=9).unique.person.last_name(n=500).to_pylist()
    b = Phony(seed=9).unique.person.last_name(n=500).to_pylist()
    assert a == b and len(set(a)) == 500
    with pytest.raises(AttributeError, match="'persn' is not one of them; did you mean 'person'"):
        fake.unique.persn  # noqa: B018


def test_unique_is_safe_across_threads_and_cheap_per_call() -> None:
    import threading

    fake = Phony(seed=2)
    out: list[str] = []

    def work() -> None:
        for _ in range(100):
            out.append(fake.unique.person.first_name())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 400 and len(set(out)) == 400
    assert fake.unique.generate("person.last_name", n=5) is not None  # generate() too
    # the memory is a set: remembering 100,000 values does not slow the next call down
    fake.unique.internet.email(n=100_000)
    key = ("internet.email", '{"domain": null, "domain_from": null, "kind": "free"}')
    assert len(fake._seen[key].values) == 100_000


def test_single_values_computed_ahead_are_those_of_one_by_one_calls() -> None:
    """A single call computes the next rows ahead; the values are exactly what drawing
    each row alone gives, whatever the interleaving, reseeding or resetting."""
    ahead, alone = Phony(locale="tr_TR", seed=5), Phony(locale="tr_TR", seed=5)
    names = ["person.first_name", "internet.email", "address.city", "phone.number"]
    for i in range(400):
        name = names[(i * 7) % len(names)]
        assert ahead.generate(name) == alone.generate(name, n=1)[0].as_py()
    ahead.reset(3)
    alone.reset(3)
    assert ahead.person.last_name() == alone.person.last_name(n=1)[0].as_py()
    ahead.seed_instance(9)
    alone.seed_instance(9)
    assert ahead.person.last_name() == alone.person.last_name(n=1)[0].as_py()


def test_a_failed_unique_call_gives_nothing_and_forgets_nothing() -> None:
    """The caller of a call that raises gets none of its values: they must stay available
    (they were remembered as given, so every later unique call failed too)."""
    from phony_pdl import Phony
    from phony_pdl.errors import UsageError

    fake = Phony(seed=1)
    with pytest.raises(UsageError, match="this call gave none of its 61: they stay available"):
        fake.unique.address.city(n=61)  # the en_US list has 60 cities
    first = fake.unique.address.city()
    assert len(set(fake.unique.address.city(n=59).to_pylist()) | {first}) == 60


def test_api_arguments_are_checked_and_hints_name_real_parameters() -> None:
    from phony_pdl import Phony
    from phony_pdl.errors import UsageError

    fake = Phony("pl_PL", seed=1)
    with pytest.raises(AttributeError, match=r"did you mean fake\.person\.prefix\(\)\?"):
        fake.prefix_female  # noqa: B018 (person.prefix has no gender parameter)
    with pytest.raises(AttributeError, match=r"fake\.person\.first_name\(gender='female'\)"):
        fake.first_name_female  # noqa: B018
    for bad in (-5, 2**70, "3", 2.7):
        with pytest.raises(UsageError, match=r"reset\(row\)"):
            fake.reset(bad)
    assert fake.record(fields="person.first_name", n=2).column_names == ["first_name"]
    with pytest.raises(UsageError, match="not both"):
        fake.record("address", fields=["person.first_name"], n=2)
    # a new locale: no value computed ahead in the old one is handed out
    en = Phony(seed=1)
    en.person.first_name()
    en.reset()
    en.locale = "de_DE"
    de = Phony("de_DE", seed=1)
    assert en.person.first_name() == de.person.first_name()
    with pytest.raises(UsageError, match="unknown locale 'xx_XX'"):
        en.locale = "xx_XX"


def test_faker_calls_on_a_family_or_under_unique_name_the_full_phony_call() -> None:
    fake = Phony(seed=1)
    with pytest.raises(TypeError) as info:
        fake.address()
    assert str(info.value).startswith(
        "Faker's fake.address() is fake.address.full(); 'address' is a family of generators"
    )
    with pytest.raises(TypeError, match=r"Faker's fake.company\(\) is fake.company.name\(\)"):
        fake.company()
    with pytest.raises(AttributeError) as info:
        fake.unique.email()
    assert str(info.value).endswith("did you mean fake.unique.internet.email()?")
    with pytest.raises(AttributeError, match=r"did you mean fake.unique.person.full_name\(\)\?"):
        fake.unique.name()


def test_a_misspelt_parameter_names_the_close_one() -> None:
    fake = Phony(seed=1)
    with pytest.raises(UsageError) as info:
        fake.person.birth_date(minimum_age=18)  # Faker's date_of_birth(minimum_age=…)
    assert str(info.value) == (
        "person.birth_date: minimum_age: Extra inputs are not permitted; did you mean "
        "'min_age'? (its parameters: min_age, max_age)"
    )


def test_field_draws_pdl_fields_for_fakers_random_helpers() -> None:
    fake = Phony(locale="de_DE", seed=1)
    number = fake.field(type="int", min=1, max=10)  # Faker's random_int(1, 10)
    assert isinstance(number, int) and 1 <= number <= 10
    many = fake.field(type="int", min=1, max=10, n=2000)
    assert many.type == pa.int64() and set(many.to_pylist()) == set(range(1, 11))
    price = fake.field(type="float", min=0, max=100, round=2)
    assert isinstance(price, float) and round(price, 2) == price
    tiers = fake.field(choice={"gold": 10, "silver": 90}, n=5000).to_pylist()
    assert 0.07 < tiers.count("gold") / 5000 < 0.13
    day = fake.field(type="date", between=["1990-01-01", "2020-12-31"])
    assert isinstance(day, dt.date) and dt.date(1990, 1, 1) <= day <= dt.date(2020, 12, 31)
    assert re.fullmatch(r"[A-Z]{3}-[0-9]{4}", fake.field(pattern="[A-Z]{3}-[0-9]{4}"))
    # single calls give what one call of n gives, as generators do
    one_by_one = Phony(seed=4)
    at_once = Phony(seed=4).field(choice=["a", "b", "c"], n=300).to_pylist()
    assert [one_by_one.field(choice=["a", "b", "c"]) for _ in range(300)] == at_once
    assert Phony(seed=5).field(choice=["a", "b", "c"], n=300).to_pylist() != at_once
    # a pickled Phony draws on (its field plans are rebuilt)
    import pickle

    again = pickle.loads(pickle.dumps(one_by_one))
    assert (
        again.field(type="int", min=1, max=99, n=9).to_pylist()
        == one_by_one.field(type="int", min=1, max=99, n=9).to_pylist()
    )


def test_field_errors_say_what_to_write() -> None:
    fake = Phony(seed=1)
    with pytest.raises(UsageError) as info:
        fake.field(type="int", min=10, max=1)
    assert (
        str(info.value)
        == "field(type='int', min=10, max=1): min: min=10 is greater than max=1 (swap them)"
    )
    with pytest.raises(UsageError) as info:
        fake.field(type="date", between=["-30y", "today"])  # Faker's date_between
    assert str(info.value).startswith("field(type='date', between=['-30y', 'today']): between[0]:")
    assert str(info.value).endswith(
        "'-30y' is relative to today: Phony never reads the clock, so the values repeat run "
        "after run; write the dates (2024-01-31)"
    )
    with pytest.raises(
        UsageError, match=r"typ: unknown key 'typ' in a field \(did you mean 'type'\?\)"
    ):
        fake.field(typ="int")
    with pytest.raises(UsageError, match="field\\(unique=…\\) is not supported"):
        fake.field(type="int", unique=True)
    with pytest.raises(AttributeError) as info:
        fake.random_int(1, 10)
    assert str(info.value) == (
        "no generator family 'random_int'; Faker's random_int() is "
        "fake.field(type='int', min=0, max=9999) (a PDL field: see help(Phony.field))"
    )
    with pytest.raises(
        AttributeError, match=r"Faker's date_between\(\) is fake.field\(type='date'"
    ):
        fake.date_between("-30y", "today")


def test_a_failed_test_names_the_phony_that_made_its_data(pytester) -> None:
    from phony_pdl.pytest_plugin import node_seed

    pytester.makepyfile(
        test_fail="""
        import pytest

        def test_email(phony):
            assert phony.internet.email().endswith("@example.com")

        @pytest.mark.phony(locale="de_DE", seed=7)
        def test_pinned(phony):
            assert phony.person.age() < 0

        def test_passes(phony):
            phony.person.age()
        """
    )
    result = pytester.runpytest_subprocess("-p", "phony_pdl.pytest_plugin", "--tb=short")
    result.assert_outcomes(failed=2, passed=1)
    seed = node_seed("test_fail.py::test_email")
    result.stdout.fnmatch_lines(
        [
            "*- phony -*",
            f"Phony(locale='en_US', seed={seed}, row=1), seeded from the test id "
            "'test_fail.py::test_email' (a new name, file path or pytest rootdir gives new "
            f"values): replay with Phony(locale='en_US', seed={seed}); pin with "
            f"@pytest.mark.phony(seed={seed})",
            "*- phony -*",
            "Phony(locale='de_DE', seed=7, row=1): replay with Phony(locale='de_DE', seed=7); "
            "pin with @pytest.mark.phony(seed=7)",
        ]
    )
    assert result.stdout.str().count("- phony -") == 2  # not for the test that passed


def test_help_shows_each_generators_keywords_and_return_types() -> None:
    import inspect

    fake = Phony(seed=1)
    assert str(inspect.signature(fake.person.birth_date)) == "(n=None, *, min_age=18, max_age=80)"
    assert str(inspect.signature(fake.ngram.ngram)).startswith("(n=None, *, model, min_length=None")
    assert fake.person.birth_date.__doc__.endswith(
        "Parameters: min_age=18, max_age=80\n\nReturns one datetime.date without `n`; with "
        "`n=`, a pyarrow Array of n values (date)."
    )
    assert "Returns one decimal.Decimal" in fake.commerce.price.__doc__
    assert "first_name(): Given name" in fake.person.__doc__
    assert 'fake.field(type="int", min=1, max=10)' in Phony.__doc__


def test_single_unique_calls_take_the_next_rows_values_not_given_before() -> None:
    plain = Phony(seed=3).person.last_name(n=400).to_pylist()
    fresh = list(dict.fromkeys(plain))  # first occurrences, in row order
    fake = Phony(seed=3)
    got = [fake.unique.person.last_name() for _ in range(len(fresh))]
    assert got == fresh
    assert fake.row == plain.index(fresh[-1]) + 1  # a row per value looked at, no more
    # the memory is the one n= calls use
    assert not set(fake.unique.person.last_name(n=50).to_pylist()) & set(got)


def test_families_follow_the_registry_when_a_generator_registers(monkeypatch) -> None:
    from phony_pdl.generators import registry

    assert Phony.families() == sorted({s.family for s in registry.all_specs()})
    assert "zzplugin" not in Phony.families()
    spec = registry.REGISTRY["misc.semver"]
    monkeypatch.setitem(
        registry.REGISTRY,
        "zzplugin.thing",
        registry.GeneratorSpec(
            "zzplugin.thing", spec.params, spec.returns, "zzplugin", spec.summary, spec.func
        ),
    )
    assert "zzplugin" in Phony.families()  # a plugin's family shows up, not a stale list
    assert isinstance(Phony(seed=1).zzplugin.thing(), str)
    monkeypatch.undo()
    assert "zzplugin" not in Phony.families()
