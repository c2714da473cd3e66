"""What Python sends to the map script, written once.

The map script (``mapapp/frontend/src``, built into ``templates/incidentmap.js``)
is called by the page that :mod:`mapapp.builder` renders::

    IncidentMap.basemap(map, BasemapOptions)
    IncidentMap.attach(group, DrawPayload | RemoteData, LayerOptions)

``LayerOptions.story`` (a :class:`StoryOptions` as a dict, its steps
:class:`StoryStep`) plays a story on the view: the step's incidents
highlighted, the others dimmed, the map flown to the step.

Every dict the builder sends is made here, from these definitions, and
``tests/test_contract.py`` compares their keys with the keys the script reads,
both ways. A map click comes back from the page's map frame as a
:class:`MapClick` (the incident as an id): :func:`clicked_id`.

Run ``python -m mapapp.contract`` after changing :data:`CONTRACT_VERSION` or a
key: it writes ``mapapp/frontend/src/contract.js`` (then ``npm run build``).

Examples
--------
>>> options = LayerOptions(total=3, start="2020-01-01", end="2020-01-03")
>>> options.to_dict()["show_chain"]
True
>>> clicked_id({"id": "a-1", "lat": 26.0, "lng": 49.7, "count": 1, "frame": "k2x"})
'a-1'
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

from .card import CARD_ROWS

__all__ = [
    "BASEMAP_KEYS",
    "CONTRACT_VERSION",
    "DRAW_FILE",
    "IDS_FILE",
    "CLICK_KEYS",
    "LAYER_OPTION_KEYS",
    "PAYLOAD_KEYS",
    "PROPS_BLOCK",
    "REMOTE_KEYS",
    "STORY_KEYS",
    "STORY_STEP_KEYS",
    "TILE_KEYS",
    "BasemapOptions",
    "DrawPayload",
    "LayerOptions",
    "LegendActor",
    "MapClick",
    "RemoteData",
    "StoryOptions",
    "StoryStep",
    "Tile",
    "clicked_id",
    "contract_js",
    "story_options",
]

#: Bumped whenever a key or its meaning changes; the script reports it as
#: ``IncidentMap.version``.
CONTRACT_VERSION = 10

#: The page's draw file in a dataset's folder: the draw payload without its ids,
#: in the export's binary container (``mapapp.drawcols.payload_bytes``), gzip'd.
DRAW_FILE = "draw.bin.gz"
#: Beside it, written before it: the ids, a JSON list (``drawcols.ids_bytes``), gzip'd.
#: The map reads both at once (each on a worker thread where it can) and splits
#: the ids into strings only when it first needs one.
IDS_FILE = "ids.json.gz"

#: Incidents per properties block the page serves (:class:`RemoteData`).
PROPS_BLOCK = 1000



class MapClick(TypedDict):
    """What the page's map frame sends back for a click on an incident (its value).

    ``id`` is the incident's ``feature.properties.id`` as text (None when the
    layer clicked had none); ``lat``/``lng`` where the click was; ``count``
    the frame's clicks so far and ``frame`` a random name of the frame, so the
    page tells a new click from the value Streamlit returns again on each rerun.
    ``drawn`` is true once the frame's map has drawn its first view (or could
    not): the frame sends it once, with no click (``count`` 0, ``id`` None),
    so that the page adds its heavier panels after the map.
    """

    id: str | None
    lat: float | None
    lng: float | None
    count: int
    frame: str
    drawn: bool


class DrawPayload(TypedDict):
    """The incidents as compact columns (see :func:`mapapp.mapdata.draw_payload`).

    Numbers are little-endian typed arrays in base64; text columns are lists
    of distinct values plus codes.
    """

    n: int  #: incident count
    #: their ids, in the frame's order; the page's draw files and the export
    #: write their JSON list apart (:data:`IDS_FILE`); the map splits them when
    #: first needed
    ids: list[str] | str
    xy: str  #: longitude, latitude pairs: int32 in 1 / xy_scale degree, or float64
    xy_scale: int  #: xy's units per degree (10,000,000), or 0: xy is float64
    palette: list[str]  #: fill colours (the last: grey, for other actors)
    color: str  #: uint8 index into palette
    types: list[str]  #: distinct event types
    type: str  #: uint16 index into types (65535: none)
    dashed: str  #: uint8, 1 where the attribution is not confirmed
    dates: list[str]  #: distinct days, sorted
    date: str  #: uint32 index into dates (4294967295: none)
    km: str  #: float32 geo_precision_km (NaN: none)
    links: list[list]  #: [from row, to row, relation]: the escalation chain


class RemoteData(TypedDict):
    """In place of a :class:`DrawPayload`: where the page serves the whole dataset.

    The properties come in blocks of ``props_block`` incidents: block ``k``
    (incidents ``k * props_block`` to ``(k + 1) * props_block - 1``, a gzip'd
    JSON array) is at ``props_url`` with ``{block}`` replaced by ``k``, fetched
    when a popup or tooltip of one of them first needs it.

    The export (:mod:`mapapp.export`) sends the same with ``'#'`` and an
    element's id as the URLs: the payload and each block are in the page,
    deflated and packed as text (:mod:`mapapp.exportdata`).
    """

    url: str  #: the dataset's DrawPayload as JSON (fetched once); '#ID': the export's, inlined
    #: URL template of a properties block: '{block}' is its number; '#ID-{block}': inlined
    props_url: str | None
    props_block: int  #: incidents per properties block
    mask: str  #: which incidents this view shows: 'all' or a base64 bitset


class Tile(TypedDict):
    """A tile layer of the base map."""

    name: str
    url: str
    attribution: str
    max_zoom: int
    subdomains: str


class LegendActor(TypedDict):
    """An actor's row in the legend."""

    name: str
    color: str
    count: int


class StoryStep(TypedDict):
    """One step of a story, as the map plays it (text only ever shown as text)."""

    heading: str  #: the step's ``##`` heading
    paragraphs: list[str]  #: its text, one string per paragraph
    ids: list[str]  #: the incidents it highlights
    view: list[float] | None  #: [lat, lon, zoom], or None: fit the step's incidents
    dates: list[str] | None  #: [first day, last day] (YYYY-MM-DD) marked on the time control


@dataclass(frozen=True)
class StoryOptions:
    """``LayerOptions.story``: a story played on the view (see ``frontend/src/story.js``)."""

    title: str = ""  #: the story's title
    #: the introduction's paragraphs (the text before the first step), shown on step 1
    intro: list[str] = field(default_factory=list)
    steps: list[StoryStep] = field(default_factory=list)
    step: int = 1  #: the step shown first (1-based; the address's ``#step=N`` wins when ``hash``)
    panel: bool = True  #: the step panel on the map: text, "3 / 12", previous and next
    hash: bool = True  #: read and write ``#step=N`` in the page's address
    keys: bool = True  #: Left and Right arrow keys step back and forth

    def to_dict(self) -> dict[str, Any]:
        """The options as the script reads them.

        Returns
        -------
        dict
        """
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def story_options(story, *, step: int = 1, panel: bool = True, hash: bool = True,
                  keys: bool = True) -> StoryOptions:
    r"""A :class:`geodata.story.Story` as the map plays it.

    Parameters
    ----------
    story : geodata.story.Story
        A parsed (and validated) story.
    step : int, default 1
        The step shown first (clamped to the story's steps).
    panel, hash, keys : bool
        As :class:`StoryOptions`.

    Returns
    -------
    StoryOptions

    Examples
    --------
    >>> from geodata.story import parse_story
    >>> s = parse_story("# T\n## A\nincidents: x\ndates: 2020-01-03\nOne.\n\nTwo.\n")
    >>> story_options(s).steps[0]["paragraphs"], story_options(s).steps[0]["dates"]
    (['One.', 'Two.'], ['2020-01-03', '2020-01-03'])
    """
    steps = [
        StoryStep(
            heading=s.heading, paragraphs=s.paragraphs, ids=list(s.incidents),
            view=list(s.view) if s.view is not None else None,
            dates=[f"{d:%Y-%m-%d}" for d in s.dates] if s.dates is not None else None,
        )
        for s in story.steps
    ]
    step = min(max(int(step), 1), max(len(steps), 1))
    return StoryOptions(title=story.title, intro=story.intro_paragraphs, steps=steps, step=step,
                        panel=panel, hash=hash, keys=keys)


@dataclass(frozen=True)
class BasemapOptions:
    """``IncidentMap.basemap(map, options)``: tiles, offline outlines, layer control."""

    tiles: list[Tile] = field(default_factory=list)  #: the first is shown
    collapsed: bool = True  #: the layer control starts collapsed
    countries: dict[str, Any] | None = None  #: GeoJSON outlines under the tiles
    bounds: list[list[float]] | None = None  #: [[south, west], [north, east]] to fit
    #: place names under the incidents (``mapapp/data/places.json``): ``countries``
    #: as [name, lon, lat, min zoom, iso_a3], ``cities`` as [name, lon, lat, min zoom]
    labels: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The options as the script reads them (``countries``, ``bounds``, ``labels``: when set).

        Returns
        -------
        dict
        """
        out = {"tiles": list(self.tiles), "collapsed": self.collapsed}
        if self.countries is not None:
            out["countries"] = self.countries
        if self.bounds is not None:
            out["bounds"] = self.bounds
        if self.labels is not None:
            out["labels"] = self.labels
        return out


@dataclass(frozen=True)
class LayerOptions:
    """``IncidentMap.attach(group, data, options)``: how a view is drawn and described."""

    title: str | None = None  #: on the summary
    total: int | None = None  #: size of the whole dataset ("N of M incidents")
    start: str | None = None  #: first day of the view (YYYY-MM-DD)
    end: str | None = None  #: last day of the view
    filters: list[str] = field(default_factory=list)  #: the filters, one line each
    other_color: str = "#8c8c8c"  #: colour of the actors not in the legend
    legend_actors: list[LegendActor] = field(default_factory=list)
    other_actors: int = 0  #: how many actors the legend leaves out
    shapes: dict[str, str] = field(default_factory=dict)  #: event type -> marker shape
    fit: bool = False  #: fit the map to the incidents when drawn
    cluster: bool | Literal["auto"] = "auto"  #: cluster markers ('auto': above the threshold)
    cluster_threshold: int = 5000
    #: more incidents than this in the map's bounds are drawn as counts per
    #: cell, not points (None: never); measured in docs/performance.md, "Cells"
    cells_threshold: int | None = 50000
    cell_px: int = 40  #: a cell's side in screen pixels (cells snap to the zoom's pixel grid)
    legend_open: bool = True  #: the legend starts open
    show_uncertainty: bool = True  #: location uncertainty circles start on
    show_chain: bool = True  #: the escalation chain starts on
    timeline: bool = True  #: the time control is shown
    uncertainty_min_km: float = 2.0  #: smaller uncertainty is not drawn
    #: the selected incident's id: ringed, brought into view, its popup open
    selected: str | None = None
    #: a story played on the view (:meth:`StoryOptions.to_dict`), or None
    story: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The options as the script reads them.

        Returns
        -------
        dict
        """
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


PAYLOAD_KEYS = frozenset(DrawPayload.__annotations__)
REMOTE_KEYS = frozenset(RemoteData.__annotations__)
TILE_KEYS = frozenset(Tile.__annotations__)
BASEMAP_KEYS = frozenset(f.name for f in dataclasses.fields(BasemapOptions))
LAYER_OPTION_KEYS = frozenset(f.name for f in dataclasses.fields(LayerOptions))
STORY_KEYS = frozenset(f.name for f in dataclasses.fields(StoryOptions))
STORY_STEP_KEYS = frozenset(StoryStep.__annotations__)
CLICK_KEYS = frozenset(MapClick.__annotations__)


def clicked_id(click: dict | None) -> str | None:
    """The id of the incident a click of the page's map names, or None.

    The script makes each incident's ``toGeoJSON()`` a small Feature whose
    ``properties`` hold only its ``id`` and puts the incident on every click
    event as ``layer``; the map frame (``frontend/src/framemap.js``) sends
    that id back as the :class:`MapClick`'s ``id``.

    Parameters
    ----------
    click : dict or None
        The frame's value (:class:`MapClick`).

    Returns
    -------
    str or None
        The id as text; None when no incident was clicked.

    Examples
    --------
    >>> clicked_id({"id": 7, "count": 1})
    '7'
    >>> clicked_id({"id": None, "lat": 1.0, "lng": 2.0}) is None
    True
    """
    if not isinstance(click, dict):
        return None
    value = click.get("id")
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value)


def _js_list(keys) -> str:
    return "[" + ", ".join(f"'{k}'" for k in sorted(keys)) + "]"


def contract_js() -> str:
    """The text of ``mapapp/frontend/src/contract.js``, generated from this module.

    It holds the keys each side uses and the incident card's rows
    (:data:`mapapp.card.CARD_ROWS`), which the popup shows in the page's order.

    Returns
    -------
    str
    """
    return (
        "// Generated by `python -m mapapp.contract` from mapapp/contract.py: do not edit.\n"
        f"export const CONTRACT_VERSION = {CONTRACT_VERSION};\n"
        f"export const DRAW_FILE = '{DRAW_FILE}';\n"
        f"export const IDS_FILE = '{IDS_FILE}';\n"
        f"export const PAYLOAD_KEYS = {_js_list(PAYLOAD_KEYS)};\n"
        f"export const REMOTE_KEYS = {_js_list(REMOTE_KEYS)};\n"
        f"export const LAYER_OPTION_KEYS = {_js_list(LAYER_OPTION_KEYS)};\n"
        f"export const BASEMAP_KEYS = {_js_list(BASEMAP_KEYS)};\n"
        f"export const TILE_KEYS = {_js_list(TILE_KEYS)};\n"
        f"export const STORY_KEYS = {_js_list(STORY_KEYS)};\n"
        f"export const STORY_STEP_KEYS = {_js_list(STORY_STEP_KEYS)};\n"
        f"export const CLICK_KEYS = {_js_list(CLICK_KEYS)};\n"
        f"export const CARD_ROWS = {json.dumps([list(r) for r in CARD_ROWS])};\n"
    )


#: Where :func:`contract_js` goes in a source checkout.
CONTRACT_JS = Path(__file__).resolve().parent / "frontend" / "src" / "contract.js"


def _main() -> int:
    from geodata.io import atomic_write

    atomic_write(CONTRACT_JS, lambda tmp: Path(tmp).write_text(contract_js(), encoding="utf-8"))
    print(f"wrote {CONTRACT_JS}; now run `npm run build` in mapapp/frontend", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
