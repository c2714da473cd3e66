"""The page's state: a loaded dataset, and filters to and from a URL query.

Pure Python (no streamlit), so the page's logic is tested without a server.
A link such as ``?start=2019-12-27&end=2020-01-08&actor=Iran&role=perpetrator``
reproduces a view: :func:`filters_from_query` reads it (ignoring, with a
note, whatever it cannot use) and :func:`query_from_filters` writes it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

import geodata
from geodata.memory import release
from geodata.nested import arrow_of, column_values, is_typed
from geodata.schema import ATTRIBUTION_STATUSES, ROLES

from .lookups import ByPosition, Incoming, Positions
from .mapdata import actor_colors, data_bounds

__all__ = [
    "QUERY_KEYS",
    "Dataset",
    "content_key",
    "filters_from_query",
    "filters_from_values",
    "load_dataset",
    "query_from_filters",
    "to_csv_bytes",
]

#: Query parameters the page understands (list-valued ones may repeat).
QUERY_KEYS = ("start", "end", "actor", "role", "event_type", "country", "status", "id",
              "story", "step")  # (story and step: mapapp.page.story)
_LIST_KEYS = {"actor": "actors", "event_type": "event_types", "country": "countries",
              "status": "statuses"}


@dataclass(eq=False)
class Dataset:
    """A dataset loaded once, with the choices and lookups the page derives from it once.

    Compared (and hashed) by identity, so a page can key caches by it. The
    table's rows are :mod:`mapapp.page.tabledata`'s, the map's files
    :func:`mapapp.mapdata.write_data_files`'.

    Attributes
    ----------
    gdf : GeoDataFrame
        The usable incidents (bad ones dropped in lenient mode).
    report : geodata.ValidationReport
        What was wrong with the file, if anything.
    label : str
        A name for the data (file name).
    """

    gdf: gpd.GeoDataFrame
    report: geodata.ValidationReport
    label: str
    actors: list[str] = field(init=False)
    event_types: list[str] = field(init=False)
    countries: list[str] = field(init=False)
    statuses: list[str] = field(init=False)
    start: dt.date | None = field(init=False)
    end: dt.date | None = field(init=False)
    colors: dict[str, str] = field(init=False)
    bounds: list | None = field(init=False)

    def __post_init__(self):
        gdf = self.gdf
        if gdf.empty:  # (no usable incident: the page says so and lists the problems)
            self.actors, self.event_types, self.countries, self.statuses = [], [], [], []
            self.start = self.end = self.bounds = None
            self.colors = {}
            return
        self.actors = geodata.actors_of(gdf)
        self.event_types = geodata.unique_values(gdf, "event_type")
        self.countries = geodata.unique_values(gdf, "country")
        present = set(geodata.unique_values(gdf, "attribution_status"))
        self.statuses = [s for s in ATTRIBUTION_STATUSES if s in present]
        ov = self.figures.overview()
        self.start = None if ov["start"] is None else ov["start"].date()
        self.end = None if ov["end"] is None else ov["end"].date()
        self.colors = actor_colors(gdf)
        self.bounds = data_bounds(gdf)

    @functools.cached_property
    def titles(self) -> Mapping[str, str]:
        """Each incident's title by id (looked up through :meth:`position`, no copy)."""
        return ByPosition(self.position, self.ids, self.gdf["title"].array)

    @functools.cached_property
    def incoming(self) -> Mapping[str, list[tuple[str, str]]]:
        """For each id, the incidents that name it in ``related`` (``(id, relation)``).

        Found by Arrow in the links of a typed ``related`` column, when asked
        (a dict of a million incidents' links took 2 s and 100 MB to build).
        """
        column = self.gdf["related"] if "related" in self.gdf.columns else None
        if column is not None and is_typed(column):
            return Incoming(self.ids, arrow_of(column))
        out: dict[str, list[tuple[str, str]]] = {}
        if column is not None:
            for other, rel in zip(self.ids, column, strict=True):
                for r in rel if isinstance(rel, list) else []:
                    if isinstance(r, dict) and isinstance(r.get("id"), str):
                        out.setdefault(r["id"], []).append((other, r.get("relation") or "related"))
        return out

    @functools.cached_property
    def _positions(self) -> Positions:
        ids = self.gdf["id"]
        text = arrow_of(ids) if isinstance(ids.dtype, pd.StringDtype) else \
            pa.array(self.ids.tolist(), type=pa.large_string())  # (the object path: tests)
        return Positions(text)  # (4 bytes per incident: 0.4 s at 1M)

    def position(self, incident_id) -> int | None:
        """Where the incident with this id is in the dataset (None if it is not)."""
        return self._positions.find(str(incident_id))

    @functools.cached_property
    def ids(self):
        """Every incident's id as text, in the dataset's order (``ids[i]``, ``ids.tolist()``)."""
        ids = self.gdf["id"]
        return ids.array if isinstance(ids.dtype, pd.StringDtype) and ids.notna().all() \
            else ids.astype(str).to_numpy(dtype=object)

    @functools.cached_property
    def figures(self) -> geodata.Figures:
        """The dataset's per-incident columns, summed into the figures of any view."""
        return geodata.Figures(self.gdf)

    @property
    def timeline_actors(self) -> list[str]:
        """The actors the timeline colours (see :attr:`geodata.Figures.timeline_actors`)."""
        return self.figures.timeline_actors

    def timeline(self, mask, span=None) -> tuple[pd.DataFrame, str]:
        """Incidents per day or week and actor in a view (:meth:`geodata.Figures.timeline`)."""
        return self.figures.timeline(mask, span=span)

    def dense_span(self, mask):
        """Where most of a view's incidents are (:meth:`geodata.Figures.dense_span`)."""
        return self.figures.dense_span(mask)

    @property
    def total(self) -> int:
        """Number of usable incidents."""
        return len(self.gdf)

    def view(self, filters: geodata.Filters) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        """The filtered incidents and the boolean mask that picked them."""
        mask = self.mask(filters)
        return self.gdf.loc[mask], mask

    def mask(self, filters: geodata.Filters) -> np.ndarray:
        """The boolean mask of the incidents ``filters`` keep."""
        return np.asarray(filters.mask(self.gdf), dtype=bool)

    def overview(self, mask) -> dict:
        """Headline figures of the view ``mask`` picks (:meth:`geodata.Figures.overview`)."""
        return self.figures.overview(mask)

    def view_summary(self, mask) -> dict:
        """The map's summary of the view ``mask`` picks (:meth:`geodata.Figures.view_summary`)."""
        return self.figures.view_summary(mask)


def load_dataset(source: str | os.PathLike | bytes, *, lenient: bool = True,
                 label: str | None = None, progress=None) -> Dataset:
    """Open a file or an upload's bytes of any format :func:`geodata.load` reads.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path, or an uploaded file's content.
    lenient : bool, default True
        Keep the good incidents and report the bad ones (strict: raise).
    label : str, optional
        The data's name (default: the file's name). For bytes, the upload's
        file name: it picks the format and names the file in messages.
    progress : callable, optional
        ``progress(step)`` as the load goes (see :func:`geodata.load`).

    Returns
    -------
    Dataset

    Raises
    ------
    geodata.GeodataError
        When the file cannot be read at all, or (strict mode) has problems.
    """
    name = label if isinstance(source, bytes | bytearray) else None
    loaded = geodata.load(source, name=name, lenient=lenient, progress=progress or False)
    label = label or os.path.basename(loaded.name)
    # the page names the file as its visitor knows it, never by a server path
    report = dataclasses.replace(loaded.report, source=label)
    dataset = Dataset(loaded.gdf, report, label)
    del loaded
    release()  # (the load freed about as much as the frame holds: back to the system)
    return dataset


def content_key(data: bytes) -> str:
    """A short hash of uploaded bytes (the upload cache's key)."""
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------- URL query


def _values(params: Mapping, key: str) -> list[str]:
    """All values of a query key (Streamlit's query_params or a plain dict)."""
    if hasattr(params, "get_all"):
        return [str(v) for v in params.get_all(key)]
    value = params.get(key)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _unknown_keys(params: Mapping) -> list[str]:
    """A note per query parameter the page does not know."""
    return [f"ignored unknown parameter {key!r}" for key in list(params.keys())
            if key not in QUERY_KEYS]


def _dates(params: Mapping, dataset: Dataset, values: dict) -> list[str]:
    """Set ``start`` and ``end`` in ``values`` (clipped to the data); notes on the rest."""
    notes: list[str] = []
    for key in ("start", "end"):
        raw = _values(params, key)
        if not raw:
            continue
        day = _day(raw[-1])
        if day is None:
            notes.append(f"ignored {key}={raw[-1]!r}: not a date as YYYY-MM-DD")
            continue
        if dataset.start is not None and dataset.end is not None:
            clipped = min(max(day, dataset.start), dataset.end)
            if clipped != day:
                notes.append(f"{key}={raw[-1]} is outside the data "
                             f"({dataset.start} to {dataset.end}); used {clipped}")
            day = clipped
        values[key] = day
    if values["start"] and values["end"] and values["end"] < values["start"]:
        notes.append(f"ignored end={values['end']}: before start={values['start']}")
        values["end"] = dataset.end
    return notes


def _choices(params: Mapping, dataset: Dataset, values: dict) -> list[str]:
    """Set the list-valued filters in ``values`` (values in the data); notes on the rest."""
    notes: list[str] = []
    choices = {"actors": dataset.actors, "event_types": dataset.event_types,
               "countries": dataset.countries, "statuses": dataset.statuses}
    for key, name in _LIST_KEYS.items():
        allowed = set(choices[name])
        for value in _values(params, key):
            if value in allowed:
                if value not in values[name]:
                    values[name].append(value)
            elif key == "status" and value not in ATTRIBUTION_STATUSES:
                notes.append(f"ignored status={value!r}: not one of "
                             f"{', '.join(ATTRIBUTION_STATUSES)}")
            else:
                notes.append(f"ignored {key}={value!r}: not in this dataset")
    return notes


def _role_and_id(params: Mapping, dataset: Dataset, values: dict) -> list[str]:
    """Set ``role`` and ``id`` in ``values`` when usable; notes on the rest."""
    notes: list[str] = []
    role = _values(params, "role")
    if role:
        if role[-1] in ROLES:
            values["role"] = role[-1]
        else:
            notes.append(f"ignored role={role[-1]!r}: not one of {', '.join(ROLES)}")
    ids = _values(params, "id")
    if ids:
        if dataset.position(ids[-1]) is not None:
            values["id"] = ids[-1]
        else:
            notes.append(f"ignored id={ids[-1]!r}: no such incident")
    return notes


def filters_from_query(params: Mapping, dataset: Dataset) -> tuple[dict, list[str]]:
    """Read widget values from a URL query; unusable parameters become notes.

    Parameters
    ----------
    params : Mapping
        Streamlit's ``st.query_params`` or a plain dict (a list for a
        repeated key).
    dataset : Dataset
        The data the values must fit.

    Returns
    -------
    values : dict
        ``start``, ``end`` (dates within the data's span), ``actors``,
        ``role``, ``event_types``, ``countries``, ``statuses`` (lists of
        values present in the data) and ``id`` (an incident to show).
    notes : list of str
        One sentence per parameter (or value) that was ignored, and why.
    """
    values: dict = {"start": dataset.start, "end": dataset.end, "actors": [], "role": "any",
                    "event_types": [], "countries": [], "statuses": [], "id": None}
    notes = _unknown_keys(params)
    notes += _dates(params, dataset, values)
    notes += _choices(params, dataset, values)
    notes += _role_and_id(params, dataset, values)
    return values, notes


def filters_from_values(values: dict, dataset: Dataset) -> geodata.Filters:
    """Filters for widget values; a date range equal to the data's span is no filter."""
    start, end = values.get("start"), values.get("end")
    return geodata.Filters(
        start=None if start == dataset.start else start,
        end=None if end == dataset.end else end,
        actors=values.get("actors") or (),
        role=values.get("role") or "any",
        event_types=values.get("event_types") or (),
        countries=values.get("countries") or (),
        statuses=values.get("statuses") or (),
    )


def query_from_filters(filters: geodata.Filters, selected: str | None = None) -> dict:
    """The URL query for a view (lists for repeated keys; empty filters left out)."""
    query: dict[str, str | list[str]] = {}
    if filters.start is not None:
        query["start"] = f"{filters.start:%Y-%m-%d}"
    if filters.end is not None:
        query["end"] = f"{filters.end:%Y-%m-%d}"
    if filters.actors:
        query["actor"] = list(filters.actors)
        if filters.role != "any":
            query["role"] = filters.role
    for key, name in (("event_type", "event_types"), ("country", "countries"),
                      ("status", "statuses")):
        if getattr(filters, name):
            query[key] = list(getattr(filters, name))
    if selected:
        query["id"] = selected
    return query


#: What a spreadsheet takes for the start of a formula (or of a hidden line).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)(?=[=+\-@\t])")


def _guard(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading quote.

    At the start of the value and after every line break inside it (where a
    reader that splits lines would start a row).
    """
    text = _LINE_BREAK.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _names(value) -> str:
    items = value if isinstance(value, list) else [value]
    return ", ".join(str(v) for v in items if v not in (None, ""))


def _source_text(source) -> str:
    """``title (publisher, date) <url>``: the parts a source has."""
    if not isinstance(source, dict):
        return _plain(source)
    about = ", ".join(str(source[k]) for k in ("publisher", "date") if source.get(k))
    text = str(source.get("title") or "")
    if about:
        text = f"{text} ({about})" if text else about
    if source.get("url"):
        text = f"{text} <{source['url']}>" if text else f"<{source['url']}>"
    return text


def _attribution_text(value: dict) -> str:
    """``disputed; claimed by: A; blamed by: B, C; note: ...``."""
    parts = [str(value["status"])] if value.get("status") else []
    for key, label in (("claimed_by", "claimed by"), ("blamed_by", "blamed by")):
        if _names(value.get(key) or []):
            parts.append(f"{label}: {_names(value[key])}")
    parts += [f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items()
              if k not in ("status", "claimed_by", "blamed_by") and v not in (None, "", [])]
    return "; ".join(parts)


def _related_text(value) -> str:
    """``response to: an-id; same attack: other-id``."""
    if not isinstance(value, dict):
        return _plain(value)
    relation = str(value.get("relation") or "related").replace("_", " ")
    return f"{relation}: {value.get('id')}"


def _plain(value) -> str:
    """Any list or object as readable text (``key: value; ...``), never JSON."""
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items()
                         if v not in (None, "", []))
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    return "" if value is None else str(value)


def _text(name: str, value):
    """A cell of column ``name`` as CSV text (lists and objects written out for people)."""
    if isinstance(value, dict) and name == "attribution":
        value = _attribution_text(value)
    elif isinstance(value, list) and name == "sources":
        value = "; ".join(_source_text(s) for s in value)
    elif isinstance(value, list) and name == "related":
        value = "; ".join(_related_text(r) for r in value)
    elif isinstance(value, list | dict):
        value = _plain(value)
    elif value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return _guard(value) if isinstance(value, str) else value


def to_csv_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """The incidents as CSV for a spreadsheet: longitude/latitude, one row per incident.

    Lists and objects are written for people, not as JSON: the attribution
    as ``disputed; claimed by: A; blamed by: B``, the sources as
    ``title (publisher, date) <url>; ...``, the links as ``response to: id;
    ...``. Text that starts like a spreadsheet formula (``=``, ``+``, ``-``,
    ``@``, a tab or a line break), at the start of a cell or of any line in
    it, gets a leading ``'``, header cells included, so opening the file runs
    nothing; a cell holding a line break (CR or LF) is quoted.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents (derived columns such as ``attribution_status`` are
        left out).

    Returns
    -------
    bytes
        UTF-8 CSV with CRLF line ends (RFC 4180).
    """
    columns: dict[str, list] = {"longitude": gdf.geometry.x.tolist(),
                                "latitude": gdf.geometry.y.tolist()}
    for name in gdf.columns:
        if name == gdf.geometry.name or name == "attribution_status":
            continue
        col = gdf[name]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            columns[name] = col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(),
                                                                              None).tolist()
        else:
            values = column_values(col) if is_typed(col) else col.astype(object).tolist()
            columns[name] = [_text(str(name), v) for v in values]
    order = (["id"] if "id" in columns else []) + [c for c in columns if c != "id"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # (quotes any cell with a CR or LF)
    writer.writerow([_guard(str(c)) for c in order])
    writer.writerows(zip(*(columns[c] for c in order), strict=True))
    return out.getvalue().encode("utf-8")
