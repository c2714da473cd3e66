"""The Streamlit page: ``streamlit run mapapp/app.py [-- FILE]`` (or ``mapapp serve``).

The dataset is the FILE given after ``--``, else ``$MAPAPP_DATA``, else the
built-in ``incidents.geojson``.
"""

import os
import sys
from pathlib import Path

# Allow `streamlit run mapapp/app.py` from a checkout without installing.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mapapp.page import DEFAULT_DATASET, main  # noqa: E402


def _dataset_path() -> str:
    # Streamlit sets sys.argv to [this script, *arguments after --]; under
    # AppTest sys.argv is the test runner's, so it is read only when it is ours.
    if sys.argv and Path(sys.argv[0]).name == "app.py":
        args = [a for a in sys.argv[1:] if not a.startswith("-")]
        if args:
            return args[0]
    return os.environ.get("MAPAPP_DATA") or str(DEFAULT_DATASET)


main(_dataset_path())
