"""The Streamlit page: ``streamlit run mapapp/app.py [-- FILE]`` (or ``mapapp serve``)."""

import sys
from pathlib import Path

# Allow `streamlit run mapapp/app.py` from a checkout without installing.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mapapp.page import main  # noqa: E402

main()
