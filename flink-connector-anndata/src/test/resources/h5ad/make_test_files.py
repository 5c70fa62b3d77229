"""Generates the small HDF5 fixtures of the h5ad backend tests.

Run from this folder with h5py 3.16 / HDF5 2.0 / numpy 2.4 (the versions the committed files were
made with):  python make_test_files.py

  lzf_tolerance.h5  LZF datasets that jhdf 0.13 cannot read: filters without cd_values (h5py
                    itself writes vlen-string LZF datasets that way; a numeric one is patched to
                    match) and a chunk that HDF5 stored raw because LZF did not shrink it (the
                    per-chunk filter mask has bit 0 set).
  types.h5          every element type, layout and attribute kind the reader maps.
  absurd_shape.h5   datasets whose dataspace was patched to declare 2^40 elements.
  plugins.h5        zstd (32015) and blosc (32001) filters, as hdf5plugin 7.1 writes them.
  v4_indexes.h5     libver v110..v114: the version-4 chunk indexes (single chunk, implicit, fixed
                    array, extensible array, v2 B-tree), one with a raw LZF chunk.
  layout_v5.h5      libver="latest" under HDF5 2.0: a data layout message version 5, which jhdf
                    0.13 cannot parse (the reader must fail cleanly).
  legacy_obsm_nd.h5 the pre-0.7 layout (obs, var and obsm as compound datasets) with obsm fields
                    of shape (2, 3) and (2, 3, 4) per row, chunked by 3 records: obsm entries of
                    three and four dimensions, which lamindb cannot open (it reads no compound
                    obsm). h5py writes array datatypes of version 2, whose dimensions jhdf 0.13
                    misreads (CompoundFields works around it).

The script asserts the properties the tests rely on (filter masks, missing cd_values) and prints
the values the Java tests hard-code.
"""
import struct

import h5py
import numpy as np

LZF_ID = 32000


def lzf_filter_offset(raw, header_addr):
    """Byte offset of the LZF entry of a version-1 filter pipeline message after header_addr."""
    # id 32000, name length 8, flags, 3 values, "lzf" padded to 8 bytes
    pattern = struct.pack("<HH", LZF_ID, 8)
    at = raw.find(pattern, header_addr)
    assert 0 <= at - header_addr < 4096, "LZF filter entry not found near the object header"
    nvalues = struct.unpack_from("<H", raw, at + 6)[0]
    assert nvalues == 3 and raw[at + 8:at + 12] == b"lzf\0", raw[at:at + 32].hex()
    return at


def drop_lzf_cd_values(path, names):
    """Rewrites the LZF entry of each named dataset to carry no client data values.

    LZF must be the last filter of the pipeline: the now unused 12 value bytes are left behind as
    trailing bytes of the message, which both HDF5 and jhdf ignore.
    """
    with h5py.File(path, "r") as f:
        addrs = [h5py.h5o.get_info(f[n].id).addr for n in names]
    raw = bytearray(open(path, "rb").read())
    for addr in addrs:
        at = lzf_filter_offset(raw, addr)
        struct.pack_into("<H", raw, at + 6, 0)
    open(path, "wb").write(raw)


def make_lzf_tolerance():
    path = "lzf_tolerance.h5"
    rng = np.random.default_rng(42)
    strings = np.array([f"cell_{i}_µ_{'é' * (i % 4)}" for i in range(300)], dtype=object)
    floats = np.arange(1024, dtype="<f8") * 0.5
    floats[512:768] = rng.random(256)  # chunk 2: incompressible, stored raw
    with h5py.File(path, "w") as f:
        f.create_dataset("strings_nocd", data=strings, dtype=h5py.string_dtype(),
                         chunks=(100,), compression="lzf")
        f.create_dataset("floats_nocd_rawchunk", data=floats, chunks=(256,), compression="lzf")
        f.create_dataset("floats_rawchunk", data=floats, chunks=(256,), compression="lzf")
    # h5py's LZF set_local leaves vlen strings without cd_values; numbers need a patch
    drop_lzf_cd_values(path, ["floats_nocd_rawchunk"])

    with h5py.File(path, "r") as f:
        for name in ["strings_nocd", "floats_nocd_rawchunk", "floats_rawchunk"]:
            d = f[name]
            masks = [d.id.get_chunk_info(i).filter_mask for i in range(d.id.get_num_chunks())]
            cd = d.id.get_create_plist().get_filter(0)[2]
            print(name, "cd_values", cd, "chunk filter masks", masks)
        for name in ["floats_nocd_rawchunk", "floats_rawchunk"]:
            m = [f[name].id.get_chunk_info(i).filter_mask for i in range(4)]
            assert m == [0, 0, 1, 0], m
            assert np.array_equal(f[name][:], floats)
        assert f["floats_nocd_rawchunk"].id.get_create_plist().get_filter(0)[2] == ()
        assert f["strings_nocd"].id.get_create_plist().get_filter(0)[2] == ()
        assert list(f["strings_nocd"].asstr()[:]) == list(strings)
        print("floats[510:515]", repr(floats[510:515].tolist()))
        print("floats[766:770]", repr(floats[766:770].tolist()))
        print("sum floats", repr(float(floats.sum())))


def make_types():
    path = "types.h5"
    with h5py.File(path, "w") as f:
        ints = f.create_group("ints")
        ints["i8"] = np.array([-128, -1, 0, 127], dtype="i1")
        ints["i16"] = np.array([-32768, 0, 32767], dtype="<i2")
        ints["i32_be"] = np.array([-2, 1, 2**31 - 1], dtype=">i4")
        ints["i64"] = np.array([-(2**63), 0, 2**63 - 1], dtype="<i8")
        ints["u8"] = np.array([0, 200, 255], dtype="u1")
        ints["u16"] = np.array([0, 40000, 65535], dtype="<u2")
        ints["u32"] = np.array([0, 3_000_000_000, 2**32 - 1], dtype="<u4")
        ints["u64"] = np.array([0, 1, 2**63, 2**64 - 1], dtype="<u8")
        fl = f.create_group("floats")
        fl["f16"] = np.array([0.5, -2.0, 65504.0], dtype="<f2")
        fl["f32"] = np.array([1.5, -0.25, np.inf], dtype="<f4")
        fl["f64_be"] = np.array([np.pi, -1e300, np.nan], dtype=">f8")
        f["bools"] = np.array([True, False, True, True, False])
        f["bools_chunked"] = np.array([i % 3 == 0 for i in range(50)])
        f.create_dataset("bools_gzip", data=np.array([i % 3 == 0 for i in range(50)]),
                         chunks=(16,), compression="gzip")
        s = f.create_group("strings")
        s.create_dataset("vlen", data=np.array(["a", "", "gène_µ", "日本語", "x" * 40], dtype=object),
                         dtype=h5py.string_dtype())
        s.create_dataset("fixed_ascii", data=np.array([b"ab", b"abcdefgh", b""], dtype="S8"))
        fu = s.create_dataset("fixed_utf8", shape=(2,), dtype=h5py.string_dtype("utf-8", 6))
        fu.id.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array(["é".encode(), "ü1".encode()], dtype="S6"),
                    mtype=fu.id.get_type())
        s.create_dataset("vlen_2d", data=np.array([[f"r{r}c{c}" for c in range(3)] for r in range(5)],
                                                  dtype=object),
                         dtype=h5py.string_dtype(), chunks=(2, 2), compression="gzip")
        s["scalar"] = "héllo"
        f["empty"] = h5py.Empty("f")
        f.create_dataset("zero_len", shape=(0,), dtype="i4")
        f.create_dataset("zero_len_chunked", shape=(0,), maxshape=(None,), dtype="f8", chunks=(8,))
        f["scalar_f64"] = np.float64(3.5)
        f["scalar_i64"] = np.int64(-42)
        f["scalar_bool"] = np.bool_(True)
        f.create_dataset("grid2d", data=np.arange(35, dtype="<i4").reshape(7, 5), chunks=(3, 2),
                         compression="gzip")
        f.create_dataset("grid3d", data=np.arange(60, dtype="<f4").reshape(4, 3, 5), chunks=(2, 2, 3),
                         compression="gzip", shuffle=True)
        f["contiguous2d"] = np.arange(24, dtype="<f8").reshape(6, 4) / 4
        space = h5py.h5s.create_simple((4,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        dcpl.set_obj_track_times(False)  # byte-identical output on every run
        cid = h5py.h5d.create(f.id, b"compact_i16", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
        cid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([5, -6, 7, -8], dtype="<i2"))
        d = f.create_dataset("sparse_fill", shape=(100,), chunks=(10,), dtype="<i4", fillvalue=-7)
        d[20:30] = np.arange(10, dtype="<i4")
        rec = np.dtype([("name", "S8"), ("code", "<i2"), ("vec", "<f4", (3,)),
                        ("label", h5py.string_dtype())])
        recs = np.array([(f"n{i}".encode(), i * 10 - 20, [i, i + 0.5, -i], f"lab_{i}_ß")
                         for i in range(5)], dtype=rec)
        f.create_dataset("compound", data=recs, chunks=(2,), compression="gzip")
        g = f.create_group("attrs")
        g.attrs["bool_scalar"] = np.bool_(True)
        g.attrs["bool_array"] = np.array([True, False])
        g.attrs["int_scalar"] = np.int64(7)
        g.attrs["int_one"] = np.array([7], dtype="i8")
        g.attrs["int_array"] = np.array([1, 2, 3], dtype="i4")
        g.attrs["u8_scalar"] = np.uint8(250)
        g.attrs["u64_max"] = np.uint64(2**64 - 1)
        g.attrs["float_scalar"] = np.float32(0.25)
        g.attrs["empty_floats"] = np.array([], dtype="f8")
        g.attrs["str_scalar"] = "ünï"
        g.attrs["str_array"] = np.array(["a", "ü"], dtype=object)
        g.attrs["fixed_str"] = np.bytes_(b"abc")
        g.attrs["ref"] = f["ints/i8"].ref
        g.attrs["group_ref"] = f["floats"].ref
    with h5py.File(path, "r") as f:
        print("u64", f["ints/u64"][:].tolist())
        print("f16", f["floats/f16"][:].tolist())
        print("bools_gzip true idx sum", int(np.flatnonzero(f["bools_gzip"][:]).sum()))
        print("grid2d[2:6,1:4]", f["grid2d"][2:6, 1:4].tolist())
        print("grid3d[1:3,1:3,2:5]", f["grid3d"][1:3, 1:3, 2:5].ravel().tolist())
        print("sparse_fill[15:25]", f["sparse_fill"][15:25].tolist())
        print("compound", f["compound"][:])
        print("masks grid2d", [f["grid2d"].id.get_chunk_info(i).filter_mask for i in range(9)])


def make_absurd_shape():
    """Declares 2^40 elements over 16 stored ones, so that reads far out must not allocate them."""
    path = "absurd_shape.h5"
    n = 3001  # a dimension value that occurs nowhere else in the file
    with h5py.File(path, "w") as f:
        f.create_dataset("contiguous", data=np.arange(n, dtype="<i4") % 97)
        f.create_dataset("chunked", data=np.arange(n, dtype="<i4") % 97, chunks=(1024,),
                         maxshape=(None,), compression="gzip")
    raw = bytearray(open(path, "rb").read())
    needle = struct.pack("<Q", n)
    count = 0
    at = raw.find(needle)
    while at >= 0:
        struct.pack_into("<Q", raw, at, 1 << 40)
        count += 1
        at = raw.find(needle, at + 8)
    assert count == 3, count  # contiguous dims and maxdims, chunked dims (maxdims unlimited)
    open(path, "wb").write(raw)
    print("absurd_shape patched", count, "dimension fields")


def make_plugins():
    import hdf5plugin  # only needed to write these filters

    path = "plugins.h5"
    f64 = np.arange(5000, dtype="<f8") * 0.1
    i32 = np.arange(5000, dtype="<i4") % 1000
    f32 = np.sin(np.arange(5000, dtype="<f4"))
    strings = np.array([f"gene_{i}_é" for i in range(500)], dtype=object)
    with h5py.File(path, "w") as f:
        f.create_dataset("zstd_f64", data=f64, chunks=(1000,), **hdf5plugin.Zstd(clevel=3))
        f.create_dataset("blosc_lz4_i32", data=i32, chunks=(1000,),
                         **hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
        f.create_dataset("blosc_zstd_f32", data=f32, chunks=(1000,),
                         **hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
        f.create_dataset("zstd_strings", data=strings, dtype=h5py.string_dtype(), chunks=(128,),
                         **hdf5plugin.Zstd())
    with h5py.File(path, "r") as f:
        for name in f:
            print(name, f[name].id.get_create_plist().get_filter(0)[:3])
        print("zstd_f64[995:1003]", f["zstd_f64"][995:1003].tolist())
        print("blosc_lz4_i32 sum", int(f["blosc_lz4_i32"][:].sum()))
        print("blosc_zstd_f32[998:1001]", f["blosc_zstd_f32"][998:1001].tolist())
        print("zstd_strings[126:130]", f["zstd_strings"].asstr()[126:130].tolist())


def make_v4_indexes():
    path = "v4_indexes.h5"
    rng = np.random.default_rng(7)
    lzf = np.arange(1024, dtype="<f8") * 0.25
    lzf[256:512] = rng.random(256)  # chunk 1: incompressible, stored raw
    # "latest" would write HDF5 2.0's layout message v5; v114 still writes v4 with the new indexes
    with h5py.File(path, "w", libver=("v110", "v114")) as f:
        f.create_dataset("single", data=np.arange(30, dtype="<i8"), chunks=(30,), compression="gzip")
        f.create_dataset("fixed", data=np.arange(100, dtype="<i4"), chunks=(16,), compression="gzip")
        f.create_dataset("extensible", data=np.arange(100, dtype="<i4"), chunks=(16,), maxshape=(None,),
                         compression="gzip")
        f.create_dataset("btree2", data=np.arange(200, dtype="<f4").reshape(20, 10), chunks=(4, 4),
                         maxshape=(None, None), compression="gzip")
        space = h5py.h5s.create_simple((64,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((16,))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        dcpl.set_obj_track_times(False)
        iid = h5py.h5d.create(f.id, b"implicit", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
        iid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(64, dtype="<i2"))
        f.create_dataset("lzf_raw", data=lzf, chunks=(256,), compression="lzf")
    with h5py.File(path, "r") as f:
        masks = [f["lzf_raw"].id.get_chunk_info(i).filter_mask for i in range(4)]
        assert masks == [0, 1, 0, 0], masks
        print("v4 lzf_raw[254:258]", f["lzf_raw"][254:258].tolist(), "sum", repr(float(f["lzf_raw"][:].sum())))
        print("v4 btree2[3:6,3:5]", f["btree2"][3:6, 3:5].ravel().tolist())


def make_layout_v5():
    with h5py.File("layout_v5.h5", "w", libver="latest") as f:
        # HDF5 2.0 writes layout v5 for filtered chunked datasets
        f.create_dataset("data", data=np.arange(10, dtype="<i4"), chunks=(5,), compression="gzip")
        f.create_group("group").attrs["encoding-type"] = "dict"


def make_legacy_obsm_nd():
    with h5py.File("legacy_obsm_nd.h5", "w") as f:
        f.create_dataset("X", data=np.arange(10, dtype=np.float32).reshape(5, 2))
        f.create_dataset("obs", data=np.array([(f"c{i}".encode(),) for i in range(5)], dtype=[("index", "S2")]))
        f.create_dataset("var", data=np.array([(b"g1",), (b"g2",)], dtype=[("index", "S2")]))
        obsm = np.zeros(5, dtype=[("patch", "<f4", (2, 3)), ("pca", "<f8", (2,)), ("cube", "<i2", (2, 3, 4))])
        obsm["patch"] = (np.arange(30).reshape(5, 2, 3) / 4).astype(np.float32)  # value = flat index / 4
        obsm["pca"] = -np.arange(10).reshape(5, 2) / 8
        obsm["cube"] = np.arange(120).reshape(5, 2, 3, 4) - 60  # value = flat index - 60
        f.create_dataset("obsm", data=obsm, chunks=(3,))


if __name__ == "__main__":
    make_lzf_tolerance()
    make_types()
    make_absurd_shape()
    make_plugins()
    make_v4_indexes()
    make_layout_v5()
    make_legacy_obsm_nd()
