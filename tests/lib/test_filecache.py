"""The embedded file cache counts its files at most once a minute, and still culls."""

from __future__ import annotations

import pytest

from suivi.lib import filecache


@pytest.fixture
def files(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(filecache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(filecache.FileCache, "_culled_at", float("-inf"))
    cache = filecache.FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10}})
    counted = []
    real = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: counted.append(1) or real())
    return cache, clock, counted, tmp_path


def test_many_writes_within_a_minute_count_the_files_once(files):
    cache, _clock, counted, _path = files

    cache.set_many({f"figure-{n}": n for n in range(50)})

    assert len(counted) == 1
    assert cache.get("figure-49") == 49  # nothing written is lost for being over the limit


def test_a_write_after_a_minute_culls_down_below_the_limit(files):
    cache, clock, counted, path = files
    cache.set_many({f"figure-{n}": n for n in range(50)})
    clock[0] += filecache.CULL_EVERY + 1

    cache.set("one-more", 1)

    assert len(counted) == 2
    assert len(list(path.glob("*.djcache"))) < 50
