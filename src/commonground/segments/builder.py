"""The filter builder's form: a definition of the language as plain form inputs and back,
so the builder works as an ordinary form without JavaScript (each button posts the whole
form: add a rule, add a group, remove, count, save) and HTMX only re-renders it on change.

Every node of the tree has a path of child indexes ("" the top group, "1", "1.0"), and its
inputs carry it after an ``@``: ``node@1`` (rule or group), ``gop@1`` (and/or),
``field@1.0``, ``op@1.0``, ``value@1.0`` (repeated for "any of"), ``value2@1.0`` (the end
of "between"), ``w.category@1.0`` (a window field's inputs) and ``was@1.0`` (the field the
row showed, so a changed field starts over with its own operators).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from commonground.people.filters import MAX_DEPTH, OP_LABELS, FilterField, filter_field

EMPTY_RULE: dict[str, Any] = {"field": "", "op": "", "value": None}


def _order(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in path.split(".")) if path else ()


def _valid_path(path: str) -> bool:
    return path == "" or all(p.isdigit() and len(p) < 4 for p in path.split("."))


def _value_from_form(f: FilterField | None, op: str, data: Any, path: str) -> Any:
    one = data.get(f"value@{path}", "")
    if f is None:
        return one or None
    if f.type == "window":
        return {i.name: data.get(f"w.{i.name}@{path}", "").strip() for i in f.inputs
                if data.get(f"w.{i.name}@{path}", "").strip()}
    if f.type == "choice" and op in ("in", "not_in"):
        return [v for v in data.getlist(f"value@{path}") if v]
    if op == "between":
        return [one, data.get(f"value2@{path}", "")]
    if f.type == "text" and op in ("is_empty", "is_not_empty"):
        return ""
    return one


def from_form(data: Any) -> dict[str, Any]:
    """The definition the posted form describes (not checked: ``parse`` does that)."""
    nodes = sorted((key[5:] for key in data if key.startswith("node@")
                    and _valid_path(key[5:])), key=_order)
    root: dict[str, Any] = {"op": data.get("gop@", "and") or "and", "rules": []}
    by_path: dict[str, dict[str, Any]] = {"": root}
    for path in nodes:
        parent = by_path.get(path.rpartition(".")[0] if "." in path else "")
        if parent is None or "rules" not in parent:
            continue
        if data.get(f"node@{path}") == "group":
            node: dict[str, Any] = {"op": data.get(f"gop@{path}", "and") or "and", "rules": []}
        else:
            key = data.get(f"field@{path}", "")
            f = filter_field(key) if key else None
            op = data.get(f"op@{path}", "")
            if f is not None and (data.get(f"was@{path}", key) != key
                                  or op not in f.operators()):
                node = {"field": key, "op": f.operators()[0], "value": None}
            else:
                node = {"field": key, "op": op, "value": _value_from_form(f, op, data, path)}
        parent["rules"].append(node)
        by_path[path] = node
    return root


def _node(definition: dict[str, Any], path: str) -> dict[str, Any] | None:
    node: Any = definition
    for part in _order(path):
        rules = node.get("rules") if isinstance(node, dict) else None
        if not isinstance(rules, list) or part >= len(rules):
            return None
        node = rules[part]
    return node if isinstance(node, dict) else None


def apply(definition: dict[str, Any], action: str) -> dict[str, Any]:
    """A builder button: ``add_rule@<group>``, ``add_group@<group>``, ``remove@<node>``."""
    verb, _, path = action.partition("@")
    if not _valid_path(path):
        return definition
    if verb in ("add_rule", "add_group"):
        group = _node(definition, path)
        if group is not None and "rules" in group:
            depth = len(_order(path)) + 1
            if verb == "add_group" and depth < MAX_DEPTH:
                group["rules"].append({"op": "and", "rules": [dict(EMPTY_RULE)]})
            else:
                group["rules"].append(dict(EMPTY_RULE))
    elif verb == "remove" and path:
        parent_path, _, index = path.rpartition(".")
        parent = _node(definition, parent_path if "." in path else "")
        if parent is not None and int(index) < len(parent.get("rules", [])):
            del parent["rules"][int(index)]
    return definition


def complete(definition: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The definition without the rows whose field is not chosen yet (and groups left
    empty by that), to count while building; and a function taking a mistake's path in it
    back to the row's path in the form."""
    moved: dict[str, str] = {}

    def walk(node: dict[str, Any], new: str, old: str) -> dict[str, Any] | None:
        if "rules" not in node:
            return node if node.get("field") else None
        kept = []
        for i, child in enumerate(node.get("rules") or []):
            if not isinstance(child, dict):
                continue
            child_new = f"{new}.rules.{len(kept)}" if new else f"rules.{len(kept)}"
            child_old = f"{old}.rules.{i}" if old else f"rules.{i}"
            result = walk(child, child_new, child_old)
            if result is not None:
                moved[child_new] = child_old
                kept.append(result)
        if new and not kept:
            return None
        return {"op": node.get("op", "and"), "rules": kept}

    done = walk(definition, "", "") or {"op": "and", "rules": []}

    def back(key: str) -> str:
        parts = key.split(".")
        for n in range(len(parts), 0, -1):
            head = ".".join(parts[:n])
            if head in moved:
                return ".".join([moved[head], *parts[n:]])
        return key

    return done, back


# ---------------------------------------------------------------- rendering

@dataclass
class Row:
    """One node as the template draws it."""

    path: str
    depth: int
    is_group: bool
    op: str = "and"
    children: list[Row] = default(default_factory=list)
    field: FilterField | None = None
    key: str = ""
    operators: list[tuple[str, str]] = default(default_factory=list)
    value: Any = None
    value2: Any = None
    values: list[str] = default(default_factory=list)
    window: list[dict[str, Any]] = default(default_factory=list)
    choices: list[tuple[str, str]] = default(default_factory=list)
    widget: str = ""
    errors: dict[str, list[str]] = default(default_factory=dict)
    can_nest: bool = False

    @property
    def slug(self) -> str:  # for ids: "1.0" → "1-0", the top group "top"
        return self.path.replace(".", "-") or "top"


def _widget(f: FilterField, op: str) -> str:
    if f.type == "window":
        return "window"
    if f.type == "choice":
        return "multi" if op in ("in", "not_in") else "select"
    if f.type == "bool":
        return "bool"
    if op == "between":
        return "date_pair" if f.type == "date" else "number_pair"
    if op in ("in_last_days", "in_next_days"):
        return "days"
    if f.type == "date":
        return "date"
    if f.type == "number":
        return "number"
    if op in ("is_empty", "is_not_empty"):
        return "none"
    return "text"


def _choices(source: Any) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in source()] if source is not None else []


def rows(definition: Any, errors: dict[str, list[str]] | None = None) -> Row:
    """The tree of rows for ``definition`` with each error next to its input."""
    errors = errors or {}

    def errors_at(path: str) -> dict[str, list[str]]:
        """Messages for this node: ``self``, ``field``, ``op``, ``value`` or ``rules``."""
        prefix = ".".join(f"rules.{p}" for p in path.split(".")) if path else ""
        out: dict[str, list[str]] = {}
        for key, messages in errors.items():
            key = key.removeprefix("definition.")
            if key == prefix or (not prefix and key == "definition"):
                part = "self"
            elif prefix and key.startswith(prefix + "."):
                part = key[len(prefix) + 1:]
            elif not prefix:
                part = key
            else:
                continue
            if part in ("self", "field", "op", "value", "rules"):
                out.setdefault(part, []).extend(messages)
        return out

    def build(node: Any, path: str, depth: int) -> Row:
        if isinstance(node, dict) and "rules" in node:
            row = Row(path=path, depth=depth, is_group=True,
                      op=node.get("op") if node.get("op") in ("and", "or") else "and",
                      errors=errors_at(path), can_nest=depth < MAX_DEPTH)
            for i, child in enumerate(node.get("rules") or []):
                row.children.append(build(child, f"{path}.{i}" if path else str(i), depth + 1))
            return row
        node = node if isinstance(node, dict) else {}
        key = str(node.get("field") or "")
        f = filter_field(key) if key else None
        row = Row(path=path, depth=depth, is_group=False, field=f, key=key,
                  errors=errors_at(path))
        if f is None:
            return row
        op = node.get("op") if node.get("op") in f.operators() else f.operators()[0]
        row.op, row.widget = op, _widget(f, op)
        row.operators = [(o, OP_LABELS.get(o, o)) for o in f.operators()]
        value = node.get("value")
        row.choices = _choices(f.choices)
        if row.widget == "window":
            given = value if isinstance(value, dict) else {}
            row.window = [{"input": i, "value": "" if given.get(i.name) is None
                           else str(given.get(i.name)), "choices": _choices(i.choices)}
                          for i in f.inputs]
        elif row.widget == "multi":
            row.values = [str(v) for v in value] if isinstance(value, list) else []
        elif row.widget in ("date_pair", "number_pair"):
            pair = value if isinstance(value, list) and len(value) == 2 else ["", ""]
            row.value, row.value2 = pair
        elif row.widget == "bool":
            row.value = {True: "yes", False: "no"}.get(value, str(value or "")) \
                if not isinstance(value, str) else value
        else:
            row.value = "" if value is None else value
        return row

    return build(definition if isinstance(definition, dict) and "rules" in definition
                 else {"op": "and", "rules": []}, "", 1)
