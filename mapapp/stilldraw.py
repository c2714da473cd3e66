"""Drawing a still map's parts on matplotlib axes (used by :mod:`mapapp.still`).

:func:`draw_map` draws the basemap, the incidents, precision circles, chain
arrows, a scale bar and labels placed clear of the markers;
:func:`draw_panel` the column beside it: step text, legend, the key of the
labelled incidents and the numbered sources. Data text is always drawn
with ``parse_math=False``.
"""

from __future__ import annotations

import math
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.collections import EllipseCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from geodata.nested import column_values
from geodata.validate import is_http_url

__all__ = ["LABEL_MAX", "MARKERS", "draw_map", "draw_panel"]

#: Matplotlib marker per shape of the map script.
MARKERS = {"circle": "o", "diamond": "D", "triangle": "^", "square": "s",
           "triangle-down": "v", "hexagon": "h", "star": "*"}
#: At most this many incidents are labelled, keyed and their sources listed.
LABEL_MAX = 40
#: Markers of at most this many context incidents are obstacles for labels.
_OBSTACLES_MAX = 5000
#: At most this many chain arrows are drawn.
_ARROWS_MAX = 300
_KM_PER_DEGREE = 111.32
_SEA, _LAND, _BORDER = "#e4edf5", "#f4f1ea", "#b9b2a5"


def _km_per_lon_degree(lat: float) -> float:
    return _KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)


def _extent(gdf: gpd.GeoDataFrame, focus: np.ndarray, view) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` around the focus (or the step's view)."""
    pts = gdf[focus] if focus.any() else gdf
    if len(pts):
        x0, y0, x1, y1 = (float(v) for v in pts.total_bounds)
    else:
        x0, y0, x1, y1 = 30.0, 10.0, 60.0, 40.0
    if view is not None:
        half = 360 / 2 ** view.zoom * 1.75  # Leaflet: ~900 px across, 256 px tiles
        x0, x1 = min(x0, view.lon - half), max(x1, view.lon + half)
        half_lat = half * math.cos(math.radians(view.lat))
        y0, y1 = min(y0, view.lat - half_lat), max(y1, view.lat + half_lat)
    dx, dy = max(x1 - x0, 0.5), max(y1 - y0, 0.5)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    pad = 0.6 if view is None else 0.5
    return (max(cx - dx * pad, -180), max(cy - dy * pad, -85),
            min(cx + dx * pad, 180), min(cy + dy * pad, 85))


def _fit(ax, west: float, south: float, east: float, north: float) -> None:
    """Set the limits to hold the extent and fill the axes at the local lon/lat ratio."""
    bbox = ax.get_position()
    w_in, h_in = ax.figure.get_size_inches()
    box = (bbox.height * h_in) / (bbox.width * w_in)
    stretch = 1 / max(math.cos(math.radians((south + north) / 2)), 0.05)
    dx, dy = east - west, north - south
    if dy * stretch / dx > box:
        dx = dy * stretch / box
    else:
        dy = dx * box / stretch
    cx, cy = (west + east) / 2, (south + north) / 2
    ax.set_xlim(cx - dx / 2, cx + dx / 2)
    ax.set_ylim(cy - dy / 2, cy + dy / 2)
    ax.set_aspect(stretch, adjustable="box")


def _style(gdf: gpd.GeoDataFrame, colors: dict, shapes: dict, other: str):
    """Per row: fill colour, marker shape name, dashed (not confirmed)."""
    n = len(gdf)
    fill = (gdf["actor"].astype(object).map(colors).fillna(other).to_numpy()
            if "actor" in gdf else np.full(n, other, dtype=object))
    shape = (gdf["event_type"].astype(object).map(shapes).fillna("circle").to_numpy()
             if "event_type" in gdf else np.full(n, "circle", dtype=object))
    dashed = ((gdf["attribution_status"].astype(object) != "confirmed").to_numpy()
              if "attribution_status" in gdf else np.ones(n, dtype=bool))
    return fill, shape, dashed


def _markers(ax, gdf, fill, shape, dashed, *, role: str, size: float, alpha: float) -> None:
    """One scatter per (shape, dashed) group; gid ``incidents:ROLE:SHAPE:STYLE``."""
    if not len(gdf):
        return
    x, y = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    lw = 1.0 if role == "highlight" else 0.5
    for (name, dash), idx in pd.DataFrame({"s": shape, "d": dashed}).groupby(
            ["s", "d"], sort=True).indices.items():
        face = "none" if dash else list(fill[idx])
        edge = list(fill[idx]) if dash else ("#222222" if role == "highlight" else "white")
        ax.scatter(x[idx], y[idx], s=size, marker=MARKERS.get(name, "o"), c=None,
                   facecolors=face, edgecolors=edge, linewidths=lw * (1.6 if dash else 1),
                   linestyles="--" if dash else "-", alpha=alpha,
                   zorder=5 if role == "highlight" else 3,
                   gid=f"incidents:{role}:{name}:{'dashed' if dash else 'solid'}")


def _circles(ax, gdf: gpd.GeoDataFrame, fill, alpha: float) -> None:
    if "geo_precision_km" not in gdf or not len(gdf):
        return
    km = pd.to_numeric(gdf["geo_precision_km"], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(km) & (km > 0)
    if not keep.any():
        return
    lat = gdf.geometry.y.to_numpy()[keep]
    heights = 2 * km[keep] / _KM_PER_DEGREE
    widths = 2 * km[keep] / (_KM_PER_DEGREE * np.maximum(np.cos(np.radians(lat)), 0.01))
    xy = np.column_stack([gdf.geometry.x.to_numpy()[keep], lat])
    ax.add_collection(EllipseCollection(
        widths, heights, np.zeros(len(widths)), units="xy", offsets=xy,
        offset_transform=ax.transData, facecolors=list(fill[keep]), edgecolors="none",
        alpha=0.12 * alpha, zorder=2, gid="precision"))


def _chain(ax, gdf: gpd.GeoDataFrame, focus: np.ndarray) -> int:
    """Arrows from an incident to the ones that name it in ``related``."""
    if "related" not in gdf or not len(gdf):
        return 0
    ids = gdf["id"].astype(str).tolist()
    where = {v: i for i, v in enumerate(ids)}
    x, y = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    drawn = 0
    for i, related in enumerate(column_values(gdf["related"])):
        if not isinstance(related, list | tuple):
            continue
        for r in related:
            j = where.get(str(r.get("id"))) if isinstance(r, dict) else None
            if j is None or j == i or drawn >= _ARROWS_MAX:
                continue
            lit = bool(focus[i] and focus[j])
            ax.add_patch(FancyArrowPatch(
                (x[j], y[j]), (x[i], y[i]), arrowstyle="-|>", mutation_scale=7,
                connectionstyle="arc3,rad=0.2", color="#555555", lw=0.7,
                alpha=0.8 if lit else 0.15, shrinkA=4, shrinkB=4, zorder=4, gid="chain"))
            drawn += 1
    return drawn


def _nice(value: float) -> float:
    exp = 10 ** math.floor(math.log10(value))
    return max(m * exp for m in (1, 2, 5) if m * exp <= value) if value >= exp else exp


def _scale_bar(ax, scale: float) -> float:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width_km = (x1 - x0) * _km_per_lon_degree((y0 + y1) / 2)
    km = _nice(width_km / 5)
    frac = km / width_km
    ax.plot([0.04, 0.04 + frac], [0.04, 0.04], transform=ax.transAxes, color="#222222",
            lw=2.5 * scale, solid_capstyle="butt", zorder=8, gid="scalebar")
    ax.text(0.04, 0.055, f"{km:g} km", transform=ax.transAxes, fontsize=7 * scale,
            va="bottom", zorder=8, gid="scalebar-label")
    return km


class _Placer:
    """Puts labels next to markers, clear of every marker and of earlier labels."""

    def __init__(self, ax, obstacles: np.ndarray):
        self.ax = ax
        self.renderer = ax.figure.canvas.get_renderer()
        self.box = ax.get_window_extent(self.renderer)
        self.boxes = [obstacles] if len(obstacles) else []

    def _free(self, b) -> bool:
        if b.x0 < self.box.x0 or b.x1 > self.box.x1 or b.y0 < self.box.y0 or b.y1 > self.box.y1:
            return False
        for arr in self.boxes:
            if ((arr[:, 0] < b.x1) & (arr[:, 2] > b.x0) & (arr[:, 1] < b.y1)
                    & (arr[:, 3] > b.y0)).any():
                return False
        return True

    def place(self, x: float, y: float, text: str, gap: float, gid: str, **kw) -> bool:
        """Try eight positions around (x, y); keep the first free one, else drop the label."""
        t = self.ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points",
                             parse_math=False, annotation_clip=True, gid=gid, **kw)
        for dx, dy, ha, va in ((gap, 0, "left", "center"), (-gap, 0, "right", "center"),
                               (0, gap, "center", "bottom"), (0, -gap, "center", "top"),
                               (gap, gap, "left", "bottom"), (gap, -gap, "left", "top"),
                               (-gap, gap, "right", "bottom"), (-gap, -gap, "right", "top")):
            t.xyann = (dx, dy)
            t.set_horizontalalignment(ha)
            t.set_verticalalignment(va)
            b = t.get_window_extent(self.renderer)
            if self._free(b):
                self.boxes.append(np.array([[b.x0, b.y0, b.x1, b.y1]]))
                return True
        t.remove()
        return False


def _marker_boxes(ax, gdf: gpd.GeoDataFrame, size: float) -> np.ndarray:
    if not len(gdf):
        return np.empty((0, 4))
    px = ax.transData.transform(np.column_stack([gdf.geometry.x, gdf.geometry.y]))
    r = math.sqrt(size) / 2 * ax.figure.dpi / 72
    return np.column_stack([px[:, 0] - r, px[:, 1] - r, px[:, 0] + r, px[:, 1] + r])


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label_incidents(ax, gdf: gpd.GeoDataFrame, focus: np.ndarray, size: float,
                     scale: float) -> tuple[list, list, _Placer]:
    """Number the focus incidents by date and label them (up to LABEL_MAX).

    Returns the labels ``(number, row position, id)``, the ids whose label was
    dropped, and the placer (which then places the country names).
    """
    labels, dropped = [], []
    marked = gdf[focus]
    if not 0 < len(marked) <= LABEL_MAX:
        return labels, dropped, _Placer(ax, _marker_boxes(ax, marked.iloc[:_OBSTACLES_MAX], size))
    order = np.argsort(marked["date"].to_numpy(), kind="stable") if "date" in marked \
        else np.arange(len(marked))
    near = gdf if len(gdf) <= _OBSTACLES_MAX else marked
    placer = _Placer(ax, _marker_boxes(ax, near, max(size, (9 * scale) ** 2)))
    titled = len(marked) <= 8
    pos = np.flatnonzero(focus)
    for k, o in enumerate(order, start=1):
        row = marked.iloc[o]
        text = f"{k} {_short(row.get('title', ''), 26)}" if titled else str(k)
        ok = placer.place(row.geometry.x, row.geometry.y, text, 6 * scale,
                          f"label:{row['id']}", fontsize=(7 if titled else 6.5) * scale,
                          color="#111111", zorder=9,
                          bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                "alpha": 0.75})
        labels.append((k, int(pos[o]), str(row["id"])))
        if not ok:
            dropped.append(str(row["id"]))
    return labels, dropped, placer


def draw_map(ax, gdf: gpd.GeoDataFrame, *, focus: np.ndarray, colors: dict, shapes: dict,
             countries: gpd.GeoDataFrame, view=None, scale: float = 1.0, tiles=None) -> dict:
    """Draw the basemap, incidents, circles, arrows, scale bar and labels on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map's axes (longitude, latitude).
    gdf : geopandas.GeoDataFrame
        The incidents of the view.
    focus : numpy.ndarray of bool
        The incidents to highlight (all for a plain map); the rest are dimmed.
    colors, shapes : dict
        Actor colours and event-type shapes.
    countries : geopandas.GeoDataFrame
        The offline basemap (``name`` per country).
    view : geodata.story.View, optional
        A step's centre and zoom.
    scale : float, default 1.0
        Font and marker scale (1 on A4).
    tiles : callable, optional
        Draws web tiles on ``ax``; returns their attribution.

    Returns
    -------
    dict
        ``labels`` (labelled rows: number, row position, id), ``dropped``
        (ids whose label found no free place), ``scale_km`` and ``tiles``.
    """
    from .mapdata import OTHER_COLOR

    _fit(ax, *_extent(gdf, focus, view))
    ax.set_facecolor(_SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    attribution = tiles(ax) if tiles is not None else None
    land = countries.cx[x0:x1, y0:y1]
    if len(land):
        land.plot(ax=ax, facecolor="none" if attribution else _LAND, edgecolor=_BORDER,
                  linewidth=0.5 * scale, zorder=1, gid="basemap", aspect=None)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    fill, shape, dashed = _style(gdf, colors, shapes, OTHER_COLOR)
    big = len(gdf) > 2000
    size = ((3 if big else 7) * scale) ** 2
    rest = ~focus
    _circles(ax, gdf[focus], fill[focus], 1.0)
    _markers(ax, gdf[rest], fill[rest], shape[rest], dashed[rest], role="context",
             size=((2.5 if big else 5) * scale) ** 2, alpha=0.25)
    _markers(ax, gdf[focus], fill[focus], shape[focus], dashed[focus], role="highlight",
             size=size if not rest.any() else (9 * scale) ** 2, alpha=1.0)
    _chain(ax, gdf, focus)
    scale_km = _scale_bar(ax, scale)
    labels, dropped, placer = _label_incidents(ax, gdf, focus, size, scale)
    for _, c in land.iterrows():
        p = c.geometry.representative_point()
        if x0 < p.x < x1 and y0 < p.y < y1 and isinstance(c.get("name"), str):
            placer.place(p.x, p.y, c["name"], 0, f"country:{c['name']}",
                         fontsize=6.5 * scale, color="#8a8275", style="italic", zorder=1.5)
    return {"labels": labels, "dropped": dropped, "scale_km": scale_km, "tiles": attribution}


class _Column:
    """Text blocks stacked down a panel; what does not fit is counted, not drawn."""

    def __init__(self, panel, scale: float):
        self.panel, self.scale, self.y, self.full, self.left_out = panel, scale, 1.0, False, 0
        self.renderer = panel.figure.canvas.get_renderer()
        self.height = panel.get_window_extent(self.renderer).height
        self.chars = panel.get_window_extent(self.renderer).width / panel.figure.dpi * 72

    def add(self, text: str, size: float, gap: float = 0.3, url: str | None = None,
            **kw) -> bool:
        if self.full:
            self.left_out += 1
            return False
        size *= self.scale
        em = 0.64 if kw.get("weight") == "bold" else 0.56  # average glyph width per point
        width = max(int(self.chars / (size * em)), 20)
        wrapped = "\n".join(textwrap.fill(p, width, break_on_hyphens=False)
                            for p in text.split("\n"))
        t = self.panel.text(0, self.y, wrapped, fontsize=size, va="top", ha="left",
                            transform=self.panel.transAxes, parse_math=False, **kw)
        if url and is_http_url(url):
            t.set_url(url)
        h = t.get_window_extent(self.renderer).height / self.height
        if self.y - h < 0.03:
            t.remove()
            self.full, self.left_out = True, self.left_out + 1
            return False
        self.y -= h + gap * size / 72 * self.panel.figure.dpi / self.height
        return True

    def finish(self) -> None:
        if self.left_out:
            self.panel.text(0, 0, f"… {self.left_out} more lines not shown (a narrower view "
                            "or a story shows them)", fontsize=7 * self.scale,
                            transform=self.panel.transAxes, color="#666666", gid="more")


def _legend(col: _Column, shown: gpd.GeoDataFrame, colors: dict, shapes: dict,
            other_color: str, all_actors) -> None:
    handles, labels = [], []
    present = set(all_actors.dropna().astype(str)) if all_actors is not None else set()
    for actor, color in colors.items():
        handles.append(Line2D([], [], ls="", marker="o", mfc=color, mec="white", ms=7))
        labels.append(actor)
    if present - set(colors):
        handles.append(Line2D([], [], ls="", marker="o", mfc=other_color, mec="white", ms=7))
        labels.append("other actors")
    types = sorted(shown["event_type"].dropna().astype(str).unique()) \
        if "event_type" in shown else []
    for t in types:
        handles.append(Line2D([], [], ls="", marker=MARKERS.get(shapes.get(t, "circle"), "o"),
                              mfc="#777777", mec="#222222", ms=7))
        labels.append(t)
    handles += [Line2D([], [], ls="", marker="o", mfc="#777777", mec="#222222", ms=7),
                Line2D([], [], ls="", marker="o", mfc="none", mec="#777777", ms=7, mew=1.4),
                Line2D([], [], color="#555555", lw=0.8, marker=">", ms=4)]
    labels += ["attribution confirmed", "alleged, disputed or unknown (hollow, dashed)",
               "related incidents (chain)"]
    labels = [_short(label, 34) for label in labels]
    leg = col.panel.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, col.y),
                           fontsize=6.5 * col.scale, frameon=False, ncol=2, borderaxespad=0,
                           handletextpad=0.3, columnspacing=0.8, title="Legend",
                           title_fontsize=8 * col.scale, alignment="left")
    for text in leg.get_texts():
        text.set_parse_math(False)
    leg.set_gid("legend")
    h = leg.get_window_extent(col.renderer).height / col.height
    col.y -= h + 0.02


def _sources(shown: gpd.GeoDataFrame, labels: list) -> tuple[list[str], list[tuple]]:
    """The key lines of the labelled incidents and the numbered sources they cite."""
    numbers: dict[tuple, int] = {}
    keys, listed = [], []
    for k, pos, _id in labels:
        row = shown.iloc[pos]
        cited = []
        for s in row.get("sources") if isinstance(row.get("sources"), list) else []:
            if not isinstance(s, dict):
                continue
            key = (str(s.get("title") or ""), str(s.get("publisher") or ""),
                   str(s.get("url") or ""))
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                listed.append((numbers[key], s))
            cited.append(numbers[key])
        day = f"{row['date']:%Y-%m-%d}" if pd.notna(row.get("date")) else "date unknown"
        refs = f" [{', '.join(map(str, cited))}]" if cited else ""
        keys.append(f"{k}. {day}  {_short(row.get('title', ''), 90)}{refs}")
    return keys, listed


def draw_panel(panel, gdf: gpd.GeoDataFrame, *, labels: list, colors: dict, shapes: dict,
               all_actors=None, header: str | None = None, paragraphs=None,
               scale: float = 1.0, other_color: str = "#8c8c8c") -> None:
    """Draw the column beside the map: step text, legend, key and numbered sources.

    Parameters
    ----------
    panel : matplotlib.axes.Axes
        The column's axes (switched off).
    gdf : geopandas.GeoDataFrame
        The whole view (``labels`` hold positions in it).
    labels : list
        ``(number, row position, id)`` of the labelled incidents, from :func:`draw_map`.
    colors, shapes : dict
        Actor colours and event-type shapes.
    all_actors : pandas.Series, optional
        Every actor of the view (for the legend's "other actors").
    header : str, optional
        The step's "Step n of m: heading".
    paragraphs : list of str, optional
        The step's text.
    scale : float, default 1.0
        Font scale.
    other_color : str
        The colour of actors without one of their own.
    """
    panel.set_axis_off()
    col = _Column(panel, scale)
    if header:
        col.add(header, 10.5, weight="bold", gid="step-heading")
    for p in paragraphs or ():
        col.add(p, 8, gid="step-text")
    _legend(col, gdf, colors, shapes, other_color, all_actors)
    keys, listed = _sources(gdf, labels)
    if keys:
        col.add("Incidents", 8, weight="bold", gap=0.1)
        for line in keys:
            col.add(line, 6.5, gap=0.1, gid="key")
    else:
        col.add(f"Incidents are numbered, and their sources listed, when at most {LABEL_MAX} "
                "are shown.", 6.5, color="#555555")
    if listed:
        col.add("Sources", 8, weight="bold", gap=0.1)
        for n, s in listed:
            url = s.get("url")
            where = f" {url}" if is_http_url(url) else ""
            bits = [str(s.get(f)) for f in ("publisher", "date") if s.get(f)]
            col.add(f"[{n}] {s.get('title') or 'untitled'}. {', '.join(bits)}.{where}", 6,
                    gap=0.1, url=url, gid="source")
    col.finish()
