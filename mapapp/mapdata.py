"""The map's data: how incidents are styled and encoded for the map script.

Pure Python (no folium, no streamlit): the folium builder
(:mod:`mapapp.builder`) and the page's dataset (:mod:`mapapp.state`) both
use it.

- Style: :func:`actor_colors` (one colour per frequent actor, the same in
  every view), :func:`event_shapes` (a marker shape per event type),
  :func:`data_bounds`.
- Encoding: :func:`draw_payload` (the incidents as compact columns, the
  keys of :class:`mapapp.contract.DrawPayload`), :func:`properties_json`
  (every incident's properties, for popups), :func:`mask_code` (a view as a
  bitset), :func:`safe_json` (JSON text safe in a ``<script>`` block).
- Files: :func:`write_data_files` writes what the page's map fetches: the
  payload and the properties in small gzip'd blocks (:func:`read_properties`
  reads them back).

Examples
--------
>>> import numpy as np
>>> mask_code(np.array([True, False, True]))
'BQ=='
>>> mask_code(np.array([True, True]))
'all'
"""

from __future__ import annotations

import base64
import gc
import gzip
import hashlib
import itertools
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geodata import nested
from geodata.dates import days_of
from geodata.geojson_write import iter_properties_json
from geodata.memory import release
from geodata.summary import category_codes

from . import compress, contract
from .drawcols import (
    XY_SCALE,
    b64,
    ids_bytes,
    payload_bytes,
    read_draw_file,
    xy_column,
)

__all__ = [
    "DRAW_FILE",
    "IDS_FILE",
    "LEGEND_ACTORS",
    "OTHER_COLOR",
    "PALETTE",
    "PROPS_DIR",
    "XY_SCALE",
    "PROPS_TEMPLATE",
    "SHAPES",
    "actor_colors",
    "data_bounds",
    "draw_files",
    "draw_payload",
    "event_shapes",
    "gzip_blocks",
    "make_folder",
    "mask_code",
    "properties_json",
    "props_block_name",
    "read_draw_file",
    "read_properties",
    "safe_json",
    "write_data_files",
]

#: Qualitative palette: Okabe-Ito's colour-blind-safe colours, then Tol's, no two alike.
#: As many colours as legend entries, so the listed actors never share one.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#882255", "#332288", "#999933", "#F0E442", "#AA4499", "#6F4E37",
)
OTHER_COLOR = "#8c8c8c"
LEGEND_ACTORS = 12

#: Marker shape per ACLED event type; other types get the remaining shapes.
SHAPES = {
    "Explosions/Remote violence": "circle",
    "Battles": "diamond",
    "Violence against civilians": "triangle",
    "Protests": "square",
    "Riots": "triangle-down",
    "Strategic developments": "hexagon",
}
_SPARE_SHAPES = ("star", "square", "diamond", "triangle", "triangle-down", "hexagon")

#: The "none" code of the uint16 text columns and of the uint32 dates.
_NO_CODE_U2 = 65535
_NO_CODE_U4 = 2**32 - 1


# ------------------------------------------------------------------- style


def _stable_index(name: str, modulo: int) -> int:
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % modulo


def actor_colors(gdf: gpd.GeoDataFrame, limit: int = LEGEND_ACTORS) -> dict[str, str]:
    """Colours for the ``limit`` most frequent actors (the rest are grey).

    Each actor's colour comes from a hash of its name, so it is the same in
    every view and export of any dataset; collisions among the listed actors
    are resolved in order of frequency (the most frequent keeps its colour).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    limit : int, default LEGEND_ACTORS
        How many actors get a colour of their own.

    Returns
    -------
    dict of str to str
        Actor name to ``#rrggbb``, most frequent first.
    """
    if "actor" not in gdf.columns or not len(gdf):
        return {}
    counts = gdf["actor"].astype(object).value_counts(dropna=True)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]
    taken: set[int] = set()
    out = {}
    for name, _ in ranked:
        i = _stable_index(str(name), len(PALETTE))
        while i in taken and len(taken) < len(PALETTE):
            i = (i + 1) % len(PALETTE)
        taken.add(i)
        out[str(name)] = PALETTE[i]
    return out


def event_shapes(types) -> dict[str, str]:
    """Marker shape for each event type.

    Parameters
    ----------
    types : iterable of str
        Event types.

    Returns
    -------
    dict of str to str
        Event type to a shape name of the map script.
    """
    out = {}
    for t in types:
        out[t] = SHAPES.get(t) or _SPARE_SHAPES[_stable_index(t, len(_SPARE_SHAPES))]
    return out


def data_bounds(gdf: gpd.GeoDataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the incidents, or None when empty.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.

    Returns
    -------
    list or None
        The bounds, or None when there is no incident with finite coordinates.
    """
    if not len(gdf):
        return None
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return [[miny, minx], [maxy, maxx]]


# ---------------------------------------------------------------- encoding


def safe_json(obj) -> str:
    r"""JSON text that is safe inside an HTML ``<script>`` block.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so no data can close the
    script or open a comment; U+2028/2029 are escaped for older parsers.

    Parameters
    ----------
    obj : object
        Anything orjson serialises (NumPy arrays included).

    Returns
    -------
    str
        The JSON text.
    """
    text = orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _coded(gdf: gpd.GeoDataFrame, column: str) -> tuple[list[str], str]:
    """A text column's distinct values and uint16 codes (65535: none)."""
    n = len(gdf)
    if column not in gdf.columns or not n:
        return [], b64(np.full(n, _NO_CODE_U2), "<u2")
    names, codes = category_codes(gdf[column])
    return names, b64(np.where(codes < 0, _NO_CODE_U2, codes), "<u2")


def _colour_codes(gdf: gpd.GeoDataFrame, colors: dict[str, str]) -> tuple[list[str], str]:
    """The palette (grey last) and each incident's uint8 colour code."""
    n = len(gdf)
    palette = sorted(set(colors.values())) + [OTHER_COLOR]
    grey = len(palette) - 1
    color = np.full(n, grey, dtype=np.uint8)
    if n and "actor" in gdf.columns:
        names, codes = category_codes(gdf["actor"])
        lookup = np.array(
            [palette.index(colors[a]) if a in colors else grey for a in names] + [grey],
            dtype=np.uint8,
        )
        color = lookup[codes]  # (code -1, no actor, picks the last entry: grey)
    return palette, b64(color, "u1")


def _dashed(gdf: gpd.GeoDataFrame) -> str:
    """uint8, 1 where the attribution is not confirmed."""
    if "attribution_status" not in gdf:
        return b64(np.ones(len(gdf), dtype=np.uint8), "u1")
    status = gdf["attribution_status"].astype(object)
    return b64((status != "confirmed").to_numpy(), "u1")


def _date_codes(gdf: gpd.GeoDataFrame) -> tuple[list[str], str]:
    """The sorted distinct days and each incident's uint32 code (2**32-1: none)."""
    n = len(gdf)
    if not n or "date" not in gdf.columns:
        return [], b64(np.full(n, _NO_CODE_U4), "<u4")
    days = days_of(gdf["date"].to_numpy())
    known = ~np.isnat(days)
    distinct, inverse = np.unique(days[known], return_inverse=True)
    date = np.full(n, _NO_CODE_U4, dtype=np.int64)
    date[known] = inverse
    dates = [str(d) for d in np.datetime_as_string(distinct, unit="D")]
    return dates, b64(date, "<u4")


def _km(gdf: gpd.GeoDataFrame) -> str:
    """float32 ``geo_precision_km`` (NaN: none)."""
    if "geo_precision_km" not in gdf.columns:
        return b64(np.full(len(gdf), np.nan), "<f4")
    km = pd.to_numeric(gdf["geo_precision_km"], errors="coerce")
    return b64(km.to_numpy(dtype="f8", na_value=np.nan), "<f4")


def _links(gdf: gpd.GeoDataFrame, ids: list[str]) -> list[list]:
    """``[from, to, relation]`` row pairs of ``related`` with both ends in the frame."""
    if "related" not in gdf.columns or not ids:
        return []
    if nested.is_typed(gdf["related"]):
        rows, targets, relations = _typed_links(gdf["related"])
    else:
        rows, targets, relations = _object_links(gdf["related"].tolist())
    if not rows:
        return []
    where = _rows_of_ids(gdf, targets)
    return [[j, i, relation] for i, j, relation in zip(rows, where, relations, strict=True)
            if j >= 0 and j != i]


def _rows_of_ids(gdf: gpd.GeoDataFrame, targets: list[str]) -> list[int]:
    """The row of each target id among ``gdf``'s ids (-1: none; an id held twice: its last row).

    The few distinct targets are looked for in the ids by Arrow (``index_in``):
    0.03 s at a million incidents, where a pandas index of every id took 0.33 s.
    """
    keys = pa.array(gdf["id"].astype(str))
    wanted = list(dict.fromkeys(targets))
    hit = pc.index_in(keys, value_set=pa.array(wanted, type=keys.type))
    rows = np.flatnonzero(hit.is_valid().to_numpy(zero_copy_only=False))
    which = pc.fill_null(hit, 0).to_numpy(zero_copy_only=False)[rows]
    last = np.full(len(wanted), -1, dtype=np.int64)
    np.maximum.at(last, which, rows)
    row_of = dict(zip(wanted, last.tolist(), strict=True))
    return [row_of[t] for t in targets]


def _typed_links(column: pd.Series) -> tuple[list, list, list]:
    """(row, target id, relation) of each link of a typed ``related``, flattened by Arrow."""
    arr = nested.arrow_of(column)
    flat = pc.list_flatten(arr)
    rows = pc.list_parent_indices(arr).to_numpy(zero_copy_only=False).tolist()
    targets = pc.fill_null(pc.struct_field(flat, "id"), "None")
    relation = pc.struct_field(flat, "relation")
    named = pc.fill_null(pc.not_equal(relation, ""), False)
    relations = pc.if_else(named, relation, "related")
    return rows, targets.to_pylist(), relations.to_pylist()


def _object_links(values: list) -> tuple[list, list, list]:
    """(row, target id, relation) of each link of an object ``related``."""
    rows, targets, relations = [], [], []
    for i, related in enumerate(values):  # (most rows: an empty list)
        if isinstance(related, list | tuple) and related:
            for r in related:
                if isinstance(r, dict):
                    rows.append(i)
                    targets.append(str(r.get("id")))
                    relations.append(str(r.get("relation") or "related"))
    return rows, targets, relations


def draw_payload(
    gdf: gpd.GeoDataFrame, colors: dict[str, str] | None = None
) -> contract.DrawPayload:
    """What the map needs to draw the incidents, as compact columns.

    The map draws from this (a few bytes per incident, decoded in
    milliseconds) and reads each incident's full properties, for popups,
    from :func:`properties_json` afterwards. Numbers are little-endian typed
    arrays in base64; text columns are lists of distinct values plus codes.

    - ``n``, ``ids``: incident count and ids, in the frame's order;
    - ``xy``, ``xy_scale``: longitude, latitude pairs, int32 in units of
      ``1 / xy_scale`` degree (:data:`XY_SCALE`), or float64 (``xy_scale`` 0);
    - ``palette``/``color``: each incident's fill colour, uint8 codes (its
      actor's colour in ``colors``, default :func:`actor_colors`, else grey);
    - ``types``/``type``: the event types and uint16 codes (65535: none);
    - ``dashed``: uint8, 1 where the attribution is not confirmed;
    - ``dates``/``date``: the sorted distinct days and uint32 codes;
    - ``km``: float32 ``geo_precision_km`` (NaN: none);
    - ``links``: ``[from, to, relation]`` row pairs of ``related`` whose
      both ends are in the frame (the escalation chain).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    colors : dict, optional
        Actor colours (default :func:`actor_colors` of ``gdf``).

    Returns
    -------
    mapapp.contract.DrawPayload
    """
    ids = gdf["id"].astype(str).tolist() if len(gdf) else []
    palette, color = _colour_codes(gdf, colors if colors is not None else actor_colors(gdf))
    types, kind = _coded(gdf, "event_type")
    dates, date = _date_codes(gdf)
    xy, xy_scale = xy_column(gdf)
    return contract.DrawPayload(
        n=len(gdf),
        ids=ids,
        xy=xy,
        xy_scale=xy_scale,
        palette=palette,
        color=color,
        types=types,
        type=kind,
        dashed=_dashed(gdf),
        dates=dates,
        date=date,
        km=_km(gdf),
        links=_links(gdf, ids),
    )


def properties_json(gdf: gpd.GeoDataFrame, *, per_feature: bool = False) -> bytes:
    """Every incident's properties as a JSON array, in the frame's order.

    Built column by column (:func:`geodata.geojson_write.iter_properties_json`):
    the same JSON as ``[f["properties"] for f in geodata.to_features(gdf)]``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    per_feature : bool, default False
        Go through one feature dict per incident (the path of before, for
        benchmarks and tests).

    Returns
    -------
    bytes
        UTF-8 JSON text.
    """
    pieces = iter_properties_json(gdf, max(1, len(gdf)), per_feature=per_feature)
    return next(pieces, b"[]")


def mask_code(mask: np.ndarray) -> str:
    """A view for the map: ``'all'``, or a base64 bitset (bit i = incident i).

    Parameters
    ----------
    mask : numpy.ndarray of bool
        The incidents the view keeps.

    Returns
    -------
    str
        ``'all'`` when every incident is kept, else the little-endian bitset.
    """
    if bool(np.all(mask)):
        return "all"
    packed = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return base64.b64encode(packed.tobytes()).decode("ascii")


# ------------------------------------------------------------------- files

#: The names of the draw files (:data:`mapapp.contract.DRAW_FILE`, ``IDS_FILE``) and
#: of the properties folder in a dataset's folder.
DRAW_FILE = contract.DRAW_FILE
IDS_FILE = contract.IDS_FILE
PROPS_DIR = "props"


def props_block_name(block: int) -> str:
    """The file name of properties block ``block`` inside :data:`PROPS_DIR`.

    Parameters
    ----------
    block : int
        The block number: incidents ``block * size`` to ``(block + 1) * size - 1``.

    Returns
    -------
    str
        E.g. ``"3.json.gz"`` (the map script fills :data:`PROPS_TEMPLATE` alike).
    """
    return f"{int(block)}.json.gz"


#: The properties URL template the map script fills: ``{block}`` is the block number.
PROPS_TEMPLATE = PROPS_DIR + "/{block}.json.gz"


def _gzip(text: bytes) -> bytes:
    return compress.gzip_bytes(text, 1)


def draw_files(gdf: gpd.GeoDataFrame,
               colors: dict[str, str] | None = None) -> list[tuple[str, bytes]]:
    """The page's draw files of ``gdf``: ``[(IDS_FILE, bytes), (DRAW_FILE, bytes)]``.

    The :func:`draw_payload` without its ids in the export's binary container
    (:func:`mapapp.drawcols.payload_bytes`: typed arrays as raw bytes, no
    base64 or JSON to read), and its ids apart as a JSON list
    (:func:`mapapp.drawcols.ids_bytes`), each gzip'd once here (the fastest
    level; the server sends a ``.gz`` file as it is, ``application/gzip``).
    The map fetches and unpacks both at once, each on a worker thread where it
    can, and splits the ids only when it first needs one. Written in this
    order: :data:`DRAW_FILE`, last, says that both are there.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The whole dataset.
    colors : dict, optional
        Actor colours (default: :func:`actor_colors` of ``gdf``).

    Returns
    -------
    list of (str, bytes)
    """
    payload = draw_payload(gdf, colors)
    files = [(IDS_FILE, _gzip(ids_bytes(payload))),
             (DRAW_FILE, _gzip(payload_bytes(payload, ids=False)))]
    del payload
    release()  # (its ids and columns, several times the gzip'd bytes, are freed)
    return files


#: Blocks compressed at a time, by two threads (zlib lets go of the GIL).
_GZIP_BATCH = 8


def gzip_blocks(gdf: gpd.GeoDataFrame, block: int, per_feature: bool = False,
                initializer=None):
    """Yield ``(N, bytes)``: the gzip'd properties of incidents ``N*block`` .. ``(N+1)*block-1``.

    Compressed on two threads (each begun with ``initializer()`` when given)
    while the next blocks' JSON is made.
    """
    pieces = iter_properties_json(gdf, block, per_feature=per_feature)
    number = 0
    with ThreadPoolExecutor(max_workers=2, initializer=initializer) as pool:
        while batch := list(itertools.islice(pieces, _GZIP_BATCH)):
            for data in pool.map(_gzip, batch):
                yield number, data
                number += 1
            del batch
            release()  # (a batch's JSON, made and freed on three threads: back at once)


def _write_blocks(gdf: gpd.GeoDataFrame, folder: Path, block: int, per_feature: bool) -> None:
    """``folder/N.json.gz``: the properties of incidents ``N*block`` .. ``(N+1)*block-1``."""
    folder.mkdir()
    for number, data in gzip_blocks(gdf, block, per_feature):
        (folder / props_block_name(number)).write_bytes(data)


def make_folder(directory: Path, fill) -> bool:
    """Make a dataset's folder whole: ``fill(tmp)`` in a temporary sibling, then renamed.

    A reader never sees half of it. The cycle collector is paused meanwhile
    (what is made holds no cycle; a collection would walk the whole frame).

    Returns
    -------
    bool
        True when this call made it; False when another made it meanwhile
        (that one stands).
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.", suffix=".tmp"))
    collecting = gc.isenabled()
    gc.disable()
    try:
        fill(tmp)
        try:
            os.rename(tmp, directory)
        except OSError:
            if (directory / DRAW_FILE).is_file() and (directory / PROPS_DIR).is_dir():
                return False
            raise
    finally:
        if collecting:
            gc.enable()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return True


def write_data_files(
    gdf: gpd.GeoDataFrame,
    directory: str | os.PathLike,
    *,
    colors: dict[str, str] | None = None,
    block: int = contract.PROPS_BLOCK,
    per_feature: bool = False,
) -> tuple[Path, Path]:
    """Write what the page's map fetches (once per dataset): its columns and properties.

    ``directory/draw.json.gz`` is :func:`draw_payload` of the whole dataset (in
    ``colors``); ``directory/props/N.json.gz`` holds the properties of
    incidents ``N*block`` to ``(N+1)*block - 1`` (a gzip'd JSON array, in the
    dataset's order), so a popup fetches one small block, never a file that
    grows with the dataset. The folder is made whole in a temporary sibling
    and renamed into place, so a reader never sees half of it; a folder
    already there is kept as it is.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The whole dataset.
    directory : str or os.PathLike
        The dataset's own folder (its parent is created if needed).
    colors : dict, optional
        Actor colours (default :func:`actor_colors` of ``gdf``).
    block : int, default mapapp.contract.PROPS_BLOCK
        Incidents per properties block (at least 1).
    per_feature : bool, default False
        Build the blocks one feature dict per incident (as before; same files).

    Returns
    -------
    tuple of pathlib.Path
        The payload file and the properties folder.

    Raises
    ------
    ValueError
        If ``block`` is below 1.
    """
    if int(block) < 1:
        raise ValueError(f"'block' should be at least 1, got {block!r}")
    directory = Path(directory)
    draw, props = directory / DRAW_FILE, directory / PROPS_DIR
    if draw.is_file() and props.is_dir():
        return draw, props
    def fill(tmp: Path) -> None:
        _write_blocks(gdf, tmp / PROPS_DIR, int(block), per_feature)
        for name, data in draw_files(gdf, colors):
            (tmp / name).write_bytes(data)

    make_folder(directory, fill)
    return draw, props


def read_properties(props: str | os.PathLike) -> list[dict]:
    """Every incident's properties, read back from a folder :func:`write_data_files` wrote.

    Parameters
    ----------
    props : str or os.PathLike
        The properties folder.

    Returns
    -------
    list of dict
        The properties, in the dataset's order.
    """
    folder = Path(props)
    out: list[dict] = []
    number = 0
    while (path := folder / props_block_name(number)).is_file():
        out += orjson.loads(gzip.decompress(path.read_bytes()))
        number += 1
    return out
