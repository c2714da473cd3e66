"""Convert a UCDP GED file to the incident schema (see ``docs/importing.md``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import (
    GEO_PRECISION_DEFAULT_KM,
)
from .columns import (
    _arrow_float,
    _clean,
    _count,
    _dates,
    _day,
    _map_codes,
    _per_distinct,
    _present,
    _Reasons,
    _shared,
)
from .countries import _countries_of
from .draft import _UNKNOWN_ATTRIBUTION, _accessors, _coordinates, _Draft, _extras, _peek, _require
from .source import _Table

_UCDP_DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
#: UCDP ``where_prec`` -> (geo_precision, radius in km).
_UCDP_WHERE_PRECISION = {
    "1": ("site", GEO_PRECISION_DEFAULT_KM["site"]),
    "2": ("town", 25.0),
    "3": ("region", 50.0),
    "4": ("region", 150.0),
    "5": ("region", 150.0),
    "6": ("country", GEO_PRECISION_DEFAULT_KM["country"]),
    "7": ("region", GEO_PRECISION_DEFAULT_KM["region"]),
}
_UCDP_VIOLENCE = {
    "1": ("Battles", "State-based conflict"),
    "2": ("Battles", "Non-state conflict"),
    "3": ("Violence against civilians", "One-sided violence"),
}


def _convert_ucdp(t: _Table) -> _Draft:
    n = t.n
    cols = _require(t, "ucdp", ("date_start", "type_of_violence", "side_a", "latitude",
                                "longitude", "country"))
    d = _Draft(n, _Reasons(n))
    r = d.reasons
    col, label, used = _accessors(t, cols)

    raw_id = _clean(col("id"), n)
    d.fields["id"] = ("ucdp-" + raw_id).where(raw_id.notna())
    d.labels["id"] = label("id")
    d.given["country"] = np.ones(n, bool)  # unknown and missing countries are reported below
    _ucdp_dates(d, t, cols, col, label)
    _ucdp_violence(d, col, label)
    d.fields["actor"] = _clean(col("side_a"), n).fillna("Unknown")
    d.fields["target"] = _clean(col("side_b"), n)

    name = _clean(col("country"), n)
    country = _countries_of(name)
    d.fields["country"] = country
    d.labels["country"] = label("country")
    missing = country.isna().to_numpy()
    r.add_values(missing & _present(name), label("country"), "unknown country", name)
    r.add(missing & ~_present(name), f"{label('country')}: missing")

    d.fields["admin1"] = _clean(col("adm_1"), n)
    place = _clean(col("where_coordinates"), n)
    d.fields["place"] = place.fillna(_clean(t.frame[cols["adm_2"]], n)) if "adm_2" in cols \
        else place
    _coordinates(d, col("latitude"), col("longitude"), label("latitude"), label("longitude"))
    where = _map_codes(col("where_prec"), _UCDP_WHERE_PRECISION, label("where_prec"), r, n,
                       "1 to 7")
    d.fields["geo_precision"] = where.map(lambda v: v[0] if isinstance(v, tuple) else None)
    d.fields["geo_precision_km"] = where.map(
        lambda v: v[1] if isinstance(v, tuple) else np.nan).astype("float64")

    _ucdp_fatalities(d, col, label)
    src = _clean(col("source_article"), n)
    if src.notna().any():
        from ..ucdp import parse_source_article

        d.fields["sources"] = pd.Series(_per_distinct(src, parse_source_article), dtype=object)
    d.fields["attribution"] = _shared(n, _UNKNOWN_ATTRIBUTION)
    _extras(d, t, used, "ucdp")
    return d


def _ucdp_dates(d: _Draft, t: _Table, cols: dict[str, str], col, label) -> None:
    """``date_start``, ``date_end`` (kept only when after the start) and ``date_prec``."""
    n, r = d.n, d.reasons
    start, _ = _dates(col("date_start"), label("date_start"), r, n, year=_peek(t, cols, "year"))
    d.labels["date"] = label("date_start")
    d.given["date"] = _present(_clean(col("date_start"), n))
    end, _ = _dates(col("date_end"), label("date_end"), r, n, year=_peek(t, cols, "year"))
    d.fields["date"] = start
    d.fields["end_date"] = end.where(end > start)
    before = (end < start).to_numpy()
    r.add(before, lambda rows: [
        f"{label('date_end')}: {_day(end.iloc[i])!r} is before the start date "
        f"{_day(start.iloc[i])!r}" for i in rows])
    d.fields["date_precision"] = _map_codes(col("date_prec"), _UCDP_DATE_PRECISION,
                                            label("date_prec"), r, n, "1 to 5")


def _ucdp_violence(d: _Draft, col, label) -> None:
    """``type_of_violence`` (1, 2 or 3) as event type and sub-type."""
    n, r = d.n, d.reasons
    violence = _clean(col("type_of_violence"), n)
    kinds = _map_codes(violence, {k: v for k, v in _UCDP_VIOLENCE.items()},
                       label("type_of_violence"), r, n, "1, 2 or 3")
    d.fields["event_type"] = kinds.map(lambda v: v[0] if isinstance(v, tuple) else None)
    d.fields["sub_event_type"] = kinds.map(lambda v: v[1] if isinstance(v, tuple) else None)
    d.labels["event_type"] = label("type_of_violence")
    d.given["event_type"] = _present(violence)
    d.extras["ucdp_type_of_violence"] = pd.Series(
        _arrow_float(violence.where(kinds.notna().to_numpy())), dtype="float64").astype("Int64")


def _ucdp_fatalities(d: _Draft, col, label) -> None:
    """``best``/``low``/``high``; events whose estimates disagree are kept and flagged."""
    n, r = d.n, d.reasons
    best = _count(col("best"), label("best"), r, n)
    low = _count(col("low"), label("low"), r, n)
    high = _count(col("high"), label("high"), r, n)
    # UCDP publishes some events whose own estimates disagree: keep them, as given
    inconsistent = ((low > best) | (best > high) | (low > high)).fillna(False).to_numpy(bool)
    if inconsistent.any():
        d.extras["fatalities_inconsistent"] = pd.Series(
            pd.array(np.where(inconsistent, True, None).tolist(), dtype="boolean"))
        d.extras["ucdp_low"] = low.where(inconsistent)
        d.extras["ucdp_high"] = high.where(inconsistent)
        low, high = low.where(~inconsistent), high.where(~inconsistent)
        count = int(inconsistent.sum())
        d.notes.append(f"kept {count} event{'s' if count != 1 else ''} whose "
                       f"{label('low')}/{label('best')}/{label('high')} disagree, as UCDP "
                       f"publishes {'them' if count != 1 else 'it'} (fatalities = "
                       f"{label('best')}; flagged fatalities_inconsistent, the range in "
                       f"ucdp_low/ucdp_high)")
    d.fields.update(fatalities=best, fatalities_low=low, fatalities_high=high)
    d.labels.update(fatalities=label("best"), fatalities_low=label("low"),
                    fatalities_high=label("high"))
