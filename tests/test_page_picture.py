"""The page's picture downloads (issue 14): the view as a PNG and a PDF, in a real browser."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from test_page_e2e import _features, _map_frame, server  # noqa: F401 (the page's server)

pytestmark = pytest.mark.browser


def _download(p, name, tmp_path):
    button = p.get_by_role("button", name=name)
    button.scroll_into_view_if_needed()
    with p.expect_download(timeout=180_000) as info:  # (made when pressed: seconds)
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_the_views_picture_and_pdf_are_the_view(server, page, tmp_path):  # noqa: F811
    p = page.page
    p.goto(server + "/?actor=Iran&start=2020-01-01")
    _map_frame(p)
    features = [f["properties"] for f in _features()]
    n = sum("Iran" in (f["actor"], f.get("target")) and f["date"] >= "2020-01-01"
            for f in features)
    assert 0 < n < len(features)
    count = f"{n} of {len(features)} incidents"

    png = _download(p, "PNG, A4 landscape, 300 dpi", tmp_path)
    assert png.name == "incidents-filtered.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (3508, 2480)  # A4 landscape at 300 dpi
        described = image.text["Description"]
    assert count in described and "actor or target: Iran" in described
    assert described.startswith("03 Jan 2020")  # (the view's first day, not the dataset's)

    # the same view on a 16:9 slide, as a vector PDF of one page
    p.get_by_text("16:9 slide", exact=True).click()
    p.get_by_role("button", name="PDF, 16:9 slide (vector)").wait_for(timeout=30_000)
    pdf = _download(p, "PDF, 16:9 slide (vector)", tmp_path)
    assert pdf.name == "incidents-filtered.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 1
    assert re.search(rb"/MediaBox\s*\[\s*0 0 960 540\s*\]", data)  # 16:9, in points
    subject = re.search(rb"/Subject \(([^)]*)\)", data)[1].decode()
    assert count in subject and "actor or target: Iran" in subject
    assert b"/Subtype /Image" not in data  # vector: no raster image in it
    assert page.errors == []
