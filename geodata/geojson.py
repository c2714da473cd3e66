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

__all__ = ["feature_id", "features_in_pieces", "features_of", "parse_json", "parse_json_texts"]


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


#: The start of a FeatureCollection as this tool's writer, orjson and other compact writers lay
#: it out: the features follow, then ``]}``.
_HEAD = b'{"type":"FeatureCollection","features":['
#: Between two features in that layout: where a piece of the file may end. In valid JSON these
#: bytes are never inside a string (its ``{"`` would end the string, then ``type`` is no JSON).
_BETWEEN = b'},{"type":"Feature"'


def features_in_pieces(fh, piece: int, report=None) -> list | None:
    """A compact FeatureCollection's features, read and parsed a piece at a time; or None.

    The file is never held whole: each piece (about ``piece`` bytes, cut
    between two features) is parsed and dropped, so the peak is the features
    alone. Every piece parsing means the whole file is valid JSON with the
    same features; any other layout, a cut that falls inside a feature (a
    Feature nested in a property) or a piece that does not parse gives None,
    and the caller parses the file whole (which gives the message of what is
    wrong).

    Parameters
    ----------
    fh : binary file
        Open at its start.
    piece : int
        Bytes read at a time.
    report : callable, optional
        ``report(bytes_done)`` after each piece.

    Returns
    -------
    list or None
        The features, as :func:`features_of` of :func:`parse_json` of the whole
        file gives them; None when the file is not in that layout.
    """
    buf = bytearray(fh.read(max(piece, 64)))
    start = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    if buf[start:start + len(_HEAD)] != _HEAD:
        return None
    del buf[:start + len(_HEAD) - 1]  # (it starts with the features' "[" now, later ",")
    done = start + len(_HEAD) - 1
    features: list = []
    while block := fh.read(piece):
        buf += block
        cut = buf.rfind(_BETWEEN)
        if cut > 0:
            if not _parsed_into(features, buf, cut + 1):
                return None
            del buf[:cut + 1]
            done += cut + 1
            if report is not None:
                report(done)
    tail = bytearray(bytes(buf).rstrip(b" \t\r\n"))  # (JSON's whitespace only)
    if not tail.endswith(b"]}") or not _parsed_into(features, tail, len(tail) - 2):
        return None
    return features


def _parsed_into(features: list, buf: bytearray, end: int) -> bool:
    """Parse ``buf[1:end]`` (features, commas between) onto ``features``; False if not JSON.

    ``buf[0]`` and ``buf[end]`` (a ``[`` or ``,``, and the ``,`` or ``]`` after
    the last feature) become the brackets of a JSON array while it is parsed
    in place (no copy of the piece), then are put back.
    """
    first, after = buf[0], buf[end]
    buf[0], buf[end] = 0x5B, 0x5D  # "[", "]"
    try:
        with memoryview(buf) as view:
            features.extend(orjson.loads(view[:end + 1]))
    except (orjson.JSONDecodeError, ValueError, UnicodeDecodeError):
        return False
    finally:
        buf[0], buf[end] = first, after
    return True


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
