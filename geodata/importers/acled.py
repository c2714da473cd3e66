"""Convert an ACLED export to the incident schema (see ``docs/importing.md``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataSourceError
from ..schema import (
    GEO_PRECISION_DEFAULT_KM,
)
from .columns import (
    _arrow_float,
    _clean,
    _count,
    _dates,
    _map_codes,
    _per_distinct,
    _present,
    _Reasons,
    _shared,
    _split_names,
)
from .countries import _countries, _countries_of
from .draft import _UNKNOWN_ATTRIBUTION, _accessors, _coordinates, _Draft, _extras, _peek, _require
from .source import _Table

_ACLED_TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
_ACLED_GEO_PRECISION = {"1": "site", "2": "town", "3": "region"}


def _acled_sources(text: str) -> list[dict] | None:
    names = _split_names(text)
    return [{"title": name, "publisher": name} for name in names] if names else None


def _convert_acled(t: _Table) -> _Draft:
    n = t.n
    cols = _require(t, "acled", ("event_date", "event_type", "actor1", "latitude", "longitude"))
    if not any(c in cols for c in ("iso", "iso3", "country")):
        raise DataSourceError(f"{t.name}: not a usable ACLED file: no iso, iso3 or country column")
    d = _Draft(n, _Reasons(n))
    col, label, used = _accessors(t, cols)
    r = d.reasons
    d.fields["id"] = _clean(col("event_id_cnty"), n)
    d.labels["id"] = label("event_id_cnty")
    d.fields["date"], _ = _dates(col("event_date"), label("event_date"), r, n,
                                 year=_peek(t, cols, "year"))
    d.labels["date"] = label("event_date")
    d.given["date"] = _present(_clean(col("event_date"), n))
    d.given["country"] = np.ones(n, bool)  # unknown and missing countries are reported below
    d.fields["date_precision"] = _map_codes(col("time_precision"), _ACLED_TIME_PRECISION,
                                            label("time_precision"), r, n, "1, 2 or 3")
    d.fields["event_type"] = _clean(col("event_type"), n)
    d.labels["event_type"] = label("event_type")
    d.fields["sub_event_type"] = _clean(col("sub_event_type"), n)
    d.fields["actor"] = _clean(col("actor1"), n).fillna("Unknown")
    d.fields["target"] = _clean(col("actor2"), n)
    for key, prop in (("assoc_actor_1", "assoc_actors"), ("assoc_actor_2", "assoc_targets")):
        s = _clean(col(key), n)
        if s.notna().any():
            d.extras[prop] = pd.Series(_per_distinct(s, _split_names), dtype=object)

    _acled_country(d, cols, col, label)
    d.fields["admin1"] = _clean(col("admin1"), n)
    d.fields["place"] = _clean(col("location"), n)
    _coordinates(d, col("latitude"), col("longitude"), label("latitude"), label("longitude"))
    precision = _map_codes(col("geo_precision"), _ACLED_GEO_PRECISION, label("geo_precision"),
                           r, n, "1, 2 or 3")
    d.fields["geo_precision"] = precision
    d.fields["geo_precision_km"] = precision.map(GEO_PRECISION_DEFAULT_KM).astype("float64")
    src = _clean(col("source"), n)
    if src.notna().any():
        d.fields["sources"] = pd.Series(_per_distinct(src, _acled_sources), dtype=object)
    d.fields["notes"] = _clean(col("notes"), n)
    d.fields["fatalities"] = _count(col("fatalities"), label("fatalities"), r, n)
    d.fields["attribution"] = _shared(n, _UNKNOWN_ATTRIBUTION)
    _extras(d, t, used, "acled", renames={"tags": "acled_tags"})
    return d


def _acled_country(d: _Draft, cols: dict[str, str], col, label) -> None:
    """The country: numeric ISO first (ACLED's own code), then iso3, then the name."""
    n, r = d.n, d.reasons
    by_number, _, codes = _countries()
    country = pd.Series([None] * n, dtype=object)
    iso_raw = col("iso")
    if iso_raw is not None:
        iso = _clean(iso_raw, n)
        ok = iso.str.fullmatch(r"\d{1,3}(?:\.0*)?").fillna(False).to_numpy(dtype=bool)
        r.add_values(_present(iso) & ~ok, label("iso"), "not a numeric ISO 3166-1 code", iso)
        numbers = pd.Series(_arrow_float(iso.where(ok)), dtype="float64").astype("Int64")
        d.extras["acled_iso"] = numbers
        country = pd.Series(_per_distinct(numbers.astype("float64"),
                                          lambda v: by_number.get(int(v))), dtype=object)
    iso3 = _clean(col("iso3"), n)
    if iso3.notna().any():
        country = country.where(country.notna(), pd.Series(
            _per_distinct(iso3, lambda v: codes.get(v.upper())), dtype=object))
    name = _clean(col("country"), n)
    unresolved = country.isna().to_numpy()
    if unresolved.any() and name.notna().any():
        country = country.where(~unresolved, _countries_of(name))
    d.fields["country"] = country
    d.labels["country"] = label("country") if "country" in cols else label("iso")
    missing = country.isna().to_numpy()
    shown = name if "country" in cols else _clean(iso_raw, n)
    r.add_values(missing & _present(shown), d.labels["country"], "unknown country", shown)
    r.add(missing & ~_present(shown), f"{d.labels['country']}: missing")
