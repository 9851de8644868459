#!/usr/bin/env python3
"""Rebuild gclap_sandbox/checks/data/caniemail.json from the caniemail.com data.

The source is either a checkout of https://github.com/hteumeuleu/caniemail (its `_features/*.md`
front matter holds the support tables) or the site's published `api/data.json`:

    python scripts/refresh_caniemail.py path/to/caniemail            # a checkout
    python scripts/refresh_caniemail.py path/to/data.json            # a download

Only the newest test result per client platform is kept (what the checks judge against), which
makes the shipped file a few hundred KB smaller. The data is MIT-licensed by Rémi Parmentier;
the LICENSE next to the output is copied from the checkout when one is given.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent.parent / "gclap_sandbox" / "checks" / "data"
SITE = "https://www.caniemail.com"
# Front matter lines that start a top-level field: `name: value`.
_FIELD = re.compile(r"""^["']?([A-Za-z_][\w-]*)["']?:\s?(.*)$""")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
# Tokens of the front matter's brace-and-comma maps (YAML flow style, as Jekyll reads it).
_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([{}:,])|([^\s{}:,"\']+))')


def _flow_map(text: str) -> Any:
    """A YAML flow mapping (bare or quoted keys, trailing commas, tabs) as Python data."""
    out: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip() == "":
                break
            raise ValueError(f"cannot read {text[position:position + 40]!r}")
        position = match.end()
        double, single, punct, bare = match.groups()
        if punct:
            out.append(punct)
        elif double is not None:
            out.append(json.dumps(json.loads(f'"{double}"')))
        else:
            out.append(json.dumps(single if single is not None else bare))
    joined = "".join(out)
    joined = re.sub(r",(?=[}\]])", "", joined)
    return json.loads(joined) if joined else None


def _scalar(value: str) -> Any:
    value = value.strip()
    if value.startswith(("'", '"')) and value.endswith(value[0]) and len(value) >= 2:
        return value[1:-1]
    return value or None


def _open_braces(parts: list[str]) -> int:
    """How many `{` of a field's value are still open (lines inside a map may start at column 0)."""
    text = _STRING.sub("", "\n".join(parts))
    return text.count("{") - text.count("}")


def read_front_matter(text: str) -> dict[str, Any]:
    """The fields of a feature page's front matter that the checks need."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("no front matter")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    fields: dict[str, list[str]] = {}
    current = None
    for line in lines[1:end]:
        match = _FIELD.match(line)
        if match and not (current and _open_braces(fields[current])):
            current = match.group(1)
            fields[current] = [match.group(2)]
        elif current is not None:
            fields[current].append(line)
    data: dict[str, Any] = {}
    for name, parts in fields.items():
        body = "\n".join(parts)
        if name in ("stats", "notes_by_num"):
            data[name] = _flow_map(body) or {}
        elif name in ("title", "category", "description", "last_test_date"):
            data[name] = _scalar(body)
    return data


def _newest(versions: dict[str, str]) -> str:
    """The result of the newest test of a platform (the pages list them oldest first)."""
    return str(list(versions.values())[-1]).strip()


def compact(slug: str, page: dict[str, Any]) -> dict[str, Any]:
    support = {family: {platform: _newest(versions) for platform, versions in platforms.items() if versions}
               for family, platforms in (page.get("stats") or {}).items() if isinstance(platforms, dict)}
    return {"slug": slug, "title": page.get("title") or slug, "category": page.get("category"),
            "url": f"{SITE}/features/{slug}/", "last_test_date": page.get("last_test_date"),
            "support": support, "notes": {str(k): v for k, v in (page.get("notes_by_num") or {}).items()}}


def from_checkout(root: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    features = []
    for path in sorted((root / "_features").glob("*.md")):
        if path.name.startswith("_"):  # the page template
            continue
        features.append(compact(path.stem, read_front_matter(path.read_text(encoding="utf-8"))))
    names = _family_names((root / "_data" / "nicenames.yml").read_text(encoding="utf-8"))
    return features, names


def _family_names(yml: str) -> dict[str, str]:
    """`family:` entries of _data/nicenames.yml (a flat two-level YAML file)."""
    names, in_family = {}, False
    for line in yml.splitlines():
        if not line.startswith(" ") and line.strip():
            in_family = line.strip() == "family:"
            continue
        match = re.match(r'\s+([\w-]+):\s*"?(.*?)"?\s*$', line)
        if in_family and match:
            names[match.group(1)] = match.group(2)
    return names


def from_download(path: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    features = [compact(item["slug"], item) for item in document["data"]]
    return features, dict((document.get("nicenames") or {}).get("family") or {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a caniemail checkout, or its api/data.json")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="the folder to write caniemail.json to")
    args = parser.parse_args(argv)
    if args.source.is_dir():
        features, names = from_checkout(args.source)
        licence = args.source / "LICENSE"
        if licence.exists():
            shutil.copyfile(licence, args.out / "CANIEMAIL-LICENSE")
    else:
        features, names = from_download(args.source)
    if not features:
        print("no features found", file=sys.stderr)
        return 1
    dates = [f["last_test_date"] for f in features if f["last_test_date"]]
    document = {"source": "https://github.com/hteumeuleu/caniemail", "licence": "MIT, (c) 2019 Rémi Parmentier",
                "newest_test": max(dates) if dates else None, "families": names, "features": features}
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "caniemail.json"
    target.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                      encoding="utf-8")
    print(f"{len(features)} features, {target.stat().st_size} bytes -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
