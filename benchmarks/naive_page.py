"""The naive Streamlit map page, for bench_page.py to compare against.

What hobby apps do: read the file on every rerun, filter with a Python loop,
and build a new folium map with one Marker and Popup per incident, handed
whole to st_folium (so every change reloads the map). Only its scripts are
served locally (from installed packages, as the real page does) so that it
can draw at all with no network.
"""

import html
import os
import sys
from pathlib import Path

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mapapp import assets  # noqa: E402
from mapapp.localize import localize  # noqa: E402

assets.write_static(Path(__file__).resolve().parent / "static")

gdf = gpd.read_file(os.environ["MAPAPP_DATA"])  # every rerun, no cache
actors = sorted(set(gdf["actor"].dropna()) | set(gdf["target"].dropna()))
chosen = st.sidebar.multiselect("Actors", actors)
role = st.sidebar.radio("Actor's role", ["any", "perpetrator", "target"], horizontal=True)

rows = []
for _, row in gdf.iterrows():  # a Python loop per incident
    if chosen:
        as_actor = row["actor"] in chosen
        as_target = row["target"] in chosen
        if role == "any" and not (as_actor or as_target):
            continue
        if role == "perpetrator" and not as_actor:
            continue
        if role == "target" and not as_target:
            continue
    rows.append(row)

m = folium.Map(location=[30, 45], zoom_start=4, tiles=None)
for row in rows:  # one Marker with a Popup per incident
    title, actor = html.escape(str(row["title"])), html.escape(str(row["actor"]))
    popup = f"<b>{title}</b><br>{row['date']}<br>{actor}"
    folium.Marker([row.geometry.y, row.geometry.x], popup=folium.Popup(popup)).add_to(m)
localize(m, asset_url=assets.static_url)
st.metric("Incidents shown", len(rows))
st_folium(m, height=620, use_container_width=True, returned_objects=[])
