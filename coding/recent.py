"""Small thread-safe stores of the most recently used values, for what a process builds once and reads often.

A store made with `of_projects=True` has keys whose first part is a project's id, and holds what was read or
made from that project's transcripts: `forget(project_id)` empties all such stores of it, as an erasure must.
"""

import threading
import weakref
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, TypeVar

V = TypeVar("V")
_OF_PROJECTS: "weakref.WeakSet[Recent]" = weakref.WeakSet()


class Recent(Generic[V]):
    """Up to `size` values by key; the least recently used goes first when it is full."""

    def __init__(self, size: int, *, of_projects: bool = False):
        self._size, self._values, self._lock = size, OrderedDict(), threading.Lock()
        if of_projects:
            _OF_PROJECTS.add(self)

    def get(self, key: Hashable) -> Optional[V]:
        with self._lock:
            if key not in self._values:
                return None
            self._values.move_to_end(key)
            return self._values[key]

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def made(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value for `key`; when there is none, `make()` is called (outside the lock, so a slow one holds up
        no other key) and its value kept."""
        value = self.get(key)
        return value if value is not None else self.put(key, make())

    def drop(self, which: Callable[[Hashable], bool] = lambda key: True) -> None:
        """Forget the values whose key `which` picks (all of them, by default)."""
        with self._lock:
            for key in [k for k in self._values if which(k)]:
                del self._values[key]


def of_document(document) -> tuple:
    """The first parts of a key for what was made from one transcript: its project, its id, and its import time,
    since an id can come back after an erasure (SQLite gives the next transcript the erased one's)."""
    return document.project_id, document.id, document.created_at


def forget(project_id: int) -> None:
    """Drop what every project-keyed store of this process holds of the project."""
    for store in list(_OF_PROJECTS):
        store.drop(lambda key: key[0] == project_id)
