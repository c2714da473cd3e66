"""Import incidents from ACLED, UCDP GED and plain CSV files ("bring your own data").

:func:`import_file` reads a CSV export, converts it to the incident schema and
writes a ``.geojson`` or ``.parquet`` file atomically; :func:`import_frame` does
the conversion only and returns the typed frame (for the Streamlit page, which
imports uploaded files). Both account for every input row: it is either
imported or rejected, with its line number in the file and the reason.

How it works, and why it is fast enough for a million rows:

* The file is parsed once by pyarrow's CSV reader into string columns. Line
  numbers come for free when every record is one physical line (checked by
  counting newlines); otherwise one pass of :mod:`csv` finds the first line
  of each record. A line number is always the *first* physical line of the
  record, the header being line 1.
* Every field is converted column-wise (vectorised string, date and number
  parsing); a boolean mask per check collects the reasons a row is rejected.
  Python-level work is done once per *distinct* value (source lists, country
  names, geocoded places), never once per row.
* The imported fields are validated column-wise with the same rules as
  :func:`geodata.validate.check_features`. For up to
  :data:`CHECK_FEATURES_MAX_ROWS` rows :func:`~geodata.validate.check_features`
  is also run on the finished features as a second line of defence (it costs
  about 20 microseconds a feature, too much for a million rows).

The mappings of each format are documented in ``docs/importing.md``.

Examples
--------
>>> from geodata.importers import import_file
>>> result = import_file("acled.csv", "acled.geojson", rejects="rejects.csv")  # doctest: +SKIP
>>> print(result.summary())  # doctest: +SKIP
imported 998 incidents from acled.csv (ACLED) to acled.geojson; 2 rows rejected (see rejects.csv)
"""

from .api import convert, import_file, import_frame
from .formats import ACLED_COLUMNS, CHECK_FEATURES_MAX_ROWS, FORMAT_LABELS, FORMATS, detect_format
from .plain import CSV_FIELDS
from .result import ImportResult, reject_problems

__all__ = [
    "ACLED_COLUMNS",
    "CHECK_FEATURES_MAX_ROWS",
    "CSV_FIELDS",
    "FORMATS",
    "FORMAT_LABELS",
    "ImportResult",
    "convert",
    "detect_format",
    "import_file",
    "import_frame",
    "reject_problems",
]
