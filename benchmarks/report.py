"""Turns the raw JSON lines of benchmarks/run.sh into target/bench/results.{md,json}.

usage: python report.py RAW.jsonl DATA_DIR OUT_PREFIX [--quick 0|1]
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess

FORMS = ["h5ad_none", "h5ad_gzip", "zarr_zstd", "annbatch"]
FORM_NAMES = {"h5ad_none": "h5ad, uncompressed", "h5ad_gzip": "h5ad, gzip",
              "zarr_zstd": "zarr v3 sharded, zstd", "annbatch": "annbatch store (pre-shuffled, blosc-lz4)"}


def machine():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1), "os": platform.platform(),
            "java": java, "python": platform.python_version()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("raw")
    p.add_argument("data")
    p.add_argument("out")
    p.add_argument("--quick", default="0")
    p.add_argument("--serving", help="JSON lines of benchmarks/serving.py")
    p.add_argument("--serving-only", action="store_true", help="only the serving comparison (run.sh --serving-only)")
    p.add_argument("--pyflink", help="JSON lines of benchmarks/pyflink_paths.py")
    p.add_argument("--remote", help="JSON lines of S3SourceBenchmark (run.sh's remote-store comparison)")
    p.add_argument("--remote-only", action="store_true", help="only the remote-store comparison (run.sh --remote-only)")
    a = p.parse_args()
    rows = [json.loads(l) for l in open(a.raw) if l.strip()] if os.path.exists(a.raw) else []
    data = pathlib.Path(a.data)
    man = json.loads((data / "manifest_h5ad_none.json").read_text())
    nnz_per_cell = man["parts"]["data"]["nnz"] / man["cells"]
    sizes = json.loads((data / "sizes.json").read_text()) if (data / "sizes.json").exists() else {}

    def find(form, loader, case=None):
        for r in rows:
            if "error" in r:
                continue
            if r.get("form") == form and r.get("loader") == loader and (case is None or r.get("case") == case):
                return r
        return None

    def cps(r):
        return r["cells_per_s"] if r else None

    def mbps(r):  # payload: stored values and column indices, 8 bytes per non-zero
        return r["cells_per_s"] * nnz_per_cell * 8 / 1e6 if r else None

    def ratio(x, y):
        return x / y if x and y else None

    def f0(v):
        return "n/a" if v is None else f"{v:,.0f}"

    def f1(v):
        return "n/a" if v is None else f"{v:.2f}"

    derived = {}
    md = []
    md.append(f"# Loader benchmark results{' (quick)' if a.quick == '1' else ''}\n")
    m = machine()
    loads = [r.get("load1") for r in rows if r.get("load1") is not None] or [
        r["load_avg_1m"] for r in _lines(a.serving) + _lines(a.remote) if r.get("load_avg_1m") is not None] or [0.0]
    md.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}; {m['java']}; "
              f"Python {m['python']}. Load average (1 min) during the cases: "
              f"{min(loads):.1f}-{max(loads):.1f} (the machine is shared; 2.0 = both cores busy).\n")
    md.append(f"Collection: `{data.name}` (stores x cells x genes x non-zeros per cell), "
              f"{nnz_per_cell:,.0f} non-zeros per cell measured; sizes on disk: "
              + ", ".join(f"{k} {v / 1e6:,.0f} MB" for k, v in sizes.items()) + ".\n")
    md.append("Cells/s over a fixed wall time after a warm-up; every value of every cell is read by the "
              "consumer. MB/s = payload (value + column index, 8 bytes per non-zero). Ours: the Flink "
              "source in a MiniCluster, `-Xmx1g` for the whole JVM; block-shuffled = blocks of 512 rows, "
              "32 blocks per window (annbatch's chunk_size=512, preload_nchunks=32); uniform = "
              "block-shuffled with 1-row blocks (per-cell random order, like DataLoader's shuffle). "
              "MappedCollection: DataLoader(shuffle=True, batch_size=256, num_workers=cores, "
              "worker_init_fn=torch_worker_init_fn), dense rows. annbatch: Loader(chunk_size=512, "
              "preload_nchunks=32, batch_size=256, shuffle=True), zarrs pipeline, sparse batches. "
              "Ceiling: one thread decompressing + decoding the stored chunks of store 0 "
              "(`X/data` + `X/indices`), nothing else.\n")

    if a.serving_only or a.remote_only:
        only = remote_section if a.remote_only else serving_section
        only(md, derived, a, rows, f0, f1, lambda ok: "n/a" if ok is None else ("met" if ok else "not met"))
        pathlib.Path(a.out).with_suffix(".md").write_text("\n".join(md) + "\n")
        print("\n".join(md))
        return

    md.append("\n## Per storage form (cells/s)\n")
    md.append("| storage | MappedCollection | annbatch | ours block p=1 | ours block p=2 | ours uniform p=2 "
              "| collection getRange | collection get(i) | ceiling (1 thread) | p=2 / Mapped | p=2 / annbatch "
              "| p=2 per core / ceiling | uniform / Mapped |")
    md.append("|---|" + "---|" * 13)
    for form in FORMS:
        mc = find(form, "mapped-collection")
        ab = find(form, "annbatch")
        b1 = find(form, "ours-flink", "flink:block:sparse:1")
        b2 = find(form, "ours-flink", "flink:block:sparse:2")
        un = find(form, "ours-flink", "flink:uniform:sparse:2")
        gr = find(form, "ours-collection", "coll:range")
        gi = find(form, "ours-collection", "coll:get")
        ce = find(form, "ceiling")
        d = {
            "mapped": cps(mc), "annbatch": cps(ab), "block_p1": cps(b1), "block_p2": cps(b2),
            "uniform_p2": cps(un), "get_range": cps(gr), "get": cps(gi), "ceiling": cps(ce),
            "codec": ce["codec"] if ce else None,
            "block_p2_over_mapped": ratio(cps(b2), cps(mc)),
            "block_p2_over_annbatch": ratio(cps(b2), cps(ab)),
            "block_p2_per_core_over_ceiling": ratio(cps(b2) / 2 if b2 else None, cps(ce)),
            "uniform_over_mapped": ratio(cps(un), cps(mc)),
        }
        # the mini-batch output (CellBatch), issue 14's targets
        m1 = find(form, "ours-flink-batch", "batch:block:sparse:1")
        m2 = find(form, "ours-flink-batch", "batch:block:sparse:2")
        d.update({
            "batch_p1": cps(m1), "batch_p2": cps(m2),
            "batch_p2_over_annbatch": ratio(cps(m2), cps(ab)),
            "batch_p2_over_mapped": ratio(cps(m2), cps(mc)),
            "batch_p2_live_full_gc_mb": m2 and m2.get("live_heap_full_gc_mb"),
            "batch_p2_peak_live_mb": m2 and m2.get("peak_live_heap_mb"),
            "batch_p1_cpu_over_ceiling": ratio(m1 and m1.get("cells_per_cpu_s"), ce and ce.get("cells_per_cpu_s")),
            "batch_p1_cpu_by_stage": m1 and m1.get("cpu_s_by_stage"),
        })
        derived[form] = d
        md.append(f"| {FORM_NAMES[form]} | {f0(d['mapped'])} | {f0(d['annbatch'])} | {f0(d['block_p1'])} | "
                  f"{f0(d['block_p2'])} | {f0(d['uniform_p2'])} | {f0(d['get_range'])} | {f0(d['get'])} | "
                  f"{f0(d['ceiling'])} ({d['codec']}) | {f1(d['block_p2_over_mapped'])} | "
                  f"{f1(d['block_p2_over_annbatch'])} | {f1(d['block_p2_per_core_over_ceiling'])} | "
                  f"{f1(d['uniform_over_mapped'])} |")

    md.append("\n## Mini-batches (CellBatch of 512 cells, block-shuffled, sparse)\n")
    md.append("| storage | batch p=1 | batch p=2 | p=2 / annbatch | p=2 / Mapped | p=1 cells per CPU-s / ceiling's "
              "| p=1 CPU seconds by stage | p=2 live heap after a full GC (MB) | p=2 peak heap after collections (MB) |")
    md.append("|---|" + "---|" * 9)
    for form in FORMS:
        d = derived[form]
        stages = d["batch_p1_cpu_by_stage"] or {}
        md.append(f"| {FORM_NAMES[form]} | {f0(d['batch_p1'])} | {f0(d['batch_p2'])} | {f1(d['batch_p2_over_annbatch'])} | "
                  f"{f1(d['batch_p2_over_mapped'])} | {f1(d['batch_p1_cpu_over_ceiling'])} | "
                  + ", ".join(f"{k} {v:.1f}" for k, v in sorted(stages.items()))
                  + f" | {f0(d['batch_p2_live_full_gc_mb'])} | {f0(d['batch_p2_peak_live_mb'])} |")

    md.append("\n## Every case\n")
    md.append("| storage | loader | case | cells/s | MB/s | cells per CPU-second | live heap MB | peak RSS MB | load |")
    md.append("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            md.append(f"| {r.get('form')} | | {r.get('case')} | failed: {r['error']} | | | | | {r.get('load1', 0):.1f} |")
            continue
        if "cells_per_s" not in r:
            continue
        heap = r.get("peak_live_heap_mb")
        md.append(f"| {r['form']} | {r['loader']} | {r['case']} | {f0(r['cells_per_s'])} | {f0(mbps(r))} | "
                  f"{f0(r.get('cells_per_cpu_s'))} | {f0(heap)} | {f0(r.get('peak_rss_mb'))} | {r.get('load1', 0):.1f} |")

    md.append("\n## Scale\n")
    plan = find("many", "ours-plan")
    many = find("many", "ours-flink")
    heap = find("heap2m", "ours-flink")
    small = find("rows_small", "ours-flink")
    large = find("rows_large", "ours-flink")
    scale = {
        "plan_1000_stores_s": plan and plan["plan_seconds"], "plan_1000_stores_bytes": plan and plan["plan_bytes"],
        "first_record_1000_stores_s": many and many["first_record_s"],
        "heap_2m_live_mb": heap and heap.get("peak_live_heap_mb"), "heap_2m_used_mb": heap and heap.get("peak_heap_mb"), "heap_2m_stores": heap and heap["stores"],
        "heap_2m_cells_per_s": cps(heap),
        "checkpoint_small": small and small.get("checkpoint_bytes"), "rows_small": small and small.get("rows"),
        "checkpoint_large": large and large.get("checkpoint_bytes"), "rows_large": large and large.get("rows"),
    }
    derived["scale"] = scale
    if plan:
        md.append(f"- Planning {plan['stores']:,} stores ({plan['cells']:,} cells): {plan['plan_seconds']:.2f} s; "
                  f"plan (enumerator state) {plan['plan_bytes']:,} bytes. First record of a Flink job over them "
                  f"(MiniCluster start included): {many['first_record_s']:.1f} s." if many else "")
    if heap:
        md.append(f"- {heap['stores']} stores, >= 2M cells, block-shuffled sparse p=2, whole MiniCluster JVM under "
                  f"`-Xmx1g`: peak live heap (after GC) {heap['peak_live_heap_mb']:,.0f} MB, peak used (garbage "
                  f"included) {heap['peak_heap_mb']:,.0f} MB, {heap['cells_per_s']:,.0f} cells/s.")
    if small and large:
        md.append(f"- Checkpoint size (last retained checkpoint, block-shuffled p=2): {small['rows']:,} rows -> "
                  f"{small['checkpoint_bytes']:,} bytes; {large['rows']:,} rows -> {large['checkpoint_bytes']:,} bytes.")

    md.append("\n## Targets\n")
    md.append("| target | measured | status |")
    md.append("|---|---|---|")

    def status(ok):
        return "n/a" if ok is None else ("met" if ok else "not met")

    for form in FORMS:
        d = derived[form]
        r = d["block_p2_over_mapped"]
        md.append(f"| block-shuffled sparse p=2 >= 10x MappedCollection, {form} | {f1(r)}x | "
                  f"{status(None if r is None else r >= 10)} |")
    for form in FORMS:
        d = derived[form]
        r = d["block_p2_over_annbatch"]
        md.append(f"| block-shuffled sparse p=2 >= 1.5x annbatch, {form} | "
                  f"{'annbatch cannot read h5ad' if r is None and form.startswith('h5ad') else f1(r) + 'x'} | "
                  f"{status(None if r is None else r >= 1.5)} |")
    for form in FORMS:
        d = derived[form]
        r = d["block_p2_per_core_over_ceiling"]
        md.append(f"| p=2 per core >= 50% of the 1-thread decode ceiling, {d['codec']} | {f1(r)} | "
                  f"{status(None if r is None else r >= 0.5)} |")
    for form in FORMS:
        d = derived[form]
        r = d["uniform_over_mapped"]
        md.append(f"| uniform per-cell sampling >= 3x MappedCollection, {form} | {f1(r)}x | "
                  f"{status(None if r is None else r >= 3)} |")
    for form in FORMS:
        d = derived[form]
        r = d["batch_p2_over_annbatch"]
        if r is not None:
            md.append(f"| mini-batches p=2 >= 1.5x annbatch, {form} | {f1(r)}x | {status(r >= 1.5)} |")
        r = d["block_p2_over_annbatch"]
        if r is not None:
            md.append(f"| per-cell records p=2 >= 1.0x annbatch, {form} | {f1(r)}x | {status(r >= 1.0)} |")
        r = d["batch_p2_over_mapped"]
        md.append(f"| mini-batches p=2 >= 10x MappedCollection, {form} | {f1(r)}x | "
                  f"{status(None if r is None else r >= 10)} |")
        r = d["batch_p1_cpu_over_ceiling"]
        md.append(f"| p=1 pipeline cells per CPU-second >= 70% of the decode ceiling, {d['codec']} ({form}) | "
                  f"{f1(r)} | {status(None if r is None else r >= 0.7)} |")
        live = d["batch_p2_live_full_gc_mb"]
        if live is not None:
            md.append(f"| mini-batches p=2 live heap <= 600 MB, {form} | {live:,.0f} MB after a full GC "
                      f"(peak after collections {f0(d['batch_p2_peak_live_mb'])} MB) | {status(live <= 600)} |")
    sc = derived["scale"]
    if sc["heap_2m_live_mb"] is not None:
        md.append(f"| TaskManager heap <= 1 GiB at 2M cells | ran under -Xmx1g (whole MiniCluster), "
                  f"{sc['heap_2m_cells_per_s']:,.0f} cells/s | met |")
    if sc["plan_1000_stores_s"] is not None:
        md.append(f"| enumeration of 1,000 stores <= 10 s | plan {sc['plan_1000_stores_s']:.2f} s, first record "
                  f"{sc['first_record_1000_stores_s']:.1f} s | {status(sc['first_record_1000_stores_s'] <= 10)} |")
    if sc["checkpoint_small"] is not None and sc["checkpoint_large"] is not None:
        md.append(f"| checkpoint size independent of rows | {sc['rows_small']:,} rows: {sc['checkpoint_small']:,} B; "
                  f"{sc['rows_large']:,} rows: {sc['checkpoint_large']:,} B | "
                  f"{status(sc['checkpoint_large'] < 1.2 * sc['checkpoint_small'])} |")

    serving_section(md, derived, a, rows, f0, f1, status)
    remote_section(md, derived, a, rows, f0, f1, status)

    out = pathlib.Path(a.out)
    out.with_suffix(".md").write_text("\n".join(md) + "\n")
    out.with_suffix(".json").write_text(json.dumps({"machine": m, "collection": data.name,
                                                    "nnz_per_cell": nnz_per_cell, "sizes": sizes,
                                                    "derived": derived, "cases": rows}, indent=1))
    print("\n".join(md))


def _lines(path):
    if not path or not pathlib.Path(path).exists():
        return []
    return [json.loads(line) for line in open(path) if line.strip().startswith("{")]


def serving_section(md, derived, a, cases, f0, f1, status):
    """Per-rank delivery through the serving sink against annbatch and the PyFlink per-row path.

    W ranks are compared with W annbatch loaders running at once on the same machine (as W DDP ranks
    would each run one), by the slowest loader; one rank with one loader."""
    serving = _lines(a.serving)
    pyflink = _lines(a.pyflink)
    if not serving:
        return
    per_rank = {}
    for r in serving:
        if "rank" in r and "cells_per_s" in r:
            w = r["world"]
            per_rank[w] = min(per_rank.get(w, r["cells_per_s"]), r["cells_per_s"])
    rows = [r for r in pyflink if "per_cell" in r]
    per_row = max((r["per_cell"]["steady_cells_per_s"] for r in rows), default=None)
    def annbatch(case):
        rates = [c["cells_per_s"] for c in cases if c.get("form") == "zarr_zstd" and c.get("case") == case
                 and "cells_per_s" in c]
        return min(rates) if rates else None
    ab_by_world = {1: annbatch("annbatch"), 2: annbatch("annbatch-2-ranks")}
    ab = ab_by_world[1]
    derived["serving"] = {"per_rank_cells_per_s": per_rank, "annbatch_per_loader": ab_by_world,
                          "pyflink_per_row": per_row}
    md.append("\n## Serving mini-batches to PyTorch ranks\n")
    md.append("`benchmarks/serving.py` on the zarr zstd stores: numbered batches of 512, block-shuffled, source "
              "parallelism 1 and one Flight server in the source's task (the job's defaults), one process per rank pulling over Arrow Flight and summing every value; the clock "
              "starts after a 60 s warm-up (the JIT compiler's first minute takes a third of the serving JVM's CPU). Per rank: the slowest rank. annbatch: the same stores, its Loader — for W "
              "ranks, W loaders at once (as W DDP ranks would run it), the slowest; PyFlink per row: "
              "`pyflink_paths.py`, steady rate of the best parallelism.\n")
    md.append("| ranks | per rank cells/s | total cells/s | serving JVM CPU ms per 1,000 cells | load |")
    md.append("|---|---|---|---|---|")
    for r in serving:
        if "total_cells_per_s" in r:
            w = r["world"]
            load = max((x.get("load_avg_1m", 0) for x in serving if x.get("world") == w and "rank" in x), default=0)
            md.append(f"| {w} | {f0(per_rank.get(w))} | {f0(r['total_cells_per_s'])} | "
                      f"{f1(r.get('server_cpu_ms_per_1k_cells'))} | {load:.1f} |")
    md.append("\n| target | measured | status |")
    md.append("|---|---|---|")
    for w in sorted(per_rank):
        x = per_rank[w]
        ab = ab_by_world.get(w)
        md.append(f"| per rank >= annbatch ({w} loader(s) at once), {w} rank(s) | {f0(x)} vs {f0(ab)} = "
                  f"{f1(x / ab) if ab else 'n/a'}x | {status(None if not ab else x >= ab)} |")
        md.append(f"| per rank >= 10x PyFlink per row, {w} rank(s) | {f0(x)} vs {f0(per_row)} = "
                  f"{f1(x / per_row) if per_row else 'n/a'}x | {status(None if not per_row else x >= 10 * per_row)} |")


def remote_section(md, derived, a, cases, f0, f1, status):
    """Epochs of the source over the zarr zstd stores on a loopback S3 server against the same stores
    read locally, alternating local and S3 epochs; round 0 of each mode warms the JIT and is left out."""
    remote = _lines(a.remote)
    if not remote:
        return
    md.append("\n## Remote stores: range reads from a loopback S3 server\n")
    md.append(f"`S3SourceBenchmark` on the zarr zstd stores uploaded to {remote[0]['server'].lower()} on loopback "
              f"({remote[0]['cells']:,} cells): one epoch of the source at parallelism 2 (per-cell records into a "
              "discarding sink, blocks of 512, 32 blocks per window), local then S3, round after round; each S3 "
              "epoch starts with a cold range cache, so it fetches everything it reads. Round 0 warms the JIT and "
              "is left out of the median. The server runs on the same cores as the job.\n")
    md.append("| mode | rounds | local cells/s (median) | S3 cells/s (median) | S3 / local per round: median (min-max) "
              "| requests per epoch | load |")
    md.append("|---|---|---|---|---|---|---|")
    derived["remote"] = {}
    for mode in sorted({r["case"] for r in remote}):
        rs = [r for r in remote if r["case"] == mode and r["round"] > 0] or [r for r in remote if r["case"] == mode]
        ratios = sorted(r["s3_cells_per_s"] / r["local_cells_per_s"] for r in rs)
        med = statistics.median(ratios)
        derived["remote"][mode] = {"ratio_median": med, "ratios": ratios}
        loads = [r["load_avg_1m"] for r in rs]
        md.append(f"| {mode.removeprefix('remote-').lower()} | {len(rs)} | "
                  f"{f0(statistics.median(r['local_cells_per_s'] for r in rs))} | "
                  f"{f0(statistics.median(r['s3_cells_per_s'] for r in rs))} | {100 * med:.0f} % "
                  f"({100 * ratios[0]:.0f}-{100 * ratios[-1]:.0f} %) | "
                  f"{f0(statistics.median(r['requests'] for r in rs))} | {min(loads):.1f}-{max(loads):.1f} |")
    shuffled = derived["remote"].get("remote-BLOCK_SHUFFLED")
    if shuffled:
        md.append("\n| target | measured | status |")
        md.append("|---|---|---|")
        md.append(f"| block-shuffled cells/s over S3 >= 70 % of local | median {100 * shuffled['ratio_median']:.0f} % | "
                  f"{status(shuffled['ratio_median'] >= 0.7)} |")


if __name__ == "__main__":
    main()
