"""Parts of a page that cost much to render and come out the same for the same inputs, rendered once for each
distinct input: the document page's codebook palette (every code with its definition, count and number key) is
the same on every view until a code, a count or a pinned key changes; a turn of a transcript is the same until a
coding or suggestion on it changes, and the suggestions panel until the suggestions it lists change.

Both are keyed by project first (`coding.recent`): an erasure drops what this process kept of the project."""

from typing import Any, Callable, Hashable

from jinja2 import Environment
from markupsafe import Markup

from coding.recent import Recent, of_document
from coding.workspace.rendering import TurnView

TURNS_KEPT = 2048  # rendered turns a process keeps: a few hundred kilobytes to some megabytes of HTML


class Fragments:
    """One template rendered once per distinct key, the last `size` renderings kept. `key` must cover
    everything the template reads from its context: two contexts with the same key render the same."""

    def __init__(self, env: Environment, template: str, key: Callable[..., Hashable], size: int = 64):
        self._env, self._template, self._key = env, template, key
        self._kept: Recent[Markup] = Recent(size, of_projects=True)

    def __call__(self, **context: Any) -> Markup:
        return self._kept.made(self._key(**context),
                               lambda: Markup(self._env.get_template(self._template).render(**context)))


class Turns:
    """partials/document/turn.html's `turn` macro, rendered once for each distinct `TurnView.key`: a chunk of
    turns costs a lookup for every turn that has not changed since it was last shown."""

    def __init__(self, env: Environment, size: int = TURNS_KEPT):
        self._env = env
        self._kept: Recent[Markup] = Recent(size, of_projects=True)

    def __call__(self, view: TurnView, oob: bool = False) -> Markup:
        return self._kept.made((*view.key, oob), lambda: self._render(view, oob))

    def _render(self, view: TurnView, oob: bool) -> Markup:
        return Markup(self._env.get_template("partials/document/turn.html").module.turn(view, oob))


def palette_key(*, document, page) -> Hashable:
    """Everything partials/document/palette.html reads: the project, each code as the list shows it, the
    number keys and the counts."""
    return (document.project_id,
            tuple((c.id, c.key, c.parent_key, c.name, c.colour, c.definition, c.retired) for c in page.codes),
            tuple((s.number, s.code.key, s.code.name, s.code.colour) for s in page.shortcuts),
            tuple(sorted(page.counts.items())))


def suggestions_key(*, document, on: bool, shown, more: bool, oob: bool = False, reading: bool = False) -> Hashable:
    """Everything partials/document/suggestions.html reads: the transcript, whether suggestions are on (and the
    encoder still reading it), and each one listed."""
    return (*of_document(document), on, more, oob, reading,
            tuple((s.start, s.end, s.code.key, s.code.name, s.code.colour, s.score, tuple(s.matched)) for s in shown))


def suggestions(env: Environment) -> Fragments:
    """The document page's suggestions panel, for templates as `suggestions_panel(document=…, on=…, shown=…,
    more=…, oob=…, reading=…)`."""
    return Fragments(env, "partials/document/suggestions.html", suggestions_key, size=256)


def palette(env: Environment) -> Fragments:
    """The document page's palette, for the template as `palette(document=…, page=…)`."""
    return Fragments(env, "partials/document/palette.html", palette_key)
