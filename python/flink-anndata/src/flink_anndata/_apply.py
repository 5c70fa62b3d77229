"""Applying the recorded builder calls to the Java AnnDataSourceBuilder through py4j."""

from __future__ import annotations


def java_list(gateway, values):
    out = gateway.jvm.java.util.ArrayList()
    for v in values:
        out.add(v)
    return out


def _java_strings(gateway, values):
    arr = gateway.new_array(gateway.jvm.String, len(values))
    for i, v in enumerate(values):
        arr[i] = v
    return arr


def _java_label(gateway, v):
    # a missing label (None; NaN was made None by the checks): py4j would pass a null, which
    # the connector also reads as missing, but MISSING says so and works inside lists too
    if v is None:
        return gateway.jvm.io.github.flinkanndata.collection.Missing.MISSING
    return v


def _enum(gateway, cls: str, value: str):
    return getattr(gateway.jvm.io.github.flinkanndata.source, cls).valueOf(value.upper())


def _apply_filter_map(gateway, b, filt):
    m = gateway.jvm.java.util.LinkedHashMap()
    for k, values in filt.items():
        m.put(k, java_list(gateway, [_java_label(gateway, v) for v in values]))
    b.obsFilter(m)


def _apply_filter(gateway, b, key, values):
    arr = gateway.new_array(gateway.jvm.Object, 1)
    arr[0] = java_list(gateway, [_java_label(gateway, v) for v in values])
    b.obsFilter(key, arr)


def _apply_unknown(gateway, b, label):
    if isinstance(label, dict):
        m = gateway.jvm.java.util.LinkedHashMap()
        for k, v in label.items():
            m.put(k, _java_label(gateway, v))
        b.unknownLabel(m)
    elif label is None:
        _call_with_null(gateway, b, "unknownLabel", "java.lang.Object")  # back to "no unknown label"
    else:
        b.unknownLabel(label)


def _apply_encode(gateway, b, keys):
    if isinstance(keys, bool):
        b.encodeLabels(keys)
    else:
        b.encodeLabels(java_list(gateway, keys))


def _apply_dtype(gateway, b, dtype):
    if dtype is None:
        _call_with_null(gateway, b, "dtype", "java.lang.String")  # back to the stored type
    else:
        b.dtype(dtype)


def _call_with_null(gateway, obj, method: str, param_class: str):
    # py4j cannot choose between overloads for a bare None: name the parameter type
    classes = gateway.new_array(gateway.jvm.Class, 1)
    classes[0] = gateway.jvm.Class.forName(param_class)
    obj.getClass().getMethod(method, classes).invoke(obj, gateway.new_array(gateway.jvm.Object, 1))


def _apply_configure(gateway, b, conf):
    m = gateway.jvm.java.util.HashMap()
    for k, v in conf.items():
        m.put(k, v)
    b.configure(gateway.jvm.org.apache.flink.configuration.Configuration.fromMap(m))


APPLY = {
    "layers_keys": lambda g, b, keys: b.layersKeys(_java_strings(g, keys)),
    "obs_keys": lambda g, b, keys: b.obsKeys(_java_strings(g, keys)),
    "obsm_keys": lambda g, b, keys: b.obsmKeys(_java_strings(g, keys)),
    "obs_filter": _apply_filter,
    "obs_filter_map": _apply_filter_map,
    "join": lambda g, b, join: b.join(join),
    "encode_labels": _apply_encode,
    "unknown_label": _apply_unknown,
    "cache_categories": lambda g, b, c: b.cacheCategories(c),
    "dtype": _apply_dtype,
    "output": lambda g, b, o: b.output(_enum(g, "OutputForm", o)),
    "sampling": lambda g, b, s: b.sampling(_enum(g, "SamplingMode", s)),
    "block_size": lambda g, b, v: b.blockSize(v),
    "window_blocks": lambda g, b, v: b.windowBlocks(v),
    "rows_per_split": lambda g, b, v: b.rowsPerSplit(v),
    "weight_keys": lambda g, b, keys: b.weightKeys(_java_strings(g, keys)),
    "weight_scaler": lambda g, b, v: b.weightScaler(v),
    "epochs": lambda g, b, v: b.epochs(v),
    "seed": lambda g, b, v: b.seed(v),
    "fetch_rows": lambda g, b, v: b.fetchRows(v),
    "max_open_stores": lambda g, b, v: b.maxOpenStores(v),
    "chunk_cache_bytes": lambda g, b, v: b.chunkCacheBytes(v),
    "store_cache_dir": lambda g, b, d: b.storeCacheDir(d) if d is not None
    else _call_with_null(g, b, "storeCacheDir", "java.lang.String"),
    "store_cache_max_bytes": lambda g, b, v: b.storeCacheMaxBytes(v),
    "store_cache_download_retries": lambda g, b, v: b.storeCacheDownloadRetries(v),
    "remote_mode": lambda g, b, m: b.remoteMode(_enum(g, "RemoteMode", m)),
    "remote_cache_bytes": lambda g, b, v: b.remoteCacheBytes(v),
    "remote_fetch_threads": lambda g, b, v: b.remoteFetchThreads(v),
    "remote_retries": lambda g, b, v: b.remoteRetries(v),
    "remote_validate_interval": lambda g, b, millis: b.remoteValidateInterval(g.jvm.java.time.Duration.ofMillis(millis)),
    "watch_directories": lambda g, b, dirs: b.watchDirectories(_java_strings(g, dirs)),
    "discovery_interval": lambda g, b, millis: b.discoveryInterval(g.jvm.java.time.Duration.ofMillis(millis)),
    "genes": lambda g, b, names: b.genes(java_list(g, names)),
    "configure": _apply_configure,
}


def java_message(e) -> str:
    """The message of the Java exception (its cause chain's first message), without the trace."""
    t = e.java_exception
    while t is not None:
        msg = t.getMessage()
        if msg:
            return msg
        t = t.getCause()
    return str(e)
