"""The timeline panel: incidents per week (or day) in the map's actor colours."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geodata.summary import period_starts

from ..mapdata import OTHER_COLOR
from ..state import Dataset

__all__ = ["FOCUS_MAX_SHARE", "focus", "mark_layer", "show", "timeline_spec"]


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


def mark_layer(spec: dict, first: str, last: str, freq: str) -> dict:
    """The spec with a band over the bars of days ``first`` to ``last`` (a story's step).

    Parameters
    ----------
    spec : dict
        From :func:`timeline_spec`.
    first, last : str
        The step's first and last day, ``YYYY-MM-DD`` (inclusive).
    freq : {"W", "D"}
        The bars' period: the band covers the bars those days fall in (a bar
        is centred on its period's first day).

    Returns
    -------
    dict
        A layered spec: the band and a wide rule at its middle (their own
        data), then the bars.
    """
    days = np.array([first, last], dtype="datetime64[D]")
    starts = period_starts(days, freq).astype("datetime64[s]")  # (as JavaScript parses it)
    half = np.timedelta64(84 if freq == "W" else 12, "h")
    lo, hi = (starts[0] - half).astype(str), (starts[1] + half).astype(str)
    label = first if first == last else f"{first} to {last}"
    band = {
        "data": {"values": [{"start": lo, "end": hi, "label": f"this step: {label}"}]},
        "mark": {"type": "rect", "color": "#9aa0a6", "opacity": 0.3, "stroke": "#333",
                 "strokeWidth": 1, "strokeDash": [4, 3]},
        "encoding": {"x": {"field": "start", "type": "temporal"},
                     "x2": {"field": "end"},
                     "tooltip": [{"field": "label", "type": "nominal", "title": "story"}]},
    }
    # (and a wide rule at its middle: a step of one week is narrower than its bar)
    mid = (starts[0] + (starts[1] - starts[0]) // 2).astype(str)
    rule = {
        "data": {"values": [{"mid": mid}]},
        "mark": {"type": "rule", "color": "#9aa0a6", "opacity": 0.45, "strokeWidth": 14},
        "encoding": {"x": {"field": "mid", "type": "temporal"}},
    }
    bars = {k: v for k, v in spec.items() if k != "height"}
    return {"height": spec.get("height", 220), "layer": [band, rule, bars]}


#: The timeline opens on the dense span when it is at most this share of the
#: whole one (else the whole span is as good a view).
FOCUS_MAX_SHARE = 0.5


def focus(mask, dataset: Dataset):
    """The span the timeline opens on, and the view's whole span, or None to show it all.

    Parameters
    ----------
    mask : numpy.ndarray of bool
        The view.
    dataset : mapapp.state.Dataset
        The dataset.

    Returns
    -------
    tuple or None
        ``((first, last), (start, end))`` as ``numpy.datetime64[D]`` when the
        shortest span holding 90% of the view's incidents is at most
        :data:`FOCUS_MAX_SHARE` of the view's span; None otherwise.
    """
    dense = dataset.dense_span(mask)
    whole = dataset.figures.dense_span(mask, share=1.0)
    if dense is None or whole is None:
        return None
    width = (whole[1] - whole[0]).astype("int64")
    if width <= 0 or (dense[1] - dense[0]).astype("int64") > FOCUS_MAX_SHARE * width:
        return None
    return dense, whole


def show(mask, dataset: Dataset, mark: tuple[str, str] | None = None) -> None:
    """Draw the view's timeline, opened on where its incidents are (nothing when empty).

    ``mark``: a story step's first and last day, drawn as a band.
    """
    focused = focus(mask, dataset)
    span = None
    if focused is not None:
        (first, last), (start, end) = focused
        whole = st.toggle(f"Whole span ({start} to {end})", key="timeline_whole")
        span = None if whole else (first, last)
    counts, freq = dataset.timeline(mask, span=span)
    if not len(counts):
        return
    # The same actors and colours in every view of the dataset (those of the
    # map), so the legend does not shift from one view to the next.
    domain = dataset.timeline_actors
    colors = [dataset.colors.get(a, OTHER_COLOR) for a in domain]
    st.subheader(f"Incidents per {'week' if freq == 'W' else 'day'}")
    if span is not None:
        inside = int(counts["incidents"].sum())
        st.caption(f"{first} to {last}, where {inside:,} of the view's "
                   f"{int(mask.sum()):,} incidents are; switch on the whole span to see "
                   "the rest.")
    spec = timeline_spec(domain, colors, freq)
    if mark is not None:
        spec = mark_layer(spec, *mark, freq)
    st.vega_lite_chart(counts, spec, width="stretch")
