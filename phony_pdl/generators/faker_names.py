"""Faker's method names → Phony's generators, for the hints of unknown names.

People moving from Faker type the names they know (`person.name`, `address.zipcode`,
`fake.company.company`); string similarity alone points them at the wrong generator
(`person.age`), so these are looked up first.
"""

from __future__ import annotations

FAKER_NAMES: dict[str, str] = {
    "name": "person.full_name",
    "name_female": "person.full_name",  # with gender: female
    "name_male": "person.full_name",
    "first_name_female": "person.first_name",
    "first_name_male": "person.first_name",
    "last_name_female": "person.last_name",
    "last_name_male": "person.last_name",
    "prefix_female": "person.prefix",
    "prefix_male": "person.prefix",
    "title": "person.prefix",
    "job": "person.job_title",
    "date_of_birth": "person.birth_date",
    "dob": "person.birth_date",
    "gender": "person.sex",
    "user_name": "internet.username",
    "user": "internet.username",
    "free_email": "internet.email",
    "company_email": "internet.email",
    "safe_email": "internet.email",
    "domain_name": "internet.domain",
    "ipv4_public": "internet.ipv4",
    "ipv4_private": "internet.ipv4",
    "mac_address": "internet.mac",
    "uri": "internet.url",
    "zipcode": "address.postal_code",
    "zip": "address.postal_code",
    "postcode": "address.postal_code",
    "zip_code": "address.postal_code",
    "state": "address.region",
    "province": "address.region",
    "county": "address.region",
    "state_abbr": "address.region_code",
    "administrative_unit": "address.region",
    "street": "address.street_name",
    "street_suffix": "address.street_name",
    "secondary_address": "address.street_address",
    "address": "address.full",
    "lat": "address.latitude",
    "lng": "address.longitude",
    "lon": "address.longitude",
    "phone_number": "phone.number",
    "phone": "phone.number",
    "cell_phone": "phone.number",
    "msisdn": "phone.number",
    "country_calling_code": "phone.calling_code",
    "company": "company.name",
    "company_suffix": "company.suffix",
    "bs": "company.catch_phrase",
    "credit_card_provider": "finance.card_brand",
    "credit_card_expire": "finance.card_expiry",
    "credit_card_security_code": "finance.cvv",
    "swift": "finance.bic",
    "bban": "finance.iban",
    "currency_code": "finance.currency",
    "pricetag": "commerce.price",
    "ean": "commerce.ean13",
    "isbn": "commerce.isbn13",
    "uuid": "id.uuid4",
    "text": "lorem.paragraph",
    "paragraphs": "lorem.paragraph",
    "sentences": "lorem.sentence",
    "color": "misc.color_name",
    "hex_color": "misc.color_hex",
    "file_path": "misc.file_name",
    "pybool": "misc.boolean",
    "bool": "misc.boolean",
    "boolean": "misc.boolean",
    "ssn": None,  # no national ID numbers yet: say so instead of a wrong guess
}

# Faker's methods that are no generator in Phony but a PDL field (spec/pdl.md, Fields),
# drawn through `Phony.field(...)`: what to write instead.
FAKER_FIELDS: dict[str, str] = {
    "random_int": "field(type='int', min=0, max=9999)",
    "pyint": "field(type='int', min=0, max=9999)",
    "random_digit": "field(type='int', min=0, max=9)",
    "random_number": "field(type='int', min=0, max=999999999)",
    "pyfloat": "field(type='float', min=…, max=…, round=…)",
    "pydecimal": "field(type='decimal', min=…, max=…, round=2)",
    "random_element": "field(choice=[…]) or field(choice={value: weight, …})",
    "random_elements": "field(choice=[…], n=length) (a pyarrow array: .to_pylist())",
    "random_choices": "field(choice=[…], n=length) (a pyarrow array: .to_pylist())",
    "date_between": "field(type='date', between=['1990-01-01', '2020-12-31'])",
    "date_time_between": "field(type='datetime', between=['2024-01-01', '2024-12-31'])",
    "date": "field(type='date', between=[…, …])",
    "date_time": "field(type='datetime', between=[…, …])",
    "time": "field(type='time', between=['08:00:00', '18:00:00'])",
    "bothify": "field(pattern='[A-Z]{3}-[0-9]{4}')",
    "numerify": "field(pattern='[0-9]{5}')",
    "lexify": "field(pattern='[a-z]{5}')",
    "regexify": "field(pattern='…')",
    "pystr": "field(type='string', min=8, max=16)",
}


def faker_equivalent(name: str, known: set[str]) -> tuple[str, bool] | None:
    """Phony's generator for a Faker-style name (`person.name`, `zipcode`), if any.

    Tries the whole name, then its last part; a name Phony already has is left alone.
    Returns (generator, whether the name is Faker's): the same last part in another
    family (`internet.city` → address.city) is Phony's own name, not Faker's.
    """
    if name in known:
        return None
    last = name.rsplit(".", 1)[-1]
    for key in (name, last):
        target = FAKER_NAMES.get(key)
        if target:
            return target, True
    matches = sorted(k for k in known if k.rsplit(".", 1)[-1] == last)
    return (matches[0], False) if len(matches) == 1 else None
