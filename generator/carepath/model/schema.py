"""The JSON Schema of a pathway file, generated from the models, for yaml-language-server."""

from __future__ import annotations

import json

from carepath.model.nodes import PathwayFile

SCHEMA_PATH = "schema/pathway.schema.json"


def schema_text() -> str:
    schema = PathwayFile.model_json_schema()
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["title"] = "Carepath pathway file"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
