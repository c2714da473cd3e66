"""Still pictures: a map as PNG, SVG or PDF, with no browser and no network.

Built on geopandas and matplotlib. The map looks like the live one: shape
by event type and colour by actor (:func:`mapapp.mapdata.event_shapes`,
:func:`mapapp.mapdata.actor_colors`), hollow and dashed when the
attribution is not confirmed, precision circles, chain arrows from
``related``; over the offline basemap (Natural Earth country outlines with
their names). Around it: title, date span, legend, scale bar, attribution,
a key of the labelled incidents and a numbered source list. With a story:
one page (PDF) or one image per step (``map-01.png``, ...), the step's
incidents highlighted, the rest dimmed, the step's text beside the map.

Every text from the data is drawn as plain text (``parse_math=False``: no
mathtext), and a source's link is attached only for an http(s) URL.

Examples
--------
>>> import geodata
>>> from mapapp.still import render_still
>>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
>>> render_still(gdf, "map.pdf", title="US-Iran escalation")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geodata.errors import GeodataError
from geodata.io import atomic_write
from geodata.story import Step, Story, step_mask

from . import assets
from .mapdata import OTHER_COLOR, actor_colors, event_shapes
from .stilldraw import draw_map, draw_panel

__all__ = ["DPI", "SIZES", "StillError", "render_still", "still_figure", "story_paths"]

#: Page sizes in inches (width, height): A4 landscape (297 x 210 mm) and a 16:9 slide,
#: both whole pixels at :data:`DPI`.
SIZES = {"a4": (3508 / 300, 2480 / 300), "slide": (4000 / 300, 2250 / 300)}
#: Resolution of PNG output.
DPI = 300
_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.hashsalt": "incident-map",
       "font.family": "DejaVu Sans"}


class StillError(GeodataError):
    """A still picture cannot be made as asked (bad size, format, tiles unavailable)."""


@lru_cache(maxsize=1)
def _countries() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame.from_features(assets.countries_geojson()["features"], crs=4326)


def _format_of(output: str | os.PathLike) -> str:
    suffix = Path(output).suffix.lower()
    if suffix not in _FORMATS:
        raise StillError(f"{os.fspath(output)}: a still picture is .png, .svg or .pdf, "
                         f"got {suffix or 'no suffix'!r}")
    return _FORMATS[suffix]


def _check_size(size: str) -> tuple[float, float]:
    if size not in SIZES:
        raise StillError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    return SIZES[size]


def story_paths(output: str | os.PathLike, n: int) -> list[Path]:
    """The files of a story's images: ``map.png`` becomes ``map-01.png``, ...

    Parameters
    ----------
    output : str or os.PathLike
        The output as given.
    n : int
        The number of steps.

    Returns
    -------
    list of pathlib.Path
        One path per step, numbered from 1 with at least two digits.

    Examples
    --------
    >>> [p.name for p in story_paths("out/map.png", 2)]
    ['map-01.png', 'map-02.png']
    """
    path = Path(output)
    width = max(2, len(str(n)))
    return [path.with_name(f"{path.stem}-{i:0{width}d}{path.suffix}") for i in range(1, n + 1)]


def _span_text(gdf: gpd.GeoDataFrame) -> str:
    if not len(gdf) or "date" not in gdf:
        return ""
    first = pd.to_datetime(gdf["date"]).min()
    last = pd.to_datetime(gdf["date"]).max()
    if "end_date" in gdf:
        ends = pd.to_datetime(gdf["end_date"]).max()
        if pd.notna(ends) and (pd.isna(last) or ends > last):
            last = ends
    if pd.isna(first):
        return ""
    return f"{first:%d %b %Y}" if first == last else f"{first:%d %b %Y} to {last:%d %b %Y}"


def _subtitle(view: gpd.GeoDataFrame, shown: gpd.GeoDataFrame, step: Step | None,
              filters, total: int | None) -> str:
    if step is not None and step.dates is not None:
        lo, hi = step.dates
        span = f"{lo:%d %b %Y}" if lo == hi else f"{lo:%d %b %Y} to {hi:%d %b %Y}"
    else:
        span = _span_text(shown)
    count = f"{len(view)} incidents" if total is None or total == len(view) else \
        f"{len(view)} of {total} incidents"
    if step is not None:
        count = f"{len(shown)} highlighted, {len(view) - len(shown)} dimmed"
    parts = [span, count]
    if filters is not None and not filters.is_empty():
        parts.append("; ".join(filters.describe()))
    return "  |  ".join(p for p in parts if p)


def still_figure(
    gdf: gpd.GeoDataFrame,
    *,
    title: str = "Incidents",
    size: str = "a4",
    step: Step | None = None,
    step_count: int | None = None,
    filters=None,
    total: int | None = None,
    tiles: bool = False,
    colors: dict[str, str] | None = None,
    source_name: str | None = None,
) -> Figure:
    """Draw one still map as a matplotlib figure (nothing is written).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents of the view.
    title : str, default "Incidents"
        The picture's title (plain text).
    size : {'a4', 'slide'}, default 'a4'
        The page: A4 landscape or a 16:9 slide (:data:`SIZES`).
    step : geodata.story.Step, optional
        A story's step: its incidents highlighted, the rest dimmed, its
        heading and text beside the map, its view and dates used.
    step_count : int, optional
        How many steps the story has (for "step 3 of 12").
    filters : geodata.Filters, optional
        The view's filters, described under the title.
    total : int, optional
        The dataset's size, for "N of M incidents".
    tiles : bool, default False
        Web map tiles under the incidents (contextily and the network).
    colors : dict, optional
        Actor colours (default :func:`mapapp.mapdata.actor_colors` of ``gdf``).
    source_name : str, optional
        The dataset's file name, for the attribution line.

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas. Its incident artists carry a ``gid`` starting
        with ``incidents:highlight`` or ``incidents:context``, its labels
        ``label:<id>``; ``fig.still_info`` records what was labelled and dropped,
        the title and the subtitle (the view: dates, "N of M incidents", filters).
    """
    fig, scale = _new_figure(size)
    colors = actor_colors(gdf) if colors is None else colors
    shapes = _shapes_of(gdf)
    focus = step_mask(step, gdf) if step is not None else np.ones(len(gdf), dtype=bool)
    subtitle = _subtitle(gdf, gdf[focus] if step is not None else gdf, step, filters, total)
    _titles(fig, title, subtitle, scale)
    info = draw_map(fig.add_axes((0.02, 0.07, 0.62, 0.82)), gdf, focus=focus, colors=colors,
                    shapes=shapes, countries=_countries(),
                    view=step.view if step is not None else None,
                    scale=scale, tiles=_tiles if tiles else None)
    _attribution(fig, info.get("tiles"), source_name, scale)
    draw_panel(fig.add_axes((0.665, 0.07, 0.315, 0.82)), gdf, labels=info["labels"],
               colors=colors, shapes=shapes, all_actors=gdf["actor"] if "actor" in gdf else None,
               header=_step_header(step, step_count),
               paragraphs=step.paragraphs if step is not None else None, scale=scale,
               other_color=OTHER_COLOR)
    fig.still_info = {**info, "title": title, "subtitle": subtitle}
    return fig


def _new_figure(size: str) -> tuple[Figure, float]:
    """An empty figure of the page ``size`` (Agg canvas), and its text scale against A4."""
    width, height = _check_size(size)
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, min(width / SIZES["a4"][0], height / SIZES["a4"][1])


def _shapes_of(gdf: gpd.GeoDataFrame) -> dict:
    """The marker shape of each event type in ``gdf`` (as on the live map)."""
    return event_shapes(sorted(gdf["event_type"].dropna().astype(str).unique())
                        if "event_type" in gdf and len(gdf) else [])


def _step_header(step: Step | None, step_count: int | None) -> str | None:
    """"Step 3 of 12: heading" above the step's text, or None."""
    if step is None:
        return None
    return f"Step {step.number}" + (f" of {step_count}" if step_count else "") + \
        f": {step.heading}"


def _titles(fig: Figure, title: str, subtitle: str, scale: float) -> None:
    """The picture's title and the line under it (plain text)."""
    fig.text(0.02, 0.965, title, fontsize=16 * scale, weight="bold", va="top",
             parse_math=False, gid="title")
    fig.text(0.02, 0.915, subtitle, fontsize=9 * scale, color="#444444", va="top",
             parse_math=False, gid="subtitle")


def _attribution(fig: Figure, tiles: str | None, source_name: str | None,
                 scale: float) -> None:
    """The bottom line: the basemap's source, the dataset's file, the tool."""
    attribution = [tiles or "Basemap: Natural Earth (public domain)"]
    if source_name:
        attribution.append(f"Incidents: {source_name}")
    attribution.append("Made with incident-map")
    fig.text(0.02, 0.025, "  |  ".join(attribution), fontsize=6.5 * scale, color="#555555",
             parse_math=False, gid="attribution")


def _tiles(ax) -> str:
    """Web tiles under the map: returns their attribution. Raises StillError."""
    try:
        import contextily  # noqa: PLC0415 (optional, only on request)
        import xyzservices.providers as xyz
    except ImportError as exc:
        raise StillError("--tiles needs contextily: pip install contextily "
                         "(without --tiles the offline basemap is drawn)") from exc
    provider = xyz.CartoDB.Positron
    try:
        contextily.add_basemap(ax, crs="EPSG:4326", source=provider, attribution=False,
                               zorder=0)
    except Exception as exc:  # noqa: BLE001 (network errors come in many types)
        raise StillError(f"could not fetch map tiles ({type(exc).__name__}: {exc}); "
                         "run without --tiles for the offline basemap") from exc
    return f"Tiles: {provider.attribution}"


def _metadata(fig: Figure, fmt: str) -> dict:
    """The file's own description: the picture's title and the line under it (the view)."""
    info = getattr(fig, "still_info", {})
    title, subtitle = info.get("title", ""), info.get("subtitle", "")
    return {"pdf": {"Creator": "incident-map", "CreationDate": None, "Title": title,
                    "Subject": subtitle},
            "svg": {"Date": None, "Title": title, "Description": subtitle},
            "png": {"Software": "incident-map", "Title": title, "Description": subtitle}}[fmt]


def _save(fig: Figure, path: Path, fmt: str) -> None:
    metadata = _metadata(fig, fmt)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata))


def render_still(
    gdf: gpd.GeoDataFrame,
    output: str | os.PathLike,
    *,
    title: str | None = None,
    story: Story | None = None,
    size: str = "a4",
    tiles: bool = False,
    filters=None,
    total: int | None = None,
    source_name: str | None = None,
    step: int | None = None,
) -> list[Path]:
    """Write a still map (PNG at 300 dpi, vector SVG or PDF), or one per story step.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents of the view (never modified).
    output : str or os.PathLike
        ``.png``, ``.svg`` or ``.pdf``. With a story, a PDF gets one page
        per step and PNG/SVG one file per step (:func:`story_paths`).
    title : str, optional
        The title (default: the story's, else "Incidents").
    story : geodata.story.Story, optional
        A story whose incidents are all in ``gdf`` (validate it first).
    size : {'a4', 'slide'}, default 'a4'
        A4 landscape or 16:9 slide.
    tiles : bool, default False
        Web map tiles (contextily and the network); never needed.
    filters : geodata.Filters, optional
        The view's filters, described under the title.
    total : int, optional
        The dataset's size.
    source_name : str, optional
        The dataset's file name, named in the attribution line.
    step : int, optional
        Only this step of the story (1-based), written to ``output`` itself.

    Returns
    -------
    list of pathlib.Path
        The files written, each atomically.

    Raises
    ------
    StillError
        For an unknown size or format, or tiles that cannot be had.
    """
    fmt = _format_of(output)
    _check_size(size)
    title = title or (story.title if story is not None else "Incidents")
    colors = actor_colors(gdf)
    common = dict(title=title, size=size, filters=filters, total=total, tiles=tiles,
                  colors=colors, source_name=source_name)
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        if story is None:
            _save(still_figure(gdf, **common), Path(output), fmt)
            return [Path(output)]
        return _render_story(gdf, Path(output), fmt, story, step, common)


def _render_story(gdf: gpd.GeoDataFrame, output: Path, fmt: str, story: Story,
                  step: int | None, common: dict) -> list[Path]:
    """A story's pictures: one step, one file per step, or a PDF page per step."""
    steps: Sequence[Step] = story.steps
    n = len(steps)
    if step is not None:
        if not 1 <= step <= n:
            raise StillError(f"{story.name}: no step {step}; the story has steps 1 to {n}")
        _save(still_figure(gdf, step=steps[step - 1], step_count=n, **common), output, fmt)
        return [output]
    if fmt != "pdf":
        paths = story_paths(output, n)
        for one, path in zip(steps, paths, strict=True):
            _save(still_figure(gdf, step=one, step_count=n, **common), path, fmt)
        return paths

    def write_pdf(tmp: str) -> None:
        meta = {"Creator": "incident-map", "CreationDate": None, "Title": common["title"]}
        with PdfPages(tmp, metadata=meta) as pdf:
            for one in steps:
                pdf.savefig(still_figure(gdf, step=one, step_count=n, **common))

    atomic_write(output, write_pdf)
    return [output]
