"""Connected components of a graph too large for one machine, for near-duplicate clusters (dedup).

MinHash LSH gives candidate edges between near-duplicate documents; a duplicate cluster is a
connected component of that graph, labelled by its smallest node id. The graph stays in Spark
the whole time: each round sends the driver one row of counts, never edges or nodes (peer tools
run out of memory exactly there: datatrove clusters on one task, NeMo Curator's joins).

The algorithm is the alternating large-star / small-star of Kiveris et al., "Connected
Components in MapReduce and Beyond" (SoCC 2014). Edges are canonical, `src < dst` (or
`src == dst` for a self-loop, which keeps a node that has no other edge). One round is:

- large-star: every edge (s, d) becomes (m(s), d), m(s) the smallest node of s's neighbourhood
  (s included): larger neighbours hang off the local minimum;
- small-star: for every node d, p(d) the smallest of its smaller-or-equal neighbours; each of
  them, a, becomes (p(d), a), and d becomes (p(d), d).

Both keep the components. Rounds are O(log² n) in theory and about log2 of the longest path in
practice (11 for a path of 2,000 nodes). The graph has converged when it is a forest of stars,
each centred on its component's minimum, which is checked exactly from per-node extremes: a
node is *unsettled* when it has a smaller neighbour and more than one distinct neighbour; with
no unsettled node, every node is either a centre (no smaller neighbour) or a leaf whose one
neighbour is a centre smaller than itself.

The state between rounds is one table, `node, nbr, min_nbr, max_nbr` (both directions of every
edge, with the extremes of each node's neighbours): large-star is a projection of it, so a round
costs two shuffles (small-star's window by d, the next table's by node) and one action, which also
counts the round's edges, nodes and unsettled nodes on the way (an Observation). The table is
kept (cached, or a checkpoint every `checkpoint_every` rounds, which cuts the lineage) and the
previous one dropped as soon as the next is stored.

Shuffles follow the session: `spark.sql.shuffle.partitions` as the stage set it
(jobs.spark.size_shuffles), with adaptive execution merging the partitions that a small graph
leaves nearly empty (AQE coalesces these repartition-by-column shuffles too). Nothing here
changes a session setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Observation, SparkSession, Window
from pyspark.sql import functions as F

log = logging.getLogger(__name__)

DEFAULT_CHECKPOINT_EVERY = 3
DEFAULT_MAX_ITERATIONS = 100
# Reused tables spill to disk rather than fail or be recomputed when memory is short.
STORAGE = StorageLevel.MEMORY_AND_DISK


class ComponentsDidNotConverge(RuntimeError):
    """Raised when max_iterations rounds were not enough: the labels would be wrong, so none are given."""


@dataclass(frozen=True)
class RoundStats:
    """The graph at the start of a round: the one row each round sends to the driver."""

    edges: int
    nodes: int
    unsettled: int


@dataclass(frozen=True)
class ComponentsResult:
    components: DataFrame  # node, component: one row per node; materialised, no lineage to the rounds
    iterations: int  # large-star/small-star rounds run; 0 when the input was already a star forest
    rounds: tuple[RoundStats, ...]  # before each round, and last the converged graph


def connected_components(edges: DataFrame, **options) -> DataFrame:
    """`node, component` for every node of an edge: component is the smallest node id of its
    connected component. `options` are `find_components`'s."""
    return find_components(edges, **options).components


def find_components(
    edges: DataFrame,
    *,
    src: str = "src",
    dst: str = "dst",
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    reliable_checkpoints: bool | None = None,
) -> ComponentsResult:
    """Connected components of the undirected graph `edges` (columns `src`, `dst`), with round counts.

    Node ids are any orderable type (strings, longs), the same for both columns; the output's
    `node` and `component` have that type. Edge direction, order, duplicates and self-loops do
    not matter; a null end is no node (the other end still is one). The labels depend on the
    graph alone, not on partitioning.

    The lineage is cut every `checkpoint_every` rounds. `reliable_checkpoints`: None (default)
    writes checkpoints to the session's checkpoint directory when one is set
    (`SparkContext.setCheckpointDir` or `spark.checkpoint.dir`) and uses local checkpoints
    otherwise; see `_lineage_cutter` for the trade-off. Raises ComponentsDidNotConverge after
    `max_iterations` rounds without convergence.
    """
    _check_arguments(edges, src, dst, checkpoint_every, max_iterations)
    spark = edges.sparkSession
    cut_lineage = _lineage_cutter(spark, reliable_checkpoints)
    log.info(
        "components: %s checkpoints every %d rounds, shuffles over %s partitions (adaptive: %s)",
        "reliable" if cut_lineage.reliable else "local",
        checkpoint_every,
        spark.conf.get("spark.sql.shuffle.partitions"),
        spark.conf.get("spark.sql.adaptive.enabled", "false"),
    )

    # Round 0's table is always a checkpoint: the input's lineage (LSH, reads) is never rerun.
    neighbourhoods, stats = materialise(neighbourhood_table(canonical_edges(edges, src, dst)), cut_lineage)
    rounds: list[RoundStats] = []
    for iteration in range(max_iterations + 1):
        rounds.append(stats)
        log.info(
            "components: round %d: %d edges, %d nodes, %d unsettled",
            iteration,
            stats.edges,
            stats.nodes,
            stats.unsettled,
        )
        if stats.unsettled == 0:
            break
        if iteration == max_iterations:
            _release(neighbourhoods)
            raise ComponentsDidNotConverge(
                f"{stats.unsettled} of {stats.nodes} nodes still unsettled after {max_iterations} rounds"
            )
        checkpoint_now = (iteration + 1) % checkpoint_every == 0
        following, stats = materialise(
            neighbourhood_table(small_star(large_star(neighbourhoods))),
            cut_lineage if checkpoint_now else None,
        )
        _release(neighbourhoods)  # only now: `following` is computed, nothing reads this one again
        neighbourhoods = following

    components = cut_lineage(component_labels(neighbourhoods))
    _release(neighbourhoods)
    log.info("components: converged after %d rounds, %d nodes", iteration, stats.nodes)
    return ComponentsResult(components=components, iterations=iteration, rounds=tuple(rounds))


def component_sizes(components: DataFrame) -> DataFrame:
    """`component, size` (nodes per component) from connected_components' output."""
    return components.groupBy("component").agg(F.count("*").alias("size"))


# ------------------------------------------------------------------------------------ the steps


def canonical_edges(edges: DataFrame, src: str, dst: str) -> DataFrame:
    """`src <= dst` pairs (duplicates go in neighbourhood_table). least/greatest skip nulls, so an
    edge with one null end becomes the self-loop of its other end (a node with no edge), and one
    with two null ends goes."""
    ends = F.col(src), F.col(dst)
    return edges.select(F.least(*ends).alias("src"), F.greatest(*ends).alias("dst")).where(
        F.col("src").isNotNull()
    )


def neighbourhood_table(edges: DataFrame) -> DataFrame:
    """`node, nbr, min_nbr, max_nbr`: one row per distinct (node, neighbour), both directions of
    every edge (a self-loop once), with the extremes of the node's neighbours.

    One shuffle, by node: the duplicates and the window over each node's neighbours are then
    partition-local (hash partitioning by node satisfies both), so a round costs two shuffles
    in all (this one and small_star's). A hub's neighbours are buffered by the window, which
    spills to disk past spark.sql.windowExec.buffer.spill.threshold rows."""
    both_directions = edges.select(
        F.explode(
            F.array(
                F.struct(F.col("src").alias("node"), F.col("dst").alias("nbr")),
                F.struct(F.col("dst").alias("node"), F.col("src").alias("nbr")),
            )
        ).alias("end")
    ).select("end.node", "end.nbr")
    by_node = Window.partitionBy("node")
    return (
        both_directions.repartition("node")
        .distinct()
        .withColumn("min_nbr", F.min("nbr").over(by_node))
        .withColumn("max_nbr", F.max("nbr").over(by_node))
    )


def round_metrics() -> list[Column]:
    """Edges, nodes and unsettled nodes of a neighbourhood table, as aggregates.

    Each node has exactly one row with nbr == min_nbr, so counting those rows counts nodes. A
    node is unsettled when it has a smaller neighbour and more than one distinct neighbour."""
    node_row = F.col("nbr") == F.col("min_nbr")
    has_smaller_neighbour = F.col("min_nbr") < F.col("node")
    has_other_neighbours = F.col("max_nbr") != F.col("min_nbr")
    return [
        F.count_if(F.col("node") <= F.col("nbr")).alias("edges"),  # each edge once, self-loops too
        F.count_if(node_row).alias("nodes"),
        F.count_if(node_row & has_smaller_neighbour & has_other_neighbours).alias("unsettled"),
    ]


def materialise(table: DataFrame, cut_lineage: _LineageCutter | None) -> tuple[DataFrame, RoundStats]:
    """Compute and keep `table` (a checkpoint, or a cache when cut_lineage is None) and count its
    round_metrics on the way through: an Observation adds the counts to the job that stores the
    table, instead of a second job, and brings one row to the driver: all it ever receives."""
    observation = Observation()
    if cut_lineage is not None:
        stored = cut_lineage(table.observe(observation, *round_metrics()))
    else:
        stored = table.persist(STORAGE)
        # The noop sink runs the plan (filling the cache) and discards the rows where they are.
        stored.observe(observation, *round_metrics()).write.format("noop").mode("overwrite").save()
    return stored, RoundStats(**{key: int(value) for key, value in observation.get.items()})


def component_labels(neighbourhoods: DataFrame) -> DataFrame:
    """`node, component` of a converged graph: a leaf's only neighbour is its centre, the
    component's minimum; a centre has no smaller neighbour and is its own minimum."""
    return neighbourhoods.where(F.col("nbr") == F.col("min_nbr")).select(
        "node", F.least(F.col("node"), F.col("min_nbr")).alias("component")
    )


def large_star(neighbourhoods: DataFrame) -> DataFrame:
    """Every edge (s, d), s <= d, becomes (m(s), d), m(s) the smallest node of s's closed
    neighbourhood: d hangs off s's local minimum. m(s) <= s <= d keeps it canonical; a self-loop
    (s, s) becomes (m(s), s). No shuffle: each row of s carries m(s) already."""
    return neighbourhoods.where(F.col("node") <= F.col("nbr")).select(
        F.least(F.col("node"), F.col("min_nbr")).alias("src"), F.col("nbr").alias("dst")
    )


def small_star(edges: DataFrame) -> DataFrame:
    """For every node d, p(d) = its smallest smaller-or-equal neighbour; every such neighbour
    a != p(d) becomes (p(d), a), and the edge (p(d), d) itself stays: one edge out per edge in.

    One shuffle, by d, for the window. A node whose only edge is its self-loop has p(d) == d and
    keeps (d, d), so it is not lost. Duplicates are left to the next neighbourhood_table."""
    parent = F.min("src").over(Window.partitionBy("dst"))
    return edges.withColumn("parent", parent).select(
        F.col("parent").alias("src"),
        F.when(F.col("src") != F.col("parent"), F.col("src")).otherwise(F.col("dst")).alias("dst"),
    )


# ------------------------------------------------------------------------------------ plumbing


def _check_arguments(edges: DataFrame, src: str, dst: str, checkpoint_every: int, max_iterations: int):
    src_type, dst_type = edges.schema[src].dataType, edges.schema[dst].dataType
    if src_type != dst_type:
        # min/least over mixed types would compare casts (e.g. "10" < "9"): a wrong label, silently.
        raise TypeError(f"{src} and {dst} must have the same type, not {src_type} and {dst_type}")
    if checkpoint_every < 1:
        raise ValueError(f"checkpoint_every must be at least 1, not {checkpoint_every}")
    if max_iterations < 0:
        raise ValueError(f"max_iterations must be at least 0, not {max_iterations}")


@dataclass(frozen=True)
class _LineageCutter:
    reliable: bool

    def __call__(self, frame: DataFrame) -> DataFrame:
        if self.reliable:
            return frame.checkpoint(eager=True)
        return frame.localCheckpoint(eager=True, storageLevel=STORAGE)


def _lineage_cutter(spark: SparkSession, reliable: bool | None) -> _LineageCutter:
    """How to cut the lineage (else each round's plan, and its planning time, keeps growing).

    localCheckpoint keeps the rows in the executors' block stores: fast, no files, but the
    lineage is gone, so losing an executor loses the rows and fails the job; right for local[*]
    (an executor lost is the driver lost) and for short jobs. checkpoint writes them to the
    checkpoint directory (HDFS, S3, a shared disk): slower, but survives executor loss, as a
    long job on a cluster of preemptible machines needs. A checkpoint directory is a deliberate
    setting of the cluster session, so its presence chooses the reliable kind."""
    if reliable is None:
        reliable = _has_checkpoint_dir(spark)
    return _LineageCutter(reliable=reliable)


def _has_checkpoint_dir(spark: SparkSession) -> bool:
    if spark.conf.get("spark.checkpoint.dir", None):
        return True
    try:
        return spark.sparkContext.getCheckpointDir() is not None
    except (AttributeError, NotImplementedError):  # Spark Connect has no SparkContext
        return False


def _release(frame: DataFrame | None) -> None:
    """Drop a cached table that nothing will read again. (A local checkpoint is not a cache: its
    blocks go when the JVM collects the dropped DataFrame, through Spark's ContextCleaner.)"""
    if frame is not None:
        frame.unpersist(blocking=False)
