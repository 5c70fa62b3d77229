"""The source and its builder: AnnDataSourceBuilder of the Java connector, in snake_case."""

from __future__ import annotations

import datetime
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from pyflink.datastream.connectors import Source

from flink_anndata import jar as _jar
from flink_anndata._apply import KEYS, java_configuration, java_list, java_message, quote, spell_label, text_filter, text_list
from flink_anndata._checks import Label
from flink_anndata._checks import bool_ as _bool
from flink_anndata._checks import choice as _choice
from flink_anndata._checks import flatten as _flatten
from flink_anndata._checks import int_ as _int
from flink_anndata._checks import label as _label
from flink_anndata._checks import strings as _strings

UNBOUNDED = -1
"""Value of ``epochs`` for a continuous, never-ending source."""

_OBS_TYPES = ("string", "long", "double", "boolean", "int")
_OUTPUTS = ("sparse", "dense")
_SAMPLINGS = ("sequential", "block_shuffled", "weighted")
_REMOTE_MODES = ("range", "copy")


class AnnDataSource(Source):
    """A PyFlink source of cells from an AnnData collection, for ``env.from_source``.

    Each record is a ``pyflink.common.Row`` with, in order: ``store_idx`` (int), ``global_idx``
    (int, lamindb's index), ``epoch`` (int); one field per layers key (named like the key,
    ``raw.X`` as ``raw_X``) holding a list of float32 values when the output is dense, or a Row
    ``(indices, values, size)`` when sparse; ``obsm_<key>`` (list of floats) per obsm key, nested
    lists of the row's shape for an entry declared with ``obsm_ndim`` (image patches of shape
    ``(n_obs, h, w)``: lists of ``h`` lists of ``w`` floats); one
    field per obs key: the integer code when encoded, else the label (str unless ``obs_types``
    says otherwise). Missing labels, and keys or matrices a store lacks, are None.
    ``flink_anndata.to_numpy(row)`` turns a record into numpy arrays.

    PyFlink 2.3's ``execute_and_collect`` fails on a None array or Row field (its client-side
    converter unpickles them as values); Python functions get None. Collect records that may
    lack a matrix after a Python function: ``ds.map(lambda r: r).execute_and_collect()``.
    """

    def __init__(self, j_source, field_names: List[str]):
        super().__init__(j_source)
        self._field_names = list(field_names)

    @staticmethod
    def builder(*paths: Union[str, Sequence[str]]) -> "AnnDataSourceBuilder":
        """A builder for the collection of the given stores (.h5ad, .zarr, .zarr.zip), in order."""
        flat: List[str] = []
        for p in paths:
            if isinstance(p, (list, tuple)):
                flat.extend(p)
            else:
                flat.append(p)
        return AnnDataSourceBuilder(flat)

    @property
    def field_names(self) -> List[str]:
        """The names of the record's fields, in order."""
        return list(self._field_names)

    def __repr__(self) -> str:
        return "AnnDataSource(" + self._j_function.toString() + ")"


class AnnDataSourceBuilder:
    """Builds an AnnDataSource. Mirrors the Java ``AnnDataSourceBuilder``: the same options with
    the same defaults, in snake_case; each setter sets one option key (``_apply.KEYS``), a later
    call replacing an earlier one, and ``build()`` passes them to the Java builder, where every
    option is validated (ValueError with the connector's message).
    """

    def __init__(self, paths: Sequence[str]):
        _strings("paths", paths)
        self._paths = list(map(str, paths))
        self._options: dict = {}  # option key -> text, in the connector's spelling
        self._filter: Optional[dict] = None
        self._obs_types: dict = {}
        self._obsm_ndims: dict = {}

    def _set(self, name: str, text: Optional[str]) -> "AnnDataSourceBuilder":
        """Sets the option of Python name ``name`` (``KEYS``) to ``text``; None unsets it."""
        self._options.pop(KEYS[name], None)
        if text is not None:
            self._options[KEYS[name]] = text
        return self

    # ---- collection options (lamindb's MappedCollection parameters) ----
    def layers_keys(self, *keys: str) -> "AnnDataSourceBuilder":
        """Matrices per sample: ``X``, ``raw.X`` or layer names; default ``X``."""
        return self._set("layers_keys", text_list(_strings("layers_keys", _flatten(keys))))

    def obs_keys(self, *keys: str) -> "AnnDataSourceBuilder":
        return self._set("obs_keys", text_list(_strings("obs_keys", _flatten(keys))))

    def obsm_keys(self, *keys: str) -> "AnnDataSourceBuilder":
        return self._set("obsm_keys", text_list(_strings("obsm_keys", _flatten(keys))))

    def obs_filter(self, key_or_filter: Union[str, Mapping[str, Any]], *values: Label) -> "AnnDataSourceBuilder":
        """``obs_filter("cell_type", "T cell", "B cell")`` adds one key; ``obs_filter({key: labels})``
        replaces the whole filter. None or NaN selects missing labels."""
        if isinstance(key_or_filter, Mapping):
            if values:
                raise TypeError("obs_filter(dict) takes no further values")
            self._filter = {}
            for k, v in key_or_filter.items():
                _strings("obs_filter keys", [k])
                self._filter[k] = [_label(x, "obs_filter") for x in (v if isinstance(v, (list, tuple, set)) else [v])]
            return self._set("obs_filter", text_filter(self._filter))
        _strings("obs_filter key", [key_or_filter])
        if len(values) == 1 and isinstance(values[0], (list, tuple, set)):
            values = tuple(values[0])  # obs_filter("donor", ["d1", "d2"])
        self._filter = dict(self._filter or {})
        self._filter[key_or_filter] = [_label(v, "obs_filter") for v in values]
        return self._set("obs_filter", text_filter(self._filter))

    def join(self, join: Optional[str]) -> "AnnDataSourceBuilder":
        """``"inner"`` (default), ``"outer"`` or ``"none"``/None."""
        if join is not None and not isinstance(join, str):
            raise TypeError(f"join must be a string or None, was {join!r}")
        return self._set("join", "none" if join is None else join)

    def encode_labels(self, keys: Union[bool, Iterable[str]]) -> "AnnDataSourceBuilder":
        """True (default): every obs key; False: none; or a list of keys."""
        if isinstance(keys, bool):
            return self._set("encode_labels", str(keys).lower())
        keys = _strings("encode_labels", keys)
        return self._set("encode_labels", text_list(keys) if keys else "false")

    def unknown_label(self, label: Union[Label, Mapping[str, Label]]) -> "AnnDataSourceBuilder":
        """The label encoded as -1: one for every encoded key, or ``{key: label}``; None for none."""
        if isinstance(label, Mapping):
            pairs = [k + "=" + spell_label(_label(v, "unknown_label")) for k, v in label.items()]
            return self._set("unknown_label", text_list(pairs) if pairs else None)
        label = _label(label, "unknown_label")
        return self._set("unknown_label", None if label is None else quote(spell_label(label), ";"))

    def cache_categories(self, cache: bool) -> "AnnDataSourceBuilder":
        return self._set("cache_categories", str(_bool("cache_categories", cache)).lower())

    def dtype(self, dtype: Optional[str]) -> "AnnDataSourceBuilder":
        """``float32``, ``float64``, ``int8``, ``int16``, ``int32``, ``int64``, or None for the stored type (the
        record's arrays are float32 either way; this sets the cast before it)."""
        if dtype is not None and not isinstance(dtype, str):
            raise TypeError(f"dtype must be a string or None, was {dtype!r}")
        return self._set("dtype", dtype)

    # ---- source options ----
    def output(self, output: str) -> "AnnDataSourceBuilder":
        """``"sparse"`` (default; Row(indices, values, size)) or ``"dense"`` (full vectors)."""
        return self._set("output", _choice("output", output, _OUTPUTS).upper())

    def sampling(self, sampling: str) -> "AnnDataSourceBuilder":
        """``"sequential"`` (default, lamindb's order), ``"block_shuffled"`` or ``"weighted"``."""
        return self._set("sampling", _choice("sampling", sampling, _SAMPLINGS).upper())

    def block_size(self, rows: int) -> "AnnDataSourceBuilder":
        return self._set("block_size", str(_int("block_size", rows)))

    def window_blocks(self, blocks: int) -> "AnnDataSourceBuilder":
        return self._set("window_blocks", str(_int("window_blocks", blocks)))

    def rows_per_split(self, rows: int) -> "AnnDataSourceBuilder":
        return self._set("rows_per_split", str(_int("rows_per_split", rows)))

    def weight_keys(self, *keys: str) -> "AnnDataSourceBuilder":
        return self._set("weight_keys", text_list(_strings("weight_keys", _flatten(keys))))

    def weight_scaler(self, scaler: Optional[float]) -> "AnnDataSourceBuilder":
        if scaler is not None and (isinstance(scaler, bool) or not isinstance(scaler, (int, float))):
            raise TypeError(f"weight_scaler must be a number or None, was {scaler!r}")
        return self._set("weight_scaler", None if scaler is None else repr(float(scaler)))

    def epochs(self, epochs: Optional[int]) -> "AnnDataSourceBuilder":
        """Number of epochs (default 1), or UNBOUNDED / None for a continuous source."""
        return self._set("epochs", str(UNBOUNDED if epochs is None else _int("epochs", epochs)))

    def seed(self, seed: int) -> "AnnDataSourceBuilder":
        return self._set("seed", str(_int("seed", seed)))

    def start_token(self, token: Optional[str]) -> "AnnDataSourceBuilder":
        """Starts from a trainer's position token (``fab1:<key>:<epoch>:<next>``, e.g. an
        ``AnnDataBatches.state_dict()["token"]``); numbered batches only."""
        if token is None:
            return self._set("start_token", None)
        if isinstance(token, Mapping):
            token = token.get("token")
        return self._set("start_token", str(token))

    def fetch_rows(self, rows: int) -> "AnnDataSourceBuilder":
        return self._set("fetch_rows", str(_int("fetch_rows", rows)))

    def max_open_stores(self, stores: int) -> "AnnDataSourceBuilder":
        return self._set("max_open_stores", str(_int("max_open_stores", stores)))

    def chunk_cache_bytes(self, nbytes: int) -> "AnnDataSourceBuilder":
        return self._set("chunk_cache_bytes", str(_int("chunk_cache_bytes", nbytes)))

    def store_cache_dir(self, directory: Optional[str]) -> "AnnDataSourceBuilder":
        """Local folder caching remote stores (paths such as ``s3://...``) on each node; None for
        ``flink-anndata-store-cache`` under the node's temporary directory (README, "Remote stores")."""
        if directory is not None:
            _strings("store_cache_dir", [directory])
        return self._set("store_cache_dir", directory)

    def store_cache_max_bytes(self, nbytes: int) -> "AnnDataSourceBuilder":
        """Bound of each node's store cache (default 10 GiB)."""
        return self._set("store_cache_max_bytes", str(_int("store_cache_max_bytes", nbytes)))

    def store_cache_download_retries(self, retries: int) -> "AnnDataSourceBuilder":
        """Times a failed listing or download of a remote store is retried (default 3)."""
        return self._set("store_cache_download_retries", str(_int("store_cache_download_retries", retries)))

    def remote_mode(self, mode: str) -> "AnnDataSourceBuilder":
        """How remote stores are read: ``"range"`` (default; in place, by byte ranges) or ``"copy"``
        (copied whole into the store cache first); docs/remote.md."""
        return self._set("remote_mode", _choice("remote_mode", mode, _REMOTE_MODES).upper())

    def remote_cache_bytes(self, nbytes: int) -> "AnnDataSourceBuilder":
        """Range mode: bound of the in-memory range cache a TaskManager's slots share (256 MiB)."""
        return self._set("remote_cache_bytes", str(_int("remote_cache_bytes", nbytes)))

    def remote_fetch_threads(self, threads: int) -> "AnnDataSourceBuilder":
        """Range mode: concurrent range requests per TaskManager (default 8)."""
        return self._set("remote_fetch_threads", str(_int("remote_fetch_threads", threads)))

    def remote_retries(self, retries: int) -> "AnnDataSourceBuilder":
        """Range mode: retries of a transient request failure (default 3)."""
        return self._set("remote_retries", str(_int("remote_retries", retries)))

    def remote_validate_interval(self, interval: Union[float, "datetime.timedelta"]) -> "AnnDataSourceBuilder":
        """Range mode: how long an object's confirmed version is trusted, seconds or a timedelta
        (default 0: checked after every fetch the file system does not verify
        itself; S3 reads through flink-s3-fs-hadoop are conditional on the ETag)."""
        if isinstance(interval, datetime.timedelta):
            millis = round(interval.total_seconds() * 1000)
        elif isinstance(interval, (int, float)) and not isinstance(interval, bool):
            millis = round(interval * 1000)
        else:
            raise TypeError(f"remote_validate_interval must be seconds or a timedelta, was {interval!r}")
        return self._set("remote_validate_interval", f"{millis} ms")

    def watch_directories(self, *directories: str) -> "AnnDataSourceBuilder":
        """A growing collection (unbounded epochs only): stores that appear in these directories
        join the running job from the next epoch on (README, "Growing collections")."""
        return self._set("watch_directories", text_list(_strings("watch_directories", _flatten(directories))))

    def discovery_interval(self, interval: Union[float, "datetime.timedelta"]) -> "AnnDataSourceBuilder":
        """How often the watched directories are listed: seconds, or a ``datetime.timedelta``."""
        if isinstance(interval, datetime.timedelta):
            millis = round(interval.total_seconds() * 1000)
        elif isinstance(interval, (int, float)) and not isinstance(interval, bool):
            millis = round(interval * 1000)
        else:
            raise TypeError(f"discovery_interval must be seconds or a timedelta, was {interval!r}")
        return self._set("discovery_interval", f"{millis} ms")

    def genes(self, names: Iterable[str]) -> "AnnDataSourceBuilder":
        """The fixed gene space of a growing collection; default: the join of the initial stores."""
        return self._set("genes", text_list(_strings("genes", names)))

    def configure(self, options: Mapping[str, str]) -> "AnnDataSourceBuilder":
        """Sets ``anndata.*`` configuration keys (the Java ``AnnDataSourceOptions``), as text."""
        for k, v in options.items():
            _strings("configure keys", [k])
            self._options[k] = v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
        return self

    # ---- Python only ----
    def obs_types(self, types: Mapping[str, str]) -> "AnnDataSourceBuilder":
        """The Python type of raw (not encoded) obs keys: ``"string"`` (default), ``"long"``,
        ``"double"`` or ``"boolean"``; the builder opens no store, so it cannot find out."""
        for k, t in types.items():
            _strings("obs_types keys", [k])
            self._obs_types[k] = _choice(f"obs type of '{k}'", t, _OBS_TYPES)
        return self

    def obsm_ndim(self, ndims: Mapping[str, int]) -> "AnnDataSourceBuilder":
        """The number of dimensions of obsm entries that have more than two, as anndata counts them
        (``adata.obsm[key].ndim``: 3 for image patches of shape ``(n_obs, h, w)``). Their rows then
        arrive as nested lists of shape ``(h, w)`` and ``to_numpy`` makes them arrays of that shape.
        Undeclared entries have 1 or 2 (a flat list per row); the builder opens no store, so it
        cannot find out, and a store whose entry has another number fails naming the one to declare."""
        for k, n in ndims.items():
            _strings("obsm_ndim keys", [k])
            self._obsm_ndims[k] = _int(f"obsm ndim of '{k}'", n)
        return self

    def build(self, check_paths: bool = True) -> AnnDataSource:
        """Validates every option and builds the source (no store is opened here).

        With ``check_paths`` (the default) the store paths are checked too: a local path (no
        scheme, or ``file://``) must exist, and Flink must have a file system for any other scheme
        (``s3://`` needs the flink-s3-fs-hadoop or -presto plugin in the plugins folder). Pass
        False for paths that only the cluster's TaskManagers can see.

        Raises ValueError with the connector's message naming the option or path and the problem.
        """
        from py4j.protocol import Py4JJavaError
        from pyflink.java_gateway import get_gateway

        _jar.ensure_loaded()
        gateway = get_gateway()
        try:
            j_builder = gateway.jvm.io.github.flinkanndata.source.AnnDataSource.builder(
                java_list(gateway, self._paths))
            j_builder.configure(java_configuration(gateway, self._options))
            j_source = j_builder.build()
            if check_paths:
                gateway.jvm.io.github.flinkanndata.source.cache.StorePaths.check(j_source.collection().paths())
            types = gateway.jvm.java.util.LinkedHashMap()
            for k, t in self._obs_types.items():
                types.put(k, t)
            ndims = gateway.jvm.java.util.LinkedHashMap()
            for k, n in self._obsm_ndims.items():
                ndims.put(k, gateway.jvm.java.lang.Integer.valueOf(n))
            j_rows = gateway.jvm.io.github.flinkanndata.source.python.CellRowFormat.rowsSpelled(
                j_source, types, ndims)
        except Py4JJavaError as e:
            raise ValueError(java_message(e)) from None
        return AnnDataSource(j_rows, list(j_rows.format().fieldNames()))

    def build_batches(self, batch_size: int = 256, check_paths: bool = True) -> AnnDataSource:
        """Validates every option and builds a source of mini-batches: one record per batch of up
        to ``batch_size`` consecutive cells of a split (the last batch of a split is shorter),
        every array packed into bytes. ``flink_anndata.to_batch(record)`` gives a ``CellBatch``
        of numpy arrays with ``to_scipy()``, ``to_numpy()`` and ``to_torch()`` per matrix.
        Exactly once holds per cell, as for the per-cell source. ``check_paths`` as in ``build``.
        """
        from py4j.protocol import Py4JJavaError
        from pyflink.java_gateway import get_gateway

        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise TypeError(f"batch_size must be an int, was {batch_size!r}")
        _jar.ensure_loaded()
        gateway = get_gateway()
        try:
            j_builder = gateway.jvm.io.github.flinkanndata.source.AnnDataSource.builder(
                java_list(gateway, self._paths))
            j_builder.configure(java_configuration(gateway, self._options))
            j_source = j_builder.build()
            if check_paths:
                gateway.jvm.io.github.flinkanndata.source.cache.StorePaths.check(j_source.collection().paths())
            j_batches = gateway.jvm.io.github.flinkanndata.source.python.CellBatchRowFormat.batchRows(
                j_source, batch_size)
        except Py4JJavaError as e:
            raise ValueError(java_message(e)) from None
        return AnnDataSource(j_batches, list(j_batches.format().fieldNames()))
