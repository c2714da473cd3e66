"""JavaScript snippets that read what a Leaflet map really has on it, and the page's map frame."""

from mapapp.serving import MAP_FRAME_PATH


def is_map_frame(frame) -> bool:
    """Whether a Playwright frame is the page's map (our component's frame).

    The one test of it: the page's map is ``mapapp.serving.MAP_COMPONENT``'s
    ``index.html`` (:mod:`mapapp.page.mapframe`); Streamlit adds a query.
    """
    return MAP_FRAME_PATH in frame.url


# Every incident marker currently on any Leaflet map in the page (by id).
DRAWN_IDS = """() => {
  const ids = [];
  const maps = new Set();  // a map can sit in several globals
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) maps.add(v);
  }
  for (const v of maps) {
    {
      v.eachLayer(l => {
        if (l.feature && l.feature.properties && l instanceof L.CircleMarker) {
          ids.push(l.feature.properties.id);
        }
      });
    }
  }
  return ids;
}"""

# What the incident canvas drew last: clusters (count, x, y) and single
# markers (id, x, y), in the map container's pixels.
DRAWN_CANVAS = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) return IncidentMap.drawn(v);
  }
  return null;
}"""

MAP_ZOOM = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) return v.getZoom();
  }
  return null;
}"""

MAP_READY = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) {
      let ready = false;
      v.eachLayer(l => { if (l._imContext && l._imContext.ready) ready = true; });
      if (ready) return true;
    }
  }
  return false;
}"""


def click_marker(frame, incident_id, center=True):
    """Click the marker with the mouse, as a person would (Playwright finds the frame)."""
    point = marker_screen_point(frame, incident_id, center)
    frame.locator(".leaflet-container").first.click(position={"x": point["cx"], "y": point["cy"]})
    return point


def marker_screen_point(page, incident_id, center=True):
    """The marker's centre in the frame's coordinates (for a real mouse click).

    With ``center`` the map first zooms in on it (so it stands apart).
    """
    return page.evaluate(
        """([id, center]) => {
      for (const k of Object.keys(window)) {
        const v = window[k];
        if (v && window.L && v instanceof L.Map) {
          let found = null;
          v.eachLayer(l => {
            if (l.feature && l.feature.properties && l.feature.properties.id === id
                && l instanceof L.CircleMarker) found = l;
          });
          if (found) {
            if (center) v.setView(found.getLatLng(), Math.max(v.getZoom(), 6), {animate: false});
            const p = v.latLngToContainerPoint(found.getLatLng());
            const r = v.getContainer().getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y, cx: p.x, cy: p.y};
          }
        }
      }
      return null;
    }""",
        [incident_id, center],
    )


# True once the map has stopped moving: no pan or zoom animation, and the
# canvas drawn where the map now is (a popup's auto-pan, a fit, a zoom).
MAP_STILL = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) {
      const key = JSON.stringify([v.getCenter(), v.getZoom(), IncidentMap.drawn(v)]);
      const still = !v._animatingZoom && !(v._panAnim && v._panAnim._inProgress)
        && window.__imLastView === key;
      window.__imLastView = key;
      return still;
    }
  }
  return false;
}"""


def wait_until_still(page, timeout=10_000):
    """Wait until the map has stopped moving (two polls see the same view)."""
    page.wait_for_function(MAP_STILL, timeout=timeout, polling=100)
