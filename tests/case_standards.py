"""The official CASE files in ``tests/standards/`` and the validators the tests make of them.

The 1.0 binding is Swagger 2.0, whose schemas are JSON Schema draft 4: a type is checked
as ``{"$ref": "#/definitions/<type>"}`` beside the binding's own definitions, so every
``$ref`` resolves within the binding. The 1.1 package schema is draft 2019-09. Both check
formats (addresses, dates, identifiers): without a format checker jsonschema would pass
any string.
"""

import copy
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, Draft201909Validator, FormatChecker

STANDARDS = Path(__file__).parent / "standards"
BINDING = STANDARDS / "case-v1p0-swagger-official.json"
PACKAGE_SCHEMA = STANDARDS / "case-v1p1-cfpackage-official.json"
# The files as published; a test fails if either is edited.
DIGESTS = {
    BINDING.name: "1932e0e4c1a8f0c490e728f9146ff986fa9f7ccf38beb84e5bf37a9475ffaa17",
    PACKAGE_SCHEMA.name: "0fb12b56304253dd02c116638e51590b47fb924307463098dbc889e9400ddf63",
}


@cache
def binding() -> dict:
    return json.loads(BINDING.read_text(encoding="utf-8"))


def format_checker() -> FormatChecker:
    checker = FormatChecker()
    assert {"uri", "date-time", "date", "uuid"} <= set(checker.checkers)
    return checker


def binding_validator(type_name: str, *, as_meant: bool = True) -> Draft4Validator:
    """A draft 4 validator of the binding's ``type_name`` (``CFPackage.Type``).

    ``as_meant`` reads each type the binding composes with ``allOf`` as one type with the
    properties of all its parts: as published, each part forbids the other's properties,
    so read strictly (``as_meant=False``) those types accept nothing."""
    definitions = binding()["definitions"]
    if as_meant:
        definitions = {name: _merged(definitions, name) for name in definitions}
    return Draft4Validator(
        {"$ref": f"#/definitions/{type_name}", "definitions": definitions},
        format_checker=format_checker(),
    )


def package_validators() -> dict[str, object]:
    """{name: validator} of a whole CFPackage against both official files."""
    schema = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    return {
        "CASE 1.0 binding, CFPackage.Type": binding_validator("CFPackage.Type", as_meant=False),
        "CASE 1.1 CFPackage schema": Draft201909Validator(schema, format_checker=format_checker()),
    }


def response_type(path: str) -> str:
    """The binding's type for a successful GET of ``path`` (``/CFItems/{sourcedId}``)."""
    schema = binding()["paths"][path]["get"]["responses"]["200"]["schema"]
    return schema["$ref"].rsplit("/", 1)[1]


def errors(validator, instance) -> list[str]:
    """Every error, as 'where: what', in a stable order."""
    found = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in found]


def _merged(definitions: dict, name: str) -> dict:
    schema = definitions[name]
    if "allOf" not in schema:
        return schema
    merged = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    for part in schema["allOf"]:
        if "$ref" in part:
            part = _merged(definitions, part["$ref"].rsplit("/", 1)[1])
        merged["properties"] |= copy.deepcopy(part.get("properties", {}))
        merged["required"] += [
            key for key in part.get("required", []) if key not in merged["required"]
        ]
    return merged
