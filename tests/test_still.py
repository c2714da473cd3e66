"""Still pictures: page counts, pixel sizes, and that the data is what is drawn."""

from __future__ import annotations

import re
import socket
import struct

import numpy as np
import pytest
from conftest import DATASET, ROOT, make_feature

import geodata
from geodata.story import parse_story, read_story
from mapapp import cli, still
from mapapp.mapdata import OTHER_COLOR, actor_colors
from mapapp.still import DPI, SIZES, StillError, render_still, still_figure, story_paths

SHIPPED = ROOT / "stories" / "escalation.md"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a still picture tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def dataset():
    return geodata.read(DATASET)


@pytest.fixture(scope="module")
def story():
    return read_story(SHIPPED)


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _pdf_pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", path.read_bytes()))


def _drawn(fig, role: str) -> set[tuple[float, float]]:
    """The positions of the incident markers of a role, from the figure's artists."""
    out = set()
    for ax in fig.axes:
        for coll in ax.collections:
            if (coll.get_gid() or "").startswith(f"incidents:{role}:"):
                out |= {(round(x, 6), round(y, 6)) for x, y in coll.get_offsets()}
    return out


def _positions(gdf) -> set[tuple[float, float]]:
    return {(round(x, 6), round(y, 6)) for x, y in zip(gdf.geometry.x, gdf.geometry.y,
                                                      strict=True)}


# ---------------------------------------------------------------- the files


@pytest.mark.parametrize("size", ["a4", "slide"])
def test_png_is_300_dpi_at_the_page_size(tmp_path, dataset, size):
    out = tmp_path / "map.png"
    assert render_still(dataset, out, size=size) == [out]
    width, height = SIZES[size]
    assert _png_size(out) == (round(width * DPI), round(height * DPI))


def test_a4_and_slide_sizes_are_what_they_say():
    assert SIZES["a4"][0] * 25.4 == pytest.approx(297, abs=0.1)
    assert SIZES["a4"][1] * 25.4 == pytest.approx(210, abs=0.1)
    assert SIZES["slide"][0] / SIZES["slide"][1] == pytest.approx(16 / 9)
    assert tuple(SIZES) == cli.STILL_SIZES


def test_story_pdf_has_one_page_per_step(tmp_path, dataset, story):
    out = tmp_path / "story.pdf"
    assert render_still(dataset, out, story=story) == [out]
    assert _pdf_pages(out) == len(story.steps) == 12
    text = out.read_bytes()
    assert b"/Subtype /Image" not in text  # vector: no raster image in it


def test_story_pngs_one_per_step(tmp_path, dataset):
    two = parse_story("# T\n## A\nincidents: 2019-12-27-k1-air-base-rocket-attack\n"
                      "## B\nincidents: 2020-01-08-erbil-missile-strike\n", "two.md")
    paths = render_still(dataset, tmp_path / "map.png", story=two, size="slide")
    assert [p.name for p in paths] == ["map-01.png", "map-02.png"]
    assert all(_png_size(p) == (4000, 2250) for p in paths)
    assert not (tmp_path / "map.png").exists()


def test_svg_is_vector_text_and_markers(tmp_path, dataset):
    out = tmp_path / "map.svg"
    render_still(dataset, out)
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<image" not in svg
    assert 'id="incidents:highlight:' in svg


def test_story_paths_number_with_enough_digits():
    assert [p.name for p in story_paths("a/m.pdf", 3)] == ["m-01.pdf", "m-02.pdf", "m-03.pdf"]
    assert story_paths("m.png", 120)[-1].name == "m-120.png"


def test_bad_format_and_size_are_clear(tmp_path, dataset):
    with pytest.raises(StillError, match=r"map\.jpg: a still picture is \.png, \.svg or \.pdf"):
        render_still(dataset, tmp_path / "map.jpg")
    with pytest.raises(StillError, match=r"size must be one of a4, slide, got 'letter'"):
        render_still(dataset, tmp_path / "map.png", size="letter")


def test_tiles_without_contextily_is_a_clear_error(tmp_path, dataset, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "contextily", None)
    with pytest.raises(StillError, match="--tiles needs contextily"):
        render_still(dataset, tmp_path / "map.png", tiles=True)
    assert not (tmp_path / "map.png").exists()


# -------------------------------------------------------- what is drawn


def test_every_incident_is_drawn_in_its_style(dataset):
    fig = still_figure(dataset, title="All")
    assert _drawn(fig, "highlight") == _positions(dataset)
    assert _drawn(fig, "context") == set()
    colors = actor_colors(dataset)
    ax = fig.axes[0]
    for coll in ax.collections:
        gid = coll.get_gid() or ""
        if not gid.startswith("incidents:"):
            continue
        _, _, shape, style = gid.split(":")
        offsets = coll.get_offsets()
        faces, edges = coll.get_facecolors(), coll.get_edgecolors()
        for k, (x, y) in enumerate(offsets):
            here = dataset[(dataset.geometry.x.round(6) == round(x, 6))
                           & (dataset.geometry.y.round(6) == round(y, 6))]
            # (two incidents may share a place: one of them must be drawn like this)
            assert any(_styled_as(row, style, faces, edges, k, colors)
                       for _, row in here.iterrows()), (x, y)


def _rgb(hex_color):
    return tuple(round(int(hex_color[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))


def _styled_as(row, style, faces, edges, k, colors) -> bool:
    dashed = row["attribution_status"] != "confirmed"
    if style != ("dashed" if dashed else "solid"):
        return False
    if dashed and len(faces) and faces[k % len(faces)][3] != 0:
        return False  # not hollow
    got = edges[k % len(edges)] if dashed else faces[k % len(faces)]
    return tuple(np.round(got[:3], 3)) == _rgb(colors.get(row["actor"], OTHER_COLOR))


def test_each_story_step_highlights_exactly_its_incidents(dataset, story):
    for step in story.steps:
        fig = still_figure(dataset, title=story.title, step=step, step_count=len(story.steps))
        mine = dataset[dataset["id"].isin(step.incidents)]
        assert _drawn(fig, "highlight") == _positions(mine), step.heading
        rest = dataset[~dataset["id"].isin(step.incidents)]
        assert _drawn(fig, "context") == _positions(rest), step.heading
        # the step's incidents are inside the map's extent
        ax = fig.axes[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert all(x0 < x < x1 and y0 < y < y1 for x, y in _positions(mine)), step.heading
        # the heading, each paragraph and each incident's key line are on the page
        texts = [t.get_text().replace("\n", " ") for t in fig.findobj(
            lambda a: hasattr(a, "get_text"))]
        joined = " ".join(texts)
        assert step.heading in joined
        for paragraph in step.paragraphs:
            assert " ".join(paragraph.split()[:6]) in joined
        for _, row in mine.iterrows():
            assert row["title"][:40] in joined


def test_labels_do_not_overlap_markers_or_each_other(dataset):
    fig = still_figure(dataset, title="All")
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith(("label:", "country:"))]
    assert any((t.get_gid() or "").startswith("label:") for t in labels)
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    px = ax.transData.transform(np.column_stack([dataset.geometry.x, dataset.geometry.y]))
    for box in boxes:
        inside = ((px[:, 0] > box.x0) & (px[:, 0] < box.x1) & (px[:, 1] > box.y0)
                  & (px[:, 1] < box.y1))
        assert not inside.any()  # no marker centre under a label
    labelled = {t.get_gid()[6:] for t in labels if t.get_gid().startswith("label:")}
    assert labelled | set(fig.still_info["dropped"]) == set(dataset["id"])


@pytest.mark.parametrize("size", ["a4", "slide"])
def test_no_text_runs_off_the_page(dataset, story, size):
    fig = still_figure(dataset, title=story.title, step=story.steps[10], step_count=12, size=size)
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_url"))
             if t.get_text() and t.get_visible()]
    assert texts
    for t in texts:
        box = t.get_window_extent(renderer)
        assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, t.get_text()[:40]


def test_cli_step_writes_one_picture(tmp_path, capsys):
    out = tmp_path / "step.png"
    assert cli.main(["export", str(DATASET), "--story", str(SHIPPED), "--step", "11",
                     "-o", str(out)]) == 0
    assert _png_size(out) == (3508, 2480)
    assert cli.main(["export", str(DATASET), "--story", str(SHIPPED), "--step", "13",
                     "-o", str(out)]) == 1
    assert "no step 13; the story has steps 1 to 12" in capsys.readouterr().err


def test_chain_arrows_follow_related(dataset):
    fig = still_figure(dataset, title="All")
    arrows = [p for p in fig.axes[0].patches if p.get_gid() == "chain"]
    ids = set(dataset["id"])
    expected = sum(1 for rel in dataset["related"] for r in rel
                   if r["id"] in ids)
    assert len(arrows) == expected > 0


def test_hostile_text_is_drawn_as_plain_text(tmp_path):
    evil = "$\\frac{1}{0}$ <script>alert(1)</script> \\undefined{"
    gdf = geodata.frame_from_features([make_feature(0, title=evil, actor=evil),
                                       make_feature(1)])
    out = tmp_path / "evil.svg"
    render_still(gdf, out, title=evil)  # mathtext would raise on these
    fig = still_figure(gdf, title=evil)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_parse_math"))
             if evil[:10] in t.get_text()]
    assert texts
    assert all(not t.get_parse_math() for t in fig.findobj(
        lambda a: hasattr(a, "get_parse_math")) if evil[:10] in t.get_text())
    assert "<script>" not in out.read_text(encoding="utf-8")


def test_only_http_sources_become_links(tmp_path):
    src = [{"title": "Safe", "url": "https://example.org/a"},
           {"title": "Bad", "url": "javascript:alert(1)"}]
    gdf = geodata.frame_from_features([make_feature(0, sources=src)])
    fig = still_figure(gdf, title="Links")
    urls = {t.get_url() for t in fig.findobj(lambda a: hasattr(a, "get_url")) if t.get_url()}
    assert urls == {"https://example.org/a"}


def test_a_large_view_is_drawn_without_labels(dataset):
    big = geodata.frame_from_features([make_feature(i) for i in range(300)])
    fig = still_figure(big, title="Big")
    assert len(_drawn(fig, "highlight")) == len(_positions(big))
    assert not [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith("label:")]


# ------------------------------------------------------------------ CLI


def test_cli_export_story_pdf(tmp_path, capsys):
    story = tmp_path / "two.md"
    story.write_text("# Two steps\n## K-1\nincidents: 2019-12-27-k1-air-base-rocket-attack\n"
                     "## Erbil\nincidents: 2020-01-08-erbil-missile-strike\n", encoding="utf-8")
    out = tmp_path / "story.pdf"
    before = DATASET.read_bytes()
    code = cli.main(["export", str(DATASET), "--story", str(story), "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert _pdf_pages(out) == 2
    assert DATASET.read_bytes() == before


def test_cli_export_png_with_filters(tmp_path, capsys):
    out = tmp_path / "iran.png"
    assert cli.main(["export", str(DATASET), "--actor", "Iran", "--role", "perpetrator",
                     "--size", "slide", "-o", str(out)]) == 0
    assert "of 20 incidents" in capsys.readouterr().out
    assert _png_size(out) == (4000, 2250)


def test_cli_story_incident_left_out_by_filters(tmp_path, capsys):
    code = cli.main(["export", str(DATASET), "--story", str(SHIPPED), "--country", "IRQ",
                     "-o", str(tmp_path / "s.pdf")])
    assert code == 1
    err = capsys.readouterr().err
    assert "step 1 ('Fujairah: four tankers damaged at anchor'), field 'incidents': incident " \
           "'2019-05-12-fujairah-tanker-sabotage' is left out by the filters" in err
    assert not (tmp_path / "s.pdf").exists()


def test_cli_story_with_another_output_is_refused(tmp_path, capsys):
    # (an .html output plays the story: tests/test_story_play.py)
    code = cli.main(["export", str(DATASET), "--story", str(SHIPPED), "-o",
                     str(tmp_path / "s.txt")])
    assert code == 2
    assert "the output must be an .html, .png, .svg or .pdf file" in capsys.readouterr().err


def test_still_module_needs_no_streamlit_or_folium():
    import subprocess
    import sys

    code = ("import sys, mapapp.still; "
            "print(sorted(m for m in ('streamlit', 'folium') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"
    assert still.__all__
