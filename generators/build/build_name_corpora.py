"""Regenerate the frozen name corpora the bundled person-name models train on.

    /tmp/locvenv/bin/pip install -r generators/build/requirements.txt
    /tmp/locvenv/bin/python generators/build/build_name_corpora.py

writes generators/models/corpora/<locale>/{first,last}_names.txt: one name a line,
distinct, sorted by code point, UTF-8, final newline. The locale packs hold a few
hundred names each, which is plenty to pick real names from but too few for an
order-3 model to invent many distinct ones; these corpora add every name a
well-kept package has for the locale's language:

- en_US: the 1990 U.S. Census name lists (public domain) as shipped by the
  `names` package: every first name (4,275 female, 1,219 male) and the 20,000
  most frequent surnames, re-cased from upper case (McDonald, O'Brien: as
  build_locales.english_surname, also applied to Faker's en_US surnames).
- de_DE: Faker's de_DE, de_AT, de_CH, de_LI and de_LU lists with Mimesis's
  de, de-at and de-ch lists.
- en_GB: Faker's en_GB, en_IE and en_NZ lists with Mimesis's en-gb, en-au and
  en-ca lists; es_ES: Faker's es_ES, es, es_AR, es_CA, es_CL, es_CO and es_MX with
  Mimesis's es and es-mx; fr_FR: Faker's fr_FR, fr_BE, fr_CA, fr_CH and fr_QC with
  Mimesis's fr; it_IT, pl_PL: Faker's and Mimesis's lists of the locale (the packs
  keep only part of them); nl_NL: Faker's nl_NL and nl_BE with Mimesis's nl and
  nl-be; pt_BR: Faker's pt_BR and pt_PT with Mimesis's pt and pt-br.
- tr_TR: Faker's tr_TR lists with Mimesis's tr lists and the lists of the
  `turkish-name-generator` package (MIT): 12,922 first names and 2,445 surname
  entries, upper case (re-cased with Turkish rules: I -> ı, İ -> i); an entry
  holding two surnames (`ŞEN TANRIKULU`) counts as both.

Deterministic: same package versions, same bytes. Pinned versions as in
build_locales.py (names 0.3.0 too); the script refuses others.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import sys
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "models" / "corpora"
PINNED = {
    "faker": "40.63.0",
    "mimesis": "22.2.0",
    "names": "0.3.0",
    "turkish-name-generator": "1.0.6",
}
CENSUS_SURNAMES = 20_000  # most frequent; the tail is mostly one-family spellings

# Each locale's own lists plus those of locales sharing its language (Faker's and
# Mimesis's locale names); names move across borders, their spelling stays the language's.
FAKER = {
    "de_DE": ["de_DE", "de_AT", "de_CH", "de_LI", "de_LU"],
    "en_GB": ["en_GB", "en_IE", "en_NZ"],
    "en_US": ["en_US"],
    "es_ES": ["es_ES", "es", "es_AR", "es_CA", "es_CL", "es_CO", "es_MX"],
    "fr_FR": ["fr_FR", "fr_BE", "fr_CA", "fr_CH", "fr_QC"],
    "it_IT": ["it_IT"],
    "nl_NL": ["nl_NL", "nl_BE"],
    "pl_PL": ["pl_PL"],
    "pt_BR": ["pt_BR", "pt_PT"],
    "tr_TR": ["tr_TR"],
}
MIMESIS = {
    "de_DE": ["de", "de-at", "de-ch"],
    "en_GB": ["en-gb", "en-au", "en-ca"],
    "en_US": [],
    "es_ES": ["es", "es-mx"],
    "fr_FR": ["fr"],
    "it_IT": ["it"],
    "nl_NL": ["nl", "nl-be"],
    "pl_PL": ["pl"],
    "pt_BR": ["pt", "pt-br"],
    "tr_TR": ["tr"],
}


def _check_versions() -> None:
    wrong = {
        name: importlib.metadata.version(name)
        for name, want in PINNED.items()
        if importlib.metadata.version(name) != want
    }
    if wrong:
        raise SystemExit(f"pinned versions differ: {wrong}; expected {PINNED}")


def _faker(locale: str) -> tuple[list[str], list[str]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider

    def names(attribute: str) -> list[str]:
        # a list, tuple or name -> weight dict; some providers compute a list in a property
        value = getattr(provider, attribute, ())
        return list(value) if isinstance(value, (list, tuple, dict)) else []

    first = names("first_names_female") + names("first_names_male") + names("first_names")
    return first, names("last_names")


def _mimesis(locale: str) -> tuple[list[str], list[str]]:
    import mimesis

    path = Path(mimesis.__file__).parent / "datasets" / locale / "person.json"
    data = json.loads(path.read_text(encoding="utf-8"))

    def flat(value: object) -> list[str]:
        if isinstance(value, dict):
            return [x for v in value.values() for x in v]
        return list(value or [])

    return flat(data.get("names")), flat(data.get("surnames"))


def _recase(upper: str) -> str:
    """SMITH -> Smith, MCDONALD -> McDonald (the census lists are upper case)."""
    word = upper.capitalize()
    if word.startswith("Mc") and len(word) > 2:
        word = "Mc" + word[2:].capitalize()
    return word


def _census(file: str, limit: int | None = None) -> list[str]:
    import names

    path = Path(names.__file__).parent / file
    rows = path.read_text(encoding="ascii").splitlines()[:limit]
    return [_recase(row.split()[0]) for row in rows if row.strip()]


def _turkish_title(upper: str) -> str:
    """KANDEMİR -> Kandemir, IŞIK -> Işık: Turkish dotted and dotless i, which
    str.lower() would turn into i + combining dot and i."""
    lower = upper.replace("I", "ı").replace("İ", "i").lower()
    return lower[:1].replace("i", "İ").replace("ı", "I").upper() + lower[1:]


def _trnamegen() -> tuple[list[str], list[str]]:
    """First names and surnames of the turkish-name-generator package, read from its
    data files (importing it would load pandas)."""
    spec = importlib.util.find_spec("trnamegen")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "turkish-name-generator is not installed (generators/build/requirements.txt)"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    rows = (data / "isimler.csv").read_text(encoding="utf-8").splitlines()[1:]
    first = [row.rsplit(",", 1)[0].strip() for row in rows if row.strip()]
    surnames = (data / "soyisimler.txt").read_text(encoding="utf-8").split()
    return first, [_turkish_title(s) for s in surnames]


def _clean(values: Iterable[str], locale: str) -> list[str]:
    """Distinct names, sorted, with the locale packs' rules (build_locales.person_name)."""
    sys.path.insert(0, str(HERE))
    from build_locales import person_name

    return sorted({n for n in (person_name(v, locale) for v in values) if n})


def corpora() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for locale in sorted(FAKER):
        first: list[str] = []
        last: list[str] = []
        for loc in FAKER[locale]:
            f, s = _faker(loc)
            first += f
            last += s
        for loc in MIMESIS[locale]:
            f, s = _mimesis(loc)
            first += f
            last += s
        if locale == "tr_TR":
            f, s = _trnamegen()
            first += f
            last += s
        if locale == "en_US":
            first += _census("dist.female.first") + _census("dist.male.first")
            last += _census("dist.all.last", CENSUS_SURNAMES)
            # Faker's and the census's Mcdonald, Obrien -> McDonald, O'Brien
            sys.path.insert(0, str(HERE))
            from build_locales import english_surname

            last = [english_surname(n) for n in last]
        out[locale] = {"first_names": _clean(first, locale), "last_names": _clean(last, locale)}
    return out


def main() -> int:
    _check_versions()
    for locale, lists in corpora().items():
        folder = OUT / locale
        folder.mkdir(parents=True, exist_ok=True)
        for name, values in lists.items():
            (folder / f"{name}.txt").write_text("\n".join(values) + "\n", encoding="utf-8")
            print(f"{locale}/{name}.txt: {len(values):,} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
