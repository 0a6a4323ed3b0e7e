"""The organisation registry: ROR records (trimmed subset) plus the curated watch-lists.

Pure readers of data/lists/: `registry()` returns organisations and watch-list entries as
rows for the store (ids stable: `ror:<id>` when ROR knows the organisation, else `tl:<key>`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trendline.core.settings import DATA_DIR
from trendline.tasks.ingest.parsing.fields import day, short_id
from trendline.tasks.ingest.parsing.names import canon

LISTS_DIR = DATA_DIR / "lists"
ROR_FILE = "ror_subset.jsonl"


@dataclass
class Org:
    id: str
    name: str
    country: str | None = None
    ror_id: str | None = None
    names: dict[str, list[str]] = field(default_factory=dict)  # en / zh / ru
    aliases: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)  # count only as review
    parent_id: str | None = None
    source: str = "ror"

    def row(self) -> dict:
        return {
            "id": self.id, "name": self.name, "country": self.country, "ror_id": self.ror_id,
            "names": self.names, "aliases": self.aliases, "acronyms": self.acronyms,
            "weak_aliases": self.weak_aliases, "parent_id": self.parent_id, "source": self.source,
        }


def ror_org(rec: dict) -> Org:
    """One ROR record, schema v1 or v2, as an Org."""
    rid = short_id(rec["id"])
    names: dict[str, list[str]] = {}
    aliases, acronyms = list(rec.get("aliases") or []), list(rec.get("acronyms") or [])
    name = rec.get("name") or ""
    for lab in rec.get("labels") or []:  # v1
        names.setdefault(lab.get("iso639") or "xx", []).append(lab["label"])
    for n in rec.get("names") or []:  # v2
        types, lang = n.get("types", []), n.get("lang") or "xx"
        if "ror_display" in types:
            name = n["value"]
        if "acronym" in types:
            acronyms.append(n["value"])
        elif "alias" in types:
            aliases.append(n["value"])
        elif "label" in types:
            names.setdefault(lang, []).append(n["value"])
    names.setdefault("en", []).insert(0, name)
    country = (rec.get("country") or {}).get("country_code")
    for loc in rec.get("locations") or []:
        country = country or loc.get("geonames_details", {}).get("country_code")
    rels = rec.get("relationships") or []
    parent = next((short_id(r["id"]) for r in rels if r["type"].lower() == "parent"), None)
    return Org(f"ror:{rid}", name, country, rid, names, aliases, acronyms,
               parent_id=f"ror:{parent}" if parent else None)


def load_ror(path: Path) -> dict[str, Org]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as fh:
        orgs = [ror_org(json.loads(line)) for line in fh if line.strip()]
    return {o.id: o for o in orgs}


def load_lists(folder: Path = LISTS_DIR) -> list[dict]:
    docs = []
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["file"] = path.name
        docs.append(doc)
    return docs


def org_id(entry: dict) -> str:
    if entry.get("ror"):
        return f"ror:{entry['ror']}"
    return entry.get("org") or f"tl:{entry['key']}"


def registry(folder: Path = LISTS_DIR) -> tuple[dict[str, Org], list[dict]]:
    """Organisations (ROR subset + curated) and watch-list entries from data/lists/."""
    orgs = load_ror(folder / ROR_FILE)
    by_name = {canon(n): o.id for o in orgs.values() for n in (o.name, *o.aliases)}
    entries = []
    for doc in load_lists(folder):
        for e in doc["entries"]:
            if not e.get("ror") and not e.get("org") and canon(e["name"]) in by_name:
                e["ror"] = by_name[canon(e["name"])].removeprefix("ror:")  # same name in ROR
            oid = org_id(e)
            org = orgs.get(oid) or Org(oid, e["name"], e.get("country"), e.get("ror"),
                                       source="curated_lists")
            names = [e["name"], *e.get("aliases", [])]
            org.names.setdefault("zh", []).extend(e.get("zh", []))
            org.names.setdefault("ru", []).extend(e.get("ru", []))
            org.aliases.extend(n for n in names if n != org.name and n not in org.aliases)
            org.acronyms.extend(a for a in e.get("acronyms", []) if a not in org.acronyms)
            org.weak_aliases.extend(w for w in e.get("weak", []) if w not in org.weak_aliases)
            org.parent_id = org.parent_id or e.get("parent")
            orgs[oid] = org
            entries.append({
                "id": f"{doc['list']}:{e['key']}",
                "list_name": doc["list"],
                "name": e["name"],
                "aliases": [*e.get("aliases", []), *e.get("zh", []), *e.get("ru", []),
                            *e.get("acronyms", [])],
                "country": e.get("country"),
                "org_id": oid,
                "ror_id": e.get("ror"),
                "listed_on": day(e.get("listed_on") or doc.get("listed_on")),
                "removed_on": None,
                "citation": e.get("citation") or doc.get("citation", ""),
                "source_url": e.get("source_url") or doc.get("source_url", ""),
                "source": "curated_lists",
            })
    ids = [e["id"] for e in entries]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate list entry ids: {dupes}")
    return orgs, entries
