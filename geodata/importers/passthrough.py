"""A GeoJSON or GeoParquet file already in the incident schema, passed through as it is.

``mapapp import incidents.geojson -o copy.parquet`` must not run the schema's
own nested fields (``attribution``, ``sources``, ``related``) through the
CSV rules, which would reject every feature. A file whose features pass
:func:`geodata.validate.check_features` (at least one of them) is taken to be
in the schema: its valid features are kept with every property, and the
invalid ones become rejects with their problems (line = feature index, as
for any GeoJSON input). A file whose first bytes (GeoJSON) or columns
(GeoParquet) do not name the schema's required fields, or whose first
features are none of them valid, goes to the importers unparsed here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..geojson_import import _text, is_geo_input
from ..io import PARQUET_SUFFIXES, frame_from_features, load_features
from ..schema import REQUIRED
from ..validate import check_features

__all__ = ["SCHEMA_LABELS", "schema_input"]

#: How a pass-through is named in an import's summary.
SCHEMA_LABELS = {"geojson": "GeoJSON in the schema", "parquet": "GeoParquet in the schema"}


#: Features checked first: when none of them is a valid incident, the file is not in the schema.
_SAMPLE = 200


def _kind(src) -> str:
    head = src.head(8)
    return "parquet" if head.startswith(b"PAR1") or src.suffix in PARQUET_SUFFIXES else "geojson"


def _may_be_in_schema(src, kind: str) -> bool:
    """A cheap look before parsing: the schema's required fields are named in the file."""
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            names = set(pq.read_schema(src.path if src.data is None else
                                       _pa_buffer(src.data)).names)
        except Exception:  # noqa: BLE001 (unreadable: the importer says why)
            return False
        return set(REQUIRED) - {"id"} <= names
    head = src.head(1 << 16)
    return all(f'"{name}"'.encode() in head for name in REQUIRED if name != "id")


def _pa_buffer(data: bytes):
    """The bytes as a pyarrow buffer reader (for an upload's GeoParquet)."""
    import pyarrow as pa

    return pa.BufferReader(data)


def _rejects(features: list, report) -> pd.DataFrame:
    """One row per invalid feature: index, id, its problems, then its properties as text."""
    reasons: dict[int, list[str]] = {}
    ids: dict[int, object] = {}
    for p in report.problems:
        if p.index is None:
            continue
        reasons.setdefault(p.index, []).append(f"{p.field}: {p.message}" if p.field
                                               else p.message)
        ids.setdefault(p.index, p.id)
    rows = sorted(reasons)
    props = [features[i].get("properties") or {} if isinstance(features[i], dict) else {}
             for i in rows]
    columns: dict[str, None] = {}
    for prop in props:
        columns.update(dict.fromkeys(str(k) for k in prop))
    out_cols = [f"{c} (input)" if c in ("line", "id", "reason") else c for c in columns]
    frame = pd.DataFrame({
        "line": np.asarray(rows, dtype=np.int64),
        "id": [ids[i] for i in rows],
        "reason": ["; ".join(reasons[i]) for i in rows],
    })
    cells = pd.DataFrame([[_text(prop.get(c)) for c in columns] for prop in props],
                         columns=out_cols, index=frame.index)
    return pd.concat([frame, cells], axis=1)


def schema_input(src, progress) -> tuple | None:
    """The features of a GeoJSON/GeoParquet input in the schema, or None for any other input.

    Parameters
    ----------
    src : geodata.importers.source._Source
        The input.
    progress : callable
        The import's progress display.

    Returns
    -------
    tuple or None
        ``(frame, rejects frame, kind, features read)``, as the importers'
        conversion returns them, with kind ``"geojson"`` or ``"parquet"``;
        None when the input is not GeoJSON/GeoParquet or no feature of it is
        a valid incident (the importers then read it as a table).
    """
    if not is_geo_input(src.name, src.head()):
        return None
    kind = _kind(src)
    if not _may_be_in_schema(src, kind):
        return None
    progress("reading features", 0)
    features = load_features(src.data if src.data is not None else src.path,
                             name=src.name, kind=kind)
    if not features or not check_features(features[:_SAMPLE], src.name).valid.any():
        return None
    report = check_features(features, src.name)
    good = [f for f, keep in zip(features, report.valid.tolist(), strict=True) if keep]
    gdf = frame_from_features(good)
    gdf.attrs["import_notes"] = []
    return gdf, _rejects(features, report), kind, len(features)
