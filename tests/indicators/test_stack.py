"""Member lists stacked on the largest part's categories."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from trendline.indicators.common import is_in
from trendline.indicators.stack import extension_of, stack


@pytest.mark.parametrize("chunked", [False, True])
def test_a_categorical_part_and_hand_built_records_keep_every_value(chunked):
    cats = pd.Index(pd.array(pa.chunked_array([["W1", "W2"], ["W3"]], pa.large_string()),
                             "string[pyarrow]")) if chunked else ["W1", "W2", "W3"]
    ids = pd.Categorical.from_codes([2, 0, 1, 0], categories=cats)
    works = pd.DataFrame({"period": ["2020", "2020", "2021", "2021"], "id": ids})
    marks = pd.DataFrame({"period": ["2021", "2021"], "id": ["W2", "pattern recognition"],
                          "label": ["W2", "pattern recognition"]})
    out = stack([works, marks])
    assert isinstance(out["id"].dtype, pd.CategoricalDtype)
    assert out["id"].astype(object).tolist() == ["W3", "W1", "W2", "W1", "W2",
                                                  "pattern recognition"]
    # an existing id reuses its category; only the new value is added, after the others
    assert out["id"].cat.categories.tolist() == ["W1", "W2", "W3", "pattern recognition"]
    assert out["label"].isna().tolist() == [True] * 4 + [False] * 2
    assert out["period"].tolist() == ["2020", "2020", "2021", "2021", "2021", "2021"]


def test_parts_sharing_one_set_of_categories_keep_its_codes():
    dtype = pd.CategoricalDtype(["a", "b", "c"])
    parts = [pd.DataFrame({"id": pd.Categorical.from_codes(c, dtype=dtype)})
             for c in (np.array([0, 2]), np.array([1, -1]))]
    out = stack(parts)
    assert out["id"].cat.categories.tolist() == ["a", "b", "c"]
    assert out["id"].cat.codes.tolist() == [0, 2, 1, -1]


def test_numbers_in_a_categorical_column_fall_back_to_plain_values():
    parts = [pd.DataFrame({"year": pd.Categorical([2020, 2021])}),
             pd.DataFrame({"year": [2022]})]
    assert stack(parts)["year"].tolist() == [2020, 2021, 2022]


def test_is_in_probes_the_categories_of_a_categorical_column():
    cats = pd.Index(pd.array(pa.chunked_array([["W1", "W2"], ["W3"]], pa.large_string()),
                             "string[pyarrow]"))
    col = pd.Series(pd.Categorical.from_codes([2, 0, -1, 1], categories=cats))
    assert is_in(col, {"W3", "W2", "W9"}).tolist() == [True, False, False, True]
    assert is_in(pd.Series(["W3", "W1"]), ["W1"]).tolist() == [False, True]


def test_categories_extended_with_new_values_name_what_they_extend():
    ids = pd.Series(pd.Categorical(["W1", "W2"], categories=["W1", "W2", "W3"]))
    out = stack([pd.DataFrame({"id": ids}), pd.DataFrame({"id": ["Skoltech"]})])
    cats = out["id"].cat.categories
    base = extension_of(cats)
    assert base is not None and base.tolist() == ["W1", "W2", "W3"]
    assert cats[len(base):].tolist() == ["Skoltech"]
    assert extension_of(ids.cat.categories) is None
