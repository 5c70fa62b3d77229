"""The Python builder's options as the Java connector's option keys (``AnnDataSourceOptions``).

``KEYS`` is the one table from a Python option name to its key; values are spelled as text the
way every surface spells them (Flink lists separated by ``;``, maps ``key:value,...``, an element
holding a separator quoted; filter alternatives separated by ``|``; typed labels prefixed ``s:``,
``i:``, ``f:``, ``b:``, a missing label ``nan``), and the Java builder reads them with
``configure``, where they are validated."""

from __future__ import annotations

PREFIX = "anndata."

KEYS = {
    "paths": PREFIX + "paths",
    "layers_keys": PREFIX + "layers-keys",
    "obs_keys": PREFIX + "obs-keys",
    "obsm_keys": PREFIX + "obsm-keys",
    "obs_filter": PREFIX + "obs-filter",
    "join": PREFIX + "join",
    "encode_labels": PREFIX + "encode-labels",
    "unknown_label": PREFIX + "unknown-label",
    "cache_categories": PREFIX + "cache-categories",
    "dtype": PREFIX + "dtype",
    "output": PREFIX + "output",
    "sampling": PREFIX + "sampling",
    "block_size": PREFIX + "block-size",
    "window_blocks": PREFIX + "window-blocks",
    "rows_per_split": PREFIX + "rows-per-split",
    "weight_keys": PREFIX + "weight-keys",
    "weight_scaler": PREFIX + "weight-scaler",
    "epochs": PREFIX + "epochs",
    "seed": PREFIX + "seed",
    "start_token": PREFIX + "start-token",
    "fetch_rows": PREFIX + "fetch-rows",
    "max_open_stores": PREFIX + "max-open-stores",
    "chunk_cache_bytes": PREFIX + "chunk-cache-bytes",
    "watch_directories": PREFIX + "watch-directories",
    "discovery_interval": PREFIX + "discovery-interval",
    "genes": PREFIX + "genes",
    "store_cache_dir": PREFIX + "store-cache.dir",
    "store_cache_max_bytes": PREFIX + "store-cache.max-bytes",
    "store_cache_download_retries": PREFIX + "store-cache.download-retries",
    "remote_mode": PREFIX + "remote.mode",
    "remote_cache_bytes": PREFIX + "remote.cache-bytes",
    "remote_fetch_threads": PREFIX + "remote.fetch-threads",
    "remote_retries": PREFIX + "remote.retries",
    "remote_validate_interval": PREFIX + "remote.validate-interval",
}


def quote(text: str, separators: str) -> str:
    """``text`` quoted (Flink's way: ``'...'``, a quote doubled inside) if it holds a separator or starts with a quote."""
    if not any(s in text for s in separators) and not text.startswith(("'", '"')):
        return text
    return "'" + text.replace("'", "''") + "'"


def text_list(values) -> str:
    return ";".join(quote(v, ";") for v in values)


def spell_label(v) -> str:
    """The text the connector reads back as the typed label ``v`` (checked by ``_checks.label``)."""
    if v is None:
        return "nan"
    if isinstance(v, bool):
        return "b:" + str(v).lower()
    if isinstance(v, int):
        return "i:" + str(v)
    if isinstance(v, float):
        return "f:" + repr(v)
    return "s:" + v


def text_filter(filt) -> str:
    """``{key: [labels]}`` as Flink's map text, each key's labels separated by ``|``."""
    entries = []
    for k, labels in filt.items():
        values = "|".join(quote(spell_label(v), "|") for v in labels)
        entries.append(quote(k, ",:") + ":" + quote(values, ",:"))
    return ",".join(entries)


def java_list(gateway, values):
    out = gateway.jvm.java.util.ArrayList()
    for v in values:
        out.add(v)
    return out


def java_configuration(gateway, options):
    m = gateway.jvm.java.util.HashMap()
    for k, v in options.items():
        m.put(k, v)
    return gateway.jvm.org.apache.flink.configuration.Configuration.fromMap(m)


def java_message(e) -> str:
    """The message of the Java exception (its cause chain's first message), without the trace."""
    t = e.java_exception
    while t is not None:
        msg = t.getMessage()
        if msg:
            return msg
        t = t.getCause()
    return str(e)
