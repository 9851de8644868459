"""Layers import only downwards: web pages never reach into the API, and the MIME code is pure.

The pages share request schemas with the API through the domain packages (`accounts/schemas.py`,
`webhooks/schemas.py`, ...) and JSON helpers through `http_json.py`; `mail/` uses the standard
library and third-party packages only, nothing else of the sandbox.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from import_graph import package_imports, within


def breaches(imports: dict[str, set[str]], layer: str, forbidden: Callable[[str], bool]) -> list[str]:
    return sorted(f"{module} imports {name}" for module, names in imports.items()
                  if within(module, layer) for name in names if forbidden(name))


def outside_mail(name: str) -> bool:
    # The bare package (`from gclap_sandbox import ...`) holds only the version.
    return within(name, "gclap_sandbox") and name != "gclap_sandbox" and not within(name, "gclap_sandbox.mail")


def test_no_web_page_imports_the_api():
    found = breaches(package_imports(), "gclap_sandbox.ui", lambda name: within(name, "gclap_sandbox.api"))
    assert found == [], "the UI imports the API: " + "; ".join(found)


WEB_LAYERS = ("gclap_sandbox.ui", "gclap_sandbox.api", "gclap_sandbox.server", "gclap_sandbox.cli")


def test_no_domain_package_imports_a_web_layer():
    """Domains serve the API and the pages, never the other way round (the composition root,
    `server/`, and the CLI sit on top of everything)."""
    imports = package_imports()
    found = sorted(f"{module} imports {name}" for module, names in imports.items()
                   if not any(within(module, layer) for layer in WEB_LAYERS)
                   for name in names if any(within(name, layer) for layer in ("gclap_sandbox.ui", "gclap_sandbox.api")))
    assert found == [], "a domain imports the UI or the API: " + "; ".join(found)


def test_the_mime_code_imports_nothing_of_the_sandbox_outside_mail():
    found = breaches(package_imports(), "gclap_sandbox.mail", outside_mail)
    assert found == [], "mail/ imports outside mail/: " + "; ".join(found)


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


def test_the_layer_checks_see_every_spelling_of_a_forbidden_import(tmp_path: Path):
    package = tmp_path / "gclap_sandbox"
    for folder in ("", "api/", "ui/", "mail/"):
        write(package, folder + "__init__.py", "")
    write(package, "api/routing.py", "")
    write(package, "schema.py", "")
    write(package, "ui/plain.py", "import gclap_sandbox.api.routing\n")
    write(package, "ui/named.py", "from gclap_sandbox.api import routing\n")
    write(package, "ui/relative.py", "def f():\n    from ..api.routing import json_body\n")
    write(package, "ui/typing_only.py", "from typing import TYPE_CHECKING\n"
                                        "if TYPE_CHECKING:\n    from gclap_sandbox.api import routing\n")
    write(package, "mail/pure.py", "import email\nfrom gclap_sandbox.mail import pure\n")
    write(package, "mail/impure.py", "from gclap_sandbox.schema import normalize_address\n")
    imports = package_imports(package)
    ui = breaches(imports, "gclap_sandbox.ui", lambda name: within(name, "gclap_sandbox.api"))
    assert {line.split()[0] for line in ui} == {"gclap_sandbox.ui.plain", "gclap_sandbox.ui.named",
                                                "gclap_sandbox.ui.relative"}
    assert breaches(imports, "gclap_sandbox.mail", outside_mail) == [
        "gclap_sandbox.mail.impure imports gclap_sandbox.schema",
        "gclap_sandbox.mail.impure imports gclap_sandbox.schema.normalize_address",
    ]
