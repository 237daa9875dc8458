"""Build the bundled `.phony` models from the frozen locale packs in generators/locales/.

    python generators/models/build_models.py            # (re)build every model
    python generators/models/build_models.py --check    # fail if a model is stale

Every model is a pure function of the pack files it reads, so running this twice
gives byte-identical models; --check rebuilds in memory and compares. A locale
gets the models its pack has data for; generic models (no locale) go to xx/.
Training corpora are derived from the packs without randomness: lists are
de-duplicated and sorted, and combinations (street + suffix, word + legal form)
pair items by their index, so the corpora are stable too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LOCALES = ROOT / "generators" / "locales"
CORPORA = HERE / "corpora"  # extra name lists (generators/build/build_name_corpora.py)
sys.path.insert(0, str(ROOT))

from phony_pdl.ngram import fileformat  # noqa: E402
from phony_pdl.ngram.model import NgramModel, Source, train_lines  # noqa: E402

GENERIC = "xx"


@dataclass(frozen=True)
class Spec:
    name: str
    family: str  # pack file the corpus comes from (<family>.json)
    selector: str  # what of the pack is used (recorded as the source field)
    corpus: Callable[[dict, str], list[str]]
    order: int = 3
    mode: str = "char"
    lowercase: bool = False
    min_lines: int = 0  # below this many lines, order 3 (a higher order would only copy)
    extra: bool = False  # also train on corpora/<locale>/<name>.txt where it exists
    # composite corpora (word + legal form, street + type) keep their structure with backoff;
    # name lists gain distinct values from interpolation
    smoothing: str = "interpolated"

    def order_for(self, lines: list[str]) -> int:
        return self.order if len(lines) >= self.min_lines else min(self.order, 3)


# ------------------------------------------------------------------ corpora


def _distinct(values: list[str]) -> list[str]:
    return sorted({v.strip() for v in values if v and v.strip()})


def first_names(pack: dict, locale: str) -> list[str]:
    fn = pack.get("first_names", {})
    return _distinct([n for sex in ("female", "male") for n, _ in fn.get(sex, [])])


def last_names(pack: dict, locale: str) -> list[str]:
    names = [n for n, _ in pack.get("last_names", [])]
    for forms in pack.get("last_names_by_sex", {}).values():
        names += [n if isinstance(n, str) else n[0] for n in forms]
    return _distinct(names)


def company_names(pack: dict, locale: str) -> list[str]:
    """Each name word with two legal forms (by index), e.g. `Smith LLC`, `Smith Inc.`."""
    words = _distinct(pack.get("name_words", []))
    suffixes = pack.get("suffixes", []) or ["Inc."]
    return _distinct(
        f"{w} {suffixes[(i + k) % len(suffixes)]}" for i, w in enumerate(words) for k in (0, 1)
    )


def _street_template(fmt: str) -> str:
    """The part of a street format made of {street} and {suffix} (no number, no 'No:')."""
    marks = [fmt.find(m) for m in ("{street}", "{suffix}") if m in fmt]
    ends = [fmt.find(m) + len(m) for m in ("{street}", "{suffix}") if m in fmt]
    return fmt[min(marks) : max(ends)] if marks else "{street}"


def street_names(pack: dict, locale: str) -> list[str]:
    """Street names with a suffix (type) where the locale has them, in the locale's order."""
    streets = _distinct(pack.get("street_names", []))
    suffixes = pack.get("street_suffixes", [])
    template = _street_template(pack.get("street_format", "{street}"))
    if not suffixes or "{suffix}" not in template:
        return streets
    return _distinct(
        template.format(street=s, suffix=suffixes[i % len(suffixes)]).strip()
        for i, s in enumerate(streets)
    )


def city_names(pack: dict, locale: str) -> list[str]:
    return _distinct([p["city"] for p in pack.get("places", []) if p.get("city")])


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def email_usernames(packs: dict[str, dict], locale: str) -> list[str]:
    """first.last, flast, first_last, firstl, last.first from every locale's names (ASCII)."""
    out = []
    for loc in sorted(packs):
        firsts = [f for f in (_ascii(n) for n in first_names(packs[loc], loc)) if f]
        lasts = [x for x in (_ascii(n) for n in last_names(packs[loc], loc)) if x]
        if not firsts or not lasts:
            continue
        for i, f in enumerate(firsts):
            last = lasts[(i * 7919) % len(lasts)]
            form = i % 5
            out.append(
                (f"{f}.{last}", f"{f[0]}{last}", f"{f}_{last}", f"{f}{last[0]}", f"{last}.{f}")[
                    form
                ]
            )
    return _distinct(out)


def product_names(pack: dict, locale: str) -> list[str]:
    """Every adjective × material × product of the commerce pack: `Rustic Steel Chair`."""
    return _distinct(
        f"{a} {m} {p}"
        for a in pack.get("adjectives", [])
        for m in pack.get("materials", [])
        for p in pack.get("products", [])
    )


def lorem_words(pack: dict, locale: str) -> list[str]:
    return _distinct(pack.get("words", []))


LOCALE_MODELS = [
    Spec("first_names", "person", "first_names.female+male", first_names, extra=True),
    Spec("last_names", "person", "last_names", last_names, extra=True),
    Spec("company_names", "company", "name_words x suffixes", company_names, smoothing="backoff"),
    Spec(
        "street_names",
        "address",
        "street_names x street_suffixes",
        street_names,
        order=4,
        min_lines=200,
        smoothing="backoff",
    ),
    Spec("city_names", "address", "places.city", city_names),
]
GENERIC_MODELS = [
    # (spec, locale of the pack it reads; None: every locale's person pack)
    (Spec("email_usernames", "person", "first_names, last_names (all locales)", email_usernames, lowercase=True), None),
    (Spec("product_names", "commerce", "adjectives x materials x products", product_names, order=4, smoothing="backoff"), "en_US"),
    (Spec("lorem_words", "lorem", "words", lorem_words, lowercase=True), "en_US"),
]  # fmt: skip


# ------------------------------------------------------------------ building


def locale_corpus(spec: Spec, locale: str) -> tuple[list[str], list[Path]]:
    """A locale model's training lines and the files they come from."""
    files = [LOCALES / locale / f"{spec.family}.json"]
    if not files[0].is_file():
        return [], []
    lines = spec.corpus(json.loads(files[0].read_text("utf-8")), locale)
    extra = CORPORA / locale / f"{spec.name}.txt"
    if spec.extra and extra.is_file():
        files.append(extra)
        lines = _distinct(lines + extra.read_text("utf-8").splitlines())
    return lines, files


def _source(files: list[Path], selector: str) -> Source:
    digest = hashlib.sha256()
    size = 0
    for f in files:
        data = f.read_bytes()
        digest.update(data)
        size += len(data)
    name = "+".join(f.relative_to(ROOT / "generators").as_posix() for f in files)
    return Source(name, digest.hexdigest(), size, field=selector)


def _train(spec: Spec, lines: list[str], locale: str | None, files: list[Path]) -> NgramModel:
    return train_lines(
        lines,
        order=spec.order_for(lines),
        mode=spec.mode,
        lowercase=spec.lowercase,
        locale=locale,
        source=_source(files, spec.selector),
        smoothing=spec.smoothing,
    )


def locales() -> list[str]:
    return sorted(p.name for p in LOCALES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def build() -> dict[Path, bytes]:
    """Every model's target path and bytes."""
    out: dict[Path, bytes] = {}
    for loc in locales():
        for spec in LOCALE_MODELS:
            lines, files = locale_corpus(spec, loc)
            if len(lines) < 20:  # too little to learn from
                continue
            out[HERE / loc / f"{spec.name}.phony"] = fileformat.dumps(
                _train(spec, lines, loc, files)
            )
    person = {
        loc: json.loads((LOCALES / loc / "person.json").read_text("utf-8"))
        for loc in locales()
        if (LOCALES / loc / "person.json").is_file()
    }
    for spec, loc in GENERIC_MODELS:
        if loc is None:
            files = [LOCALES / x / "person.json" for x in sorted(person)]
            lines = spec.corpus(person, GENERIC)
        else:
            files = [LOCALES / loc / f"{spec.family}.json"]
            if not files[0].is_file():
                continue
            lines = spec.corpus(json.loads(files[0].read_text("utf-8")), loc)
        out[HERE / GENERIC / f"{spec.name}.phony"] = fileformat.dumps(
            _train(spec, lines, None, files)
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    models = build()
    stale = sorted(p for p, data in models.items() if not p.is_file() or p.read_bytes() != data)
    extra = sorted(set(HERE.glob("*/*.phony")) - set(models))
    if args.check:
        for p in [*stale, *extra]:
            print(f"stale: {p.relative_to(ROOT)}")
        return 1 if stale or extra else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(models[p])
    for p in extra:  # a model whose data went away
        p.unlink()
    total = sum(len(d) for d in models.values())
    print(f"{len(models)} models ({total:,} bytes); {len(stale)} written, {len(extra)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
