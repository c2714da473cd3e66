"""The Streamlit page: ``streamlit run mapapp/app.py [-- FILE]`` (or ``mapapp serve``).

The dataset is the FILE given after ``--``, else ``$MAPAPP_DATA``, else the
built-in ``incidents.geojson``.

This file is both the server and the page's script. ``streamlit run`` finds
``app`` (an ``st.App``) and starts the server from it, which opens the
dataset as it starts (:mod:`mapapp.warmup`), before the first visitor
comes; Streamlit then runs this file as the page's script (``__main__``) for
each visitor, as Streamlit's test harness does.
"""

import sys
from pathlib import Path

import streamlit as st

# Allow `streamlit run mapapp/app.py` from a checkout without installing.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if __name__ == "__main__":  # (the page's script, run for each visitor)
    from mapapp.page import main
    from mapapp.page.load import dataset_path

    main(dataset_path())
else:  # (imported by `streamlit run`, which serves `app`; the page is imported later)
    from mapapp.warmup import lifespan

    app = st.App(__file__, lifespan=lifespan)
