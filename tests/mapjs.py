"""JavaScript snippets that read what a Leaflet map really has on it."""

# Every incident marker currently on any Leaflet map in the page (by id).
DRAWN_IDS = """() => {
  const ids = [];
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) {
      v.eachLayer(l => {
        if (l.feature && l.feature.properties && l instanceof L.CircleMarker) {
          ids.push(l.feature.properties.id);
        }
      });
    }
  }
  return ids;
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


def marker_screen_point(page, incident_id):
    """The marker's centre in page coordinates (for a real mouse click)."""
    return page.evaluate(
        """(id) => {
      for (const k of Object.keys(window)) {
        const v = window[k];
        if (v && window.L && v instanceof L.Map) {
          let found = null;
          v.eachLayer(l => {
            if (l.feature && l.feature.properties && l.feature.properties.id === id
                && l instanceof L.CircleMarker) found = l;
          });
          if (found) {
            v.setView(found.getLatLng(), Math.max(v.getZoom(), 6), {animate: false});
            const p = v.latLngToContainerPoint(found.getLatLng());
            const r = v.getContainer().getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
          }
        }
      }
      return null;
    }""",
        incident_id,
    )
