"""The Python builder mirrors the Java one: every option, its value reaching the Java source, and
the connector's validation surfacing as ValueError with its message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flink_anndata
from conftest import MIXED
from flink_anndata import UNBOUNDED, AnnDataSource
from flink_anndata.jar import JarNotFoundError


@pytest.fixture(scope="module", autouse=True)
def loaded(environment):
    environment()  # adds the jar: builders below load the connector's classes


def _settings(source):
    return source._j_function.settings()


def _missing():
    from pyflink.java_gateway import get_gateway

    return get_gateway().jvm.io.github.flinkanndata.collection.Missing.MISSING


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_java_builder_option_has_a_python_twin():
    from pyflink.util.java_utils import load_java_class

    cls = load_java_class("io.github.flinkanndata.source.AnnDataSourceBuilder")
    java = {m.getName() for m in cls.getMethods()
            if m.getDeclaringClass() == cls and m.getName() not in ("build", "set")}
    assert java, "no builder methods found"
    missing = sorted(n for n in java if not hasattr(flink_anndata.AnnDataSourceBuilder, _snake(n)))
    assert missing == []


def test_options_reach_the_java_source():
    s = _settings(AnnDataSource.builder(MIXED)
                  .layers_keys("X", "counts").obs_keys("cell_type", "donor").obsm_keys("X_emb")
                  .obs_filter("donor", "d1", None).join("outer").encode_labels(["cell_type"])
                  .unknown_label({"cell_type": "unused"}).cache_categories(False).dtype("float64")
                  .output("dense").sampling("weighted").weight_keys("cell_type").weight_scaler(10)
                  .block_size(8).window_blocks(3).rows_per_split(5).epochs(UNBOUNDED).seed(123)
                  .fetch_rows(9).max_open_stores(2).chunk_cache_bytes(4096).build())
    c = s.collection()
    assert list(c.paths()) == MIXED
    assert list(c.layersKeys()) == ["X", "counts"]
    assert list(c.obsKeys()) == ["cell_type", "donor"]
    assert list(c.obsmKeys()) == ["X_emb"]
    donor = c.obsFilter().get("donor")
    assert donor.get(0) == "d1" and donor.get(1) == _missing() and donor.size() == 2
    assert c.join().toString() == "OUTER"
    assert list(c.encodeKeys()) == ["cell_type"]
    assert c.unknownLabelFor("cell_type") == "unused"
    assert c.cacheCategories() is False
    assert c.dtype().toString() in ("FLOAT64", "float64")
    assert c.containerOptions().chunkCacheBytes() == 4096
    assert s.output().toString() == "DENSE"
    assert s.sampling().toString() == "WEIGHTED"
    assert list(s.weightKeys()) == ["cell_type"]
    assert s.weightScaler() == 10.0
    assert (s.blockSize(), s.windowBlocks(), s.rowsPerSplit()) == (8, 3, 5)
    assert (s.epochs(), s.bounded(), s.seed()) == (-1, False, 123)
    assert (s.fetchRows(), s.maxOpenStores()) == (9, 2)


def test_defaults_are_the_java_defaults():
    from pyflink.java_gateway import get_gateway

    ours = _settings(AnnDataSource.builder(MIXED).build())
    theirs = get_gateway().jvm.io.github.flinkanndata.source.AnnDataSource.builder(MIXED).build().settings()
    assert ours.toString() == theirs.toString()


def test_filters_take_labels_as_arguments_or_a_list():
    a = _settings(AnnDataSource.builder(MIXED).obs_filter("donor", "d1", "d2").obs_filter("n_genes", 2).build())
    b = _settings(AnnDataSource.builder(MIXED).obs_filter("donor", ["d1", "d2"]).obs_filter("n_genes", [2]).build())
    c = _settings(AnnDataSource.builder(MIXED).obs_filter({"donor": ["d1", "d2"], "n_genes": 2}).build())
    filters = [s.collection().obsFilter() for s in (a, b, c)]
    assert filters[0].toString() == "{donor=[d1, d2], n_genes=[2]}"
    assert filters[0] == filters[1] == filters[2]


def test_configure_takes_the_java_option_keys():
    s = _settings(AnnDataSource.builder(MIXED)
                  .configure({"anndata.obs-keys": "cell_type", "anndata.sampling": "BLOCK_SHUFFLED",
                              "anndata.block-size": 16, "anndata.encode-labels": False}).build())
    assert list(s.collection().obsKeys()) == ["cell_type"]
    assert list(s.collection().encodeKeys()) == []
    assert s.sampling().toString() == "BLOCK_SHUFFLED"
    assert s.blockSize() == 16


def test_growing_collection_options_reach_the_java_source(tmp_path):
    import datetime

    s = _settings(AnnDataSource.builder(MIXED).epochs(UNBOUNDED).watch_directories(str(tmp_path))
                  .discovery_interval(datetime.timedelta(seconds=2.5)).genes(["g1", "g2"]).build())
    assert list(s.watchDirectories()) == [str(tmp_path)]
    assert s.discoveryInterval().toMillis() == 2500
    assert list(s.genes()) == ["g1", "g2"]
    s = _settings(AnnDataSource.builder(MIXED).epochs(UNBOUNDED).watch_directories(str(tmp_path))
                  .discovery_interval(0.25).build())
    assert s.discoveryInterval().toMillis() == 250


def test_store_cache_options_reach_the_java_source(tmp_path):
    s = _settings(AnnDataSource.builder(MIXED).store_cache_dir(str(tmp_path)).store_cache_max_bytes(1 << 20)
                  .store_cache_download_retries(5).build())
    c = s.storeCache()
    assert (c.directory(), c.maxBytes(), c.downloadRetries()) == (str(tmp_path), 1 << 20, 5)
    assert _settings(AnnDataSource.builder(MIXED).store_cache_dir(None).build()).storeCache().directory() is None


def test_remote_options_reach_the_java_source():
    s = _settings(AnnDataSource.builder(MIXED).remote_mode("copy").remote_cache_bytes(1 << 20)
                  .remote_fetch_threads(3).remote_retries(1).remote_validate_interval(2.5).build())
    c = s.storeCache()
    assert (c.mode().name(), c.rangeCacheBytes(), c.fetchThreads(), c.reads().retries(),
            c.reads().validateIntervalMillis()) == ("COPY", 1 << 20, 3, 1, 2500)
    assert _settings(AnnDataSource.builder(MIXED).build()).storeCache().mode().name() == "RANGE"


def test_obsm_ndim_makes_nested_array_fields():
    source = (AnnDataSource.builder(MIXED).obsm_keys("X_emb", "patch")
              .obsm_ndim({"patch": 3, "X_emb": 2}).build())
    assert source.field_names == ["store_idx", "global_idx", "epoch", "X", "obsm_X_emb", "obsm_patch"]
    row_type = source._j_function.getProducedType()
    assert row_type.getTypeAt("obsm_X_emb").getTypeClass().getSimpleName() == "float[]"
    assert row_type.getTypeAt("obsm_patch").getTypeClass().getSimpleName() == "float[][]"


def test_resetting_to_none_restores_the_default():
    s = _settings(AnnDataSource.builder(MIXED).obs_keys("cell_type").dtype("int32").dtype(None)
                  .unknown_label("x").unknown_label(None).build())
    assert s.collection().dtype() is None
    assert s.collection().unknownLabelFor("cell_type") is None


@pytest.mark.parametrize("configure, message", [
    (lambda b: b.block_size(0), "blockSize must be > 0, was 0"),
    (lambda b: b.epochs(0), "epochs must be > 0, or -1 (UNBOUNDED) for a continuous source, was 0"),
    (lambda b: b.chunk_cache_bytes(-1), "chunkCacheBytes has an invalid value: Could not parse value '-1'"),
    (lambda b: b.sampling("weighted"), "weightKeys must name the obs keys to balance in WEIGHTED sampling"),
    (lambda b: b.weight_keys("cell_type"), "weightKeys given ([cell_type]), but sampling is SEQUENTIAL"),
    (lambda b: b.join("sideways"), "sideways"),
    (lambda b: b.dtype("float16"), "float16"),
    (lambda b: b.configure({"anndata.block-size": "many"}), "many"),
    (lambda b: b.obs_keys("cell_type").obs_types({"donor": "string"}),
     "obs type given for 'donor', which is not one of the obs keys [cell_type]"),
    (lambda b: b.obs_keys("cell_type").encode_labels(False).obs_types({"cell_type": "int"}),
     "obs key 'cell_type' is not encoded"),
    (lambda b: b.obs_keys("cell_type").obs_types({"cell_type": "string"}), "obs key 'cell_type' is encoded"),
    (lambda b: b.obs_keys("store_idx"), "two row fields would be named 'store_idx'"),
    (lambda b: b.obsm_keys("X_emb").obsm_ndim({"X_pca": 3}),
     "obsm ndim given for 'X_pca', which is not one of the obsm keys [X_emb]"),
    (lambda b: b.obsm_keys("X_emb").obsm_ndim({"X_emb": 0}), "obsm ndim of 'X_emb' must be 1 or more"),
])
def test_invalid_options_fail_at_build_with_the_connector_message(configure, message):
    with pytest.raises(ValueError) as e:
        configure(AnnDataSource.builder(MIXED)).build()
    assert message in str(e.value)
    assert "at io.github" not in str(e.value)  # the message, not a Java stack trace


@pytest.mark.parametrize("call, error", [
    (lambda b: b.obs_keys("a", 3), TypeError),
    (lambda b: b.obs_keys("cell_type", None), TypeError),
    (lambda b: b.layers_keys(5), TypeError),
    (lambda b: b.block_size(2.5), TypeError),
    (lambda b: b.block_size(True), TypeError),
    (lambda b: b.sampling("random"), ValueError),
    (lambda b: b.output("csr"), ValueError),
    (lambda b: b.obs_types({"donor": "text"}), ValueError),
    (lambda b: b.obs_filter("donor", object()), TypeError),
    (lambda b: b.cache_categories("yes"), TypeError),
    (lambda b: b.encode_labels("cell_type"), TypeError),
    (lambda b: b.obsm_ndim({"X_emb": 2.5}), TypeError),
    (lambda b: b.obsm_ndim({3: 3}), TypeError),
])
def test_wrong_python_types_fail_at_the_call(call, error):
    with pytest.raises(error):
        call(AnnDataSource.builder(MIXED))


def test_paths_must_be_strings():
    with pytest.raises(TypeError):
        AnnDataSource.builder("a.h5ad", 3)


def test_a_missing_jar_is_named(tmp_path, monkeypatch):
    missing = tmp_path / "nope.jar"
    with pytest.raises(JarNotFoundError, match=re.escape(str(missing))):
        flink_anndata.jar_path(str(missing))
    monkeypatch.setenv("FLINK_ANNDATA_JAR", str(missing))
    monkeypatch.setattr(flink_anndata.jar, "_registered", None)
    with pytest.raises(JarNotFoundError, match=r"\$FLINK_ANNDATA_JAR"):
        flink_anndata.jar_path()
    monkeypatch.delenv("FLINK_ANNDATA_JAR")
    # without an explicit jar the bundled one is used; a package installed without it says so
    assert flink_anndata.jar_path() == flink_anndata.bundled_jar()
    monkeypatch.setattr(flink_anndata.jar, "_LIB", tmp_path / "empty-lib")
    with pytest.raises(JarNotFoundError, match="installed without its connector jar"):
        flink_anndata.jar_path()


def test_the_package_bundles_the_shaded_connector_jar():
    import zipfile

    jar = flink_anndata.bundled_jar()
    assert jar is not None, "the installed package has no flink_anndata/lib/*.jar"
    assert jar.parent == Path(flink_anndata.__file__).resolve().parent / "lib"
    with zipfile.ZipFile(jar) as z:
        names = set(z.namelist())
    assert "io/github/flinkanndata/table/AnnDataDynamicTableFactory.class" in names
    assert "io/github/flinkanndata/source/python/CellRowFormat.class" in names
    # the connector's dependencies are inside, relocated; Flink is not
    assert any(n.startswith("io/github/flinkanndata/shaded/io/jhdf/") for n in names)
    assert not any(n.startswith("org/apache/flink/") for n in names)
