"""Parts of a page that cost much to render and come out the same for the same inputs, rendered once for each
distinct input: the document page's codebook palette (every code with its definition, count and number key) is
the same on every view until a code, a count or a pinned key changes."""

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from jinja2 import Environment
from markupsafe import Markup


class Fragments:
    """One template rendered once per distinct key, the last `size` renderings kept. `key` must cover
    everything the template reads from its context: two contexts with the same key render the same."""

    def __init__(self, env: Environment, template: str, key: Callable[..., Hashable], size: int = 64):
        self._env, self._template, self._key, self._size = env, template, key, size
        self._kept: "OrderedDict[Hashable, Markup]" = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, **context: Any) -> Markup:
        key = self._key(**context)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        made = Markup(self._env.get_template(self._template).render(**context))
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return made


def palette_key(*, document, page) -> Hashable:
    """Everything partials/document/palette.html reads: the project, each code as the list shows it, the
    number keys and the counts."""
    return (document.project_id,
            tuple((c.id, c.key, c.parent_key, c.name, c.colour, c.definition, c.retired) for c in page.codes),
            tuple((s.number, s.code.key, s.code.name, s.code.colour) for s in page.shortcuts),
            tuple(sorted(page.counts.items())))


def palette(env: Environment) -> Fragments:
    """The document page's palette, for the template as `palette(document=…, page=…)`."""
    return Fragments(env, "partials/document/palette.html", palette_key)
