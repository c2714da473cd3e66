"""The timeline panel: incidents per week (or day) in the map's actor colours."""

from __future__ import annotations

import streamlit as st

from ..mapdata import OTHER_COLOR
from ..state import Dataset

__all__ = ["show", "timeline_spec"]


def timeline_spec(domain: list[str], colors: list[str], freq: str) -> dict:
    """The Vega-Lite spec of the timeline (its data, period/actor/incidents, goes apart).

    The spec stays the same from one filter change to the next, so the
    browser swaps the chart's data in place instead of building a new chart.

    Parameters
    ----------
    domain : list of str
        The actors, in legend order.
    colors : list of str
        Each actor's colour, as on the map.
    freq : {"W", "D"}
        Weekly or daily bars.

    Returns
    -------
    dict
        A Vega-Lite specification without data.
    """
    unit = "week" if freq == "W" else "day"
    return {
        "mark": {"type": "bar"},
        "height": 220,
        "encoding": {
            "x": {"field": "period", "type": "temporal", "title": unit},
            "y": {"field": "incidents", "type": "quantitative", "title": "incidents",
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "color": {"field": "actor", "type": "nominal",
                      "scale": {"domain": domain, "range": colors},
                      "legend": {"title": "Actor", "orient": "right", "labelLimit": 220}},
            "tooltip": [{"field": "period", "type": "temporal", "title": unit},
                        {"field": "actor", "type": "nominal"},
                        {"field": "incidents", "type": "quantitative"}],
        },
    }


def show(mask, dataset: Dataset) -> None:
    """Draw the view's timeline (nothing when the view is empty)."""
    counts, freq = dataset.timeline(mask)
    if not len(counts):
        return
    # The same actors and colours in every view of the dataset (those of the
    # map), so the legend does not shift from one view to the next.
    domain = dataset.timeline_actors
    colors = [dataset.colors.get(a, OTHER_COLOR) for a in domain]
    st.subheader(f"Incidents per {'week' if freq == 'W' else 'day'}")
    st.vega_lite_chart(counts, timeline_spec(domain, colors, freq), width="stretch")
