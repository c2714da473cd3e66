"""Categorical columns without the categories no row uses, in one pass.

pandas' ``remove_unused_categories`` finds the codes in use with
``numpy.unique`` (a sort of every row's code); a count per category answers
the same in one pass and, when every category is used (the usual case: a
frame just typed), returns the column as it is, without a copy.

Examples
--------
>>> import pandas as pd
>>> drop_unused(pd.Categorical(["b", "a"], categories=["a", "b", "c"])).categories.tolist()
['a', 'b']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["drop_unused"]


def drop_unused(values: pd.Categorical) -> pd.Categorical:
    """The same values with only the categories some row uses, in their order.

    Parameters
    ----------
    values : pandas.Categorical

    Returns
    -------
    pandas.Categorical
        ``values`` itself when every category is used.
    """
    codes = values.codes
    used = np.bincount(codes[codes >= 0], minlength=len(values.categories)) > 0
    if used.all():
        return values
    remap = (np.cumsum(used) - 1).astype(codes.dtype)
    new = np.where(codes >= 0, remap[codes], -1).astype(codes.dtype)
    return pd.Categorical.from_codes(new, categories=values.categories[used],
                                     ordered=values.ordered)
