"""Stream cells of AnnData collections (.h5ad files, .zarr stores) into PyFlink jobs.

The Java connector does the reading; this package builds its source through PyFlink's Java
gateway and describes the records it emits (Flink ``Row`` objects, see ``AnnDataSource``).
"""

from flink_anndata.jar import add_jar, bundled_jar, jar_path
from flink_anndata.arrays import SparseRow, to_numpy
from flink_anndata.batches import CellBatch, MatrixBatch, to_batch
from flink_anndata.serving import AnnDataBatches, ServingError, ServingJob, serve, serve_jar

_PYFLINK = ("UNBOUNDED", "AnnDataSource", "AnnDataSourceBuilder")


def __getattr__(name):
    # the source needs PyFlink; serving (serve, AnnDataBatches) does not, so it loads on first use
    if name in _PYFLINK:
        from flink_anndata import source

        return getattr(source, name)
    raise AttributeError(f"module 'flink_anndata' has no attribute {name!r}")


__all__ = [
    "UNBOUNDED",
    "AnnDataSource",
    "AnnDataSourceBuilder",
    "CellBatch",
    "MatrixBatch",
    "SparseRow",
    "AnnDataBatches",
    "ServingError",
    "ServingJob",
    "add_jar",
    "bundled_jar",
    "jar_path",
    "serve",
    "serve_jar",
    "to_batch",
    "to_numpy",
]
