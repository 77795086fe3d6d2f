"""The structure the code may not drift from (docs/architecture.md).

The layer order and the absence of import cycles are import-linter contracts in
pyproject.toml (``lint-imports`` in ``make test``); these tests hold the two rules it
cannot express: no module imports another module's private names, and an import inside
a function carries its reason in a comment beside it.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import commonground

SRC = Path(commonground.__file__).parent


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, path.read_text()


def _comment_lines(text: str) -> set[int]:
    return {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT}


def test_no_module_imports_another_modules_private_names():
    found = []
    for path, text in _modules():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(SRC)}:{node.lineno} imports {alias.name}")
    assert found == []


def _import_blocks(func: ast.AST) -> list[list[ast.stmt]]:
    """Runs of consecutive import statements in a function body (one reason may cover a run)."""
    blocks: list[list[ast.stmt]] = []
    for node in ast.walk(func):
        for field in ("body", "orelse", "finalbody", "handlers"):
            run: list[ast.stmt] = []
            stmts = getattr(node, field, None)
            for stmt in stmts if isinstance(stmts, list) else []:
                if isinstance(stmt, ast.Import | ast.ImportFrom):
                    run.append(stmt)
                    continue
                if run:
                    blocks.append(run)
                run = []
            if run:
                blocks.append(run)
    return blocks


def test_imports_inside_functions_say_why():
    found = []
    for path, text in _modules():
        comments = _comment_lines(text)
        for func in ast.walk(ast.parse(text)):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for block in _import_blocks(func):
                # The reason sits in the comment just above the run of imports, or on one of them.
                lines = {block[0].lineno - 1} | {n.lineno for n in block} | {n.end_lineno for n in block}
                if not lines & comments:
                    found.append(f"{path.relative_to(SRC)}:{block[0].lineno}")
    assert found == [], f"{len(found)} function-local imports without a reason: {found}"


def test_staff_page_names_are_unique():
    """Two staff pages with one URL name make ``reverse`` answer one of them: the strategic
    plans' list once took the membership plans' ``plan_list`` and the Plans page vanished."""
    from collections import Counter

    from django.urls import URLResolver, get_resolver

    names: list[str] = []

    def walk(resolver, prefix: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, prefix + str(p.pattern))
            elif p.name and prefix.startswith("a/"):
                names.append(p.name)

    walk(get_resolver(), "")
    assert [n for n, k in Counter(names).items() if k > 1] == []


def test_collaboration_crosses_associations_only_through_crossing():
    """Reading another association's rows is collaboration's one governed path
    (``collaboration/crossing/``): no other module of collaboration or partnerships lifts
    the tenancy scope."""
    found = []
    for app in ("collaboration", "partnerships"):
        for path in sorted((SRC / app).rglob("*.py")):
            rel = path.relative_to(SRC)
            if "migrations" in path.parts or rel.parts[:2] == ("collaboration", "crossing"):
                continue
            text = path.read_text()
            if "scopes_disabled" in text or "with_scopes_disabled" in text:
                found.append(str(rel))
    assert not found, found
