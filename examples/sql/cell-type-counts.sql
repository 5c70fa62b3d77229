-- Cells per cell type over a mixed collection (h5ad, zarr v2, zipped sharded zarr v3), with
-- Flink's own SQL client on a running cluster:
--   $FLINK_HOME/bin/sql-client.sh -f cell-type-counts.sql
-- Replace ${CONNECTOR_JAR} with the path of flink-sql-connector-anndata-<version>.jar and ${STORES}
-- with the stores' absolute paths separated by ';' (scripts/cluster-test.sh does both with sed).
-- A store without a 'cell_type' column contributes its cells to the NULL group.

SET 'execution.runtime-mode' = 'batch';
SET 'sql-client.execution.result-mode' = 'tableau';

ADD JAR '${CONNECTOR_JAR}';

CREATE TABLE cells (
  store_idx INT,
  cell_type STRING
) WITH (
  'connector' = 'anndata',
  'path' = '${STORES}',
  'scan.join' = 'outer'
);

SELECT cell_type, COUNT(*) AS n FROM cells GROUP BY cell_type ORDER BY cell_type;
