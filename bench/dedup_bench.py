"""The dedup stage against the labelled corpus: quality (precision/recall), memory by process kind, scaling.

    # quality: run `curate stage dedup` (default settings) on a corpus, then score it against labels.parquet
    python -m bench.dedup_bench quality --corpus ../shared/bench/corpus-20k [--output OUT] [--reuse]
        [--analyse] [--json FILE]

    # cost per document at several sizes (prefixes of a corpus; sizes above it are tiles of it with new ids)
    python -m bench.dedup_bench scaling --corpus ../shared/bench/corpus-100k --sizes 20000,100000,200000
        [--runs 1] [--json FILE]

Throughput next to datatrove is the harness's job (`python -m bench.harness --stage dedup --datatrove
minhash`); see bench/dedup.md.

Every stage run here is one `curate stage dedup --input IN --output OUT [--set ...]` subprocess
measured like the harness measures it (bench.proctree.measure_command: wall, CPU of the whole tree),
plus a second sampler (every 0.2 s) that splits the tree by process kind: `jvm` (java), `driver`
(the `curate` Python process), `workers` (pyspark daemon and workers), `other`. For each kind it keeps
the peak summed RSS and PSS in one sample and the last CPU time seen per process (a sampled lower
bound, like the harness's `cpu_s_sampled`).

Quality definitions (labels.parquet; `cluster(x)` = our output's `dup_cluster` of document x, which is
x itself for a kept document):

- positives: near-copy pairs (id, dup_of) with jaccard_to_original >= 0.8; recall = share with
  cluster(id) == cluster(dup_of). Reported for near copies alone and with exact/whitespace copies;
- precision, as labelled: over the pairs our output asserts (every removed document r -> its survivor
  cluster(r)), the share where both carry the same non-null labelled dup_cluster;
- precision, strict: the share of the same pairs whose true 5-gram Jaccard (textnorm.jaccard of the
  two texts) is >= threshold - tolerance (0.8 - 0.01). A removed document joins its survivor through a
  chain of verified edges, so it may be less similar to the survivor itself than the threshold;
- share removed per jaccard_band and per decile of jaccard_to_original: near copies whose cluster is
  their original's (below 0.8 that is removal beyond the threshold, not recall);
- exact: exact_copy and whitespace_copy rows in the same output cluster as their original, and
  labelled exact groups (exact_cluster) left with exactly one survivor.

`--analyse` recomputes the stage's keys in this process with the stage's own helpers (exact keys,
shingles, MinHash, the default band plan), rebuilds the near step's candidate edges (the smallest id of
every LSH bucket joined to each member), verifies and joins them (union-find), checks that this
replica gives the same clusters as the Spark output, then explains every missed positive pair:

- `lsh`: the two documents (their exact-step representatives) share no LSH bucket;
- `verification`: an edge between them was proposed and dropped by the Jaccard check;
- `star`: they share a bucket, but in every shared bucket the centre is a third document (the
  bucket's smallest id) that failed verification with at least one of them, so no edge joins them;

and scores an alternative topology (every pair of a bucket up to `--clique-max` members, star above),
showing what the star edges cost.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

from bench.harness import REPO, RESULTS, child_env, count_rows, find_curate, machine_info, resolve_corpus
from bench.proctree import measure_command

SHARED = REPO.parent / "shared" / "bench"
TOLERANCE = 0.01
DECILES = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]


def _textnorm():
    sys.path.insert(0, str(SHARED))
    import textnorm  # noqa: PLC0415  (the corpus' one definition of the 5-gram Jaccard)

    return textnorm


# ------------------------------------------------------------------------------ measured stage run


class KindSampler(threading.Thread):
    """Peak RSS/PSS and CPU per process kind of every descendant of this process."""

    def __init__(self, interval: float = 0.2, pss_every: int = 5):
        super().__init__(daemon=True)
        self.interval, self.pss_every = interval, pss_every
        self.me = os.getpid()
        self.stop_evt = threading.Event()
        self.peak_rss: dict[str, int] = defaultdict(int)
        self.peak_pss: dict[str, int] = defaultdict(int)
        self.peak_rss_total = 0
        self.peak_pss_total = 0
        self.cpu: dict[tuple[int, float], tuple[str, float]] = {}
        self.max_procs: dict[str, int] = defaultdict(int)
        self.samples = 0

    @staticmethod
    def kind(p: psutil.Process) -> str:
        try:
            name = p.name()
            cmd = " ".join(p.cmdline())
        except psutil.Error:
            return "other"
        if name == "java" or "/java" in cmd.split(" ")[0]:
            return "jvm"
        if "pyspark.daemon" in cmd or "pyspark.worker" in cmd or "pyspark/daemon" in cmd:
            return "workers"
        if "curate" in cmd and "stage" in cmd:
            return "driver"
        if "python" in name:
            return "workers"  # forked from the pyspark daemon: the fork keeps the daemon's cmdline anyway
        return "other"

    def run(self) -> None:
        while not self.stop_evt.is_set():
            self.sample()
            self.stop_evt.wait(self.interval)

    def sample(self) -> None:
        try:
            procs = psutil.Process(self.me).children(recursive=True)
        except psutil.Error:
            return
        with_pss = self.samples % self.pss_every == 0
        rss: dict[str, int] = defaultdict(int)
        pss: dict[str, int] = defaultdict(int)
        count: dict[str, int] = defaultdict(int)
        for p in procs:
            try:
                with p.oneshot():
                    if p.status() == psutil.STATUS_ZOMBIE:
                        continue
                    k = self.kind(p)
                    ct = p.cpu_times()
                    self.cpu[(p.pid, p.create_time())] = (k, ct.user + ct.system)
                    rss[k] += p.memory_info().rss
                    count[k] += 1
                if with_pss:
                    pss[k] += p.memory_full_info().pss
            except (psutil.Error, OSError):
                continue
        for k, v in rss.items():
            self.peak_rss[k] = max(self.peak_rss[k], v)
            self.max_procs[k] = max(self.max_procs[k], count[k])
        self.peak_rss_total = max(self.peak_rss_total, sum(rss.values()))
        if with_pss:
            for k, v in pss.items():
                self.peak_pss[k] = max(self.peak_pss[k], v)
            self.peak_pss_total = max(self.peak_pss_total, sum(pss.values()))
        self.samples += 1

    def finish(self) -> dict:
        self.stop_evt.set()
        self.join()
        cpu: dict[str, float] = defaultdict(float)
        for k, c in self.cpu.values():
            cpu[k] += c
        return {
            "peak_rss": dict(self.peak_rss),
            "peak_pss": dict(self.peak_pss),
            "peak_rss_total": self.peak_rss_total,
            "peak_pss_total": self.peak_pss_total,
            "cpu_s_sampled": {k: round(v, 2) for k, v in cpu.items()},
            "max_procs": dict(self.max_procs),
            "samples": self.samples,
        }


def run_stage(
    input_dir: str,
    out_dir: str,
    log: Path,
    sets: list[str],
    curate: str | None,
    timeout: float | None,
    events: str | None = None,
):
    """One measured `curate stage dedup`; returns the figures and the manifest. With `events`, Spark
    writes its event log there and the run carries the time of every Spark job (`spark_jobs`)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    argv = [find_curate(curate), "stage", "dedup", "--input", input_dir, "--output", out_dir]
    if events:
        shutil.rmtree(events, ignore_errors=True)
        Path(events).mkdir(parents=True)
        sets = [
            *sets,
            "spark.conf.spark.eventLog.enabled=true",
            "spark.conf.spark.eventLog.compress=false",
            f"spark.conf.spark.eventLog.dir={events}",
        ]
    for kv in sets:
        argv += ["--set", kv]
    env = child_env()
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    docs = count_rows(input_dir)
    load = list(os.getloadavg())
    sampler = KindSampler()
    sampler.start()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as fh:
        fh.write((" ".join(argv) + "\n\n").encode())
        fh.flush()
        m = measure_command(argv, cwd=str(REPO), env=env, stdout=fh, stderr=fh, timeout=timeout)
    kinds = sampler.finish()
    manifest_path = Path(out_dir) / "_manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    rec = {
        "argv": argv,
        "input": input_dir,
        "docs": docs,
        "returncode": m.returncode,
        "loadavg_before": load,
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        "cpu_s_wait4": m.cpu_s_wait4,
        "cpu_s_sampled": m.cpu_s_sampled,
        "docs_per_s": docs / m.wall_s,
        "docs_per_cpu_s": docs / m.cpu_s if m.cpu_s else None,
        "ms_wall_per_1k_docs": 1e6 * m.wall_s / docs,
        "cpu_ms_per_1k_docs": 1e6 * m.cpu_s / docs,
        "peak_rss_tree": m.peak_rss_tree,
        "peak_pss_tree": m.peak_pss_tree,
        "peak_rss_proc": m.peak_rss_proc,
        "by_kind": kinds,
        "log": str(log),
        "ok": m.returncode == 0 and manifest is not None,
    }
    if manifest is not None:
        rec["counters"] = manifest.get("counters")
        rec["stats"] = manifest.get("stats")
    if events:
        try:
            rec["spark_jobs"] = spark_jobs(events)
            rec["spark_jobs_by_site"] = jobs_by_site(rec["spark_jobs"])
        except (OSError, ValueError, KeyError, TypeError) as e:  # a figure less, not a run lost
            rec["spark_jobs_error"] = repr(e)
    return rec


def spark_jobs(event_dir: str) -> list[dict]:
    """Per Spark job of an event log (spark.eventLog.enabled): call site, wall seconds, and the summed
    executor run and CPU time of its stages: which step of the stage costs what."""
    # Spark 4 writes a rolling log: a folder eventlog_v2_<app> of events_<n>_<app> files
    files = [
        f for f in Path(event_dir).rglob("*") if f.is_file() and not f.name.startswith(("appstatus", "."))
    ]
    if not files:
        return []

    def roll_index(f: Path) -> tuple:
        parts = f.name.split("_")
        return (str(f.parent), int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0)

    lines = (line for f in sorted(files, key=roll_index) for line in open(f))
    jobs, stage_job, stage_run, stage_cpu, sql_desc = {}, {}, defaultdict(float), defaultdict(float), {}
    if True:
        for line in lines:
            ev = json.loads(line)
            kind = ev.get("Event")
            if kind == "SparkListenerJobStart":
                props = ev.get("Properties") or {}
                jobs[ev["Job ID"]] = {
                    "job": ev["Job ID"],
                    "call_site": props.get("callSite.short"),
                    "sql": int(props.get("spark.sql.execution.id", -1)),
                    "start_ms": ev.get("Submission Time"),
                }
                for sid in ev.get("Stage IDs", []):
                    stage_job.setdefault(sid, ev["Job ID"])
            elif kind and kind.endswith("SQLExecutionStart"):
                sql_desc[ev["executionId"]] = ev.get("description")
            elif kind == "SparkListenerJobEnd" and ev["Job ID"] in jobs:
                jobs[ev["Job ID"]]["end_ms"] = ev.get("Completion Time")
            elif kind == "SparkListenerStageCompleted":
                info = ev["Stage Info"]
                for acc in info.get("Accumulables", []):
                    if acc.get("Name") == "internal.metrics.executorRunTime":
                        stage_run[info["Stage ID"]] += float(acc.get("Value") or 0) / 1e3
                    elif acc.get("Name") == "internal.metrics.executorCpuTime":
                        stage_cpu[info["Stage ID"]] += float(acc.get("Value") or 0) / 1e9
    run_s, cpu_s = defaultdict(float), defaultdict(float)
    for sid, jid in stage_job.items():
        run_s[jid] += stage_run.get(sid, 0.0)
        cpu_s[jid] += stage_cpu.get(sid, 0.0)
    out = []
    t0 = min((j["start_ms"] for j in jobs.values() if j.get("start_ms")), default=0)
    for jid, j in sorted(jobs.items()):
        out.append(
            {
                "job": jid,
                "call_site": j["call_site"],
                "sql": j["sql"],
                "sql_description": sql_desc.get(j["sql"]),
                "end_s": round(((j.get("end_ms") or j["start_ms"]) - t0) / 1e3, 2),
                "at_s": round((j["start_ms"] - t0) / 1e3, 2),
                "wall_s": round(((j.get("end_ms") or j["start_ms"]) - j["start_ms"]) / 1e3, 2),
                "task_run_s": round(run_s[jid], 2),
                "task_cpu_s": round(cpu_s[jid], 2),
            }
        )
    return out


def jobs_by_site(jobs: list[dict]) -> dict:
    """Per SQL execution (one DataFrame action: a count, a write, a checkpoint, a GX collect; with
    adaptive execution one action runs several jobs): its span from first start to last end, and the
    summed task time. Keyed "<execution id> <description>", in the order they ran."""
    agg: dict = {}
    for j in jobs:
        key = f"{j['sql']} {j.get('sql_description') or j['call_site']}"
        a = agg.setdefault(
            key, {"jobs": 0, "start_s": j["at_s"], "end_s": j["end_s"], "task_run_s": 0.0, "task_cpu_s": 0.0}
        )
        a["jobs"] += 1
        a["start_s"] = min(a["start_s"], j["at_s"])
        a["end_s"] = max(a["end_s"], j["end_s"])
        for k in ("task_run_s", "task_cpu_s"):
            a[k] = round(a[k] + j[k], 2)
    for a in agg.values():
        a["span_s"] = round(a["end_s"] - a["start_s"], 2)
    return agg


# ------------------------------------------------------------------------------------- input copies


def tiled_input(corpus: str, docs: int, dest: Path, shards: int = 4) -> str:
    """`docs` documents of a corpus in `shards` files: its first `docs` when it has that many, else
    whole copies of it (tiles) with new ids, the last tile cut. Tiles are exact copies of the corpus'
    texts: right for speed, meaningless for quality."""
    src = resolve_corpus(corpus)
    table = pq.read_table(sorted(src.glob("*.parquet")))
    n = table.num_rows
    parts, left, tile = [], docs, 0
    while left > 0:
        t = table.slice(0, min(left, n))
        if tile:
            new_ids = [
                hashlib.blake2b(f"{i}/{tile}".encode(), digest_size=8).hexdigest()
                for i in t["id"].to_pylist()
            ]
            t = t.set_column(t.schema.get_field_index("id"), "id", pa.array(new_ids, pa.string()))
        parts.append(t)
        left -= t.num_rows
        tile += 1
    out = pa.concat_tables(parts)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    step = -(-out.num_rows // shards)
    for i in range(shards):
        pq.write_table(out.slice(i * step, step), dest / f"part-{i:05d}.parquet", compression="zstd")
    return str(dest)


# ------------------------------------------------------------------------------------------ quality


def read_output(out_dir: str) -> pa.Table:
    cols = ["id", "dup_cluster", "text"]
    kept = pq.read_table(Path(out_dir) / "kept", columns=cols)
    kept = kept.append_column("reject_reason", pa.nulls(kept.num_rows, pa.string()))
    rejected = pq.read_table(Path(out_dir) / "rejected", columns=cols + ["reject_reason"])
    return pa.concat_tables([kept, rejected.select(kept.column_names)])


def score(out_dir: str, corpus: str, analyse: bool, clique_max: int, misses_listed: int) -> dict:
    import pandas as pd

    tn = _textnorm()
    corpus_dir = Path(corpus)
    labels = pq.read_table(corpus_dir / "labels.parquet").to_pandas()
    out = read_output(out_dir).to_pandas().set_index("id")
    assert len(out) == len(labels), (len(out), len(labels))
    df = (
        labels.set_index("id")
        .rename(columns={"dup_cluster": "label_cluster"})
        .join(out.rename(columns={"dup_cluster": "out_cluster"}))
    )
    cluster = df["out_cluster"]
    text = df["text"]
    res: dict = {"docs": len(df), "kept": int(df.reject_reason.isna().sum())}
    res["rejected_by_reason"] = {k: int(v) for k, v in df.reject_reason.value_counts().items()}

    def same_out(a, b) -> np.ndarray:
        return cluster.loc[a].to_numpy() == cluster.loc[b].to_numpy()

    # ---- recall on positive pairs
    near = df[df.dup_role == "near_copy"]
    pos = near[near.jaccard_to_original >= 0.8]
    hit = same_out(pos.index, pos.dup_of)
    res["recall_near_J>=0.8"] = {"pairs": len(pos), "found": int(hit.sum()), "recall": float(hit.mean())}
    copies = df[df.dup_role.isin(["near_copy", "exact_copy", "whitespace_copy"])]
    allpos = copies[copies.jaccard_to_original >= 0.8]
    hit_all = same_out(allpos.index, allpos.dup_of)
    res["recall_all_copies_J>=0.8"] = {
        "pairs": len(allpos),
        "found": int(hit_all.sum()),
        "recall": float(hit_all.mean()),
    }

    # ---- share of near copies in their original's cluster, by band and by decile
    near_same = pd.Series(same_out(near.index, near.dup_of), index=near.index)
    by_band = {}
    for band, grp in near.groupby("jaccard_band"):
        s = near_same.loc[grp.index]
        by_band[band] = {"copies": len(grp), "same_cluster": int(s.sum()), "share": float(s.mean())}
    res["by_band"] = dict(sorted(by_band.items()))
    by_dec = {}
    for lo, hi in zip(DECILES[:-1], DECILES[1:], strict=False):
        grp = near[(near.jaccard_to_original >= lo) & (near.jaccard_to_original < hi)]
        if len(grp):
            s = near_same.loc[grp.index]
            by_dec[f"[{lo:.1f},{min(hi, 1.0):.1f}{']' if hi > 1 else ')'}"] = {
                "copies": len(grp),
                "same_cluster": int(s.sum()),
                "share": float(s.mean()),
            }
    low = near[near.jaccard_to_original < 0.3]
    if len(low):
        by_dec["[0,0.3)"] = {
            "copies": len(low),
            "same_cluster": int(near_same.loc[low.index].sum()),
            "share": float(near_same.loc[low.index].mean()),
        }
    res["by_true_jaccard"] = by_dec

    # ---- exact copies
    ex = {}
    for role in ("exact_copy", "whitespace_copy"):
        grp = df[df.dup_role == role]
        s = same_out(grp.index, grp.dup_of)
        # is the copy textually identical (after the stage's normalisation) to its dup_of? not always:
        # an exact copy may copy a near copy's text... the labels say dup_of is the cluster's original
        ex[role] = {
            "rows": len(grp),
            "same_cluster_as_original": int(s.sum()),
            "share": float(s.mean()) if len(grp) else None,
            "row_itself_removed": int(grp.reject_reason.notna().sum()),
            "reasons": {k: int(v) for k, v in grp.reject_reason.fillna("kept").value_counts().items()},
        }
    groups = df.groupby("exact_cluster")
    sizes = groups.size()
    multi = sizes[sizes > 1].index
    kept_per_group = (
        df[df.exact_cluster.isin(multi)]
        .groupby("exact_cluster")
        .reject_reason.apply(lambda r: int(r.isna().sum()))
    )
    ex["labelled_exact_groups"] = {
        "groups": len(multi),
        "redundant_rows": int((sizes[multi] - 1).sum()),
        "groups_with_one_survivor": int((kept_per_group == 1).sum()),
        "groups_with_more": int((kept_per_group > 1).sum()),
        "groups_with_none_kept": int((kept_per_group == 0).sum()),
    }
    res["exact"] = ex

    # ---- precision over asserted pairs (removed -> survivor)
    removed = df[df.reject_reason.notna()]
    surv = removed.out_cluster
    lab_r = removed.label_cluster.to_numpy()
    lab_s = df.label_cluster.loc[surv].to_numpy()
    same_label = np.array(
        [a is not None and b is not None and a == b for a, b in zip(lab_r, lab_s, strict=False)]
    )
    jac = np.array(
        [tn.jaccard(a, b) for a, b in zip(removed.text.to_numpy(), text.loc[surv].to_numpy(), strict=False)],
        float,
    )
    strict = jac >= 0.8 - TOLERANCE
    prec = {}
    for reason in ["all", "dedup:exact", "dedup:near"]:
        m = np.ones(len(removed), bool) if reason == "all" else (removed.reject_reason == reason).to_numpy()
        prec[reason] = {
            "pairs": int(m.sum()),
            "same_labelled_cluster": int(same_label[m].sum()),
            "precision_labelled": float(same_label[m].mean()) if m.any() else None,
            "true_J>=0.79": int(strict[m].sum()),
            "precision_strict": float(strict[m].mean()) if m.any() else None,
            "true_J>=0.8": int((jac[m] >= 0.8).sum()),
        }
    res["precision"] = prec
    fp_rows = []
    for i in np.flatnonzero(~same_label | ~strict):
        r = removed.index[i]
        s = surv.iloc[i]
        fp_rows.append(
            {
                "removed": r,
                "survivor": s,
                "reason": removed.reject_reason.iloc[i],
                "true_jaccard": round(float(jac[i]), 4),
                "labelled_same_cluster": bool(same_label[i]),
                "removed_role": df.dup_role.loc[r],
                "survivor_role": df.dup_role.loc[s],
                "removed_label_cluster": lab_r[i],
                "survivor_label_cluster": lab_s[i],
                "removed_recipe": df.recipe.loc[r],
                "removed_chars": int(df.n_chars.loc[r]),
            }
        )
    res["asserted_pairs_failing"] = fp_rows

    # ---- misses
    miss = pos[~hit]
    res["misses"] = [
        {
            "id": i,
            "dup_of": row.dup_of,
            "jaccard_to_original": round(float(row.jaccard_to_original), 4),
            "band": row.jaccard_band,
            "dup_edit": row.dup_edit,
            "n_chars": int(row.n_chars),
            "n_chars_original": int(df.n_chars.loc[row.dup_of]),
            "cluster_copy": cluster.loc[i],
            "cluster_original": cluster.loc[row.dup_of],
        }
        for i, row in miss.iterrows()
    ]
    if analyse:
        res["analysis"] = analyse_near(df, pos, clique_max)
        reasons = res["analysis"]["miss_reasons"]
        for m in res["misses"]:
            m["why"] = reasons.get(m["id"])
    res["misses"] = res["misses"][:misses_listed] if misses_listed >= 0 else res["misses"]
    return res


class UnionFind:
    def __init__(self, n: int):
        self.p = np.arange(n)

    def find(self, x: int) -> int:
        p = self.p
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)

    def labels(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.p))])


def analyse_near(df, pos, clique_max: int) -> dict:
    """Replicate the near step in this process (see the module docstring) and explain the misses."""
    from jobs.dedup import band_plan
    from jobs.text.dedup.exact import exact_keys
    from jobs.text.dedup.jaccard import pair_jaccard
    from jobs.text.dedup.minhash import band_keys, minhash_signatures
    from jobs.text.dedup.shingles import ShingleBatch, shingle_batch
    from schemas.dedup import DedupSettings

    t0 = time.perf_counter()
    settings = DedupSettings()
    bands, rows = band_plan(settings)
    ids = df.index.to_numpy()
    n = len(ids)
    texts = pa.array(df.text.to_numpy(), pa.string())
    # exact representative: the member of each exact-key group that the stage did not reject as exact
    ekeys = exact_keys(texts).cast(pa.binary()).to_pylist()
    alive = (df.reject_reason != "dedup:exact").to_numpy()
    rep_of_key = {}
    for i in np.flatnonzero(alive):
        rep_of_key.setdefault(ekeys[i], i)
    rep = np.array([rep_of_key.get(ekeys[i], -1) for i in range(n)])
    bad_rep = int((rep < 0).sum())
    # shingles, signatures, band keys in chunks (bounded memory)
    hashes, offsets, keys = [], [np.zeros(1, np.int64)], []
    base = 0
    for lo in range(0, n, 4000):
        sb = shingle_batch(texts.slice(lo, 4000), settings.shingle_size)
        keys.append(band_keys(minhash_signatures(sb, settings.num_perm, settings.seed), bands, rows))
        hashes.append(sb.hashes)
        offsets.append(sb.offsets[1:] + base)
        base += len(sb.hashes)
    shingles = ShingleBatch(np.concatenate(hashes), np.concatenate(offsets))
    keys = np.concatenate(keys)
    alive_idx = np.flatnonzero(alive)
    # buckets among the alive documents: (band, key) -> members
    order_by_id = np.argsort(ids)  # string order, as Spark's min(id)
    id_rank = np.empty(n, np.int64)
    id_rank[order_by_id] = np.arange(n)
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for b in range(bands):
        col = keys[alive_idx, b]
        srt = np.argsort(col, kind="stable")
        c = col[srt]
        bounds = np.flatnonzero(np.diff(c)) + 1
        for grp in np.split(srt, bounds):
            if len(grp) > 1:
                buckets[(b, int(c[np.searchsorted(c, col[grp[0]])]))] = list(alive_idx[grp])
    sizes = np.array([len(m) for m in buckets.values()])
    star, clique = set(), set()
    for members in buckets.values():
        centre = min(members, key=lambda i: id_rank[i])
        for m in members:
            if m != centre:
                star.add((centre, m))
        if len(members) <= clique_max:
            ms = sorted(members, key=lambda i: id_rank[i])
            for a in range(len(ms)):
                for b2 in range(a + 1, len(ms)):
                    clique.add((ms[a], ms[b2]))
        else:
            for m in members:
                if m != centre:
                    clique.add((centre, m))

    def verify(pairs: set) -> tuple[np.ndarray, np.ndarray]:
        arr = np.array(sorted(pairs), np.int64).reshape(-1, 2)
        j = np.zeros(len(arr))
        for lo in range(0, len(arr), 200_000):
            j[lo : lo + 200_000] = pair_jaccard(
                shingles, arr[lo : lo + 200_000, 0], arr[lo : lo + 200_000, 1]
            )
        return arr, j

    star_arr, star_j = verify(star)
    clique_arr, clique_j = verify(clique)
    thr = settings.threshold

    def components(arr, j) -> np.ndarray:
        uf = UnionFind(n)
        for a, b in arr[j >= thr]:
            uf.union(int(a), int(b))
        return uf.labels()

    comp_star = components(star_arr, star_j)
    comp_clique = components(clique_arr, clique_j)

    # does the replica agree with the Spark output? (same partition of the alive documents)
    out_cluster = df.out_cluster.to_numpy()
    rep_star = {}
    for i in alive_idx:
        rep_star.setdefault(comp_star[i], out_cluster[i])
    mismatched = [ids[i] for i in alive_idx if rep_star[comp_star[i]] != out_cluster[i]]
    # and the other way round: one output cluster, one replica component
    by_out = defaultdict(set)
    for i in alive_idx:
        by_out[out_cluster[i]].add(comp_star[i])
    split = [c for c, s in by_out.items() if len(s) > 1]

    pos_idx = np.array([df.index.get_loc(i) for i in pos.index])
    orig_idx = np.array([df.index.get_loc(i) for i in pos.dup_of])
    a, b = rep[pos_idx], rep[orig_idx]

    def recall_of(comp) -> float:
        return float(np.mean(comp[a] == comp[b]))

    # every shared bucket of a missed pair
    key_sets = {}

    def bucket_keys(i):
        if i not in key_sets:
            key_sets[i] = {(bb, int(keys[i, bb])) for bb in range(bands)}
        return key_sets[i]

    star_pairs_j = {tuple(p): float(x) for p, x in zip(star_arr, star_j, strict=False)}
    reasons, reason_count = {}, Counter()
    for k in np.flatnonzero(comp_star[a] != comp_star[b]):
        x, y = int(a[k]), int(b[k])
        shared = bucket_keys(x) & bucket_keys(y)
        if x == y:
            why = "same exact representative (?)"
        elif not shared:
            why = "lsh: no shared bucket"
        else:
            centres = [min(buckets[s], key=lambda i: id_rank[i]) for s in shared]
            if any(c in (x, y) for c in centres):
                e = tuple(sorted((x, y), key=lambda i: id_rank[i]))
                why = f"verification: edge proposed, our J={star_pairs_j.get(e, float('nan')):.4f}"
            else:
                detail = []
                for c in set(centres):
                    jx = star_pairs_j.get((c, x), star_pairs_j.get((x, c), float("nan")))
                    jy = star_pairs_j.get((c, y), star_pairs_j.get((y, c), float("nan")))
                    detail.append(f"{ids[c]}: J={jx:.3f}/{jy:.3f}")
                why = f"star: {len(shared)} shared bucket(s), centre(s) " + "; ".join(detail)
        reasons[pos.index[k]] = why
        reason_count[why.split(":")[0]] += 1

    # precision of the clique alternative, on labelled clusters (every alive member vs its component min)
    lab = df.label_cluster.to_numpy()

    def labelled_precision(comp) -> tuple[int, int]:
        roots = {}
        for i in alive_idx:
            roots.setdefault(comp[i], []).append(i)
        good = total = 0
        for members in roots.values():
            if len(members) < 2:
                continue
            s = min(members, key=lambda i: id_rank[i])
            for m in members:
                if m != s:
                    total += 1
                    good += lab[m] is not None and lab[m] == lab[s]
        return good, total

    gs, ts = labelled_precision(comp_star)
    gc, tc = labelled_precision(comp_clique)
    return {
        "bands_rows": [bands, rows],
        "alive_docs": int(alive.sum()),
        "docs_without_exact_rep": bad_rep,
        "buckets_ge2": len(buckets),
        "bucket_size_max": int(sizes.max()) if len(sizes) else 0,
        "bucket_size_p99": float(np.percentile(sizes, 99)) if len(sizes) else 0,
        "buckets_over_clique_max": int((sizes > clique_max).sum()),
        "star_candidate_pairs": len(star),
        "star_verified_pairs": int((star_j >= thr).sum()),
        "replica_vs_spark": {
            "docs_in_other_cluster": len(mismatched),
            "output_clusters_split": len(split),
            "examples": mismatched[:5],
        },
        "recall_star_replica": recall_of(comp_star),
        "clique_max": clique_max,
        "clique_candidate_pairs": len(clique),
        "clique_verified_pairs": int((clique_j >= thr).sum()),
        "recall_clique": recall_of(comp_clique),
        "recall_lsh_upper_bound": float(
            np.mean(
                [
                    (x == y) or bool(bucket_keys(int(x)) & bucket_keys(int(y)))
                    for x, y in zip(a, b, strict=False)
                ]
            )
        ),
        "labelled_precision_star_replica": [gs, ts, gs / ts if ts else None],
        "labelled_precision_clique": [gc, tc, gc / tc if tc else None],
        "miss_reason_counts": dict(reason_count),
        "miss_reasons": reasons,
        "seconds": round(time.perf_counter() - t0, 1),
    }


# ------------------------------------------------------------------------------------------- report


def _gib(x) -> str:
    return f"{x / 2**30:.2f} GiB" if x is not None and x >= 2**30 else f"{(x or 0) / 2**20:.0f} MiB"


def format_run(r: dict) -> str:
    k = r["by_kind"]
    st = r.get("stats") or {}
    return (
        f"{r['docs']:,} docs: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} CPU-s, {r['docs_per_s']:.0f} docs/s, "
        f"{r['docs_per_cpu_s']:.0f} docs/CPU-s, {r['ms_wall_per_1k_docs']:.0f} ms wall and "
        f"{r['cpu_ms_per_1k_docs']:.0f} CPU-ms per 1k docs; peak RSS tree {_gib(r['peak_rss_tree'])}, "
        f"PSS tree {_gib(r['peak_pss_tree'])}; by kind RSS "
        + ", ".join(f"{n} {_gib(v)}" for n, v in sorted(k["peak_rss"].items()))
        + "; PSS "
        + ", ".join(f"{n} {_gib(v)}" for n, v in sorted(k["peak_pss"].items()))
        + "; CPU-s sampled "
        + ", ".join(f"{n} {v:.1f}" for n, v in sorted(k["cpu_s_sampled"].items()))
        + f"; stage seconds {(r.get('counters') or {}).get('seconds')}; stats "
        + json.dumps(
            {
                x: st.get(x)
                for x in ("candidate_pairs", "verified_pairs", "components_rounds", "shuffle_partitions")
            }
        )
    )


def format_quality(q: dict) -> str:
    lines = []
    r = q["recall_near_J>=0.8"]
    lines.append(f"recall, near copies J>=0.8: {r['found']}/{r['pairs']} = {r['recall']:.4f}")
    r = q["recall_all_copies_J>=0.8"]
    lines.append(
        f"recall, all copies J>=0.8 (near+exact+whitespace): {r['found']}/{r['pairs']} = {r['recall']:.4f}"
    )
    for k, p in q["precision"].items():
        if p["pairs"]:
            lines.append(
                f"precision {k}: {p['pairs']} pairs; labelled {p['precision_labelled']:.4f} "
                f"({p['same_labelled_cluster']}); strict J>=0.79 {p['precision_strict']:.4f} ({p['true_J>=0.79']}); "
                f"J>=0.8 {p['true_J>=0.8']}"
            )
    lines.append("near copies in their original's cluster, by jaccard_band:")
    for b, v in q["by_band"].items():
        lines.append(f"  {b:10s} {v['same_cluster']:5d}/{v['copies']:5d} = {v['share']:.4f}")
    lines.append("by true jaccard_to_original:")
    for b, v in q["by_true_jaccard"].items():
        lines.append(f"  {b:10s} {v['same_cluster']:5d}/{v['copies']:5d} = {v['share']:.4f}")
    lines.append("exact: " + json.dumps(q["exact"]))
    lines.append(
        f"misses listed: {len(q['misses'])}; failing asserted pairs: {len(q['asserted_pairs_failing'])}"
    )
    if "analysis" in q:
        an = {k: v for k, v in q["analysis"].items() if k != "miss_reasons"}
        lines.append("analysis: " + json.dumps(an, default=str))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dedup_bench", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--corpus", required=True)
    q.add_argument("--output", help="stage output folder (default: a scratch folder)")
    q.add_argument("--reuse", action="store_true", help="score an existing --output instead of running")
    q.add_argument("--analyse", action="store_true", help="replicate the near step and explain the misses")
    q.add_argument("--clique-max", type=int, default=200)
    q.add_argument("--misses", type=int, default=-1, help="misses listed in the JSON (-1: all)")
    s = sub.add_parser("scaling")
    s.add_argument("--corpus", required=True)
    s.add_argument("--sizes", default="20000,100000,200000")
    s.add_argument("--runs", type=int, default=1)
    s.add_argument("--workdir")
    for p in (q, s):
        p.add_argument("--set", dest="sets", action="append", default=[], metavar="K=V")
        p.add_argument("--curate")
        p.add_argument("--timeout", type=float, default=1500)
        p.add_argument("--json")
        p.add_argument("--events", action="store_true", help="Spark event log: time of every Spark job")
    args = ap.parse_args(argv)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = Path(args.json) if args.json else RESULTS / f"{stamp}-dedup-{args.mode}.json"
    logdir = json_path.parent / "logs" / json_path.stem
    report = {
        "schema": "curate-dedup-bench/1",
        "mode": args.mode,
        "started_at": _dt.datetime.now(_dt.UTC).isoformat(),
        "argv": sys.argv if argv is None else argv,
        "machine": machine_info(),
    }
    if args.mode == "quality":
        corpus = Path(args.corpus).resolve()
        out_dir = args.output or tempfile.mkdtemp(prefix="dedup-quality-")
        if not args.reuse:
            run = run_stage(
                str(resolve_corpus(str(corpus))),
                out_dir,
                logdir / "stage.log",
                args.sets,
                args.curate,
                args.timeout,
                events=str(Path(out_dir).parent / (Path(out_dir).name + "-events")) if args.events else None,
            )
            report["run"] = run
            print(format_run(run), flush=True)
            if not run["ok"]:
                print(f"stage failed, see {run['log']}")
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(json.dumps(report, indent=2, default=str))
                return 1
        report["output"] = out_dir
        report["quality"] = score(out_dir, str(corpus), args.analyse, args.clique_max, args.misses)
        print(format_quality(report["quality"]))
    else:
        workdir = Path(args.workdir or tempfile.mkdtemp(prefix="dedup-scaling-"))
        runs = []
        for size in [int(x) for x in args.sizes.split(",")]:
            inp = tiled_input(args.corpus, size, workdir / f"in-{size}")
            for i in range(args.runs):
                r = run_stage(
                    inp,
                    str(workdir / f"out-{size}"),
                    logdir / f"{size}-{i}.log",
                    args.sets,
                    args.curate,
                    args.timeout,
                    events=str(workdir / f"events-{size}-{i}") if args.events else None,
                )
                r["size"] = size
                runs.append(r)
                print(format_run(r) if r["ok"] else f"{size}: FAILED, see {r['log']}", flush=True)
                report["runs"] = runs  # written after every run: a long series stopped early keeps its runs
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(json.dumps(report, indent=2, default=str))
            shutil.rmtree(workdir / f"out-{size}", ignore_errors=True)
            shutil.rmtree(workdir / f"in-{size}", ignore_errors=True)
        report["runs"] = runs
    report["finished_at"] = _dt.datetime.now(_dt.UTC).isoformat()
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nreport: {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
