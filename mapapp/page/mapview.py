"""The map panel: the folium map of the view in the page's own map frame, redrawn in place."""

from __future__ import annotations

import numpy as np
import streamlit as st

import geodata

from .. import assets, contract
from ..builder import base_map, page_group
from ..mapdata import mask_code
from ..state import Dataset, content_key
from . import mapframe
from .load import data_urls
from .story import Played

__all__ = ["MAP_HEIGHT", "prepare", "show"]

MAP_HEIGHT = 620


def _clicked_id(result: dict | None, mask, dataset: Dataset) -> str | None:
    """The id of the incident the user clicked on the map, if the click is new.

    ``result`` is the map frame's value (:class:`mapapp.contract.MapClick`),
    which Streamlit returns again on every rerun: a click is new when its
    frame and count differ from the last one seen.
    """
    if not result:
        return None
    mark = (result.get("frame"), result.get("count"))
    if result.get("count") is None or mark == st.session_state.get("clicks"):
        return None
    st.session_state["clicks"] = mark
    incident = contract.clicked_id(result)  # (the map hands the incident over as an id)
    i = dataset.position(incident) if incident is not None else None
    if i is not None and mask[i]:
        return incident
    lat, lng = result.get("lat"), result.get("lng")
    shown = np.flatnonzero(mask)
    if isinstance(lat, int | float) and isinstance(lng, int | float) and len(shown):
        # (fall back to the nearest incident to the click)
        points = dataset.gdf.geometry.iloc[shown]
        dx = points.x.to_numpy() - lng
        dy = points.y.to_numpy() - lat
        return str(dataset.ids[shown[int((dx * dx + dy * dy).argmin())]])
    return None


def prepare(dataset: Dataset) -> None:
    """Make the dataset's map once, with no visitor: its templates are compiled for the server."""
    mapframe.map_script(base_map(bounds=dataset.bounds, asset_url=assets.static_url))


def show(dataset: Dataset, key: str, filters: geodata.Filters, mask: np.ndarray,
         played=None) -> None:
    """Draw the view on the map; a click on an incident selects it.

    With ``played`` (a :class:`mapapp.page.story.Played`), the map also has
    the step's incidents, highlights them and flies to them.
    """
    story = None
    if isinstance(played, Played):
        story = played.options()
        mask = played.map_mask(mask, dataset)
    base = base_map(bounds=dataset.bounds, asset_url=assets.static_url,
                    basemap=st.session_state.get("basemap", "tiles"))
    data_url, props_url = data_urls(key, dataset)
    group = page_group(
        filters=filters, total=dataset.total, colors=dataset.colors,
        asset_url=assets.static_url, data_url=data_url, props_url=props_url,
        mask=mask_code(mask), legend_open=False, summary=dataset.view_summary(mask),
        selected=st.session_state.get("selected"), story=story,
    )
    center = st.session_state.get("center")
    result = mapframe.show(
        base, group, key=f"map-{content_key(key.encode())}", data_url=data_url,
        height=MAP_HEIGHT, center=center, zoom=7 if center else None,
    )
    clicked = _clicked_id(result, mask, dataset)
    if clicked:
        st.session_state["selected"] = clicked
