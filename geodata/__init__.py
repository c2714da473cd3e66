"""geodata: the incident data layer.

Schema, reading and writing (GeoJSON, GeoParquet), validation, filtering and
summaries of geocoded incidents. Imports neither streamlit nor folium.

Examples
--------
>>> import geodata
>>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
>>> view = geodata.Filters(actors=["Iran"], role="perpetrator").apply(gdf)  # doctest: +SKIP
"""

from .errors import DataSourceError, GeodataError, Problem, ValidationError
from .filters import (
    FilterError,
    Filters,
    actors_of,
    empty_reason,
    filter_incidents,
    filter_steps,
    unique_values,
)
from .io import (
    dumps_geojson,
    frame_from_features,
    load_features,
    read,
    to_feature_collection,
    to_features,
    write,
)
from .summary import by_period, count_by, overview
from .validate import ValidationReport, check_features, is_http_url, validate

__all__ = [
    "DataSourceError",
    "FilterError",
    "Filters",
    "GeodataError",
    "Problem",
    "ValidationError",
    "ValidationReport",
    "actors_of",
    "by_period",
    "check_features",
    "count_by",
    "dumps_geojson",
    "empty_reason",
    "filter_incidents",
    "filter_steps",
    "frame_from_features",
    "is_http_url",
    "load_features",
    "overview",
    "read",
    "to_feature_collection",
    "to_features",
    "unique_values",
    "validate",
    "write",
]
