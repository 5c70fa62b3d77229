"""Runnable examples of the flink_anndata source.

``python -m flink_anndata.examples.train`` (console script ``flink-anndata-train``): continuous
training of an online classifier on mini-batches streamed by the source, with the model in Flink
state (exactly once across failures), prequential and holdout accuracy every N cells as log lines
and Flink metrics, and a learning-curve plot at the end. ``python -m flink_anndata.examples.curve``
plots the report lines of a run (this one's, or the Java ``anndata-cli train``'s) the same way.
"""
