"""A raw label of a type other than the declared one fails the job with a message that names the
key, the store, the row and the declaration that fits."""

from __future__ import annotations

import pytest

from conftest import MIXED, ND
from flink_anndata import AnnDataSource


def test_a_label_of_another_type_fails_the_job_naming_store_and_row(collect):
    with pytest.raises(Exception) as e:
        collect(AnnDataSource.builder(MIXED).obs_keys("donor").encode_labels(False).obs_types({"donor": "long"}))
    text = str(e.value)
    assert "obs key 'donor' is declared long" in text
    assert "mixed_m1.h5ad holds the label 'd1' at row 0" in text
    assert "declare its obs type string" in text


def test_an_undeclared_obsm_entry_of_three_dimensions_fails_naming_the_ndim_to_declare(collect):
    with pytest.raises(Exception) as e:
        collect(AnnDataSource.builder(ND).layers_keys().obsm_keys("patch"))
    text = str(e.value)
    assert "obsm key 'patch' is declared with 2 dimensions (the default: 1 or 2)" in text
    assert "obsm_nd" in text and "holds an entry of 3 (rows of shape [2, 3]): declare its obsm ndim 3" in text
