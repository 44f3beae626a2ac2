"""The embedded cache: files under the data directory, shared by the server and the worker.

Django's file cache counts its files on every write, to know whether to cull: with the tens of
thousands of figures of a country's portfolio, listing the directory at each write costs far
more than the figures themselves (minutes for one warming of 200 projects). This one counts,
and culls, at most once every ``CULL_EVERY`` seconds per process; between two counts the
directory may hold a few more files than ``MAX_ENTRIES``.
"""

from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 60.0


class FileCache(FileBasedCache):
    _culled_at = float("-inf")  # per process: every instance of every thread shares it

    def _cull(self) -> None:
        now = time.monotonic()
        if now - FileCache._culled_at < CULL_EVERY:
            return
        FileCache._culled_at = now
        super()._cull()
