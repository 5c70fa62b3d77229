"""Generates the small zarr stores used by the tests of io.github.flinkanndata.format.zarr.

Run with the pinned toolchain of python/requirements.txt (zarr 3.1.6, numcodecs 0.16.6, numpy 2.4.6):

    python/.venv/bin/python flink-connector-anndata/src/test/resources/zarr/make_test_stores.py

It rewrites, next to this script:

  v2_codecs.zarr/   zarr v2 group: every v2 compressor (blosc x cname x shuffle, zstd, gzip, zlib, lz4,
                    bz2, none), F order, big-endian, '/' separator, missing chunks, fixed and vlen
                    strings, structured dtype; consolidated (.zmetadata), plus one array added after
                    consolidation ('late') to exercise the per-node fallback.
  v3_features.zarr/ zarr v3 group without consolidated metadata: sharding (index at end and at start,
                    empty inner chunks, string shards), crc32c, gzip, blosc, big endian, transpose, v2
                    chunk key encoding, 0-d arrays, strings, structured and fixed UTF-32 types.
  v2_dup.zarr.zip   a v2 store in a zip with duplicate entry names (the last one wins) and mixed
                    STORED / DEFLATE entries.
  v3_sharded.zarr.zip  the v3 store zipped: sharded arrays as STORED entries (read at an offset), one
                    DEFLATE shard, and a duplicated root zarr.json.

The expected values hard-coded in the Java tests were printed by numpy from the arrays defined here
(see print_expectations()).
"""

import json
import os
import shutil
import warnings
import zipfile

import numcodecs
import numpy as np
import zarr
from zarr.codecs import (
    BloscCodec,
    BytesCodec,
    Crc32cCodec,
    GzipCodec,
    ShardingCodec,
    TransposeCodec,
    VLenUTF8Codec,
    ZstdCodec,
)

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))

BASE_I4 = np.arange(35, dtype="<i4").reshape(7, 5) * 37 - 600
F8 = np.linspace(-3, 5, 23)
F8[4] = np.nan
F8[7] = np.inf
VLEN = np.array(["a", "", "gene_\u00b5", "\u65e5\u672c", "x" * 40, "z", "\U0001F600"], dtype=object)
STRUCT_DT = np.dtype(
    [("name", "<U4"), ("code", "|S3"), ("x", "<f8"), ("n", ">i4"), ("v", "<f4", (3,)), ("b", "|u1")]
)
STRUCT = np.array(
    [
        ("ab", b"xy", 1.5, -7, (1, 2, 3), 255),
        ("\u00e9t\u00e9", b"", -2.25, 100000, (4.5, 5, 6), 0),
        ("", b"abc", np.nan, 0, (-1, -2, -3), 7),
        ("wxyz", b"q", 1e300, -2147483648, (0, 0, 0.25), 128),
        ("k", b"zz", 0.0, 2147483647, (9, 8, 7), 1),
    ],
    dtype=STRUCT_DT,
)


def v2(group, name, data, chunks, compressor=None, **kw):
    dtype = kw.pop("dtype", data.dtype)
    a = group.create_array(
        name, shape=data.shape, dtype=dtype, chunks=chunks, compressors=compressor, **kw)
    a[...] = data
    return a


def make_v2(path):
    shutil.rmtree(path, ignore_errors=True)
    g = zarr.open_group(path, mode="w", zarr_format=2)
    g.attrs.update({"int": 5, "float": 2.5, "bool": True, "str": "s", "list": [1, 2.5, "a", [True]],
                    "obj": {"k": [1]}, "null": None, "nan": float("nan")})
    for cname in ["lz4", "lz4hc", "zstd", "zlib", "blosclz"]:
        for shuffle in [0, 1, 2]:
            v2(g, f"blosc_{cname}_{shuffle}", BASE_I4, (3, 2), numcodecs.Blosc(cname, 5, shuffle))
    for name, comp in [("zstd", numcodecs.Zstd(3)), ("gzip", numcodecs.GZip(5)), ("zlib", numcodecs.Zlib(4)),
                       ("lz4", numcodecs.LZ4()), ("bz2", numcodecs.BZ2()), ("none", None)]:
        v2(g, name, F8, (5,), comp)
    v2(g, "forder_i2", np.arange(35, dtype="<i2").reshape(5, 7) - 10, (2, 3), numcodecs.Zlib(1), order="F")
    v2(g, "forder_3d", (np.arange(60, dtype="<f4") * 0.5).reshape(3, 4, 5), (2, 3, 2), None, order="F")
    v2(g, "be_f8", np.array([1.5, -2.0, np.pi, 1e-300], dtype=">f8"), (3,), numcodecs.Zstd(1))
    v2(g, "be_i4", np.array([1, -2, 2147483647, -2147483648, 66000], dtype=">i4"), (2,), None)
    v2(g, "be_u2", np.array([0, 1, 65535, 256], dtype=">u2"), (4,), None)
    v2(g, "slash", np.arange(24, dtype="<u4").reshape(4, 6) * 1000, (3, 4), numcodecs.Zlib(1),
       chunk_key_encoding={"name": "v2", "separator": "/"})
    m = g.create_array("missing", shape=(10, 4), dtype="<f4", chunks=(3, 2), fill_value=np.nan,
                       compressors=numcodecs.Zstd(1))
    m[0:3, 0:2] = np.arange(6, dtype="<f4").reshape(3, 2) + 0.5
    m[9, 3] = 42
    v2(g, "u1", np.array([0, 1, 255, 128], dtype="|u1"), (3,))
    v2(g, "u2", np.array([0, 65535, 1234], dtype="<u2"), (3,))
    v2(g, "u4", np.array([0, 4294967295, 3000000000], dtype="<u4"), (2,))
    v2(g, "u8", np.array([0, 2**64 - 1, 2**63, 12345], dtype="<u8"), (3,))
    v2(g, "i1", np.array([-128, 127, 0, -1], dtype="|i1"), (3,))
    v2(g, "i2", np.array([-32768, 32767, 5], dtype="<i2"), (3,))
    v2(g, "i8", np.array([-2**63, 2**63 - 1, 0, -5], dtype="<i8"), (3,))
    v2(g, "bools", np.array([True, False, True, True, False]), (2,), numcodecs.Blosc("lz4", 5, 1))
    v2(g, "vlen", VLEN, (3,), numcodecs.Zstd(1), filters=[numcodecs.VLenUTF8()], dtype=str)
    vlen2 = np.array([["r0c0", "r0c1", "", "r0c3"], ["r1c0", "\u00b5", "r1c2", "r1c3"],
                      ["r2c0", "r2c1", "r2c2", "end"]], dtype=object)
    v2(g, "vlen_2d_f", vlen2, (2, 3), None, filters=[numcodecs.VLenUTF8()], order="F", dtype=str)
    v2(g, "fixed_u", np.array(["ab", "", "h\u00e9llo", "12345", "x"], dtype="<U5"), (2,))
    v2(g, "fixed_s", np.array([b"ab", b"", b"abcd", b"q"], dtype="|S4"), (3,))
    v2(g, "scalar_u", np.array("abc", dtype="<U3"), ())
    v2(g, "scalar_f", np.array(3.25), ())
    v2(g, "struct", STRUCT, (2,), numcodecs.Zlib(1), fill_value=np.zeros(1, STRUCT_DT)[0])
    g.create_array("fill_inf", shape=(4,), dtype="<f8", chunks=(4,), fill_value=-np.inf)
    sub = g.create_group("sub")
    v2(sub, "leaf", np.array([7, 8, 9], dtype="<i8"), (2,))
    zarr.consolidate_metadata(path)
    # Added after consolidation: only the per-node files know it.
    v2(g, "late", np.array([1, 2], dtype="<i4"), (2,))
    check_forder(path)
    restore_subarray_field(path)


def restore_subarray_field(path):
    """zarr-python 3 mangles the sub-array field 'v': it declares it as an opaque '|V12' and writes only
    its first element. Write what zarr-python 2 writes instead: the numpy descr ["v", "<f4", [3]] in
    .zarray and .zmetadata, and chunks that are numpy's own record bytes (edge chunk padded with the
    zero fill value), zlib-compressed."""
    def fix(meta):
        meta["dtype"] = [["v", "<f4", [3]] if f[0] == "v" else f for f in meta["dtype"]]
        return meta
    zarray = os.path.join(path, "struct", ".zarray")
    with open(zarray) as f:
        meta = fix(json.load(f))
    with open(zarray, "w") as f:
        json.dump(meta, f, indent=2)
    zmeta = os.path.join(path, ".zmetadata")
    with open(zmeta) as f:
        consolidated = json.load(f)
    fix(consolidated["metadata"]["struct/.zarray"])
    with open(zmeta, "w") as f:
        json.dump(consolidated, f, indent=2)
    assert np.dtype([tuple(f) if len(f) == 2 else (f[0], f[1], tuple(f[2])) for f in meta["dtype"]]) == STRUCT_DT
    for i in range(3):
        chunk = np.zeros(2, dtype=STRUCT_DT)
        part = STRUCT[2 * i:2 * i + 2]
        chunk[:len(part)] = part
        with open(os.path.join(path, "struct", str(i)), "wb") as f:
            f.write(numcodecs.Zlib(1).encode(chunk.tobytes()))


def check_forder(path):
    """Proves that zarr really wrote column-major chunks (not just C order with order='F' metadata)."""
    raw = open(os.path.join(path, "forder_i2", "0.0"), "rb").read()
    chunk = np.frombuffer(numcodecs.Zlib(1).decode(raw), dtype="<i2")
    expected = (np.arange(35, dtype="<i2").reshape(5, 7) - 10)[0:2, 0:3]
    assert (chunk == expected.flatten(order="F")).all(), chunk


def v3(group, name, data, chunks, **kw):
    dtype = kw.pop("dtype", data.dtype)
    a = group.create_array(name, shape=data.shape, dtype=dtype, chunks=chunks, **kw)
    a[...] = data
    return a


def make_v3(path):
    shutil.rmtree(path, ignore_errors=True)
    g = zarr.open_group(path, mode="w", zarr_format=3)
    g.attrs.update({"encoding-type": "dict", "n": 3, "list": ["a", 1]})
    s = g.create_array("sharded_end", shape=(10, 9), dtype="<i4", chunks=(2, 3), shards=(4, 6),
                       fill_value=-1, compressors=None)
    s[0:5, :] = np.arange(45, dtype="<i4").reshape(5, 9)
    s[9, 8] = 999
    s = g.create_array("sharded_start", shape=(20,), dtype="<f8", fill_value=0.0, compressors=None,
                       serializer=ShardingCodec(chunk_shape=(2,), codecs=[BytesCodec(endian="big"), GzipCodec(level=5)],
                                                index_location="start"),
                       chunks=(8,))
    s[0:13] = np.linspace(0, 1, 13)
    s = g.create_array("sharded_str", shape=(7,), dtype=str, chunks=(2,), shards=(4,), compressors=None)
    s[...] = np.array(["s0", "", "\u00b5\u00b5", "s3", "a longer string", "s5", "last"])
    v3(g, "crc", np.array([1, -2, 3, -4, 5], dtype="<i2"), (2,), compressors=[Crc32cCodec()])
    v3(g, "gzip", (np.arange(12, dtype="<f4") / 4).reshape(3, 4), (2, 2), compressors=[GzipCodec(level=6)])
    v3(g, "blosc", np.array([0, 2**64 - 1, 2**40 + 3, 17, 5], dtype="<u8"), (3,),
       compressors=[BloscCodec(cname="lz4", shuffle="bitshuffle", typesize=8)])
    v3(g, "big", (np.arange(6, dtype="<f8") - 2.5).reshape(2, 3), (2, 2), serializer=BytesCodec(endian="big"),
       compressors=None)
    v3(g, "transpose", np.arange(20, dtype="<i4").reshape(4, 5), (3, 2), filters=[TransposeCodec(order=(1, 0))],
       compressors=None)
    v3(g, "v2keys", np.arange(12, dtype="<i8").reshape(3, 4), (2, 2), chunk_key_encoding={"name": "v2", "separator": "."})
    v3(g, "scalar", np.array(3.5), ())
    v3(g, "scalar_str", np.array("hello", dtype=object), (), dtype=str)
    g.create_array("null", shape=(), dtype=bool, fill_value=False, attributes={"encoding-type": "null"})
    v3(g, "strings", np.array([["a", "\u00e9"], ["", "ccc"], ["d", "e"]], dtype=object), (2, 1), dtype=str)
    st = np.array([("ab", 1.5, 7), ("\u00e9", -1.0, -8), ("xyz", 2.0, 9)],
                  dtype=[("name", "<U3"), ("x", "<f8"), ("n", "<i4")])
    v3(g, "struct", st, (2,))
    v3(g, "fixed_u", np.array(["ab", "", "cde"], dtype="<U3"), (2,))
    sub = g.create_group("sub")
    sub.attrs["x"] = 1
    v3(sub, "leaf", np.array([True, False, True]), (2,))


def zip_dir(src, dest, extra_first=None, deflate=()):
    """Zips a directory store; entries in `extra_first` (name -> bytes) are written before the real ones."""
    if os.path.exists(dest):
        os.remove(dest)
    with zipfile.ZipFile(dest, "w") as zf:
        for name, data in (extra_first or {}).items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
        for root, _, files in sorted(os.walk(src)):
            for f in sorted(files):
                full = os.path.join(root, f)
                name = os.path.relpath(full, src).replace(os.sep, "/")
                method = zipfile.ZIP_DEFLATED if any(name.startswith(p) for p in deflate) else zipfile.ZIP_STORED
                zf.write(full, name, compress_type=method)


def make_zips():
    v2_src = os.path.join(HERE, "_v2_small.zarr")
    shutil.rmtree(v2_src, ignore_errors=True)
    g = zarr.open_group(v2_src, mode="w", zarr_format=2)
    g.attrs["version"] = "new"
    v2(g, "vlen", VLEN, (3,), numcodecs.Zstd(1), filters=[numcodecs.VLenUTF8()], dtype=str)
    v2(g, "blosc", BASE_I4, (3, 2), numcodecs.Blosc("lz4", 5, 1))
    v2(g, "none", F8, (5,), None)
    # The stale duplicates come first: a reader must take the last entry of each name.
    stale = {".zattrs": json.dumps({"version": "old"}).encode(),
             "none/.zarray": b"{ this is not json",
             "none/0": b"\x00" * 40}
    zip_dir(v2_src, os.path.join(HERE, "v2_dup.zarr.zip"), stale, deflate=("vlen/", "blosc/0", ".zattrs"))
    shutil.rmtree(v2_src)
    stale3 = {"zarr.json": json.dumps({"zarr_format": 3, "node_type": "group",
                                       "attributes": {"which": "first"}}).encode()}
    zip_dir(os.path.join(HERE, "v3_features.zarr"), os.path.join(HERE, "v3_sharded.zarr.zip"), stale3,
            deflate=("sharded_start/",))


def print_expectations():
    np.set_printoptions(precision=17, linewidth=200)
    print("BASE_I4", BASE_I4.flatten().tolist())
    print("F8", F8.tolist())
    print("STRUCT", STRUCT.tolist())
    g = zarr.open_group(os.path.join(HERE, "v3_features.zarr"), mode="r")
    for name in ["sharded_end", "sharded_start", "sharded_str", "transpose", "v2keys", "blosc", "big", "gzip"]:
        print(name, g[name][...].flatten().tolist())
    # The v2 group cannot be opened as a whole by zarr-python 3 (see restore_subarray_field).
    for name in ["missing", "forder_3d", "forder_i2", "slash", "vlen_2d_f", "fixed_u", "fixed_s"]:
        a = zarr.open_array(os.path.join(HERE, "v2_codecs.zarr", name), mode="r", zarr_format=2)
        print(name, a[...].flatten().tolist())


if __name__ == "__main__":
    make_v2(os.path.join(HERE, "v2_codecs.zarr"))
    make_v3(os.path.join(HERE, "v3_features.zarr"))
    make_zips()
    print_expectations()
