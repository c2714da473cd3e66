"""The project's own sites, ``geodata/data/sites.csv``: read and checked."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from importlib import resources

from ..errors import GeocodeError

_SITES_FILE = "sites.csv"
_SITE_COLUMNS = (
    "name", "alt_names", "kind", "lat", "lon", "admin1", "country", "precision_km", "source",
)


@dataclass(frozen=True)
class _Site:
    name: str
    names: tuple[str, ...]
    kind: str
    lat: float
    lon: float
    admin1: str | None
    countries: tuple[str, ...]  # ISO2, first one reported
    radius_km: float
    source: str


def _load_sites(path: str | os.PathLike | None = None) -> list[_Site]:
    """Read ``geodata/data/sites.csv`` (or ``path``), checking every row."""
    if path is None:
        handle = resources.files("geodata").joinpath("data", _SITES_FILE).open(
            "r", encoding="utf-8", newline="")
        label = f"geodata/data/{_SITES_FILE}"
    else:
        handle = open(path, encoding="utf-8", newline="")
        label = str(path)
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _SITE_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise GeocodeError(f"{label}: missing column(s) {', '.join(missing)}")
        sites = []
        for line, row in enumerate(reader, start=2):
            try:
                sites.append(_site_from_row(row))
            except (TypeError, ValueError) as exc:
                raise GeocodeError(f"{label}, line {line}: {exc}") from None
    return sites


def _site_from_row(row: dict) -> _Site:
    name = (row["name"] or "").strip()
    if not name:
        raise ValueError("empty name")
    lat, lon = float(row["lat"]), float(row["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"coordinates out of range: {lat}, {lon}")
    radius = float(row["precision_km"])
    if not radius > 0:
        raise ValueError(f"precision_km must be positive, got {radius}")
    source = (row["source"] or "").strip()
    if not source:
        raise ValueError(f"no source for {name!r}")
    countries = tuple(c.strip().upper() for c in (row["country"] or "").split(";") if c.strip())
    if not countries:
        raise ValueError(f"no country for {name!r}")
    alts = tuple(a.strip() for a in (row["alt_names"] or "").split(";") if a.strip())
    return _Site(
        name=name, names=(name, *alts), kind=(row["kind"] or "site").strip(), lat=lat, lon=lon,
        admin1=(row["admin1"] or "").strip() or None, countries=countries, radius_km=radius,
        source=source,
    )
