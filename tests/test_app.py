"""The page's logic through Streamlit's AppTest (no browser), and its pure helpers."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import DATASET, feature_collection, make_feature, opened
from streamlit.testing.v1 import AppTest

import geodata
from geodata.summary import dense_span
from mapapp.mapdata import (
    OTHER_COLOR,
    mask_code,
    read_draw_file,
    read_properties,
    write_data_files,
)
from mapapp.page import md, md_link
from mapapp.state import (
    Dataset,
    filters_from_query,
    load_dataset,
    query_from_filters,
    to_csv_bytes,
)

APP = str(DATASET.parent / "mapapp" / "app.py")


def _features():
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


def _run(monkeypatch=None, data=None, query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if data is not None:
        monkeypatch.setenv("MAPAPP_DATA", str(data))
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return opened(at)


def _shown(at) -> int:
    return int(at.metric[0].value.split(" of ")[0].replace(",", ""))


def _table_ids(at) -> list[str]:
    table = next(df for df in at.dataframe if "id" in df.value.columns)
    return sorted(table.value["id"].tolist())


@pytest.fixture(scope="module")
def dataset_span():
    dates = sorted(f["properties"]["date"] for f in _features())
    ends = sorted(f["properties"].get("end_date", f["properties"]["date"]) for f in _features())
    return dt.date.fromisoformat(dates[0]), dt.date.fromisoformat(ends[-1])


def test_widgets_exist_with_the_data_bounds(dataset_span):
    at = _run()
    assert not at.exception
    dates = at.date_input(key="f_dates")
    assert tuple(dates.value) == dataset_span
    assert dates.min == dataset_span[0] and dates.max == dataset_span[1]
    actors = at.multiselect(key="f_actors")
    expected = sorted({f["properties"]["actor"] for f in _features()}
                      | {f["properties"]["target"] for f in _features()
                         if f["properties"].get("target")})
    assert actors.options == expected
    assert _shown(at) == len(_features())
    assert len(_table_ids(at)) == len(_features())


def test_changing_actor_and_dates_changes_counts_table_and_link():
    at = _run()
    at.multiselect(key="f_actors").select("Iran")
    at.radio(key="f_role").set_value("perpetrator")
    at.run()
    expected = sorted(f["properties"]["id"] for f in _features()
                      if f["properties"]["actor"] == "Iran")
    assert _shown(at) == len(expected)
    assert _table_ids(at) == expected
    assert at.query_params["actor"] in ("Iran", ["Iran"])
    assert at.query_params["role"] == "perpetrator"

    at.date_input(key="f_dates").set_value((dt.date(2020, 1, 1), dt.date(2020, 1, 31))).run()
    expected = sorted(f["properties"]["id"] for f in _features()
                      if f["properties"]["actor"] == "Iran"
                      and "2020-01-01" <= f["properties"]["date"] <= "2020-01-31")
    assert _table_ids(at) == expected and _shown(at) == len(expected)
    assert at.query_params["start"] == "2020-01-01"

    at.button[0].click().run()  # reset
    assert _shown(at) == len(_features())


def test_query_parameters_set_the_widgets():
    at = _run(query={"actor": "Kataib Hezbollah", "start": "2019-12-27", "end": "2020-01-08",
                     "event_type": "Explosions/Remote violence"})
    assert not at.exception
    assert at.multiselect(key="f_actors").value == ["Kataib Hezbollah"]
    assert tuple(at.date_input(key="f_dates").value) == (dt.date(2019, 12, 27),
                                                          dt.date(2020, 1, 8))
    expected = sorted(
        f["properties"]["id"] for f in _features()
        if "Kataib Hezbollah" in (f["properties"]["actor"], f["properties"].get("target"))
        and "2019-12-27" <= f["properties"]["date"] <= "2020-01-08"
    )
    assert _table_ids(at) == expected


def test_bad_query_parameters_are_ignored_with_a_note():
    at = _run(query={"start": "yesterday", "actor": "Nobody", "colour": "red", "role": "boss"})
    assert not at.exception
    notes = _plain(" ".join(i.value for i in at.info))
    assert "ignored start='yesterday': not a date as YYYY-MM-DD" in notes
    assert "ignored actor='Nobody': not in this dataset" in notes
    assert "ignored unknown parameter 'colour'" in notes
    assert "ignored role='boss'" in notes
    assert _shown(at) == len(_features())


def test_a_link_with_a_thousand_bogus_parameters_shows_ten_notes():
    at = _run(query={f"p{i}": "x" for i in range(1000)})
    assert not at.exception
    notes = _plain(at.info[0].value).split("\n")
    notes = [n.strip() for n in notes if n.strip()]
    assert notes[:10] == [f"Link parameter ignored unknown parameter 'p{i}'." for i in range(10)]
    assert notes[10:] == ["… and 990 more."]
    assert _shown(at) == len(_features())


def test_a_filter_that_empties_the_view_says_which(monkeypatch):
    at = _run(query={"actor": "Israel Defense Forces", "status": "disputed"})
    assert _shown(at) == 0
    assert any("no incident matches" in w.value or "none match" in w.value for w in at.warning)


def test_a_bad_file_lists_its_problems_and_keeps_the_good_part(monkeypatch, tmp_path):
    features = [make_feature(0), make_feature(1, date="2020-02-30"),
                make_feature(2, sources=[{"title": "x", "url": "javascript:alert(1)"}])]
    path = tmp_path / "mine.geojson"
    path.write_text(json.dumps(feature_collection(features)))
    at = _run(monkeypatch, data=path)
    assert not at.exception
    assert _shown(at) == 1
    problems = next(df for df in at.dataframe if "message" in df.value.columns).value
    assert problems[["index", "id", "field"]].values.tolist() == [
        [1, "inc-1", "date"], [2, "inc-2", "sources[0].url"]]
    assert "not an http(s) URL: 'javascript:alert(1)'" in problems["message"].tolist()


def test_an_unreadable_file_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    at = _run(monkeypatch, data=path)
    assert not at.exception
    assert "broken.geojson: not valid JSON" in at.error[0].value


def test_the_view_survives_a_file_that_could_not_be_read(monkeypatch, tmp_path):
    # a run that stops on a bad file draws no widget; the filters are read before they are drawn
    at = _run(monkeypatch, data=DATASET)
    at.multiselect(key="f_actors").select("Iran").run()
    iran = sum(1 for f in _features()
               if "Iran" in (f["properties"]["actor"], f["properties"].get("target")))
    assert _shown(at) == iran
    broken = tmp_path / "broken.geojson"
    broken.write_text("{")
    monkeypatch.setenv("MAPAPP_DATA", str(broken))
    at.run()
    assert at.error and not at.exception
    monkeypatch.setenv("MAPAPP_DATA", str(DATASET))
    at.run()
    assert not at.exception
    assert _shown(at) == iran and at.multiselect(key="f_actors").value == ["Iran"]


def _plain(text: str) -> str:
    """What a person reads of Markdown-escaped text (the backslashes go)."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


_HEADER = "id,date,actor,target,event_type,latitude,longitude,country,title\n"


@pytest.mark.parametrize("case", ["empty collection", "all invalid", "header-only csv",
                                  "empty csv"])
def test_a_dataset_with_no_usable_incident_is_a_message_and_its_problems(
        monkeypatch, tmp_path, case):
    name, text = {
        "empty collection": ("none.geojson", json.dumps(feature_collection([]))),
        "all invalid": ("bad.geojson", json.dumps(feature_collection(
            [make_feature(0, date="2020-02-30"), make_feature(1, country="Iraq!")]))),
        "header-only csv": ("header.csv", _HEADER),
        "empty csv": ("blank.csv", ""),
    }[case]
    path = tmp_path / name
    path.write_text(text)
    at = _run(monkeypatch, data=path)
    assert not at.exception
    message = _plain(at.error[0].value)
    if case == "empty csv":  # (the loader refuses it: page/load.py's message)
        assert f"{name}: the file is empty" in message
        return
    assert message.startswith(f"{name} ")  # the file's name, not where it is on the server
    assert str(tmp_path) not in " ".join(_plain(e.value) for e in at.error)
    if case == "all invalid":
        assert "all 2 of its incidents have problems" in message
        label = _plain(at.expander[0].label)
        assert label == f"⚠ {name}: 2 incidents, 2 invalid (2 problems), 0 usable"
        problems = next(df for df in at.dataframe if "message" in df.value.columns).value
        assert problems[["index", "id", "field"]].values.tolist() == [
            [0, "inc-0", "date"], [1, "inc-1", "country"]]
    else:
        assert "nothing to map: it holds no incident" in message
        assert not at.expander


def test_the_problem_summary_counts_in_the_singular_and_plural(monkeypatch, tmp_path):
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(feature_collection([make_feature(0),
                                                   make_feature(1, date="2020-02-30")])))
    at = _run(monkeypatch, data=path)
    assert not at.exception
    assert _plain(at.expander[0].label) == (
        "⚠ one.geojson: 2 incidents, 1 invalid (1 problem), 1 usable")


def test_the_csv_reject_table_names_the_row_id_and_field(monkeypatch, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(_HEADER
                    + "a1,2020-01-08,Iran,United States,Explosions/Remote violence,33.79,42.44,"
                      "IRQ,Strike\n"
                    + "a2,2020-01-09,Iran,United States,Explosions/Remote violence,95.0,42.44,"
                      "IRQ,Off the globe\n"
                    + "a3,2020-02-30,Iran,United States,Explosions/Remote violence,95.0,42.44,"
                      "IRQ,Two things wrong\n")
    at = _run(monkeypatch, data=path)
    assert not at.exception
    problems = next(df for df in at.dataframe if "message" in df.value.columns).value
    assert problems["id"].tolist() == ["a2", "a3", "a3"]
    assert problems["line"].tolist() == [3, 4, 4]
    assert sorted(zip(problems["id"], problems["field"], strict=True)) == [
        ("a2", "latitude"), ("a3", "date"), ("a3", "latitude")]
    assert all("95.0" in m for f, m in zip(problems["field"], problems["message"], strict=True)
               if f == "latitude")


# ---------------------------------------------------------------- pure helpers


def test_query_round_trip():
    ds = load_dataset(DATASET, label="x")
    f = geodata.Filters(start="2019-12-27", end="2020-01-08", actors=["Iran", "United States"],
                        role="perpetrator", statuses=["disputed"])
    query = query_from_filters(f, selected="abc")
    assert query == {"start": "2019-12-27", "end": "2020-01-08",
                     "actor": ["Iran", "United States"], "role": "perpetrator",
                     "status": ["disputed"], "id": "abc"}
    values, notes = filters_from_query(query, ds)
    assert notes == ["ignored id='abc': no such incident"]
    assert values["actors"] == ["Iran", "United States"] and values["role"] == "perpetrator"


def test_the_map_data_file_and_mask_pick_the_view(tmp_path):
    ds = load_dataset(DATASET, label="x")
    view, mask = ds.view(geodata.Filters(actors=["Iran"]))
    draw_path, props_path = write_data_files(ds.gdf, tmp_path / "d", colors=ds.colors, block=7)
    draw = read_draw_file(draw_path)
    props = read_properties(props_path)
    assert draw["ids"] == [p["id"] for p in props] == ds.gdf["id"].tolist()
    code = mask_code(mask)
    bits = np.unpackbits(np.frombuffer(base64.b64decode(code), dtype=np.uint8),
                         bitorder="little")[: draw["n"]]
    picked = [i for i, b in zip(draw["ids"], bits, strict=True) if b]
    assert picked == view["id"].tolist()
    # the properties are the file's, every one of them (absent and null alike)
    def given(p):
        return {k: v for k, v in p.items() if v is not None}

    source = {f["properties"]["id"]: given(f["properties"])
              for f in json.loads(DATASET.read_text(encoding="utf-8"))["features"]}
    assert [given(p) for p in props] == [source[p["id"]] for p in props]
    assert mask_code(np.ones(len(ds.gdf), dtype=bool)) == "all"


def test_markdown_from_data_is_inert():
    j = "\u2060"  # (an invisible word joiner)
    assert md("[x](javascript:alert(1)) $x$ <b> & a@b") == (
        r"\[x\]\(javascript\:alert\(1\)\) \$x\$ \<b\> \& a" + j + "@b")
    assert md("response to: x") == r"response to\: x"  # (no joiner where no link could be)
    # no bare URL, www. name or address is left for Markdown to turn into a link
    assert md("see https://evil.example/x or WWW.evil.example") == (
        rf"see https{j}\://evil\.example/x or WWW{j}\.evil\.example")
    assert md_link("t", "javascript:alert(1)") == "t"
    assert md_link("t", "https://a.org/x(1)") == "[t](https://a.org/x%281%29)"
    assert md_link("t", "https://a.org/x y") == "t"  # not a URL: no link


def _csv_rows(data: bytes) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\t=1",
                                   "\r=cmd|' /C calc'!A0", "ok\r=cmd|' /C calc'!A0",
                                   "ok\n@x", "ok\r\n-1", "plain, with \"quotes\""])
def test_csv_download_neutralises_formulas_and_keeps_one_row_per_incident(value):
    gdf = geodata.frame_from_features([make_feature(0, title=value), make_feature(1)])
    rows = _csv_rows(to_csv_bytes(gdf))
    # a CR or LF inside a value does not split the row
    assert [r["id"] for r in rows] == ["inc-0", "inc-1"]
    title = rows[0]["title"]
    # no line of the cell starts like a formula, and the text is all there
    lines = title.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert not any(line.startswith(_FORMULA) for line in lines), title
    assert title.replace("'", "") == value.replace("'", "")
    if not value.startswith(_FORMULA) and "\r" not in value and "\n" not in value:
        assert title == value  # (text that is no formula is left as it is)


def test_csv_download_guards_the_header_cells():
    gdf = geodata.frame_from_features([make_feature(0, **{"=cmd()": "x", "@a": "y"})])
    header = to_csv_bytes(gdf).decode().splitlines()[0].split(",")
    assert "'=cmd()" in header and "'@a" in header
    assert not any(h.startswith(_FORMULA) for h in header)


def test_csv_download_writes_lists_and_objects_as_text():
    features = _features()
    gdf = geodata.frame_from_features(features)
    rows = {r["id"]: r for r in _csv_rows(to_csv_bytes(gdf))}
    assert len(rows) == len(features)
    for f in features:
        p = f["properties"]
        row = rows[p["id"]]
        for column in ("attribution", "sources", "related"):
            assert not row[column].startswith(("{", "[")), row[column]  # (not JSON)
        a = p["attribution"]
        assert row["attribution"].startswith(a["status"])
        for who in a["claimed_by"]:
            assert f"claimed by: {', '.join(a['claimed_by'])}" in row["attribution"]
            assert who in row["attribution"]
        if a["blamed_by"]:
            assert f"blamed by: {', '.join(a['blamed_by'])}" in row["attribution"]
        # every source's title, and its link in <>, in order
        at = 0
        for s in p["sources"]:
            at = row["sources"].index(s["title"], at)
            if s.get("url"):
                at = row["sources"].index(f"<{s['url']}>", at)
        assert row["related"] == "; ".join(
            f"{r['relation'].replace('_', ' ')}: {r['id']}" for r in p["related"])
        assert float(row["longitude"]) == pytest.approx(f["geometry"]["coordinates"][0])
    k1 = rows["2019-12-29-us-airstrikes-kataib-hezbollah-iraq"]
    assert k1["related"] == ("response to: 2019-12-27-k1-air-base-rocket-attack; "
                             "same attack: 2019-12-29-us-airstrikes-kataib-hezbollah-syria")
    assert k1["attribution"].startswith("confirmed; claimed by: United States")


def test_template_syntax_in_the_data_does_not_break_the_page(monkeypatch, tmp_path):
    features = [make_feature(0, actor="{{ 7*7 }}"), make_feature(1, actor="{# x", title="{% y")]
    path = tmp_path / "jinja.geojson"
    path.write_text(json.dumps(feature_collection(features)))
    at = _run(monkeypatch, data=path, query={"actor": "{{ 7*7 }}"})
    assert not at.exception
    assert at.multiselect(key="f_actors").value == ["{{ 7*7 }}"]
    assert _table_ids(at) == ["inc-0"]


def test_the_page_takes_a_plain_csv_like_an_import(monkeypatch, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "id,date,actor,target,event_type,latitude,longitude,country,title\n"
        "a1,2020-01-08,Iran,United States,Explosions/Remote violence,33.79,42.44,IRQ,Strike\n"
        "a2,2020-02-30,Iran,United States,Explosions/Remote violence,36.23,43.96,IRQ,Bad day\n"
    )
    at = _run(monkeypatch, data=path)
    assert not at.exception
    assert _shown(at) == 1
    problems = next(df for df in at.dataframe if "message" in df.value.columns).value
    assert len(problems) == 1 and problems["line"].iloc[0] == 3
    assert problems["id"].iloc[0] == "a2" and "2020-02-30" in problems["message"].iloc[0]


def test_the_table_is_made_once_per_dataset_and_row_i_is_incident_i():
    from mapapp.page.tabledata import table_data

    ds = load_dataset(DATASET, label="x")
    data = table_data(ds)
    assert table_data(ds) is data  # (every rerun and session showing it shares one table)
    assert data.order(("date", "id"), (False, True)) is data.order(("date", "id"), (False, True))
    other = load_dataset(DATASET, label="x")
    assert table_data(other) is not data
    rows = data.rows(np.arange(ds.total))
    assert rows.column("id").to_pylist() == ds.ids.tolist()
    assert rows.column("title").to_pylist() == ds.gdf["title"].tolist()
    last_first = data.rows([ds.total - 1, 0])
    assert last_first.column("id").to_pylist() == [ds.ids[-1], ds.ids[0]]


def test_a_big_view_sends_a_capped_table_in_the_chosen_order(monkeypatch):
    # (the cap is 10,000 rows; the built-in dataset is tiny, so lower it)
    import mapapp.page.table

    monkeypatch.setattr(mapapp.page.table, "TABLE_ROWS", 5)
    at = _run()
    assert not at.exception
    table = next(df for df in at.dataframe if "id" in df.value.columns).value
    props = [f["properties"] for f in _features()]
    newest = sorted(props, key=lambda p: (p["date"], p["id"]))
    newest = sorted(newest, key=lambda p: p["date"], reverse=True)[:5]
    assert table["id"].tolist() == [p["id"] for p in newest]
    assert any(f"The first 5 of {len(props)} incidents" in c.value for c in at.caption)
    # the sources: how many, and the first http(s) link
    first = {p["id"]: next((s["url"] for s in p["sources"]
                            if (s.get("url") or "").startswith("http")), None) for p in props}
    assert table["source"].tolist() == [first[i] for i in table["id"]]
    assert table["sources"].tolist() == [len(p["sources"]) for p in newest]
    at.radio(key="table_order").set_value("most fatalities").run()
    table = next(df for df in at.dataframe if "id" in df.value.columns).value
    deadliest = sorted((-1 if p.get("fatalities") is None else p["fatalities"] for p in props),
                       reverse=True)[:5]
    assert [-1 if v is None or v != v else v for v in table["fatalities"].tolist()] == deadliest
    # the metrics still count the whole view
    assert _shown(at) == len(props)


@pytest.mark.parametrize("filters", [geodata.Filters(),
                                     geodata.Filters(actors=["Iran"]),
                                     geodata.Filters(start=dt.date(2019, 12, 27),
                                                     end=dt.date(2020, 1, 8)),
                                     geodata.Filters(actors=["nobody"])])
def test_timeline_counts_follow_the_filters(filters):
    ds = load_dataset(DATASET, label="x")
    view, mask = ds.view(filters)
    counts, freq = ds.timeline(mask)
    if not len(view):
        assert counts.empty
        return
    # the same counts the plain pandas way
    span = (view["date"].max() - view["date"].min()).days
    assert freq == ("D" if span <= 120 else "W")
    top = list(ds.colors)[:10]
    actor = view["actor"].astype(object).where(view["actor"].astype(object).isin(top), "Other")
    period = (view["date"].dt.normalize() if freq == "D"
              else view["date"].dt.to_period("W-SUN").dt.start_time)
    expected = (pd.DataFrame({"period": period, "actor": actor})
                .groupby(["period", "actor"]).size().rename("incidents").reset_index())
    got = counts.sort_values(["period", "actor"]).reset_index(drop=True)
    expected = expected.sort_values(["period", "actor"]).reset_index(drop=True)
    assert got["period"].tolist() == expected["period"].tolist()
    assert got["actor"].tolist() == expected["actor"].tolist()
    assert got["incidents"].tolist() == expected["incidents"].tolist()
    assert counts["incidents"].sum() == len(view)


def _chart(at):
    import pyarrow as pa

    proto = at.get("vega_lite_chart")[0].proto
    data = pa.ipc.open_stream(proto.data.data).read_all().to_pandas()
    return data, json.loads(proto.spec)


def test_the_timeline_chart_counts_the_view_in_the_map_colours():
    ds = load_dataset(DATASET, label="x")
    at = _run()
    at.toggle(key="timeline_whole").set_value(True).run()
    data, spec = _chart(at)
    assert data["incidents"].sum() == _shown(at) == len(_features())
    at.multiselect(key="f_actors").select("Iran")
    at.radio(key="f_role").set_value("perpetrator")
    at.run()
    data, spec = _chart(at)
    iran = [f["properties"] for f in _features() if f["properties"]["actor"] == "Iran"]
    assert data["incidents"].sum() == len(iran)
    assert set(data["actor"]) == {"Iran"}
    # each bar's colour is its actor's colour on the map; the legend is the
    # dataset's (the same in every view: the chart only swaps its data)
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ds.timeline_actors and "Iran" in scale["domain"]
    assert scale["range"] == [ds.colors.get(a, OTHER_COLOR) for a in scale["domain"]]
    assert set(data["actor"]) <= set(scale["domain"])
    assert spec["encoding"]["x"]["field"] == "period"
    at.radio(key="f_role").set_value("any").run()
    assert _chart(at)[1] == spec


def _mixed_dataset() -> Dataset:
    """The built-in incidents plus some with missing figures, spans and types."""
    extra = [make_feature(i, fatalities=None if i % 4 == 0 else i,
                          fatalities_low=i if i % 3 == 0 else ...,
                          fatalities_high=2 * i + 1 if i % 3 == 0 else ...,
                          end_date="2020-02-10" if i % 5 == 0 else ...,
                          event_type=["Battles", "Protests", "Riots"][i % 3])
             for i in range(30)]
    gdf = geodata.frame_from_features(_features() + extra)
    return Dataset(gdf, geodata.ValidationReport(source="x", n_features=len(gdf)), label="x")


@pytest.mark.parametrize("pick", ["all", "none", "iran", "every third", "one"])
def test_view_figures_from_a_mask_match_those_of_the_view(pick):
    # the page sums a view's figures from per-dataset arrays, without making its frame
    from mapapp.builder import view_summary

    ds = _mixed_dataset()
    gdf = ds.gdf
    mask = {
        "all": np.ones(len(gdf), bool),
        "none": np.zeros(len(gdf), bool),
        "iran": ds.mask(geodata.Filters(actors=["Iran"])),
        "every third": np.arange(len(gdf)) % 3 == 0,
        "one": np.arange(len(gdf)) == len(gdf) - 5,
    }[pick]
    view = gdf.loc[mask]
    assert ds.overview(mask) == geodata.overview(view)
    assert ds.view_summary(mask) == view_summary(view)
    if pick == "every third":
        assert len(ds.view_summary(mask)["event_types"]) > 1


def _brute_dense_span(days: list[dt.date], share: float):
    """The shortest window holding ceil(share * n) of the days, the plain way."""
    days = sorted(days)
    k = max(1, -(-int(round(share * len(days) * 1000)) // 1000))
    best = None
    for i in range(len(days) - k + 1):
        window = (days[i], days[i + k - 1])
        if best is None or (window[1] - window[0]) < (best[1] - best[0]):
            best = window
    return best


@pytest.mark.parametrize("seed", range(20))
def test_the_dense_span_is_the_shortest_window_holding_ninety_percent(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    days = [dt.date(2019, 1, 1) + dt.timedelta(days=int(x)) for x in rng.integers(0, 2000, n)]
    got = dense_span(np.array(days, dtype="datetime64[D]"))
    want = _brute_dense_span(days, 0.9)
    assert (got[1] - got[0]).astype(int) == (want[1] - want[0]).days
    held = sum(got[0] <= np.datetime64(d) <= got[1] for d in days)
    assert held >= 0.9 * n
    assert dense_span(np.array([], dtype="datetime64[D]")) is None
    # the earliest of the shortest windows, as the sorted dates give it
    for share in (0.9, 0.5, 1.0, 0.01):
        d = np.sort(np.array(days + [None], dtype="datetime64[D]"))[:-1]
        k = max(1, min(n, int(np.ceil(share * n - 1e-9))))
        i = int(np.argmin(d[k - 1:] - d[: n - k + 1]))
        assert dense_span(np.array(days + [None], dtype="datetime64[D]"), share) == (
            d[i], d[i + k - 1])


def test_the_timeline_opens_on_the_escalation_with_the_whole_span_a_click_away():
    props = [f["properties"] for f in _features()]
    at = _run()
    assert not at.exception
    data, _ = _chart(at)
    # the 1979 and 2008 incidents are a click away; the escalation fills the chart
    escalation = [p for p in props if p["date"] >= "2019-01-01"]
    assert data["incidents"].sum() == len(escalation) == len(props) - 2
    assert data["period"].min() >= pd.Timestamp("2019-05-06")
    caption = " ".join(c.value for c in at.caption)
    assert f"where {len(escalation)} of the view's {len(props)} incidents are" in caption
    whole = at.toggle(key="timeline_whole")
    assert "1979-11-04 to 2020-03-14" in whole.label
    whole.set_value(True).run()
    data, _ = _chart(at)
    assert data["incidents"].sum() == len(props)
    assert data["period"].min() < pd.Timestamp("1980-01-01")
    # a view whose incidents are already close together opens on all of them
    at.date_input(key="f_dates").set_value((dt.date(2020, 1, 1), dt.date(2020, 1, 31))).run()
    data, _ = _chart(at)
    january = [p for p in props if p["date"] <= "2020-01-31"
               and p.get("end_date", p["date"]) >= "2020-01-01"]  # (overlapping January)
    assert data["incidents"].sum() == len(january) == _shown(at)


def test_the_tables_first_link_is_the_same_by_arrow_as_by_objects():
    from geodata import nested
    from mapapp.page.tabledata import _sources, _typed_sources

    def src(url, title="t"):
        return {"title": title, "url": url}

    rows = [
        [src("https://a.org/1"), src("https://b.org/2")],
        [src("javascript:alert(1)"), src("HTTP://c.org")],
        [src(" https://d.org "), src("https://e.org")],      # spaces: is_http_url strips them
        [src("https://exämple.org/x"), src("https://f.org")],  # not ASCII: still a link
        [src("https://g.org/a b")],                            # a space inside: no link
        [{"title": "no url"}, src("ftp://h.org"), src("https://i.org")],
        [], None, [src("https://")], [src("http://j.org")] * 3,
    ]
    arr = nested.typed_array("sources", rows)
    assert arr is not None  # (typed: the Arrow path is the one tested)
    assert _typed_sources(arr) == _sources(rows)
    assert _sources(rows)[0][:4] == ["https://a.org/1", "HTTP://c.org", " https://d.org ",
                                     "https://exämple.org/x"]


def test_the_first_run_leaves_the_filters_timeline_and_table_for_the_run_the_map_asks_for():
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    assert not at.dataframe and not at.get("vega_lite_chart")
    assert any("follow once the map is drawn" in c.value for c in at.caption)
    assert not at.get("download_button")  # (they come with the run after: never lost mid-run)
    assert not at.sidebar.multiselect and not at.sidebar.date_input  # (the filters, then)
    assert not at.get("file_uploader")
    assert any("filters follow once the map is drawn" in c.value for c in at.sidebar.caption)
    shown = _shown(at)  # (the map and the figures come on the first run)
    at.run()  # (the map, drawn, sends its MapClick with drawn true: Streamlit runs the page again)
    assert _table_ids(at) and at.get("vega_lite_chart") and at.get("download_button")
    assert not any("follow once the map is drawn" in c.value for c in at.caption)
    assert at.sidebar.multiselect(key="f_actors").value == [] and at.get("file_uploader")
    assert _shown(at) == shown  # (the widgets show the filters the first map was drawn with)


def test_a_link_s_filters_hold_from_the_first_run_to_the_widgets_of_the_second():
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"actor": "Iran", "start": "2020-01-01"})
    at.run()
    first = _shown(at)
    at.run()
    assert at.sidebar.multiselect(key="f_actors").value == ["Iran"]
    assert at.sidebar.date_input(key="f_dates").value[0] == dt.date(2020, 1, 1)
    assert _shown(at) == first and first < _shown(AppTest.from_file(APP, default_timeout=90).run())


@pytest.mark.parametrize("content", [None, '{"type": "FeatureCollection", "features": []}'])
def test_a_file_with_nothing_to_map_offers_the_upload_on_the_first_run(tmp_path, monkeypatch,
                                                                       content):
    path = tmp_path / "theirs.geojson"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("MAPAPP_DATA", str(path))
    at = AppTest.from_file(APP, default_timeout=90).run()  # (one run: no map will ask for more)
    assert not at.exception
    assert at.get("file_uploader")
    said = " ".join(e.value for e in at.error).replace("\\", "")  # (Markdown's escapes)
    assert "theirs.geojson" in said
