"""Load and validate framework files (YAML codebooks shipped in `frameworks/`)."""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import yaml

from coding.codebook.palette import child_colour

FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "frameworks"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
PATTERN = re.compile(r"^[\w'’-]+\*?(?: [\w'’-]+\*?)*$")
KINDS = {"value", "decision", "principle", "characteristic", "theme", "code"}
TIERS = {"foundation", "dependent"}
TOP_KEYS = {"id", "name", "version", "source", "description", "groups", "codes", "case_attributes"}
CASE_ATTRIBUTE_KEYS = {"name", "decision", "options", "description", "citation"}
CODE_KEYS = {"id", "name", "kind", "tier", "colour", "definition", "citation", "patterns", "children", "group",
             "profile", "aliases"}


class FrameworkError(ValueError):
    """A framework file is not valid; the message names the file, the code and the problem."""


@dataclass
class FrameworkCode:
    """One code of a framework, with its children."""

    id: str
    name: str
    kind: str
    definition: str
    colour: str
    citation: str = ""
    profile: str = ""
    aliases: list[str] = field(default_factory=list)
    tier: Optional[str] = None
    group: Optional[str] = None
    patterns: list[str] = field(default_factory=list)
    children: list["FrameworkCode"] = field(default_factory=list)
    parent: Optional[str] = None

    def as_tree(self) -> dict[str, Any]:
        """The code and its descendants as plain data (for JSON)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "tier": self.tier,
            "group": self.group,
            "colour": self.colour,
            "definition": self.definition,
            "citation": self.citation,
            "profile": self.profile,
            "aliases": list(self.aliases),
            "patterns": list(self.patterns),
            "children": [child.as_tree() for child in self.children],
        }


@dataclass(frozen=True)
class CaseAttribute:
    """An attribute the framework gives peer support projects (the cases above participants): for a key
    decision, the choices a project can make, such as facilitation "named facilitator" or "no facilitator"."""

    name: str
    options: tuple[str, ...]
    decision: Optional[str] = None
    description: str = ""
    citation: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "decision": self.decision, "options": list(self.options),
                "description": self.description, "citation": self.citation}


@dataclass
class Framework:
    """A loaded, validated framework."""

    id: str
    name: str
    version: str
    source: str
    description: str
    groups: list[dict[str, Any]]
    codes: list[FrameworkCode]
    path: Optional[Path] = None
    case_attributes: list[CaseAttribute] = field(default_factory=list)

    def walk(self) -> Iterator[FrameworkCode]:
        """Every code, parents before children, in file order."""
        stack = list(reversed(self.codes))
        while stack:
            code = stack.pop()
            yield code
            stack.extend(reversed(code.children))

    def as_tree(self) -> dict[str, Any]:
        """The whole framework as plain data (for JSON)."""
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "description": self.description,
            "groups": self.groups,
            "codes": [code.as_tree() for code in self.codes],
            "case_attributes": [a.as_dict() for a in self.case_attributes],
        }


def _fail(where: str, message: str) -> None:
    raise FrameworkError(f"{where}: {message}")


def _parse_code(raw: Any, file: str, *, parent: Optional[FrameworkCode], seen: set[str],
                groups: set[str], siblings: Sequence[str] = ()) -> FrameworkCode:
    """One code and its children; a child with no colour of its own gets one in its parent's family that
    differs from the parent's and from the `siblings` colours before it."""
    where = file if parent is None else f"{file}: under code '{parent.id}'"
    if not isinstance(raw, dict):
        _fail(where, "each code must be a mapping with id, name and definition")
    code_id = raw.get("id")
    if not isinstance(code_id, str) or not code_id:
        _fail(where, "a code has no id")
    where = f"{file}: code '{code_id}'"
    unknown = set(raw) - CODE_KEYS
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
    *parents, slug = code_id.split("/")
    expected_parent = parent.id if parent else None
    if ("/".join(parents) or None) != expected_parent:
        _fail(where, f"id must be '{expected_parent}/<slug>'" if parent else "a top-level id has no '/'")
    if not SLUG.match(slug):
        _fail(where, f"'{slug}' is not a slug (lower-case letters, digits and hyphens)")
    if code_id in seen:
        _fail(where, "the id is used twice")
    seen.add(code_id)
    for key in ("name", "definition"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            _fail(where, f"'{key}' is missing or empty")
    kind = raw.get("kind", parent.kind if parent else None)
    if kind not in KINDS:
        _fail(where, f"kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}")
    tier = raw.get("tier")
    if tier is not None and tier not in TIERS:
        _fail(where, f"tier must be foundation or dependent, not {tier!r}")
    colour = raw.get("colour", child_colour(parent.colour, siblings) if parent else None)
    if not isinstance(colour, str) or not COLOUR.match(colour):
        _fail(where, f"colour must look like #1b9e77, not {colour!r}")
    group = raw.get("group", parent.group if parent else None)
    if group is not None and group not in groups:
        _fail(where, f"group '{group}' is not declared under 'groups'")
    if not isinstance(raw.get("aliases", []) or [], list):
        _fail(where, "aliases must be a list of other names")
    patterns = raw.get("patterns", []) or []
    if not isinstance(patterns, list):
        _fail(where, "patterns must be a list of phrases")
    for pattern in patterns:
        if not isinstance(pattern, str) or not PATTERN.match(pattern.strip()):
            _fail(where, f"pattern {pattern!r} is not a phrase of words (a word may end in *)")
    code = FrameworkCode(
        id=code_id, name=raw["name"].strip(), kind=kind, tier=tier, group=group,
        definition=" ".join(raw["definition"].split()), colour=colour.lower(),
        citation=str(raw.get("citation", "")).strip(), parent=expected_parent,
        profile=" ".join(str(raw.get("profile", "") or "").split()),
        aliases=[str(a).strip() for a in raw.get("aliases", []) or [] if str(a).strip()],
        patterns=[p.strip().lower() for p in patterns],
    )
    children = raw.get("children", []) or []
    if not isinstance(children, list):
        _fail(where, "children must be a list of codes")
    for child in children:
        code.children.append(_parse_code(child, file, parent=code, seen=seen, groups=groups,
                                         siblings=[c.colour for c in code.children]))
    return code


def parse_framework(data: Any, where: str) -> Framework:
    """Validate already-parsed YAML data; `where` names the file in error messages."""
    if not isinstance(data, dict):
        _fail(where, "the file must be a mapping with id, name, version and codes")
    unknown = set(data) - TOP_KEYS
    if unknown:
        _fail(where, f"unknown top-level key(s) {', '.join(sorted(unknown))}")
    for key in ("id", "name", "version"):
        if not str(data.get(key) or "").strip():
            _fail(where, f"'{key}' is missing")
    if not SLUG.match(str(data["id"])):
        _fail(where, f"framework id '{data['id']}' is not a slug")
    groups = data.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, dict) and g.get("id") for g in groups):
        _fail(where, "groups must be a list of mappings with an id")
    group_ids = {g["id"] for g in groups}
    codes = data.get("codes")
    if not isinstance(codes, list) or not codes:
        _fail(where, "'codes' must be a non-empty list")
    seen: set[str] = set()
    parsed = [_parse_code(raw, where, parent=None, seen=seen, groups=group_ids) for raw in codes]
    decisions = {c.id for c in parsed if c.kind == "decision"}
    return Framework(
        id=str(data["id"]), name=str(data["name"]).strip(), version=str(data["version"]),
        source=str(data.get("source", "")).strip(),
        description=" ".join(str(data.get("description", "")).split()),
        groups=[dict(g) for g in groups], codes=parsed,
        case_attributes=_parse_case_attributes(data.get("case_attributes"), where, decisions),
    )


def _parse_case_attributes(raw: Any, where: str, decisions: set[str]) -> list[CaseAttribute]:
    """The attributes a framework gives peer support projects; a decision named must be a top-level decision."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        _fail(where, "case_attributes must be a list of attributes with a name and options")
    parsed: list[CaseAttribute] = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            _fail(where, "a case attribute has no name")
        here = f"{where}: case attribute '{name}'"
        unknown = set(item) - CASE_ATTRIBUTE_KEYS
        if unknown:
            _fail(here, f"unknown key(s) {', '.join(sorted(unknown))}")
        if any(a.name == name.strip() for a in parsed):
            _fail(here, "the name is used twice")
        options = item.get("options")
        if (not isinstance(options, list) or not options
                or not all(isinstance(o, str) and o.strip() for o in options)):
            _fail(here, "options must be a non-empty list of words")
        if len({o.strip() for o in options}) != len(options):
            _fail(here, "an option is listed twice")
        decision = item.get("decision")
        if decision is not None and decision not in decisions:
            _fail(here, f"decision '{decision}' is not a top-level decision of the framework")
        parsed.append(CaseAttribute(name=name.strip(), options=tuple(o.strip() for o in options), decision=decision,
                                    description=" ".join(str(item.get("description", "") or "").split()),
                                    citation=str(item.get("citation", "") or "").strip()))
    return parsed


def load_framework_file(path: Path) -> Framework:
    """Read and validate one framework file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{path}: cannot be read ({exc})") from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: is not valid YAML ({exc})") from exc
    framework = parse_framework(data, str(path))
    framework.path = path
    return framework


@lru_cache(maxsize=None)
def available_frameworks(folder: Path = FRAMEWORKS_DIR) -> dict[str, Framework]:
    """Every framework shipped in the folder, by id."""
    found: dict[str, Framework] = {}
    for path in sorted(folder.glob("*.yaml")):
        framework = load_framework_file(path)
        if framework.id in found:
            raise FrameworkError(f"{path}: framework id '{framework.id}' is also used by {found[framework.id].path}")
        found[framework.id] = framework
    return found


def get_framework(framework_id: str) -> Framework:
    """One shipped framework by id; a KeyError names the ones there are."""
    frameworks = available_frameworks()
    if framework_id not in frameworks:
        raise KeyError(f"no framework '{framework_id}'; available: {', '.join(sorted(frameworks))}")
    return frameworks[framework_id]
