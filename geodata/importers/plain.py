"""Convert a plain CSV file: columns found by name (or a mapping) for each schema field."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DataSourceError
from ..schema import (
    ATTRIBUTION_STATUSES,
    COUNT_FIELDS,
    DATE_PRECISIONS,
    GEO_PRECISION_DEFAULT_KM,
    GEO_PRECISIONS,
)
from ..validate import is_http_url
from .columns import (
    _clean,
    _count,
    _dates,
    _day,
    _map_codes,
    _number,
    _per_distinct,
    _present,
    _Reasons,
    _split_names,
)
from .countries import _countries_of
from .draft import _coordinates, _Draft, _extras
from .source import _norm_header, _Table

#: Schema fields a plain-CSV column can be mapped to (``mapping={column: field}``),
#: each with the column names recognised without a mapping (case-insensitive;
#: spaces, dots and hyphens count as underscores).
CSV_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "event_id", "incident_id", "event_id_cnty", "uid"),
    "title": ("title", "name", "event", "headline", "event_name"),
    "date": ("date", "event_date", "day", "start_date", "date_start", "start"),
    "end_date": ("end_date", "date_end", "end"),
    "date_precision": ("date_precision",),
    "event_type": ("event_type", "type", "category", "event_category"),
    "sub_event_type": ("sub_event_type", "subtype", "sub_type", "event_subtype"),
    "actor": ("actor", "actor1", "perpetrator", "attacker", "side_a"),
    "target": ("target", "actor2", "victim", "side_b"),
    "attribution_status": ("attribution_status", "attribution"),
    "fatalities": ("fatalities", "deaths", "killed", "dead", "fatalities_best", "best"),
    "fatalities_low": ("fatalities_low", "deaths_low", "low"),
    "fatalities_high": ("fatalities_high", "deaths_high", "high"),
    "injuries": ("injuries", "injured", "wounded"),
    "place": ("place", "location", "city", "town", "site", "village", "place_name"),
    "admin1": ("admin1", "province", "governorate", "state", "adm_1"),
    "country": ("country", "country_code", "iso3", "country_iso3", "nation"),
    "geo_precision": ("geo_precision", "location_precision"),
    "geo_precision_km": ("geo_precision_km", "precision_km", "radius_km", "uncertainty_km"),
    "sources": ("sources", "source", "url", "urls", "source_url", "link", "links"),
    "notes": ("notes", "description", "summary", "details", "comment", "comments"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
}
_FIELD_ALIASES = {"lat": "latitude", "lon": "longitude", "lng": "longitude",
                  "attribution": "attribution_status", "source": "sources"}


def _citation_sources(text: str) -> list[dict] | None:
    out = []
    for piece in _split_names(text) or ():
        out.append({"url": piece} if is_http_url(piece) else {"title": piece})
    return out or None


def _csv_roles(t: _Table, mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Schema field -> column name, from the mapping and the recognised names."""
    roles: dict[str, str] = {}
    taken: set[str] = set()
    by_lower = {c.lower(): c for c in t.columns}
    for column, target in (mapping or {}).items():
        name = column if column in t.columns else by_lower.get(str(column).strip().lower())
        if name is None:
            raise DataSourceError(
                f"{t.name}: mapping names column {column!r}, which the file does not have "
                f"(columns: {', '.join(t.columns)})"
            )
        fld = _FIELD_ALIASES.get(str(target).strip(), str(target).strip())
        if fld not in CSV_FIELDS:
            raise DataSourceError(
                f"mapping {column!r} -> {target!r}: unknown field; fields are "
                f"{', '.join(CSV_FIELDS)}"
            )
        if fld in roles:
            raise DataSourceError(f"mapping: two columns map to {fld!r}")
        roles[fld] = name
        taken.add(name)
    norm = {}
    for name in t.columns:
        norm.setdefault(_norm_header(name), name)
    for fld, synonyms in CSV_FIELDS.items():
        if fld in roles:
            continue
        for syn in synonyms:
            name = norm.get(syn)
            if name is not None and name not in taken:
                roles[fld] = name
                taken.add(name)
                break
    return roles


def _convert_csv(t: _Table, mapping: Mapping[str, str] | None) -> _Draft:
    n = t.n
    roles = _csv_roles(t, mapping)
    d = _Draft(n, _Reasons(n))
    r = d.reasons
    d.labels = {f: c for f, c in roles.items()}

    def col(fld: str) -> pd.Series | None:
        name = roles.get(fld)
        return None if name is None else t.frame[name]

    def label(fld: str) -> str:
        return roles.get(fld, fld)

    for fld in ("id", "title", "event_type", "sub_event_type", "actor", "target", "place",
                "admin1", "notes"):
        d.fields[fld] = _clean(col(fld), n)
    d.fields["actor"] = d.fields["actor"].fillna("Unknown")
    _csv_dates(d, t, roles, col, label)

    raw_country = _clean(col("country"), n)
    d.given["country"] = _present(raw_country)
    country = _countries_of(raw_country)
    d.fields["country"] = country
    r.add_values(country.isna().to_numpy() & _present(raw_country), label("country"),
                 "unknown country (use an ISO3 or ISO2 code or an English name)", raw_country)

    _coordinates(d, col("latitude"), col("longitude"), label("latitude"), label("longitude"))
    gp = _map_codes(col("geo_precision"), {p: p for p in GEO_PRECISIONS},
                    label("geo_precision"), r, n, ", ".join(GEO_PRECISIONS))
    d.fields["geo_precision"] = gp
    km = _number(col("geo_precision_km"), label("geo_precision_km"), r, n, 0.0, 40_075.0)
    default_km = gp.map(GEO_PRECISION_DEFAULT_KM).astype("float64").to_numpy()
    d.fields["geo_precision_km"] = pd.Series(np.where(np.isnan(km), default_km, km))

    for fld in COUNT_FIELDS:
        d.fields[fld] = _count(col(fld), label(fld), r, n)
    _check_range(d)

    src = _clean(col("sources"), n)
    if src.notna().any():
        d.fields["sources"] = pd.Series(_per_distinct(src, _citation_sources), dtype=object)
    _csv_attribution(d, col, label)
    _extras(d, t, set(roles.values()), "csv")
    return d


def _csv_dates(d: _Draft, t: _Table, roles: dict[str, str], col, label) -> None:
    """``date`` (also ``YYYY-MM``/``YYYY``), ``end_date`` and ``date_precision``.

    A ``year`` column not mapped to a field settles ambiguous dates.
    """
    n, r = d.n, d.reasons
    year_col = t.lookup().get("year")
    year = None if year_col is None or year_col in roles.values() else t.frame[year_col]
    date, derived = _dates(col("date"), label("date"), r, n, partial=True, year=year)
    d.given["date"] = _present(_clean(col("date"), n))
    end, _ = _dates(col("end_date"), label("end_date"), r, n, year=year)
    d.fields["date"] = date
    d.fields["end_date"] = end
    before = (end < date).to_numpy()
    r.add(before, lambda rows: [
        f"{label('end_date')}: {_day(end.iloc[i])!r} is before the start date "
        f"{_day(date.iloc[i])!r}" for i in rows])
    given = _map_codes(col("date_precision"), {p: p for p in DATE_PRECISIONS},
                       label("date_precision"), r, n, ", ".join(DATE_PRECISIONS))
    if derived is not None:
        given = given.where(given.notna(), derived)
    given = given.where(given.notna() | date.isna().to_numpy(), "day")
    d.fields["date_precision"] = given


def _csv_attribution(d: _Draft, col, label) -> None:
    """``attribution_status`` (``"unknown"`` where not given) and the attribution objects."""
    n, r = d.n, d.reasons
    status = _map_codes(col("attribution_status"), {s: s for s in ATTRIBUTION_STATUSES},
                        label("attribution_status"), r, n, ", ".join(ATTRIBUTION_STATUSES))
    status = status.where(status.notna(), "unknown")
    d.status = status
    cache = {s: {"status": s} for s in ATTRIBUTION_STATUSES}
    d.fields["attribution"] = pd.Series([cache[s] for s in status.tolist()], dtype=object) \
        if n < 200_000 else pd.Series(_per_distinct(status, cache.get), dtype=object)


def _check_range(d: _Draft) -> None:
    """fatalities_low <= fatalities <= fatalities_high, as validate checks it."""
    low, best, high = (d.fields.get(k) for k in ("fatalities_low", "fatalities", "fatalities_high"))
    lab = d.labels

    def rule(a, b, name_a, name_b, word):
        if a is None or b is None:
            return
        bad = (a > b).fillna(False).to_numpy(dtype=bool)
        d.reasons.add(bad, lambda rows: [
            f"{lab.get(name_a, name_a)}: {a.iloc[i]} is {word} {lab.get(name_b, name_b)} "
            f"{b.iloc[i]}" for i in rows])

    rule(low, high, "fatalities_low", "fatalities_high", "above")
    rule(low, best, "fatalities_low", "fatalities", "above")
    rule(best, high, "fatalities", "fatalities_high", "above")
