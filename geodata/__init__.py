"""geodata: the incident data layer.

Schema, reading and writing (GeoJSON, GeoParquet), validation, filtering and
summaries of geocoded incidents. Imports neither streamlit nor folium.

Examples
--------
>>> import geodata
>>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
>>> loaded = geodata.load("acled.csv", lenient=True)  # doctest: +SKIP
>>> loaded.gdf, loaded.report  # doctest: +SKIP
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
    resolve,
    unique_values,
)
from .io import (
    atomic_write,
    dumps_geojson,
    frame_from_features,
    load_features,
    to_feature_collection,
    to_features,
    write,
)
from .load import Loaded, load, read
from .summary import Figures, by_period, count_by, format_count, overview, view_summary
from .validate import ValidationReport, check_features, is_http_url, validate

__all__ = [
    "DataSourceError",
    "FilterError",
    "Figures",
    "Filters",
    "GeodataError",
    "Loaded",
    "Problem",
    "ValidationError",
    "ValidationReport",
    "actors_of",
    "atomic_write",
    "by_period",
    "check_features",
    "count_by",
    "dumps_geojson",
    "empty_reason",
    "filter_incidents",
    "filter_steps",
    "format_count",
    "frame_from_features",
    "is_http_url",
    "load",
    "load_features",
    "overview",
    "read",
    "resolve",
    "to_feature_collection",
    "to_features",
    "unique_values",
    "validate",
    "view_summary",
    "write",
]
