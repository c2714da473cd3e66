"""Checks of incidents against the schema.

:func:`check_features` looks at raw GeoJSON features (as parsed from a file)
and reports every problem with the feature's index, id and field. It never
raises on bad data: whatever the input, the answer is a report.
:func:`validate` is the public entry point: strict by default (raise one
:class:`~geodata.errors.ValidationError` listing everything), lenient on
request (return the report; its ``valid`` mask picks the good features).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import NoneType
from typing import Any

import numpy as np

from . import io
from .dates import MAX_DATE, MIN_DATE
from .errors import DataSourceError, Problem, ValidationError
from .geojson import feature_id, features_of
from .schema import (
    ATTRIBUTION_STATUSES,
    COUNT_FIELDS,
    DATE_PRECISIONS,
    GEO_PRECISIONS,
    MAX_COUNT,
    MAX_NESTING,
    MAX_RADIUS_KM,
    REQUIRED,
    URL_SCHEMES,
)

__all__ = ["ValidationReport", "check_features", "feature_problems", "is_http_url", "validate"]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO3 = re.compile(r"[A-Z]{3}")
#: What no URL may hold: white space (as ``str.isspace`` sees it) or a control character.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def is_http_url(value: object) -> bool:
    """Return True when ``value`` is an absolute http or https URL.

    Parameters
    ----------
    value : object
        Anything (only strings can be URLs).

    Returns
    -------
    bool
        True for ``http://`` or ``https://`` followed by a host, without
        spaces or control characters.

    Examples
    --------
    >>> is_http_url("https://www.bbc.com/news/world-middle-east-51890492")
    True
    >>> is_http_url("javascript:alert(1)")
    False
    """
    if not isinstance(value, str):
        return False
    value = value.strip()
    scheme, sep, rest = value.partition("://")
    return (bool(sep) and scheme.lower() in URL_SCHEMES and bool(rest)
            and _SPACE_OR_CONTROL.search(value) is None)


@dataclass
class ValidationReport:
    """The outcome of checking a dataset.

    Attributes
    ----------
    source : str or None
        The file or label checked.
    n_features : int
        How many features the input had.
    problems : list of Problem
        Every problem, in feature order (file-level ones first).
    valid : numpy.ndarray of bool
        One flag per feature: True where the feature has no problem.
    """

    source: str | None
    n_features: int
    problems: list[Problem] = field(default_factory=list)
    valid: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def n_valid(self) -> int:
        """Number of features without problems."""
        return int(self.valid.sum())

    @property
    def n_invalid(self) -> int:
        """Number of features with at least one problem."""
        return self.n_features - self.n_valid

    def lines(self) -> list[str]:
        """Describe each problem.

        Returns
        -------
        list of str
            One human-readable line per problem.
        """
        return [str(p) for p in self.problems]

    def raise_if_invalid(self) -> None:
        """Raise :class:`ValidationError` listing every problem, if any.

        Raises
        ------
        ValidationError
            When there is at least one problem.
        """
        if self.problems:
            raise ValidationError(self.problems, self.source)

    def summary(self) -> str:
        """Give a one-line account: how many features, how many bad, how many problems.

        Returns
        -------
        str
        """
        src = f"{self.source}: " if self.source else ""
        incidents = _plural(self.n_features, "incident")
        if self.ok:
            return f"{src}{incidents}, all valid"
        return (
            f"{src}{incidents}, {self.n_invalid} invalid "
            f"({_plural(len(self.problems), 'problem')}), {self.n_valid} usable"
        )


def _plural(n: int, noun: str) -> str:
    """``"1 incident"``, ``"2 incidents"``, ``"0 incidents"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _fmt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _parse_day(value: Any) -> _dt.date | None:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None


def _day_problem(value: Any) -> tuple[_dt.date | None, str | None]:
    """(the day, None) for a usable day, else (None, what is wrong with it)."""
    day = _parse_day(value)
    if day is None:
        return None, f"not an ISO 8601 day (YYYY-MM-DD): {_fmt(value)}"
    if not MIN_DATE <= day <= MAX_DATE:
        return None, (f"{value!r} is outside the dates this tool handles "
                      f"({MIN_DATE:%Y-%m-%d} to {MAX_DATE:%Y-%m-%d})")
    return day, None


#: The types JSON's plain values have: never containers, told apart by one lookup.
_SCALARS = frozenset({str, int, float, bool, NoneType})


def _is_container(value: Any) -> bool:
    """A list, tuple or mapping (plain values answered before the slow ``Mapping`` check)."""
    if isinstance(value, str | int | float | NoneType):
        return False
    return isinstance(value, dict | list | tuple) or isinstance(value, Mapping)


def _depth_over(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels in ``value`` (no recursion).

    Walks one level at a time and carries only containers down, so the usual
    shallow property (a list of source objects) costs a few ``isinstance`` calls.
    """
    level = [value]
    depth = 0
    while True:
        containers = [item for item in level
                      if type(item) not in _SCALARS and _is_container(item)]
        if not containers:
            return False
        if depth + 1 > limit:
            return True
        level = [child for item in containers
                 for child in (item.values() if isinstance(item, Mapping) else item)]
        depth += 1


def _check_nesting(props: Mapping, add) -> None:
    # One walk of the whole properties object (one level more than a property
    # may have); only when it is too deep, the properties that are.
    if not _depth_over(props, MAX_NESTING + 1):
        return
    for name, value in props.items():
        if type(value) not in _SCALARS and _is_container(value) and _depth_over(
                value, MAX_NESTING):
            add(str(name), f"lists and objects nested more than {MAX_NESTING} levels deep "
                f"(the most this tool handles)")


def _is_count(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    if isinstance(value, float):
        return math.isfinite(value) and value >= 0 and value.is_integer()
    return False


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _check_geometry(geom: Any, add) -> None:
    if geom is None:
        add("geometry", "missing (a Point is needed)")
        return
    if not isinstance(geom, Mapping):
        add("geometry", f"not a GeoJSON geometry object: {_fmt(geom)}")
        return
    gtype = geom.get("type")
    if gtype != "Point":
        add("geometry", f"must be a Point, got {_fmt(gtype)}")
        return
    coords = geom.get("coordinates")
    if (
        not isinstance(coords, list | tuple)
        or len(coords) not in (2, 3)
        or not all(_is_number(c) for c in coords)
    ):
        add("geometry", f"Point coordinates must be [longitude, latitude], got {_fmt(coords)}")
        return
    lon, lat = coords[0], coords[1]
    if not -180 <= lon <= 180:
        add("geometry", f"longitude {lon!r} out of range [-180, 180]")
    if not -90 <= lat <= 90:
        add("geometry", f"latitude {lat!r} out of range [-90, 90]")


def _check_string(props: Mapping, name: str, add, required: bool) -> None:
    value = props.get(name)
    if value is None:
        if required:
            add(name, "missing")
        return
    if not isinstance(value, str) or not value.strip():
        add(name, f"must be a non-empty string, got {_fmt(value)}")


def _check_string_list(value: Any, name: str, add) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        add(name, f"must be a list of names, got {_fmt(value)}")


def _check_attribution(value: Any, add) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        add("attribution", f"must be an object with a 'status', got {_fmt(value)}")
        return
    status = value.get("status")
    if status is None:
        add("attribution.status", "missing")
    elif status not in ATTRIBUTION_STATUSES:
        add(
            "attribution.status",
            f"unknown status {_fmt(status)} (expected one of {', '.join(ATTRIBUTION_STATUSES)})",
        )
    _check_string_list(value.get("claimed_by"), "attribution.claimed_by", add)
    _check_string_list(value.get("blamed_by"), "attribution.blamed_by", add)


def _check_sources(value: Any, add) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        add("sources", f"must be a list of sources, got {_fmt(value)}")
        return
    for i, src in enumerate(value):
        if not isinstance(src, Mapping):
            add(f"sources[{i}]", f"must be an object with title and url, got {_fmt(src)}")
            continue
        url = src.get("url")
        if url is not None and not is_http_url(url):
            add(f"sources[{i}].url", f"not an http(s) URL: {_fmt(url)}")
        title = src.get("title")
        if title is not None and not isinstance(title, str):
            add(f"sources[{i}].title", f"must be a string, got {_fmt(title)}")
        if title is None and url is None:
            add(f"sources[{i}]", "needs a title or a url")


def _check_related(value: Any, add) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        add("related", f"must be a list of {{id, relation}} objects, got {_fmt(value)}")
        return
    for i, rel in enumerate(value):
        if not isinstance(rel, Mapping) or not isinstance(rel.get("id"), str) or not rel["id"]:
            add(f"related[{i}]", f"must be an object with a string 'id', got {_fmt(rel)}")


def _check_properties(props: Mapping, add) -> None:
    for name in REQUIRED:
        if name != "id" and name != "date":
            _check_string(props, name, add, required=True)
    for name in ("sub_event_type", "target", "place", "admin1", "notes"):
        _check_string(props, name, add, required=False)
    _check_dates(props, add)
    _check_location(props, add)
    _check_counts(props, add)
    _check_attribution(props.get("attribution"), add)
    _check_sources(props.get("sources"), add)
    _check_related(props.get("related"), add)
    _check_nesting(props, add)


def _check_dates(props: Mapping, add) -> None:
    """``date`` (required), ``end_date`` (not before it) and ``date_precision``."""
    start = None
    date = props.get("date")
    if date is None:
        add("date", "missing")
    else:
        start, why = _day_problem(date)
        if why:
            add("date", why)
    end_raw = props.get("end_date")
    if end_raw is not None:
        end, why = _day_problem(end_raw)
        if why:
            add("end_date", why)
        elif start is not None and end < start:
            add("end_date", f"{end_raw!r} is before the start date {date!r}")
    prec = props.get("date_precision")
    if prec is not None and prec not in DATE_PRECISIONS:
        add(
            "date_precision",
            f"unknown precision {_fmt(prec)} (expected one of {', '.join(DATE_PRECISIONS)})",
        )


def _check_location(props: Mapping, add) -> None:
    """``country`` (ISO3), ``geo_precision`` and ``geo_precision_km``."""
    country = props.get("country")
    if isinstance(country, str) and country.strip() and not _ISO3.fullmatch(country):
        add("country", f"must be an ISO 3166-1 alpha-3 code such as 'IRQ', got {_fmt(country)}")

    gp = props.get("geo_precision")
    if gp is not None and gp not in GEO_PRECISIONS:
        add(
            "geo_precision",
            f"unknown precision {_fmt(gp)} (expected one of {', '.join(GEO_PRECISIONS)})",
        )
    km = props.get("geo_precision_km")
    if km is not None and not (_is_number(km) and km >= 0):
        add("geo_precision_km", f"must be a non-negative number, got {_fmt(km)}")
    elif km is not None and km > MAX_RADIUS_KM:
        add("geo_precision_km", f"{km!r} km is above {MAX_RADIUS_KM:g} km (about half the "
            f"Earth's circumference)")


def _check_counts(props: Mapping, add) -> None:
    """The count fields, and fatalities_low <= fatalities <= fatalities_high."""
    counts = {}
    for name in COUNT_FIELDS:
        value = props.get(name)
        if value is None:
            continue
        if _is_count(value) and value > MAX_COUNT:
            add(name, f"{_fmt(value)} is above {MAX_COUNT}, the largest count this tool handles")
        elif _is_count(value):
            counts[name] = value
        else:
            add(name, f"must be a non-negative integer, got {_fmt(value)}")
    low, best, high = (counts.get(k) for k in ("fatalities_low", "fatalities", "fatalities_high"))
    if low is not None and high is not None and low > high:
        add("fatalities_low", f"{low} is above fatalities_high {high}")
    if best is not None and low is not None and best < low:
        add("fatalities", f"{best} is below fatalities_low {low}")
    if best is not None and high is not None and best > high:
        add("fatalities", f"{best} is above fatalities_high {high}")


def check_features(features: Any, source: str | None = None) -> ValidationReport:
    """Check raw GeoJSON features against the schema, never raising on bad data.

    Parameters
    ----------
    features : list
        Parsed GeoJSON Feature objects (anything else is reported, not raised).
    source : str, optional
        A label for messages, usually the file name.

    Returns
    -------
    ValidationReport
        Every problem; ``report.valid`` flags the features that have none.

    Examples
    --------
    >>> bad = {"type": "Feature", "geometry": None, "properties": {"id": "a"}}
    >>> report = check_features([bad])
    >>> report.ok, report.problems[0].field
    (False, 'title')
    """
    if not isinstance(features, list):
        problem = Problem(None, None, None, f"expected a list of features, got {_fmt(features)}")
        return ValidationReport(source, 0, [problem], np.zeros(0, dtype=bool))

    n = len(features)
    valid = np.ones(n, dtype=bool)
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        found = feature_problems(index, feature, first_seen.setdefault)
        if found:
            valid[index] = False
            problems.extend(found)
    return ValidationReport(source, n, problems, valid)


def feature_problems(index: int, feature: Any, first_index) -> list[Problem]:
    """Every problem of one raw feature (the per-feature check :func:`check_features` runs).

    Parameters
    ----------
    index : int
        The feature's position in the file.
    feature : object
        The parsed feature.
    first_index : callable
        ``first_index(fid, index)``: the position of the first feature with
        the id ``fid`` (``index`` itself when this is the first);
        ``dict.setdefault`` of a running map does.

    Returns
    -------
    list of Problem
        Empty when the feature is fine.
    """
    fid = feature_id(feature)
    found: list[Problem] = []

    def add(name, message):
        found.append(Problem(index, fid, name, message))

    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        add(None, f"not a GeoJSON Feature object: {_fmt(feature)}")
        return found
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        add("properties", f"must be an object, got {_fmt(props)}")
        props = {}
    raw_id = props.get("id", feature.get("id"))
    if fid is None:
        add("id", "missing" if raw_id is None else f"must be a non-empty string, got "
            f"{_fmt(raw_id)}")
    else:
        first = first_index(fid, index)
        if first != index:
            add("id", f"duplicate of feature {first}")
    _check_properties(props, add)
    _check_geometry(feature.get("geometry"), add)
    return found


def validate(data: Any, *, lenient: bool = False) -> ValidationReport:
    """Check a dataset against the incident schema.

    Parameters
    ----------
    data : str, os.PathLike, dict, list or GeoDataFrame
        A GeoJSON or GeoParquet file, a parsed FeatureCollection, a list of
        features, or a frame as returned by :func:`geodata.read`.
    lenient : bool, default False
        Strict mode raises one :class:`ValidationError` that lists every bad
        feature. Lenient mode returns the report instead; ``report.valid``
        marks the features that can be used.

    Returns
    -------
    ValidationReport

    Raises
    ------
    ValidationError
        In strict mode, when anything is wrong.
    DataSourceError
        When a file cannot be read at all (missing, not JSON, wrong format).
    """
    source = None
    if isinstance(data, str | os.PathLike):
        source = os.fspath(data)
        features = io.load_features(data)
    elif isinstance(data, Mapping):
        features = features_of(data, source)
    elif isinstance(data, list):
        features = data
    elif hasattr(data, "geometry"):
        features = io.to_features(data)
    else:
        raise DataSourceError(
            f"validate() takes a path, a FeatureCollection, a list of features or a "
            f"GeoDataFrame, got {type(data).__name__}"
        )
    report = check_features(features, source)
    if not lenient:
        report.raise_if_invalid()
    return report
