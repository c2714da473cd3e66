"""The map panel: the folium map of the view, redrawn in place on each change."""

from __future__ import annotations

import numpy as np
import streamlit as st

import geodata

from .. import assets, contract
from ..builder import base_map, page_group
from ..mapdata import mask_code
from ..state import Dataset, content_key
from .load import data_urls
from .story import Played

__all__ = ["MAP_HEIGHT", "prepare", "show"]

MAP_HEIGHT = 620


def _clicked_id(result: dict | None, mask, dataset: Dataset) -> str | None:
    """The id of the incident the user clicked on the map, if any is new."""
    if not result:
        return None
    count = result.get("last_object_clicked_count")
    if count is None or count == st.session_state.get("clicks"):
        return None
    st.session_state["clicks"] = count
    incident = contract.clicked_id(result)  # (the map hands the incident over as an id)
    i = dataset.position(incident) if incident is not None else None
    if i is not None and mask[i]:
        return incident
    where = result.get("last_object_clicked")
    shown = np.flatnonzero(mask)
    if where and len(shown):  # fall back to the nearest incident to the click
        points = dataset.gdf.geometry.iloc[shown]
        dx = points.x.to_numpy() - where["lng"]
        dy = points.y.to_numpy() - where["lat"]
        return str(dataset.ids[shown[int((dx * dx + dy * dy).argmin())]])
    return None


def prepare(dataset: Dataset) -> None:
    """Make the dataset's map once, with no visitor: its templates are compiled for the server."""
    base_map(bounds=dataset.bounds, asset_url=assets.static_url)


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
    # (imported here: streamlit_folium declares its component when imported,
    # which Streamlit records only from a script run, not at the server's start)
    from streamlit_folium import st_folium

    center = st.session_state.get("center")
    result = st_folium(
        base, key=f"map-{content_key(key.encode())}", height=MAP_HEIGHT,
        use_container_width=True, feature_group_to_add=group,
        center=center, zoom=7 if center else None,
        returned_objects=list(contract.CLICK_OBJECTS),
    )
    clicked = _clicked_id(result, mask, dataset)
    if clicked:
        st.session_state["selected"] = clicked
