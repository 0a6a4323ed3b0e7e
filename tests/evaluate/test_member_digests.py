"""A member list's digest depends on its records, not on how the frames hold them."""

import pandas as pd

from trendline.indicators.stack import extension_of, stack
from trendline.tasks.evaluate.members import row_hashes


def test_stacked_categories_hash_as_plain_text():
    works = pd.DataFrame({"period": pd.Categorical(["2020", "2021"]),
                          "id": pd.Categorical(["W2", "W1"], categories=["W1", "W2", "W3"])})
    marks = pd.DataFrame({"period": ["2021"], "id": ["Skoltech"]})
    shared: dict = {}
    row_hashes(works, shared)  # the work ids hashed once: the extended set reuses them
    stacked = stack([works, marks])
    plain = pd.DataFrame({"period": ["2020", "2021", "2021"], "id": ["W2", "W1", "Skoltech"]})
    assert row_hashes(stacked, shared).tolist() == row_hashes(plain).tolist()
    assert extension_of(stacked["id"].cat.categories) is works["id"].cat.categories
