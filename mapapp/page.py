"""The Streamlit page: filter incidents by date and actor, explore, share, export.

``mapapp/app.py`` is the script Streamlit runs; it calls :func:`main`. Data
is read once per file (cached by path, modification time and size, or by an
upload's content hash); every widget's state is mirrored in the URL query so
that a link reproduces the view.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import geodata
from geodata.errors import GeodataError
from geodata.schema import ROLES

from . import assets
from .builder import OTHER_COLOR, base_map, build_map, incident_group, render_html
from .state import (
    Dataset,
    content_key,
    filters_from_query,
    filters_from_values,
    load_dataset,
    query_from_filters,
    to_csv_bytes,
)

DEFAULT_DATASET = Path(__file__).resolve().parents[1] / "incidents.geojson"
STATIC_DIR = Path(__file__).resolve().parent / "static"
MAP_HEIGHT = 620
UPLOAD_TYPES = ["geojson", "json", "parquet", "geoparquet", "csv"]
_WIDGETS = ("f_dates", "f_actors", "f_role", "f_types", "f_countries", "f_statuses")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


# ---------------------------------------------------------------- helpers


def md(text) -> str:
    """Markdown-escape text from the data (no links, HTML, LaTeX or emphasis)."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def md_link(title, url) -> str:
    """A markdown link, only for an http(s) URL; otherwise the escaped title."""
    label = md(title or url or "source")
    if geodata.is_http_url(url):
        safe = str(url).strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{label}]({safe})"
    return label


@st.cache_resource(show_spinner=False)
def _static_assets() -> dict:
    """Write the map's scripts and stylesheets where Streamlit serves them (once)."""
    return assets.write_static(STATIC_DIR)


@st.cache_resource(show_spinner="Reading incidents…", max_entries=4)
def _load_path(path: str, mtime_ns: int, size: int) -> Dataset:
    return load_dataset(path, lenient=True)


@st.cache_resource(show_spinner="Reading the upload…", max_entries=4)
def _load_upload(key: str, name: str, _data: bytes) -> Dataset:
    suffix = Path(name).suffix.lower() or ".geojson"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(_data)
        return load_dataset(path, lenient=True, label=name)


@st.cache_resource(show_spinner=False, max_entries=8)
def _data_urls(key: str, _dataset: Dataset) -> tuple[str, str]:
    """Serve the dataset's columns and properties for the map to fetch once (keyed by it)."""
    stem = f"incidents-{content_key(key.encode())}"
    draw, props = _dataset.write_data_files(STATIC_DIR / "data", stem)
    return f"/app/static/data/{draw.name}", f"/app/static/data/{props.name}"


def _dataset_path() -> str:
    """The dataset: ``streamlit run app.py -- FILE``, else $MAPAPP_DATA, else the built-in one."""
    if sys.argv and Path(sys.argv[0]).name == "app.py":  # run by streamlit, not by a test
        args = [a for a in sys.argv[1:] if not a.startswith("-")]
        if args:
            return args[0]
    return os.environ.get("MAPAPP_DATA", str(DEFAULT_DATASET))


def _load() -> tuple[Dataset | None, str]:
    upload = st.sidebar.file_uploader(
        "Your own incidents", type=UPLOAD_TYPES,
        help="GeoJSON or GeoParquet in the incident schema, or an ACLED/UCDP/plain CSV export.",
    )
    try:
        if upload is not None:
            data = upload.getvalue()
            key = content_key(data)
            return _load_upload(key, upload.name, data), f"upload:{key}"
        path = _dataset_path()
        stat = os.stat(path)
        return _load_path(path, stat.st_mtime_ns, stat.st_size), f"path:{path}:{stat.st_mtime_ns}"
    except FileNotFoundError:
        st.error(f"{_dataset_path()}: no such file")
    except GeodataError as exc:
        st.error(str(exc))
    return None, ""


# ---------------------------------------------------------------- state


def _set_widgets(values: dict, dataset: Dataset) -> None:
    st.session_state["f_dates"] = (values["start"], values["end"])
    st.session_state["f_actors"] = values["actors"]
    st.session_state["f_role"] = values["role"]
    st.session_state["f_types"] = values["event_types"]
    st.session_state["f_countries"] = values["countries"]
    st.session_state["f_statuses"] = values["statuses"]
    st.session_state["selected"] = values.get("id")


def _reset(dataset: Dataset) -> None:
    _set_widgets({"start": dataset.start, "end": dataset.end, "actors": [], "role": "any",
                  "event_types": [], "countries": [], "statuses": [], "id": None}, dataset)
    st.session_state["center"] = None


def _init_state(dataset: Dataset, key: str) -> list[str]:
    """On first load of a dataset: widgets from the URL query; returns notes."""
    if st.session_state.get("dataset_key") == key:
        return st.session_state.get("query_notes", [])
    values, notes = filters_from_query(st.query_params, dataset)
    _set_widgets(values, dataset)
    st.session_state["dataset_key"] = key
    st.session_state["query_notes"] = notes
    st.session_state["clicks"] = None
    st.session_state["center"] = None
    return notes


def _filters(dataset: Dataset) -> geodata.Filters:
    """The filters the sidebar's widgets hold (their state is set before the script runs)."""
    dates = st.session_state.get("f_dates") or (dataset.start, dataset.end)
    start = dates[0] if len(dates) > 0 else dataset.start
    end = dates[1] if len(dates) > 1 else start  # mid-selection: one day picked so far
    values = {"start": start, "end": end, "actors": st.session_state["f_actors"],
              "role": st.session_state["f_role"], "event_types": st.session_state["f_types"],
              "countries": st.session_state["f_countries"],
              "statuses": st.session_state["f_statuses"]}
    return filters_from_values(values, dataset)


def _sidebar_widgets(dataset: Dataset) -> None:
    sb = st.sidebar
    sb.header("Filters")
    if dataset.start is not None:
        sb.date_input("Dates", min_value=dataset.start, max_value=dataset.end, key="f_dates",
                      help="Inclusive; an incident that spans days counts if it overlaps.")
    sb.multiselect("Actors", dataset.actors, key="f_actors", placeholder="All actors")
    sb.radio("Actor's role", ROLES, key="f_role", horizontal=True,
             format_func=lambda r: {"any": "either", "perpetrator": "perpetrator",
                                    "target": "target"}[r])
    sb.multiselect("Event types", dataset.event_types, key="f_types", placeholder="All types")
    sb.multiselect("Countries", dataset.countries, key="f_countries", placeholder="All")
    sb.multiselect("Attribution", dataset.statuses, key="f_statuses", placeholder="Any status",
                   help="confirmed, claimed, alleged, disputed or unknown")
    sb.button("Reset filters", on_click=_reset, args=(dataset,), width="stretch")


# ---------------------------------------------------------------- view


def _fmt_day(value) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _metrics(mask, dataset: Dataset) -> None:
    ov = dataset.overview(mask)
    a, b, c = st.columns([1, 1, 2])
    a.metric("Incidents shown", f"{ov['incidents']:,} of {dataset.total:,}")
    fat = f"{ov['fatalities']:,}"
    if (ov["fatalities_low"], ov["fatalities_high"]) != (ov["fatalities"], ov["fatalities"]):
        fat += f" ({ov['fatalities_low']:,}–{ov['fatalities_high']:,})"
    b.metric("Fatalities (range)", fat)
    c.metric("Date span", f"{_fmt_day(ov['start'])} to {_fmt_day(ov['end'])}")


_ID_LINE = re.compile(r"^ID\s+(.+?)\s*$", re.MULTILINE)


def _clicked_id(result: dict | None, mask, dataset: Dataset) -> str | None:
    """The id of the incident the user clicked on the map, if any is new."""
    if not result:
        return None
    count = result.get("last_object_clicked_count")
    if count is None or count == st.session_state.get("clicks"):
        return None
    st.session_state["clicks"] = count
    from . import contract  # (the map hands the incident over as an id: no text to parse)

    incident = contract.clicked_id(result)
    i = dataset.position(incident) if incident is not None else None
    if i is not None and mask[i]:
        return incident
    where = result.get("last_object_clicked")
    shown = np.flatnonzero(mask)
    if where and len(shown):  # fall back to the nearest incident to the click
        points = dataset.gdf.geometry.iloc[shown]
        dx = points.x.to_numpy() - where["lng"]
        dy = points.y.to_numpy() - where["lat"]
        return str(dataset.ids[shown[int((dx * dx + dy * dy).argmin())]])
    return None


def _select(incident_id: str, dataset: Dataset) -> None:
    st.session_state["selected"] = incident_id
    i = dataset.position(incident_id)
    if i is not None:
        point = dataset.gdf.geometry.iloc[i]
        st.session_state["center"] = (float(point.y), float(point.x))


def _detail(incident_id: str | None, mask, dataset: Dataset) -> None:
    st.subheader("Incident")
    if not incident_id:
        st.caption("Click an incident on the map, or a row of the table, to read it here.")
        return
    i = dataset.position(incident_id)
    if i is None:
        st.caption("That incident is not in this dataset.")
        return
    p = geodata.to_features(dataset.gdf.iloc[i:i + 1])[0]["properties"]
    st.markdown(f"**{md(p.get('title'))}**")
    if not mask[i]:
        st.caption("Not in the current view (filtered out).")
    date = md(p.get("date"))
    if p.get("end_date") and p["end_date"] != p.get("date"):
        date += f" to {md(p['end_date'])}"
    if p.get("date_precision") and p["date_precision"] != "day":
        date += f" (precision: {md(p['date_precision'])})"
    lines = [
        ("Date", date),
        ("Event", md(" / ".join(x for x in (p.get("event_type"), p.get("sub_event_type")) if x))),
        ("Actor", md(p.get("actor"))),
        ("Target", md(p.get("target"))),
    ]
    att = p.get("attribution") or {}
    lines.append(("Attribution", md(att.get("status", "unknown"))))
    if att.get("claimed_by"):
        lines.append(("Claimed by", md("; ".join(map(str, att["claimed_by"])))))
    if att.get("blamed_by"):
        lines.append(("Blamed by", md("; ".join(map(str, att["blamed_by"])))))
    if att.get("note"):
        lines.append(("On attribution", md(att["note"])))
    fat = p.get("fatalities")
    low, high = p.get("fatalities_low"), p.get("fatalities_high")
    if fat is not None or low is not None:
        text = "-" if fat is None else str(fat)
        if low is not None and high is not None and (low, high) != (fat, fat):
            text += f" (range {low}–{high})"
        lines.append(("Fatalities", md(text)))
    if p.get("injuries") is not None:
        lines.append(("Injuries", md(p["injuries"])))
    place = ", ".join(str(x) for x in (p.get("place"), p.get("admin1"), p.get("country")) if x)
    if p.get("geo_precision"):
        place += f" (precision: {p['geo_precision']}"
        if p.get("geo_precision_km") is not None:
            place += f", ±{p['geo_precision_km']} km"
        place += ")"
    lines.append(("Place", md(place)))
    lines.append(("ID", md(incident_id)))
    st.markdown("  \n".join(f"**{k}:** {v}" for k, v in lines if v))
    if p.get("notes"):
        st.markdown(md(p["notes"]))
    sources = [s for s in p.get("sources") or [] if isinstance(s, dict)]
    if sources:
        st.markdown("**Sources**")
        st.markdown("\n".join(
            f"{i}. {md_link(s.get('title'), s.get('url'))}"
            + (f" — {md(', '.join(str(x) for x in (s.get('publisher'), s.get('date')) if x))}"
               if s.get("publisher") or s.get("date") else "")
            for i, s in enumerate(sources, 1)
        ))
    _linked(incident_id, p, dataset)


def _linked(incident_id: str, props: dict, dataset: Dataset) -> None:
    """Buttons that step along the escalation chain, both ways."""
    links = [(r.get("id"), r.get("relation") or "related", "→")
             for r in props.get("related") or [] if isinstance(r, dict) and r.get("id")]
    links += [(other, relation, "←") for other, relation in dataset.incoming.get(incident_id, [])]
    if not links:
        return
    st.markdown("**Linked incidents**")
    titles = dataset.titles
    for i, (other, relation, arrow) in enumerate(links):
        label = f"{arrow} {relation.replace('_', ' ')}: {titles.get(other, other)}"
        st.button(label, key=f"link-{i}-{other}", on_click=_select, args=(other, dataset),
                  disabled=other not in titles, width="stretch")


def timeline_spec(domain: list[str], colors: list[str], freq: str) -> dict:
    """The Vega-Lite spec of the timeline (its data, period/actor/incidents, goes apart).

    Written out rather than made with Altair: Altair's validation took most of
    the chart's share of a rerun, and a spec that stays the same from one
    filter change to the next lets the browser swap the chart's data in place
    instead of building a new chart.
    """
    unit = "week" if freq == "W" else "day"
    return {
        "mark": {"type": "bar"},
        "height": 220,
        "encoding": {
            "x": {"field": "period", "type": "temporal", "title": unit},
            "y": {"field": "incidents", "type": "quantitative", "title": "incidents",
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "color": {"field": "actor", "type": "nominal",
                      "scale": {"domain": domain, "range": colors},
                      "legend": {"title": "Actor", "orient": "right", "labelLimit": 220}},
            "tooltip": [{"field": "period", "type": "temporal", "title": unit},
                        {"field": "actor", "type": "nominal"},
                        {"field": "incidents", "type": "quantitative"}],
        },
    }


def _timeline(mask, dataset: Dataset) -> None:
    counts, freq = dataset.timeline(mask)
    if not len(counts):
        return
    # The same actors and colours in every view of the dataset (those of the
    # map): the legend does not shift from one view to the next, and the spec
    # stays the same, so a filter change only swaps the chart's data.
    domain = dataset.timeline_actors
    colors = [dataset.colors.get(a, OTHER_COLOR) for a in domain]
    st.subheader(f"Incidents per {'week' if freq == 'W' else 'day'}")
    st.vega_lite_chart(counts, timeline_spec(domain, colors, freq), width="stretch")


#: Rows the table sends to the browser at most (the CSV download has every one).
TABLE_ROWS = 10_000
_ORDERS = {
    "newest first": (("date", "id"), (False, True)),
    "oldest first": (("date", "id"), (True, True)),
    "most fatalities": (("fatalities", "date"), (False, False)),
}


def _table(mask, dataset: Dataset) -> tuple[object, np.ndarray]:
    """The filtered incidents as a sortable table (its rows made once per dataset).

    Returns the table's selection state and the ids of its rows.
    """
    st.subheader("Incidents")
    order = st.radio("Order", list(_ORDERS), horizontal=True, key="table_order",
                     label_visibility="collapsed")
    positions = dataset.table_order(*_ORDERS[order])
    positions = positions[np.asarray(mask, dtype=bool)[positions]]
    if len(positions) > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {len(positions):,} incidents, {order}; "
                   "the CSV download below has them all.")
        positions = positions[:TABLE_ROWS]
    # (an Arrow table made once per dataset: taking its rows is cheaper than
    # converting a pandas slice on every rerun)
    table = dataset.table_arrow.take(positions)
    state = st.dataframe(
        table, hide_index=True, width="stretch", height=320,
        on_select="rerun", selection_mode="single-row", key="table",
        column_config={
            "date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
            "attribution_status": "attribution",
            "source": st.column_config.LinkColumn("first source"),
        },
    )
    return state, dataset.ids[positions]


def _downloads(mask, dataset: Dataset, filters: geodata.Filters) -> None:
    """Exactly the view, made when a button is pressed (not on every rerun)."""
    stem = Path(dataset.label).stem + ("-filtered" if not filters.is_empty() else "")
    title = f"Incidents: {dataset.label}"
    empty = not np.any(mask)

    def view():
        return dataset.gdf.loc[mask]

    c1, c2, c3 = st.columns(3)
    c1.download_button("GeoJSON", data=lambda: geodata.dumps_geojson(view()),
                       file_name=f"{stem}.geojson", mime="application/geo+json",
                       on_click="ignore", width="stretch", disabled=empty)
    c2.download_button("CSV", data=lambda: to_csv_bytes(view()), file_name=f"{stem}.csv",
                       mime="text/csv", on_click="ignore", width="stretch", disabled=empty)
    c3.download_button(
        "HTML map (works offline)",
        data=lambda: render_html(build_map(view(), title=title, filters=filters,
                                           total=dataset.total, colors=dataset.colors)),
        file_name=f"{stem}.html", mime="text/html", on_click="ignore",
        width="stretch", disabled=empty,
    )


def _report(dataset: Dataset) -> None:
    report = dataset.report
    if report.ok:
        return
    with st.expander(f"⚠ {report.summary()}", expanded=True):
        st.caption("These incidents were left out; the rest are on the map.")
        st.dataframe(pd.DataFrame([p.as_dict() for p in report.problems]),
                     hide_index=True, width="stretch")


# ---------------------------------------------------------------- page


def main() -> None:
    """Render the page."""
    st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide")
    _static_assets()
    dataset, key = _load()
    if dataset is None:
        st.stop()
    notes = _init_state(dataset, key)

    filters = _filters(dataset)
    mask = dataset.mask(filters)  # (the view's frame is made only when needed)

    # The map goes to the browser first (it has the most to redraw); the
    # title, figures and filter widgets follow, in their places.
    top = st.container()
    left, right = st.columns([2, 1], gap="medium")
    with left:
        base = base_map(bounds=dataset.bounds, asset_url=assets.static_url)
        data_url, props_url = _data_urls(key, dataset)
        group = incident_group(
            None, title=None, filters=filters, total=dataset.total, colors=dataset.colors,
            asset_url=assets.static_url, data_url=data_url, props_url=props_url,
            mask=dataset.mask_code(mask), legend_open=False, summary=dataset.view_summary(mask),
        )
        center = st.session_state.get("center")
        result = st_folium(
            base, key=f"map-{content_key(key.encode())}", height=MAP_HEIGHT,
            use_container_width=True, feature_group_to_add=group,
            center=center, zoom=7 if center else None,
            returned_objects=["last_object_clicked", "last_active_drawing",
                              "last_object_clicked_count"],
        )
        clicked = _clicked_id(result, mask, dataset)
        if clicked:
            st.session_state["selected"] = clicked
    _sidebar_widgets(dataset)
    with top:
        st.title("Incident map")
        st.caption(f"{dataset.label}: who did what, where and when, and who says so.")
        for note in notes:
            st.info(f"Link parameter {note}.")
        _report(dataset)
        _metrics(mask, dataset)
        if not mask.any():
            st.warning(f"Nothing to show: {geodata.empty_reason(dataset.gdf, filters)}.")
    table_state = None
    with right:
        placeholder = st.container()
    _timeline(mask, dataset)
    table_state, shown = _table(mask, dataset)
    rows = getattr(getattr(table_state, "selection", None), "rows", None) or []
    if rows and st.session_state.get("table_row") != (rows[0], len(shown)):
        st.session_state["table_row"] = (rows[0], len(shown))
        if rows[0] < len(shown):
            _select(str(shown[rows[0]]), dataset)
    with placeholder:
        _detail(st.session_state.get("selected"), mask, dataset)

    st.subheader("Share and export this view")
    query = query_from_filters(filters, st.session_state.get("selected"))
    st.query_params.from_dict(query)
    st.caption("The page's address now holds this view: copy it to share. Its query:")
    st.code("?" + urlencode(query, doseq=True) if query else "(none: the whole dataset)",
            language=None)
    _downloads(mask, dataset, filters)
