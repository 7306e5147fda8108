"""Connected components (jobs/components.py) on graphs shaped like near-duplicate candidates.

    .venv/bin/python -m bench.components_bench --nodes 200000 [--nodes 800000 ...] [--string-ids]
        [--chain-length 2000] [--master local[2]] [--verify] [--json bench/results/components.json]

The graph is generated inside Spark from spark.range (the driver never holds it), with hashed,
scrambled node ids:
- most nodes in small clusters (random trees of up to 8 nodes, some edges dropped, so sizes 1-8);
- 5% in long chains (--chain-length nodes each): the worst case of label propagation;
- 2% in dense clusters of 500 (every member linked to 4 random others): boilerplate pages.

Reported per size: wall seconds of find_components (until the labels are materialised), rounds,
edges before each round, components, and the driver's Python peak RSS before and after; the
last is what must stay flat as the graph grows (nothing but counts comes back to the driver).
In local mode the JVM is driver and executors at once, so its memory is not the driver's alone.
--verify also checks the labels against networkx (after the measurement; it collects the graph).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import time

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.components import component_sizes, find_components
from jobs.spark import size_shuffles, spark_session

SMALL_CLUSTER_SLOTS = 8
DENSE_CLUSTER_SIZE = 500
DENSE_LINKS = 4
CHAIN_SHARE = 0.05
DENSE_SHARE = 0.02
BYTES_PER_EDGE = 32  # two ids and row overhead: only to size the shuffles as a stage would


def node_id(index, string_ids: bool):
    """A scrambled id for a node index: a 64-bit hash, or its hex as a document-like string."""
    hashed = F.xxhash64(index)
    return F.concat(F.lit("doc-"), F.hex(hashed)) if string_ids else hashed


def synthetic_edges(spark: SparkSession, nodes: int, chain_length: int, string_ids: bool) -> DataFrame:
    chain_nodes = int(nodes * CHAIN_SHARE) // chain_length * chain_length
    dense_nodes = int(nodes * DENSE_SHARE) // DENSE_CLUSTER_SIZE * DENSE_CLUSTER_SIZE
    small_nodes = nodes - chain_nodes - dense_nodes
    i = F.col("id")

    # Small clusters: node i joins a random earlier member of its slot block; 1 edge in 4 dropped.
    slot = i % SMALL_CLUSTER_SLOTS
    small = (
        spark.range(small_nodes)
        .where((slot > 0) & (F.abs(F.hash(i, F.lit(1))) % 4 != 0))
        .select(i.alias("a"), (i - slot + F.abs(F.hash(i, F.lit(2))) % slot).alias("b"))
    )
    # Chains: consecutive indexes within a chain (the hashed ids scramble the order along it).
    start = small_nodes
    chains = (
        spark.range(start, start + chain_nodes)
        .where((i - start) % chain_length != chain_length - 1)
        .select(i.alias("a"), (i + 1).alias("b"))
    )
    # Dense clusters: each member linked to DENSE_LINKS random members of its cluster.
    start = small_nodes + chain_nodes
    base = start + F.floor((i - start) / DENSE_CLUSTER_SIZE) * DENSE_CLUSTER_SIZE
    dense = (
        spark.range(start, start + dense_nodes)
        .withColumn("k", F.explode(F.sequence(F.lit(1), F.lit(DENSE_LINKS))))
        .select(
            i.alias("a"), (base + F.abs(F.hash(i, F.col("k"))) % DENSE_CLUSTER_SIZE).cast("long").alias("b")
        )
    )
    edges = small.unionByName(chains).unionByName(dense)
    return edges.select(
        node_id(F.col("a"), string_ids).alias("src"), node_id(F.col("b"), string_ids).alias("dst")
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def verify_with_networkx(edges: DataFrame, components: DataFrame) -> bool:
    """Checking only: collects both to the driver (what find_components never does), so keep
    it to graphs of a few million edges, and off when measuring memory."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_edges_from((row["src"], row["dst"]) for row in edges.toLocalIterator())
    expected = {node: min(nodes) for nodes in nx.connected_components(graph) for node in nodes}
    got = {row["node"]: row["component"] for row in components.toLocalIterator()}
    return got == expected


def measure(spark: SparkSession, nodes: int, chain_length: int, string_ids: bool, verify: bool) -> dict:
    edges = synthetic_edges(spark, nodes, chain_length, string_ids).localCheckpoint(eager=True)
    edge_count = edges.count()
    partitions = size_shuffles(spark, edge_count * BYTES_PER_EDGE)
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    result = find_components(edges)
    seconds = time.perf_counter() - started
    sizes = component_sizes(result.components).agg(
        F.count("*").alias("components"), F.max("size").alias("largest"), F.sum("size").alias("nodes")
    )
    summary = sizes.first()
    report = {
        "nodes_requested": nodes,
        "nodes": summary["nodes"],
        "input_edge_rows": edge_count,  # before deduplication (dense clusters repeat pairs)
        "components": summary["components"],
        "largest_component": summary["largest"],
        "string_ids": string_ids,
        "shuffle_partitions": partitions,
        "seconds": round(seconds, 2),
        "rounds": result.iterations,
        "edges_per_round": [stats.edges for stats in result.rounds],
        "unsettled_per_round": [stats.unsettled for stats in result.rounds],
        "driver_python_peak_rss_mib_before": round(rss_before, 1),
        "driver_python_peak_rss_mib_after": round(peak_rss_mib(), 1),
    }
    if verify:
        report["matches_networkx"] = verify_with_networkx(edges, result.components)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, action="append", help="graph size; repeat for several")
    parser.add_argument("--chain-length", type=int, default=2000)
    parser.add_argument("--string-ids", action="store_true")
    parser.add_argument("--master", default=None)
    parser.add_argument("--verify", action="store_true", help="also compare with networkx (collects!)")
    parser.add_argument("--json", default=None, help="also write the report here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    spark = spark_session(args.master, app_name="components-bench")
    try:
        reports = []
        for nodes in args.nodes or [200_000]:
            report = measure(spark, nodes, args.chain_length, args.string_ids, args.verify)
            reports.append(report)
            print(json.dumps(report))
    finally:
        spark.stop()
    if args.json:
        with open(args.json, "w") as out:
            json.dump(reports, out, indent=2)


if __name__ == "__main__":
    main()
