#!/usr/bin/env python3
"""Regenerate regulatory-deadlines.json from regulatory-deadlines.yaml (run from this folder).

The crate embeds the JSON (no YAML parser at run time). `source_fnv1a64` is the FNV-1a 64-bit
hash of the YAML bytes; the test `embedded_json_matches_embedded_yaml` fails when the YAML
changes and the JSON was not regenerated. Needs PyYAML.
"""
import json
import pathlib

import yaml

here = pathlib.Path(__file__).resolve().parent
raw = (here / "regulatory-deadlines.yaml").read_bytes()
h = 0xCBF29CE484222325
for b in raw:
    h ^= b
    h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
doc = yaml.safe_load(raw)
doc["source_fnv1a64"] = f"{h:016x}"
(here / "regulatory-deadlines.json").write_text(
    json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8"
)
