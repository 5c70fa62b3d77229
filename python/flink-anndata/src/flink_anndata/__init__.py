"""Stream cells of AnnData collections (.h5ad files, .zarr stores) into PyFlink jobs.

The Java connector does the reading; this package builds its source through PyFlink's Java
gateway and describes the records it emits (Flink ``Row`` objects, see ``AnnDataSource``).
"""

from flink_anndata.jar import add_jar, bundled_jar, jar_path
from flink_anndata.arrays import SparseRow, to_numpy
from flink_anndata.batches import CellBatch, MatrixBatch, to_batch
from flink_anndata.source import UNBOUNDED, AnnDataSource, AnnDataSourceBuilder

__all__ = [
    "UNBOUNDED",
    "AnnDataSource",
    "AnnDataSourceBuilder",
    "CellBatch",
    "MatrixBatch",
    "SparseRow",
    "add_jar",
    "bundled_jar",
    "jar_path",
    "to_batch",
    "to_numpy",
]
