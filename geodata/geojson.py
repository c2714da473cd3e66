"""Raw GeoJSON: parse bytes, find a FeatureCollection's features, name a feature.

The bottom of the package: it knows JSON and the GeoJSON container, not the
incident schema, and imports nothing else from ``geodata`` but its errors.
Both :mod:`geodata.io` and :mod:`geodata.validate` build on it.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Mapping
from typing import Any

import orjson

from .errors import DataSourceError

__all__ = ["feature_id", "features_of", "parse_json", "parse_json_texts"]


def parse_json(data: bytes, source: str) -> Any:
    """Parse UTF-8 JSON text (RFC 8259: no NaN or Infinity); a byte-order mark is skipped.

    Parameters
    ----------
    data : bytes
        The file's content.
    source : str
        The file name, for messages.

    Returns
    -------
    object
        The parsed value.

    Raises
    ------
    DataSourceError
        When ``data`` is not valid JSON; the message gives the line and column.
    """
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark (Windows editors)
        data = data[3:]
    try:
        return orjson.loads(data)
    except json.JSONDecodeError as exc:
        # orjson's error subclasses json's, with the same line/column fields;
        # its message can add a byte position, which users do not need.
        msg = exc.msg.split(":")[0] if exc.msg else "invalid JSON"
        raise DataSourceError(
            f"{source}: not valid JSON: {msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"{source}: not valid JSON: {exc}") from exc


def features_of(data: Any, source: str | None = None) -> list:
    """Return the features of a parsed GeoJSON FeatureCollection.

    Parameters
    ----------
    data : object
        A parsed GeoJSON document.
    source : str, optional
        The file name, for messages.

    Returns
    -------
    list
        The ``features`` list, as it is (nothing is checked inside it).

    Raises
    ------
    DataSourceError
        When ``data`` is not a FeatureCollection with a ``features`` list.
    """
    label = f"{source}: " if source else ""
    if not isinstance(data, Mapping):
        raise DataSourceError(
            f"{label}expected a GeoJSON FeatureCollection object, got {type(data).__name__}"
        )
    if data.get("type") != "FeatureCollection":
        raise DataSourceError(
            f"{label}expected a GeoJSON FeatureCollection, got type {data.get('type')!r}"
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise DataSourceError(f"{label}'features' must be a list, got {type(features).__name__}")
    return features


def feature_id(feature: Any) -> str | None:
    """Return the id a feature goes by: ``properties.id``, else the Feature's ``id``.

    Parameters
    ----------
    feature : object
        A parsed GeoJSON Feature (anything else has no id).

    Returns
    -------
    str or None
        A non-empty string id (an integer Feature id as text), or None.

    Examples
    --------
    >>> feature_id({"type": "Feature", "id": 7, "properties": {}})
    '7'
    """
    if not isinstance(feature, Mapping):
        return None
    props = feature.get("properties")
    if isinstance(props, Mapping) and isinstance(props.get("id"), str) and props["id"]:
        return props["id"]
    fid = feature.get("id")
    if isinstance(fid, str) and fid:
        return fid
    if isinstance(fid, int) and not isinstance(fid, bool):
        return str(fid)
    return None


def parse_json_texts(texts: list) -> list:
    """Parse each JSON text (None for anything else): orjson, or json where orjson refuses.

    Parameters
    ----------
    texts : list
        JSON texts (anything else becomes None).

    Returns
    -------
    list
        The parsed values, in order.

    Notes
    -----
    orjson refuses what :func:`json.loads` reads (NaN, integers over 64 bits, nesting over
    1024 levels); those few values go through :mod:`json`, so both give the same objects.
    """
    out = []
    enabled = gc.isenabled()
    gc.disable()  # (many new objects, none in a cycle)
    try:
        for v in texts:
            _parse_json_text(v, out)
    finally:
        if enabled:
            gc.enable()
    return out


def _parse_json_text(v, out: list) -> None:
    if not isinstance(v, str):
        out.append(None)
        return
    try:
        out.append(orjson.loads(v))
    except orjson.JSONDecodeError:
        out.append(json.loads(v))
