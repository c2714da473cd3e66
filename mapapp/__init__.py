"""mapapp: the presentation of incidents.

One folium map builder (:mod:`mapapp.builder`) used by both the standalone
HTML export and the Streamlit page (``mapapp/app.py``), and the ``mapapp``
command line (:mod:`mapapp.cli`).
"""

__all__: list[str] = []
