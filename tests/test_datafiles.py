"""The page's map files: the draw payload first, the properties blocks after, never half a block."""

from __future__ import annotations

import gzip
import importlib
import threading

import orjson
import pytest
from conftest import make_feature

import geodata
from mapapp import datafiles, mapdata

mapdata_module = importlib.import_module("mapapp.mapdata")  # (where the blocks are made)


def _hold_blocks(monkeypatch, go: threading.Event) -> None:
    """The properties blocks are made only once ``go`` is set (the draw payload at once)."""
    real = mapdata_module.iter_properties_json

    def slow(frame, block, **kw):
        go.wait(10)
        yield from real(frame, block, **kw)

    monkeypatch.setattr(mapdata_module, "iter_properties_json", slow)


def _gdf(n):
    return geodata.frame_from_features([make_feature(i) for i in range(n)])


def test_the_map_can_draw_before_the_details_are_written(tmp_path, monkeypatch):
    gdf = _gdf(25)
    go = threading.Event()
    _hold_blocks(monkeypatch, go)
    writer = datafiles.write_draw_first(gdf, tmp_path / "d", block=10)
    draw = tmp_path / "d" / mapdata.DRAW_FILE
    assert writer.wait_draw(30)
    payload = mapdata.read_draw_file(draw)
    assert payload["n"] == 25 and payload["ids"][:2] == ["inc-0", "inc-1"]
    assert not writer.done and list((tmp_path / "d" / mapdata.PROPS_DIR).iterdir()) == []
    go.set()
    assert writer.wait(30) and writer.error is None
    # (a second call finds the folder: nothing is written again)
    assert datafiles.write_draw_first(gdf, tmp_path / "d", block=10) is None


def test_the_files_are_those_written_all_at_once(tmp_path):
    gdf = _gdf(57)
    writer = datafiles.write_draw_first(gdf, tmp_path / "later", block=10)
    assert writer.wait(60)
    draw, props = mapdata.write_data_files(gdf, tmp_path / "whole", block=10)
    later = tmp_path / "later"
    for name in (mapdata.DRAW_FILE, mapdata.IDS_FILE):
        assert (later / name).read_bytes() == (draw.parent / name).read_bytes()
    names = sorted(p.name for p in props.iterdir())
    assert names == sorted(p.name for p in (later / mapdata.PROPS_DIR).iterdir()
                           if p.name != datafiles.COMPLETE_FILE)
    assert len(names) == 6
    for name in names:
        assert (later / mapdata.PROPS_DIR / name).read_bytes() == (props / name).read_bytes()
    assert mapdata.read_properties(later / mapdata.PROPS_DIR) == mapdata.read_properties(props)


def test_a_reader_never_sees_half_a_block(tmp_path, monkeypatch):
    gdf = _gdf(300)
    seen_bad = []
    stop = threading.Event()
    folder = tmp_path / "d" / mapdata.PROPS_DIR

    def read_all():
        while not stop.is_set():
            for path in list(folder.glob("*.json.gz")) if folder.is_dir() else []:
                try:
                    orjson.loads(gzip.decompress(path.read_bytes()))
                except FileNotFoundError:
                    continue
                except Exception as exc:  # noqa: BLE001 (what the test looks for)
                    seen_bad.append((path.name, exc))

    monkeypatch.setattr(mapdata_module, "_GZIP_BATCH", 1)
    reader = threading.Thread(target=read_all)
    reader.start()
    try:
        writer = datafiles.write_draw_first(gdf, tmp_path / "d", block=3)
        assert writer.wait(60)
    finally:
        stop.set()
        reader.join(10)
    assert seen_bad == []
    assert len(list(folder.glob("*.json.gz"))) == 100
    assert not list(folder.glob(".*"))  # (no temporary file left behind)


def test_a_folder_dropped_meanwhile_ends_the_write_quietly(tmp_path, monkeypatch):
    import shutil

    gdf = _gdf(40)
    go = threading.Event()
    _hold_blocks(monkeypatch, go)
    writer = datafiles.write_draw_first(gdf, tmp_path / "d", block=10)
    assert writer.wait_draw(30)
    shutil.rmtree(tmp_path / "d")
    go.set()
    assert not writer.wait(30)
    assert isinstance(writer.error, FileNotFoundError)


def test_a_bad_block_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'block' should be at least 1"):
        datafiles.write_draw_first(_gdf(2), tmp_path / "d", block=0)


@pytest.mark.parametrize("ids", [["a", "b", ""], ["only"], ["x y", 'q"uote', "é"],
                                 ["a\nb", "c"], []])
def test_the_draw_files_hold_the_payload_and_its_ids_apart(tmp_path, ids):
    # (the map unpacks both at once and splits the ids when it first needs one)
    gdf = geodata.frame_from_features([make_feature(i, id=v) for i, v in enumerate(ids)])
    files = mapdata.draw_files(gdf)
    assert [name for name, _ in files] == [mapdata.IDS_FILE, mapdata.DRAW_FILE]  # (draw last)
    data = dict(files)
    listed = [v if isinstance(v, str) else None for v in mapdata.draw_payload(gdf)["ids"]]
    assert orjson.loads(gzip.decompress(data[mapdata.IDS_FILE])) == listed
    assert gzip.decompress(data[mapdata.DRAW_FILE])[:4] == b"IMP1"  # (no ids, no base64)
    for name, raw in files:
        (tmp_path / name).write_bytes(raw)
    payload = mapdata.read_draw_file(tmp_path / mapdata.DRAW_FILE)
    assert payload == {**mapdata.draw_payload(gdf), "ids": listed}


def _at(i, x, y):
    return {**make_feature(i), "geometry": {"type": "Point", "coordinates": [x, y]}}


def test_positions_go_as_int32_and_come_back_exactly():
    # (1e-7 degree units: half float64's bytes; a position with at most 7
    # decimals divides back to the very same double)
    import base64

    import numpy as np

    coords = [(44.1234567, 33.7654321), (-179.9999999, -89.5), (180.0, 85.0511287),
              (0.0, -0.0000001)]
    gdf = geodata.frame_from_features([_at(i, x, y) for i, (x, y) in enumerate(coords)])
    payload = mapdata.draw_payload(gdf)
    assert payload["xy_scale"] == mapdata.XY_SCALE
    ints = np.frombuffer(base64.b64decode(payload["xy"]), dtype="<i4")
    back = (ints / payload["xy_scale"]).reshape(-1, 2)
    assert back.tolist() == [list(c) for c in coords]
    # (beyond int32's range: float64, as before)
    far = geodata.frame_from_features([_at(0, 500.0, 0.0)])
    assert mapdata.draw_payload(far)["xy_scale"] == 0


def test_a_new_folders_draw_files_wait_for_the_map_being_sent(tmp_path, monkeypatch):
    # (a first run's map frame goes to the browser before the draw files take the
    # interpreter; the files wait for it, and never longer than MAP_FIRST_WAIT)
    comings = datafiles.MapsComing()
    monkeypatch.setattr(datafiles, "MAPS_COMING", comings)
    monkeypatch.setattr(datafiles, "MAP_FIRST_WAIT", 60.0)
    sent = comings.add()
    writer = datafiles.write_draw_first(_gdf(5), tmp_path / "d", block=10)
    assert not writer.wait_draw(0.3)  # (held back while the map is on its way)
    sent()
    sent()  # (once only: a second call changes nothing)
    assert writer.wait_draw(30) and writer.wait(30) and writer.error is None
    assert comings.wait(0)


def test_the_draw_files_never_wait_longer_than_the_bound(tmp_path, monkeypatch):
    comings = datafiles.MapsComing()
    monkeypatch.setattr(datafiles, "MAPS_COMING", comings)
    monkeypatch.setattr(datafiles, "MAP_FIRST_WAIT", 0.2)
    comings.add()  # (a run that never sends its map)
    writer = datafiles.write_draw_first(_gdf(5), tmp_path / "d", block=10)
    assert writer.wait_draw(30) and writer.wait(30) and writer.error is None
    assert not comings.wait(0)
