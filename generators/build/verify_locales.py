"""Check the locale packs written by build_locales.py; prints a report, exits 1 on failure.

    /tmp/locvenv/bin/python generators/build/verify_locales.py

Checks: every JSON file parses; the shapes phony_pdl/generators/*.py read; region codes
exist in pycountry; time zones exist in zoneinfo; coordinates fall in a rough bounding box
of the country; postal codes match the locale's `postal_code_format` (Python `re` and
Phony's pattern parser); en_US (ZIP, city, state) agree with `zipcodes`; 1000 numbers
drawn from each locale's phone formats are >= 99% valid for `phonenumbers`.
"""

from __future__ import annotations

import json
import random
import re
import sys
import zoneinfo
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "locales"

# (lat min, lat max, lon min, lon max), generous
BBOX = {
    "US": (18.0, 72.0, -180.0, -65.0),
    "DE": (47.2, 55.1, 5.8, 15.1),
    "TR": (35.8, 42.2, 25.6, 44.9),
    "FR": (41.3, 51.2, -5.2, 9.6),
    "ES": (27.6, 43.9, -18.2, 4.4),
    "BR": (-34.0, 5.3, -74.0, -34.7),
    "GB": (49.8, 60.9, -8.7, 1.8),
    "IT": (35.4, 47.1, 6.6, 18.6),
    "NL": (50.7, 53.6, 3.3, 7.3),
    "PL": (49.0, 54.9, 14.1, 24.2),
}
FAMILIES = ("person", "address", "internet", "commerce", "company", "finance")


def fail(errors: list[str], message: str) -> None:
    errors.append(message)


def pairs_ok(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(p, list)
        and len(p) == 2
        and isinstance(p[0], str)
        and isinstance(p[1], int | float)
        and p[1] > 0
        for p in value
    )


def phone_rate(phone: dict, region: str, n: int = 1000) -> float:
    import phonenumbers

    rng = random.Random(f"verify-{region}")
    formats = phone["national_formats"]
    ok = 0
    for _ in range(n):
        fmt = rng.choice(formats)
        number = "".join(str(rng.randrange(10)) if c == "#" else c for c in fmt)
        ok += phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    return ok / n


def check_locale(locale: str, errors: list[str], report: list[str]) -> None:
    import pycountry

    sys.path.insert(0, str(LOCALES.parent.parent))
    from phony_pdl.pattern import parse_pattern  # the runtime's own parser

    data = {}
    for family in FAMILIES:
        path = LOCALES / locale / f"{family}.json"
        data[family] = json.loads(path.read_text(encoding="utf-8"))
    person, address = data["person"], data["address"]
    cc = address["country_code"]

    for sex in ("female", "male"):
        names = person["first_names"][sex]
        if not pairs_ok(names) or len(names) < 100:
            fail(errors, f"{locale}: first_names.{sex} bad or < 100 ({len(names)})")
    if not pairs_ok(person["last_names"]) or len(person["last_names"]) < 100:
        fail(errors, f"{locale}: last_names bad or < 100")
    if not (person["prefixes"]["female"] and person["prefixes"]["male"]):
        fail(errors, f"{locale}: prefixes empty")
    if not person["job_titles"]:
        fail(errors, f"{locale}: job_titles empty")
    by_sex = person.get("job_titles_by_sex", {})
    if by_sex and not all(
        isinstance(by_sex.get(sex), list) and all(isinstance(t, str) for t in by_sex[sex])
        for sex in ("female", "male")
    ):
        fail(errors, f"{locale}: job_titles_by_sex needs female and male lists of titles")

    places = address["places"]
    if len(places) < 40:
        fail(errors, f"{locale}: only {len(places)} places")
    zones = zoneinfo.available_timezones()
    lat0, lat1, lon0, lon1 = BBOX[cc]
    postal_re = re.compile(address["postal_code_format"])
    parse_pattern(address["postal_code_format"])
    for p in places:
        where = f"{locale}: {p['city']}"
        if pycountry.subdivisions.get(code=f"{cc}-{p['region_code']}") is None:
            fail(errors, f"{where}: region_code {p['region_code']} not in pycountry")
        if p["timezone"] not in zones:
            fail(errors, f"{where}: unknown time zone {p['timezone']}")
        if not (lat0 <= p["latitude"] <= lat1 and lon0 <= p["longitude"] <= lon1):
            fail(errors, f"{where}: coordinates outside {cc}")
        if not postal_re.fullmatch(p["postal_code"]):
            fail(errors, f"{where}: postal code {p['postal_code']} does not match format")
        if not (isinstance(p["weight"], int | float) and p["weight"] > 0):
            fail(errors, f"{where}: weight")
    if cc == "US":
        import zipcodes

        for p in places:
            match = zipcodes.matching(p["postal_code"])
            if not match or match[0]["city"] != p["city"] or match[0]["state"] != p["region_code"]:
                fail(
                    errors,
                    f"{locale}: ZIP {p['postal_code']} is not {p['city']}, {p['region_code']}",
                )
    if len(address["street_names"]) < 30:
        fail(errors, f"{locale}: fewer than 30 street names")
    rate = phone_rate(address["phone"], cc)
    if rate < 0.99:
        fail(errors, f"{locale}: phone validity {rate:.3f} < 0.99")

    if not data["internet"]["free_email_domains"] or not data["internet"]["tlds"]:
        fail(errors, f"{locale}: internet lists empty")
    for k in ("adjectives", "materials", "products", "categories", "currency"):
        if not data["commerce"].get(k):
            fail(errors, f"{locale}: commerce.{k} missing")
    company = data["company"]
    if len(company["industries"]) < 20 or not company["suffixes"] or not company["name_words"]:
        fail(errors, f"{locale}: company lists")
    finance = data["finance"]
    if cc != "US" and (finance.get("iban_country") != cc or not finance.get("iban_length")):
        fail(errors, f"{locale}: finance iban keys")

    report.append(
        f"| {locale} | {len(person['first_names']['female'])} | {len(person['first_names']['male'])}"
        f" | {len(person['last_names'])} | {len(person['job_titles'])} | {len(places)}"
        f" | {len({p['city'] for p in places})} | {len(address['street_names'])}"
        f" | {len(address['phone']['national_formats'])} | {rate:.3f}"
        f" | {len(company['industries'])} | {finance.get('iban_length', '-')}"
        f" | {len(finance.get('bank_codes', []))} | {finance['currency']} |"
    )


def main() -> None:
    errors: list[str] = []
    report = [
        "| locale | female | male | last | jobs | places | cities | streets | phone formats"
        " | phone valid | industries | IBAN len | bank codes | currency |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    locales = sorted(p.name for p in LOCALES.iterdir() if p.is_dir() and not p.name.startswith("_"))
    for path in sorted(LOCALES.rglob("*.json")):
        json.loads(path.read_text(encoding="utf-8"))
    for locale in locales:
        check_locale(locale, errors, report)
    lorem = json.loads((LOCALES / "en_US" / "lorem.json").read_text(encoding="utf-8"))
    if len(lorem["words"]) < 100:
        errors.append("lorem: too few words")
    print("\n".join(report))
    if errors:
        print("\n".join(["", "FAILED:", *errors]))
        sys.exit(1)
    print(f"\nall checks passed for {len(locales)} locales")


if __name__ == "__main__":
    main()
