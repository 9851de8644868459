"""What each module of the package imports, read from the source with `ast`.

Module-level imports and those inside functions alike; only imports under `if TYPE_CHECKING:`
are left out, since they never run. Relative imports are resolved against the importing
module. Used by tests/unit/test_import_cycles.py and tests/unit/test_layers.py.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "gclap_sandbox"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path, package: Path = PACKAGE) -> set[str]:
    """Every dotted name the file imports: `from a.b import c` gives `a.b` and `a.b.c`."""
    tree = ast.parse(path.read_text())
    type_only = {id(node) for block in ast.walk(tree)
                 if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                 for stmt in block.body for node in ast.walk(stmt)}
    own_package = module_name(path, package).split(".")
    if path.name != "__init__.py":
        own_package = own_package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from ..x import y` inside the package
                anchor = own_package[:len(own_package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def package_imports(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module name -> the dotted names it imports, for every module of the package."""
    return {module_name(path, package): imported_names(path, package) for path in package.rglob("*.py")}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports. `from pkg import name` names a module only
    when pkg.name is one; a package import also runs its __init__, a module of its own here."""
    imports = package_imports(package)
    known = set(imports)
    return {name: (names & known) - {name} for name, names in imports.items()}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")
