"""Vocabulary data files (etl/data/) read and checked against their JSON Schemas (etl/data/schemas/).

A schema says what a file's entries look like (keys, types, allowed values) and, in each field's
``description``, what the field is for; a file that does not fit is refused with an error naming the
file, the entry and what to write instead.  What a schema cannot say (a regex compiles, codes are unique,
an alias names exactly one place) is checked by the module that reads the file.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError

from etl.errors import EtlError

DATA_DIR = Path(__file__).parent / "data"
SCHEMA_DIR = DATA_DIR / "schemas"
# libyaml when present: the same data as the pure-Python loader, ten times faster on the catalog.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_EITHER = ("anyOf", "oneOf")  # an entry that may take several forms


class VocabularyError(EtlError):
    """A vocabulary file is missing, unreadable or does not fit its schema."""

    def __init__(self, path: str | Path, entry: str | None, problem: str, fix: str):
        self.path, self.entry, self.problem, self.fix = str(path), entry, problem, fix
        where = f"{self.path}: {entry}" if entry else self.path
        super().__init__(f"{where}: {problem}. Fix: {fix}")


def schema_path(name: str) -> Path:
    """The schema of data file ``name`` (its file name without the last suffix: catalog, divisions.meta …)."""
    return SCHEMA_DIR / f"{name}.schema.json"


@functools.cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """The validator of schema ``name`` (read once per process; tests/test_vocab.py checks the schemas)."""
    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def read(path: str | Path) -> Any:
    """A data file as plain data: YAML as written, CSV as a list of rows, text as its non-comment lines."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        return yaml.load(text, Loader=_LOADER)
    if path.suffix == ".csv":
        return list(csv.DictReader(io.StringIO(text, newline="")))
    if path.suffix == ".txt":
        return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]
    raise ValueError(f"{path}: no reader for {path.suffix!r} files")


def load(path: str | Path, schema: str, *, error: type[EtlError] = VocabularyError) -> Any:
    """Read a vocabulary file and check it against ``schema``; a problem raises ``error`` (entry, fix).

    ``error`` is the reading module's own error type (CatalogError …): it is raised with the message of a
    VocabularyError, which stays attached as its cause (``path``, ``entry``, ``problem``, ``fix``).
    """
    try:
        data = read(path)
    except OSError as exc:
        fix = "restore the file from the repository (git checkout -- <file>)"
        _raise(error, VocabularyError(path, None, f"cannot be read ({exc.strerror or exc})", fix))
    except UnicodeDecodeError as exc:
        fix = "save the file as UTF-8"
        _raise(error, VocabularyError(path, f"byte {exc.start}", "is not UTF-8 text", fix))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = f"not valid YAML ({getattr(exc, 'problem', None) or exc})"
        fix = "correct the YAML syntax there (quotes, indentation)"
        _raise(error, VocabularyError(path, f"line {mark.line + 1}" if mark else None, problem, fix))
    check(data, schema, path, error=error)
    return data


def check(data: Any, schema: str, path: str | Path, *, error: type[EtlError] = VocabularyError) -> None:
    """Raise ``error`` for the most telling place where ``data`` (read from ``path``) breaks ``schema``."""
    check_with = validator(schema)
    errors = list(check_with.iter_errors(data))
    if not errors:
        return
    worst = _worst(errors)
    problem, fix = _explain(worst, _about(check_with.schema, worst.absolute_schema_path))
    more = len(errors) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
    fix += f" (schema: {_shown(schema_path(schema))})"
    _raise(error, VocabularyError(path, entry_name(worst.absolute_path, data), problem, fix))


def entry_name(where: Iterable, data: Any) -> str:
    """``metrics[12].units`` for a path into the data, led by the entry's code when it has one."""
    text, code, node = "", None, data
    for step in where:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(node, dict) and isinstance(node.get("code"), str):
            code = node["code"]
    text = text or "the top level"
    return f"{code} ({text})" if code else text


def _worst(errors: list[ValidationError]) -> ValidationError:
    """The error to tell first: a broken entry that is there before a missing key, the deepest place first;
    inside "one of these forms", the form whose type fits the value."""
    best = max(errors, key=lambda e: (e.validator != "required", len(e.path), e.validator not in _EITHER))
    while best.context:
        fitting = [e for e in best.context if e.validator != "type" or e.relative_path]
        if not fitting:
            break
        best = max(fitting, key=lambda e: (len(e.path), e.validator != "required"))
    return best


def _about(schema: dict, where: Iterable) -> str:
    """The description nearest to the failing keyword along its path in the schema (local $refs followed)."""
    node, about = schema, ""
    for step in where:
        while isinstance(node, dict) and "$ref" in node and step not in node:
            said = "description" in node  # a description beside a $ref is the more specific one
            node = _resolve(schema, node["$ref"])
            if not said and isinstance(node, dict) and isinstance(node.get("description"), str):
                about = node["description"]
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("description"), str):
            about = node["description"]
    return about


def _resolve(schema: dict, ref: str) -> Any:
    node: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _explain(err: ValidationError, about: str) -> tuple[str, str]:
    """(what is wrong, what to write instead) for one schema error, the fix from the schema's descriptions."""
    schema = err.schema if isinstance(err.schema, dict) else {}
    props = schema.get("properties", {})
    if err.validator == "required":
        missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        key = missing[0] if missing else "?"
        desc = props.get(key, {}).get("description") or about
        return f"`{key}` is missing", f"add `{key}`" + (f": {desc}" if desc else "")
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(props)) if isinstance(err.instance, dict) else []
        names = ", ".join(f"`{k}`" for k in extra) or "a key"
        return f"unknown key {names}", f"remove or rename it; the keys allowed here are {', '.join(props)}"
    if err.validator == "enum":
        allowed = ", ".join(str(v) for v in err.validator_value)
        return f"{err.instance!r} is not allowed", f"use one of {allowed}" + (f" ({about})" if about else "")
    if err.validator == "const":
        return f"{err.instance!r} is not allowed", f"write {err.validator_value!r}"
    return _short(err.message), about or "compare the entry with the others in the file"


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[:limit] + "…"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(DATA_DIR.parent.parent))
    except ValueError:
        return str(path)


def _raise(error: type[EtlError], exc: VocabularyError) -> NoReturn:
    if error is VocabularyError:
        raise exc
    raise error(str(exc)) from exc
