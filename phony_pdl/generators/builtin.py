"""Imports every built-in family module so their declarations fill the registry."""

from . import address, commerce, ids, internet, person, phone  # noqa: F401
