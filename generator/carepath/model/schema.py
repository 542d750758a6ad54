"""The JSON Schemas of pathway files and of regional overlay files, generated from the models, for yaml-language-server."""

from __future__ import annotations

import json

from pydantic import BaseModel

from carepath.model.nodes import PathwayFile
from carepath.model.regions import RegionFile

SCHEMA_PATH = "schema/pathway.schema.json"
REGION_SCHEMA_PATH = "schema/region.schema.json"


def schema_text(region: bool = False) -> str:
    """The schema of a pathway file, or with `region` of a file in `pathway/regions/<id>/`."""
    model: type[BaseModel] = RegionFile if region else PathwayFile
    schema = model.model_json_schema()
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["title"] = "Carepath regional overlay file" if region else "Carepath pathway file"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
