"""Finish a converted file: geocode, fill ids and titles, build the typed frame.

The rows without coordinates are geocoded offline by their place; what is
still missing or duplicated is rejected; :func:`geodata.validate.check_features`
runs on the result as a second line of defence.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geojson_write import to_features
from ..schema import (
    ATTRIBUTION_STATUSES,
    CATEGORICAL_FIELDS,
    COUNT_FIELDS,
    DERIVED_FIELDS,
    GEO_PRECISION_DEFAULT_KM,
    KNOWN_FIELDS,
    NESTED_FIELDS,
)
from ..validate import check_features
from .columns import _day_strings, _present
from .draft import _Draft
from .source import _CHUNK, _Table


def _cover_shapes(d: _Draft, shape_km: np.ndarray) -> None:
    """Widen the precision radius of rows placed on a line or polygon so it covers the shape."""
    shaped = np.isfinite(shape_km)
    if not shaped.any():
        return
    km = d.fields.get("geo_precision_km")
    km = np.full(d.n, np.nan) if km is None else km.to_numpy(dtype="float64").copy()
    km[shaped] = np.fmax(km[shaped], shape_km[shaped])
    d.fields["geo_precision_km"] = pd.Series(km)
    gp = d.fields.get("geo_precision")
    gp = pd.Series([None] * d.n, dtype=object) if gp is None else gp.astype(object).copy()
    limits = sorted(GEO_PRECISION_DEFAULT_KM.items(), key=lambda kv: kv[1])
    for i in np.flatnonzero(shaped & gp.isna().to_numpy()).tolist():
        gp.iloc[i] = next((p for p, lim in limits if km[i] <= lim), limits[-1][0])
    d.fields["geo_precision"] = gp


def _geocode_missing(d: _Draft, progress) -> None:
    """Offline-geocode rows that have a place but no coordinates; reject the rest."""
    place = d.fields.get("place")
    need = d.coords_missing.copy()
    has_place = need & (_present(place) if place is not None else np.zeros(d.n, bool))
    lat_label = d.labels.get("latitude", "latitude")
    lon_label = d.labels.get("longitude", "longitude")
    both = ("latitude/longitude" if (lat_label, lon_label) == ("latitude", "longitude")
            else f"{lat_label}/{lon_label}")
    d.reasons.add(need & ~has_place, f"{both} missing and no place to geocode")
    if not has_place.any():
        return
    rows = np.flatnonzero(has_place)
    per_row = _geocode_rows(d, rows, progress)
    errors = per_row["geocode_error"].tolist()
    label = d.labels.get("place", "place")
    bad = [i for i, e in enumerate(errors) if e is not None]
    if bad:
        d.reasons.add_at(rows[bad], [f"{label}: {errors[i]}" for i in bad])
        # no country can come from a place that was not found: do not report it twice
        given = d.given.get("country", np.zeros(d.n, bool)).copy()
        given[rows[bad]] = True
        d.given["country"] = given
    ok_pos = np.array([i for i, e in enumerate(errors) if e is None], dtype=np.int64)
    if not len(ok_pos):
        return
    _place_rows(d, rows[ok_pos], per_row, ok_pos)
    _country_from_gazetteer(d, rows[ok_pos])


def _geocode_rows(d: _Draft, rows: np.ndarray, progress) -> pd.DataFrame:
    """:func:`geodata.geocode.geocode_many` per row, asked once per distinct place and hints."""
    from ..geocode.api import geocode_many

    place, country, admin1 = (d.fields.get(k) for k in ("place", "country", "admin1"))
    names = place.iloc[rows].tolist()
    hints_c = [None if pd.isna(v) else v for v in
               (country.iloc[rows].tolist() if country is not None else [None] * len(rows))]
    hints_a = [None if pd.isna(v) else v for v in
               (admin1.iloc[rows].tolist() if admin1 is not None else [None] * len(rows))]
    triples = pd.Series(list(zip(names, hints_c, hints_a, strict=True)), dtype=object)
    codes, uniques = pd.factorize(triples)
    uniques = list(uniques)
    parts = []
    step = 200
    for start in range(0, len(uniques), step):
        progress("geocoding places", start, len(uniques))
        chunk = uniques[start:start + step]
        parts.append(geocode_many([u[0] for u in chunk], countries=[u[1] for u in chunk],
                                  admin1s=[u[2] for u in chunk]))
    progress("geocoding places", len(uniques), len(uniques))
    found = pd.concat(parts, ignore_index=True)
    return found.iloc[codes].reset_index(drop=True)


def _place_rows(d: _Draft, ok_rows: np.ndarray, per_row: pd.DataFrame,
                ok_pos: np.ndarray) -> None:
    """Coordinates, precision and ``geocode_source`` of the rows geocoded."""
    d.lat[ok_rows] = per_row["lat"].to_numpy()[ok_pos]
    d.lon[ok_rows] = per_row["lon"].to_numpy()[ok_pos]
    d.coords_missing[ok_rows] = False
    gp = d.fields.get("geo_precision")
    gp = pd.Series([None] * d.n, dtype=object) if gp is None else gp.astype(object).copy()
    gp.iloc[ok_rows] = per_row["geo_precision"].to_numpy()[ok_pos]
    d.fields["geo_precision"] = gp
    km = d.fields.get("geo_precision_km")
    km = np.full(d.n, np.nan) if km is None else km.to_numpy(dtype="float64").copy()
    km[ok_rows] = per_row["geo_precision_km"].to_numpy()[ok_pos]
    d.fields["geo_precision_km"] = pd.Series(km)
    source = np.full(d.n, None, dtype=object)
    source[ok_rows] = per_row["geocode_source"].to_numpy()[ok_pos]
    d.extras["geocode_source"] = pd.Series(source, dtype=object)


def _country_from_gazetteer(d: _Draft, ok_rows: np.ndarray) -> None:
    """Rows geocoded without a country take it from the gazetteer entry."""
    from ..geocode.api import geocode

    place, country, admin1 = (d.fields.get(k) for k in ("place", "country", "admin1"))
    if country is not None:
        no_country = ok_rows[country.iloc[ok_rows].isna().to_numpy()]
    else:
        no_country = ok_rows
    if not len(no_country):
        return
    cache: dict[tuple, str] = {}
    values = []
    for i in no_country.tolist():
        key = (place.iloc[i], None if admin1 is None or pd.isna(admin1.iloc[i])
               else admin1.iloc[i])
        if key not in cache:
            cache[key] = geocode(key[0], None, key[1]).country
        values.append(cache[key])
    country = (pd.Series([None] * d.n, dtype=object) if country is None
               else country.astype(object).copy())
    country.iloc[no_country] = values
    d.fields["country"] = country


def _finish(t: _Table, fmt: str, d: _Draft, progress) -> tuple[pd.Series, np.ndarray]:
    """Geocode, fill ids and titles, run the required-field checks; returns (ids, keep)."""
    n = d.n
    r = d.reasons
    _geocode_missing(d, progress)
    for fld in ("event_type", "country", "date"):
        value = d.fields.get(fld)
        missing = np.ones(n, bool) if value is None else ~_present(value)
        # rows whose cell had a bad value were rejected for it already
        missing &= ~d.given.get(fld, np.zeros(n, bool))
        label = d.labels.get(fld, fld)
        hint = (f" (add a column or map one with --map COLUMN={fld})"
                if fmt == "csv" and fld not in d.labels else "")
        r.add(missing, f"{label}: missing{hint}")

    generated = pd.Series("row-" + pd.Series(t.lines, dtype="int64").astype(str), dtype="str")
    ids = d.fields.get("id")
    ids = generated if ids is None else ids.where(ids.notna(), generated)
    d.fields["id"] = ids
    if d.fields.get("title") is None or not d.fields["title"].notna().all():
        kind = d.fields.get("sub_event_type")
        kind = d.fields["event_type"] if kind is None else kind.where(
            kind.notna(), d.fields["event_type"])
        where = d.fields.get("place")
        for other in ("admin1", "country"):
            if d.fields.get(other) is not None:
                where = d.fields[other] if where is None else where.where(
                    where.notna(), d.fields[other])
        kind = pd.Series(kind, dtype="str")
        days = _day_strings(d.fields["date"])
        built = kind + " in " + pd.Series(where, dtype="str") + ", " + days
        if built.isna().any():
            built = built.where(built.notna(), kind + ", " + days)
        title = d.fields.get("title")
        d.fields["title"] = built if title is None else title.where(title.notna(), built)

    # duplicates last: the first occurrence of an id that survives every other check wins
    keep = ~r.mask
    kept_ids = ids[keep]
    dup = kept_ids.duplicated(keep="first")
    if dup.any():
        first_line = dict(zip(kept_ids[~dup].tolist(), t.lines[keep][~dup.to_numpy()].tolist(),
                              strict=True))
        rows = np.flatnonzero(keep)[dup.to_numpy()]
        label = d.labels.get("id", "id")
        r.add_at(rows, [f"{label}: duplicate id {ids.iloc[i]!r} (first on line "
                        f"{first_line[ids.iloc[i]]})" for i in rows.tolist()])
    return ids, ~r.mask


def _frame(d: _Draft, keep: np.ndarray) -> gpd.GeoDataFrame:
    """The typed incident frame (as :func:`geodata.read` builds it) for the kept rows."""
    rows = np.flatnonzero(keep)
    data: dict[str, Any] = {}
    for name in KNOWN_FIELDS:
        value = d.fields.get(name)
        if value is None or name in DERIVED_FIELDS:
            continue
        v = value.iloc[rows].reset_index(drop=True)
        if not v.notna().any():
            continue
        if name in ("date", "end_date"):
            data[name] = v.astype("datetime64[ns]")
        elif name in COUNT_FIELDS:
            data[name] = v.astype("Int64")
        elif name == "geo_precision_km":
            data[name] = v.astype("float64")
        elif name in CATEGORICAL_FIELDS:
            data[name] = pd.Categorical(v.astype(object).where(v.notna(), None))
        elif name in NESTED_FIELDS:
            data[name] = v.astype(object)
        else:
            data[name] = pd.Series(v, dtype="str")
    if d.status is None:  # no attribution coded: every row is "unknown"
        codes = np.full(len(rows), ATTRIBUTION_STATUSES.index("unknown"), dtype=np.int8)
    else:
        codes = pd.Categorical(d.status.iloc[rows], categories=list(ATTRIBUTION_STATUSES)).codes
    data["attribution_status"] = pd.Categorical.from_codes(
        codes, categories=list(ATTRIBUTION_STATUSES))
    for name, value in d.extras.items():
        v = value.iloc[rows].reset_index(drop=True)
        if v.notna().any():
            data[name] = v
    order = [k for k in KNOWN_FIELDS if k in data] + [k for k in data if k not in KNOWN_FIELDS]
    frame = pd.DataFrame({k: data[k] for k in order}, index=pd.RangeIndex(len(rows)))
    geometry = shapely.points(d.lon[rows], d.lat[rows])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def _check_frame(gdf: gpd.GeoDataFrame, progress) -> dict[int, str]:
    """Run check_features over the frame; position -> reasons for rows with problems."""
    found: dict[int, list[str]] = {}
    n = len(gdf)
    for start in range(0, n, _CHUNK):
        progress("checking", start, n)
        report = check_features(to_features(gdf.iloc[start:start + _CHUNK]))
        for p in report.problems:
            if p.index is None:
                continue
            text = f"{p.field}: {p.message}" if p.field else p.message
            found.setdefault(start + p.index, []).append(text)
    progress("checking", n, n)
    return {i: "; ".join(m) for i, m in found.items()}
