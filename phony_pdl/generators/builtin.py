"""Imports every built-in family module so their declarations fill the registry."""

from . import (  # noqa: F401
    address,
    commerce,
    company,
    finance,
    ids,
    internet,
    lorem,
    misc,
    ngram,
    person,
    phone,
)
