"""Connected components in Spark (jobs/components.py), checked against networkx on a real local session."""

from __future__ import annotations

import logging
import random

import networkx as nx
import pytest
from pyspark.sql import DataFrame, Observation
from pyspark.sql.types import LongType, StringType, StructField, StructType

from jobs.components import (
    ComponentsDidNotConverge,
    RoundStats,
    component_sizes,
    connected_components,
    find_components,
    large_star,
    neighbourhood_table,
    small_star,
)

LONG_EDGES = StructType([StructField("src", LongType()), StructField("dst", LongType())])


def edge_frame(spark, edges, schema=LONG_EDGES, partitions: int | None = None) -> DataFrame:
    frame = spark.createDataFrame(list(edges), schema)
    return frame.repartition(partitions) if partitions else frame


def labels(components: DataFrame) -> dict:
    """node -> component, collected: fine for the small graphs of tests."""
    return {row["node"]: row["component"] for row in components.collect()}


def expected_labels(edges) -> dict:
    """The reference: networkx components, each labelled by its smallest node."""
    graph = nx.Graph()
    graph.add_edges_from((a, b) for a, b in edges if a is not None and b is not None)
    graph.add_nodes_from(x for edge in edges for x in edge if x is not None)
    return {node: min(nodes) for nodes in nx.connected_components(graph) for node in nodes}


def shuffled_and_flipped(edges, seed: int) -> list[tuple]:
    """The same undirected edges in a random order, each in a random direction."""
    rng = random.Random(seed)
    out = [(a, b) if rng.random() < 0.5 else (b, a) for a, b in edges]
    rng.shuffle(out)
    return out


def path(nodes) -> list[tuple]:
    return list(zip(nodes, nodes[1:], strict=False))


def near_duplicate_graph(seed: int, nodes: int = 400, chain: int = 24) -> list[tuple]:
    """Shaped like LSH candidates: sparse random edges (many small clusters, some trees of tens
    of nodes), plus a chain with scrambled ids."""
    rng = random.Random(seed)
    sparse = nx.gnm_random_graph(nodes, int(nodes * 0.7), seed=seed).edges()
    chain_nodes = rng.sample(range(nodes, 3 * nodes), chain)
    return shuffled_and_flipped(list(sparse) + path(chain_nodes), seed)


def edge_set(frame: DataFrame) -> set[tuple]:
    return {(row["src"], row["dst"]) for row in frame.collect()}


def test_large_star_hangs_larger_neighbours_off_the_local_minimum(spark):
    # Closed neighbourhood minima: m(1) = 1, m(2) = 1, m(5) = 2.
    table = neighbourhood_table(edge_frame(spark, [(1, 2), (2, 5), (5, 7), (5, 9)]))
    assert edge_set(large_star(table)) == {(1, 2), (1, 5), (2, 7), (2, 9)}


def test_small_star_links_smaller_neighbours_to_the_smallest(spark):
    # Node 9's smaller neighbours are 4, 3 and 2, listed smallest last: all go to 2, and so does 9.
    edges = [(4, 9), (3, 9), (2, 9), (1, 2), (1, 5)]
    assert edge_set(small_star(edge_frame(spark, edges, partitions=1))) == {
        (2, 4),
        (2, 3),
        (2, 9),
        (1, 2),
        (1, 5),
    }


def test_long_chains_in_random_order_take_few_rounds(spark, caplog):
    # Two 2,000-node paths: ids in path order, and ids shuffled along the path. Naive label
    # propagation needs ~2,000 rounds on the first; large/small-star needs O(log² n).
    ordered = path(list(range(2000)))
    scrambled_ids = random.Random(7).sample(range(10_000, 12_000), 2000)
    scrambled = path(scrambled_ids)
    edges = shuffled_and_flipped(ordered + scrambled, seed=1)

    with caplog.at_level(logging.INFO, logger="jobs.components"):
        result = find_components(edge_frame(spark, edges, partitions=4))

    got = labels(result.components)
    assert got == expected_labels(edges)
    assert set(got.values()) == {0, min(scrambled_ids)}
    assert 2 <= result.iterations < 40
    assert result.rounds[0].edges == 3998 and result.rounds[-1].unsettled == 0
    assert result.rounds[-1].edges == 3998  # a converged star forest: one edge per non-centre node
    assert any("converged after" in record.getMessage() for record in caplog.records)
    assert (
        sum("components: round " in record.getMessage() for record in caplog.records) == result.iterations + 1
    )


def test_stars_complete_graph_and_disjoint_components(spark):
    stars = [(centre, leaf) for centre in (100, 200, 300) for leaf in range(centre - 20, centre)]
    complete = [(a, b) for a in range(1000, 1030) for b in range(a + 1, 1030)]
    pairs = [(5000 + 2 * i, 5001 + 2 * i) for i in range(50)]
    edges = shuffled_and_flipped(stars + complete + pairs, seed=2)

    got = labels(connected_components(edge_frame(spark, edges)))

    assert got == expected_labels(edges)
    assert got[100] == 80 and got[1029] == 1000 and got[5099] == 5098
    assert len(set(got.values())) == 3 + 1 + 50


def test_duplicate_edges_self_loops_and_null_ends(spark):
    edges = [
        (1, 2),
        (2, 1),
        (1, 2),
        (2, 3),
        (3, 3),  # a self-loop inside a component
        (7, 7),  # a node whose only edge is a self-loop
        (7, 7),
        (9, None),  # a null end: 9 is still a node, alone
        (None, None),
        (12, 11),
        (11, 12),
    ]
    result = find_components(edge_frame(spark, edges))
    assert labels(result.components) == {1: 1, 2: 1, 3: 1, 7: 7, 9: 9, 11: 11, 12: 11}
    # Counted once each: (1,2) (2,3) (3,3) (7,7) (9,9) (11,12); 2 and 3 have two neighbours, one smaller.
    assert result.rounds[0] == RoundStats(edges=6, nodes=7, unsettled=2)


def test_string_ids_keep_their_type_and_order(spark):
    # Strings compare as strings: "doc-10" < "doc-9", and the label must say so.
    edges = [("doc-9", "doc-10"), ("doc-10", "doc-11"), ("b", "a"), ("solo", "solo")]
    components = connected_components(
        spark.createDataFrame(edges, ["left", "right"]), src="left", dst="right"
    )
    assert [field.dataType for field in components.schema] == [StringType(), StringType()]
    assert labels(components) == {
        "doc-9": "doc-10",
        "doc-10": "doc-10",
        "doc-11": "doc-10",
        "a": "a",
        "b": "a",
        "solo": "solo",
    }


def test_long_ids_keep_their_type(spark):
    big = 2**62
    edges = [(big + 5, big + 3), (big + 3, -4), (big, big + 1)]
    components = connected_components(edge_frame(spark, edges))
    assert [field.dataType for field in components.schema] == [LongType(), LongType()]
    assert labels(components) == {big + 5: -4, big + 3: -4, -4: -4, big: big, big + 1: big}


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_matches_networkx_on_random_graphs(spark, seed):
    edges = near_duplicate_graph(seed)
    assert labels(connected_components(edge_frame(spark, edges, partitions=3))) == expected_labels(edges)


@pytest.mark.parametrize(("input_partitions", "shuffle_partitions"), [(1, "1"), (3, "8"), (8, "1")])
def test_same_labels_for_any_partitioning(spark, input_partitions, shuffle_partitions):
    edges = near_duplicate_graph(21, nodes=300)
    before = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", shuffle_partitions)
    try:
        got = labels(connected_components(edge_frame(spark, edges, partitions=input_partitions)))
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", before)
    assert got == expected_labels(edges)


def test_only_counts_reach_the_driver(spark, monkeypatch):
    """The no-collect guarantee: no row of the graph is ever pulled to the driver; what comes
    back is one observed row of counts per round."""
    frame_class = type(spark.range(1))  # the DataFrame class whose methods actually run

    def forbidden(self, *args, **kwargs):
        raise AssertionError("rows pulled to the driver")

    for name in ("collect", "toPandas", "toArrow", "toLocalIterator"):
        monkeypatch.setattr(frame_class, name, forbidden)
    observed: list[dict] = []
    metrics = Observation.get

    def counted(self):
        observed.append(metrics.fget(self))
        return observed[-1]

    monkeypatch.setattr(Observation, "get", property(counted))

    result = find_components(edge_frame(spark, shuffled_and_flipped(path(list(range(32))), seed=4)))

    assert len(observed) == len(result.rounds) == result.iterations + 1
    assert all(set(row) == {"edges", "nodes", "unsettled"} for row in observed)
    monkeypatch.undo()
    assert set(labels(result.components).values()) == {0}


def test_gives_up_rather_than_returning_wrong_labels(spark):
    with pytest.raises(ComponentsDidNotConverge, match="after 1 rounds"):
        connected_components(edge_frame(spark, path(list(range(30)))), max_iterations=1)


def test_star_forest_input_needs_no_round(spark):
    result = find_components(edge_frame(spark, [(1, 2), (1, 3), (4, 5)]))
    assert result.iterations == 0
    assert labels(result.components) == {1: 1, 2: 1, 3: 1, 4: 4, 5: 4}


def test_empty_graph(spark):
    result = find_components(edge_frame(spark, []))
    assert result.iterations == 0 and result.components.count() == 0


def test_mixed_id_types_are_refused(spark):
    frame = spark.createDataFrame([(1, "1")], "src long, dst string")
    with pytest.raises(TypeError, match="same type"):
        connected_components(frame)


def test_reliable_checkpoints_write_to_the_checkpoint_dir(spark, tmp_path):
    context = spark.sparkContext
    context.setCheckpointDir(str(tmp_path))
    try:
        edges = shuffled_and_flipped(path(list(range(16))), seed=3)
        result = find_components(edge_frame(spark, edges), checkpoint_every=1)
        assert labels(result.components) == {node: 0 for node in range(16)}
        assert any(p.is_file() for p in tmp_path.rglob("*")), "no checkpoint files written"
    finally:
        # Back to no checkpoint directory, so other tests keep the local default.
        # (SparkContext has no public way to unset it; its Scala setter is the only one.)
        getattr(context._jsc.sc(), "checkpointDir_$eq")(context._jvm.scala.Option.empty())


def test_component_sizes(spark):
    components = connected_components(edge_frame(spark, [(1, 2), (2, 3), (8, 9)]))
    sizes = {row["component"]: row["size"] for row in component_sizes(components).collect()}
    assert sizes == {1: 3, 8: 2}
