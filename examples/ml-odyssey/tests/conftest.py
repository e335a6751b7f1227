"""Test sharding without a plugin: `--shard-id=N --num-shards=M` (1-based),
the flags the seed's sharded workflow passes. Tests are dealt round-robin by
their position in the sorted node ids, so every shard gets a fair share."""

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("sharding")
    group.addoption("--shard-id", type=int, default=None, help="this shard, 1..num-shards")
    group.addoption("--num-shards", type=int, default=None, help="number of shards")


def pytest_collection_modifyitems(config, items):
    shard, total = config.getoption("shard_id"), config.getoption("num_shards")
    if shard is None and total is None:
        return
    if not total or not shard or not 1 <= shard <= total:
        raise pytest.UsageError("--shard-id must be in 1..--num-shards")
    ordered = sorted(items, key=lambda item: item.nodeid)
    keep = {item.nodeid for i, item in enumerate(ordered) if i % total == shard - 1}
    selected = [item for item in items if item.nodeid in keep]
    deselected = [item for item in items if item.nodeid not in keep]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = selected
