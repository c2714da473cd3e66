"""A starting story to edit, written from a dataset's incidents (see geodata.story)."""

from __future__ import annotations

import geopandas as gpd

from .story import StoryError, StoryProblem, _spans

__all__ = ["new_story"]


def _one_line(value: object) -> str:
    """Text for a heading or a key line: whitespace runs (newlines too) as one space."""
    return " ".join(str(value).split())


def _id_text(value: str) -> str:
    return f"`{value}`" if ("," in value or value != value.strip()) else value


def new_story(gdf: gpd.GeoDataFrame, title: str = "A story") -> str:
    """A starting story to edit: one step per incident, in date order.

    Each step's heading is the incident's title, its ``incidents`` line its
    id, its ``dates`` its day (or span), its text a reminder to write it.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents to tell of (at least one).
    title : str, default "A story"
        The story's title.

    Returns
    -------
    str
        The Markdown text (parses with no problems).

    Raises
    ------
    StoryError
        When ``gdf`` has no incidents or an id cannot be written in a story
        (it contains a backtick).
    """
    if not len(gdf) or "id" not in gdf.columns:
        raise StoryError([StoryProblem("<new story>", None, None, None, None,
                                       "no incidents to make a story of")])
    order = gdf.sort_values(["date", "id"], kind="stable") if "date" in gdf else gdf
    spans = _spans(order)
    bad = [i for i in order["id"].astype(str) if "`" in i or not i.strip()]
    if bad:
        raise StoryError([StoryProblem("<new story>", None, None, None, "incidents",
                                       f"id {bad[0]!r} cannot be written in a story")])
    lines = [f"# {_one_line(title) or 'A story'}", ""]
    titles = order["title"].tolist() if "title" in order else [None] * len(order)
    for key, heading in zip(order["id"].astype(str).tolist(), titles, strict=True):
        first, last = spans.get(key, (None, None))
        heading = _one_line(heading) if isinstance(heading, str) else ""
        lines.append(f"## {heading or _one_line(key)}")
        lines.append(f"incidents: {_id_text(key)}")
        if first is not None:
            lines.append(f"dates: {first}..{last}")
        lines += ["", "Write what happened here, and cite the sources.", ""]
    return "\n".join(lines)
