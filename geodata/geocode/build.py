"""Learning a user gazetteer from a dataset whose events have coordinates.

:func:`build_gazetteer` groups finely located events by place name, admin1
division and country and writes one row per group at their median, in the
format :func:`geodata.geocode.load_gazetteer` reads.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import GeocodeError
from ..schema import GEO_PRECISION_DEFAULT_KM
from .candidate import _haversine_km
from .gazetteer import _Gazetteer, _gazetteer
from .names import _admin1_key, _clean, normalize
from .user import GAZETTEER_COLUMNS

__all__ = ["LEARN_MAX_RADIUS_KM", "LEARN_MAX_SPREAD_KM", "GazetteerBuild", "build_gazetteer"]

#: Only events located at least this finely teach a place: ``site`` and
#: ``town`` precision, or a radius of at most this many km.
LEARN_MAX_RADIUS_KM = 30.0
#: Events of one (place, admin1, country) spread wider than this around
#: their median point are not one place; such names are skipped.
LEARN_MAX_SPREAD_KM = 25.0


@lru_cache(maxsize=4096)
def _division_key_cached(gaz: _Gazetteer, country: str, admin1: str) -> str:
    try:
        iso2 = gaz.resolve_country_hint(country)
    except GeocodeError:
        return _admin1_key(admin1)
    regions = gaz.regions_for((iso2,), admin1)
    return "|".join(sorted(".".join(r) for r in regions)) or _admin1_key(admin1)


def _division_key(gaz: _Gazetteer, country: str, admin1: str | None) -> str:
    """One key per division, whatever the spelling of its name (Ninewa = Ninawa)."""
    return _division_key_cached(gaz, country, admin1) if admin1 else ""


@dataclass(frozen=True)
class GazetteerBuild:
    """What :func:`build_gazetteer` wrote and left out.

    Parameters
    ----------
    output : str
        The CSV written.
    places : int
        Rows written.
    events : int
        Events that taught a place.
    skipped_coarse : int
        Events with a place but coordinates coarser than
        :data:`LEARN_MAX_RADIUS_KM` (or geocoded from a gazetteer).
    skipped_spread : list of str
        Names left out because their events lie too far apart.
    """

    output: str
    places: int
    events: int
    skipped_coarse: int
    skipped_spread: list

    def summary(self) -> str:
        """Return a one-paragraph report for the command line."""
        text = (f"wrote {self.places} places learned from {self.events} events to "
                f"{self.output}")
        if self.skipped_coarse:
            text += (f"; {self.skipped_coarse} events skipped (located coarser than "
                     f"{LEARN_MAX_RADIUS_KM:g} km, or geocoded from a gazetteer)")
        if self.skipped_spread:
            shown = ", ".join(self.skipped_spread[:10])
            more = f" and {len(self.skipped_spread) - 10} more" if len(
                self.skipped_spread) > 10 else ""
            text += (f"; {len(self.skipped_spread)} names skipped because their events lie "
                     f"more than {LEARN_MAX_SPREAD_KM:g} km apart: {shown}{more}")
        return text


def build_gazetteer(dataset, output: str | os.PathLike) -> GazetteerBuild:
    """Learn place coordinates from a dataset that has them; write a gazetteer CSV.

    Events with a ``place``, a ``country`` and point coordinates located at
    ``site`` or ``town`` precision (or ``geo_precision_km`` <= 30) are grouped
    by normalised place name, admin1 and country. Each group becomes one row
    at the median of its events, with a radius that covers the events'
    spread and their own radius. Events whose ``geocode_source`` says they
    were geocoded from a gazetteer teach nothing, and a name whose events lie
    more than :data:`LEARN_MAX_SPREAD_KM` km from their median is skipped
    (two places, not one).

    Parameters
    ----------
    dataset : str, os.PathLike or geopandas.GeoDataFrame
        An incident file (GeoJSON or GeoParquet, as ``mapapp import`` writes
        it) or a frame from :func:`geodata.read`. Only read.
    output : str or os.PathLike
        The CSV to write (atomically); :func:`load_gazetteer` reads it.

    Returns
    -------
    GazetteerBuild

    Raises
    ------
    GeocodeError
        If the dataset has no ``place`` or ``country`` column, or no event
        that can teach a place.
    """
    label, frame = _read_dataset(dataset)
    events = _events(frame, label)
    groups, spelling, coarse = _group_events(events, _gazetteer())
    rows, spread_names, taught = _place_rows(events, groups, spelling, label)
    if not rows:
        raise GeocodeError(f"{label}: no event can teach a place (events need a place, a "
                           f"country and point coordinates located within "
                           f"{LEARN_MAX_RADIUS_KM:g} km)")
    rows.sort(key=lambda r: (r["country"], r["admin1"], r["name"]))
    _write_rows(rows, output)
    return GazetteerBuild(output=os.fspath(output), places=len(rows), events=taught,
                          skipped_coarse=coarse, skipped_spread=sorted(spread_names))


@dataclass(frozen=True)
class _Events:
    """The columns of a dataset that can teach places, one array per column."""

    lat: np.ndarray
    lon: np.ndarray
    place: np.ndarray
    country: np.ndarray
    admin1: np.ndarray
    km: np.ndarray
    precision: np.ndarray
    geocoded: np.ndarray


def _read_dataset(dataset) -> tuple[str, object]:
    """The dataset's label for messages and its frame (a path is read leniently)."""
    from ..load import read

    if isinstance(dataset, str | os.PathLike):
        return os.fspath(dataset), read(dataset, lenient=True)
    return "the dataset", dataset


def _optional(frame, column: str, n: int) -> np.ndarray:
    """An object column, or all None when the frame lacks it."""
    if column in frame.columns:
        return frame[column].astype(object).to_numpy()
    return np.full(n, None, dtype=object)


def _events(frame, label: str) -> _Events:
    """Pick the learning columns out of ``frame``; it needs ``place`` and ``country``."""
    for column in ("place", "country"):
        if column not in frame.columns:
            raise GeocodeError(f"{label}: no {column!r} column, so no place can be learned "
                               "from it")
    n = len(frame)
    points = [g if g is not None and not g.is_empty and g.geom_type == "Point" else None
              for g in frame.geometry]
    km = (pd.to_numeric(frame["geo_precision_km"], errors="coerce").to_numpy(dtype=float)
          if "geo_precision_km" in frame.columns else np.full(n, np.nan))
    return _Events(
        lat=np.array([np.nan if g is None else g.y for g in points], dtype=float),
        lon=np.array([np.nan if g is None else g.x for g in points], dtype=float),
        place=frame["place"].astype(object).to_numpy(),
        country=frame["country"].astype(object).to_numpy(),
        admin1=_optional(frame, "admin1", n), km=km,
        precision=_optional(frame, "geo_precision", n),
        geocoded=_optional(frame, "geocode_source", n),
    )


def _located_finely(precision, km: float) -> bool:
    """Site or town precision, or a radius of at most :data:`LEARN_MAX_RADIUS_KM`."""
    fine = precision in ("site", "town") or (
        precision is None and math.isfinite(km) and km <= LEARN_MAX_RADIUS_KM)
    if math.isfinite(km) and km > LEARN_MAX_RADIUS_KM:
        fine = False
    return fine


def _group_events(ev: _Events, gaz: _Gazetteer) -> tuple[dict, dict, int]:
    """Group the events that teach by (name key, division key, country).

    Returns the groups (event positions), the spellings of each group's name
    with their counts, and the number of events located too coarsely (or
    geocoded from a gazetteer).
    """
    groups: dict[tuple, list[int]] = {}
    spelling: dict[tuple, dict[str, int]] = {}
    coarse = 0
    for i in range(len(ev.lat)):
        name, cc = _clean(ev.place[i]), _clean(ev.country[i])
        if name is None or cc is None or not math.isfinite(ev.lat[i]) or not math.isfinite(
                ev.lon[i]):
            continue
        if not _located_finely(ev.precision[i], ev.km[i]) or _clean(ev.geocoded[i]) is not None:
            coarse += 1
            continue
        key = (normalize(name), _division_key(gaz, cc, _clean(ev.admin1[i])), cc.upper())
        groups.setdefault(key, []).append(i)
        names = spelling.setdefault(key, {})
        names[name] = names.get(name, 0) + 1
    return groups, spelling, coarse


def _place_rows(ev: _Events, groups: dict, spelling: dict, label: str
                ) -> tuple[list[dict], list[str], int]:
    """One row per group; the names whose events lie too far apart; events used."""
    rows, spread_names, events = [], [], 0
    for key, members in groups.items():
        idx = np.array(members)
        mlat, mlon = float(np.median(ev.lat[idx])), float(np.median(ev.lon[idx]))
        far = max(_haversine_km(mlat, mlon, ev.lat[i], ev.lon[i]) for i in members)
        name = max(spelling[key].items(), key=lambda kv: (kv[1], kv[0]))[0]
        if far > LEARN_MAX_SPREAD_KM:
            spread_names.append(f"{name} ({key[2]})")
            continue
        km = ev.km[idx]
        own = np.nanmax(np.where(np.isfinite(km), km, np.nan)) if np.isfinite(
            km).any() else GEO_PRECISION_DEFAULT_KM["town"]
        radius = round(max(float(own), far, 0.1), 2)
        a1 = next((_clean(ev.admin1[i]) for i in members if _clean(ev.admin1[i])), "")
        rows.append({"name": name, "admin1": a1 or "", "country": key[2],
                     "lat": round(mlat, 5), "lon": round(mlon, 5), "precision": radius,
                     "alt_names": "; ".join(sorted(s for s in spelling[key] if s != name)),
                     "count": len(members),
                     "source": f"median of {len(members)} events in {os.path.basename(label)}"})
        events += len(members)
    return rows, spread_names, events


def _write_rows(rows: list[dict], output: str | os.PathLike) -> None:
    """Write the gazetteer CSV atomically."""
    from ..io import atomic_write

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*GAZETTEER_COLUMNS, "alt_names",
                                                        "count", "source"])
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(output, write)
