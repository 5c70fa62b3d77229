"""A raw label of a type other than the declared one fails the job with a message that names the
key, the store, the row and the declaration that fits."""

from __future__ import annotations

import pytest

from conftest import MIXED
from flink_anndata import AnnDataSource


def test_a_label_of_another_type_fails_the_job_naming_store_and_row(collect):
    with pytest.raises(Exception) as e:
        collect(AnnDataSource.builder(MIXED).obs_keys("donor").encode_labels(False).obs_types({"donor": "long"}))
    text = str(e.value)
    assert "obs key 'donor' is declared long" in text
    assert "mixed_m1.h5ad holds the label 'd1' at row 0" in text
    assert "declare its obs type string" in text
