"""Vocabularies are validated data: every file in etl/data fits its schema, and a broken entry is refused
with a message that names the file, the entry and the fix (etl/vocab.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from etl import vocab
from etl.errors import CatalogError, EtlError
from etl.extract import catalog
from etl.metadata import cues, dating, gazetteer, sections

DATA_FILES = sorted(p for p in vocab.DATA_DIR.iterdir() if p.is_file())
SCHEMAS = sorted(vocab.SCHEMA_DIR.glob("*.schema.json"))
# Schemas of files that are not shipped in etl/data: the corrections log lives beside each database.
NOT_SHIPPED = {"corrections"}


def schema_name(path: Path) -> str:
    return path.name.rsplit(".", 1)[0]


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_data_file_fits_its_schema(path):
    assert vocab.schema_path(schema_name(path)).exists(), f"{path.name} needs a schema in {vocab.SCHEMA_DIR}"
    vocab.load(path, schema_name(path))


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_schema_is_a_valid_schema_of_a_data_file(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)
    name = path.name.removesuffix(".schema.json")
    assert schema["$id"] == path.name
    assert name in NOT_SHIPPED or name in {schema_name(p) for p in DATA_FILES}, f"{path.name} checks no file"


def test_the_corrections_log_reads_its_schema_from_the_schema_folder():
    from etl.store import corrections_log

    assert corrections_log.SCHEMA_PATH == vocab.schema_path("corrections")


# -- a broken entry: the file, the entry and the fix --------------------------------------------------


def broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of etl/data/<name> with one field broken (``old`` replaced once by ``new``)."""
    text = (vocab.DATA_DIR / name).read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    out = tmp_path / name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def refused(call, error: type[EtlError], path: Path, entry: str, *fix_words: str) -> vocab.VocabularyError:
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert entry in message, message
    assert "Fix:" in message and all(w in message.split("Fix:")[1] for w in fix_words), message
    cause = info.value if isinstance(info.value, vocab.VocabularyError) else info.value.__cause__
    assert isinstance(cause, vocab.VocabularyError) and cause.path == str(path)
    return cause


CATALOG_CASES = [
    # (old, new, entry named, words of the fix)
    ("    units: [次, 项]\n", "    units: []\n",
     "legislation.research (metrics[5].units)", "non-empty list of the units"),
    ("    kind: core\n", "    kind: cor\n",
     "legislation.laws_enacted (metrics[0].kind)", "use one of core, composite"),
    ("    label_en: Local regulations enacted\n", "",
     "legislation.laws_enacted (metrics[0])", "add `label_en`"),
    ("    measure: flow\n", "    measure: sum\n", "(metrics[0].measure)", "flow, stock, rate"),
    ("      - {text: '制定地方性法规2件，依法作出决定决议12项', value: 2}",
     "      - {text: '制定地方性法规2件，依法作出决定决议12项', value: two}",
     "legislation.laws_enacted (metrics[0].examples[0].value)", "the number the metric reads"),
    ("        lead_lacks: '批准|审查'\n", "        lead_lack: '批准|审查'\n",
     "legislation.laws_enacted (metrics[0].patterns[0])", "remove or rename it"),
    ("        orders: [vnc, vcn, nvc, list_verb]\n", "        orders: [vnc, sideways]\n",
     "legislation.laws_enacted (metrics[0].frames[0].orders[1])", "use one of vnc, vcn"),
]  # fmt: skip


@pytest.mark.parametrize("old,new,entry,fix", CATALOG_CASES, ids=lambda v: str(v)[:24])
def test_a_broken_catalog_entry_is_named(tmp_path, old, new, entry, fix):
    path = broken(tmp_path, "catalog.yaml", old, new)
    refused(lambda: catalog.read_catalog.__wrapped__(path), CatalogError, path, entry, fix)


def test_a_catalog_code_used_twice_is_refused_by_the_code(tmp_path):
    path = broken(tmp_path, "catalog.yaml", "  - code: legislation.laws_amended\n",
                  "  - code: legislation.laws_enacted\n")  # fmt: skip
    with pytest.raises(CatalogError, match="duplicate catalog code 'legislation.laws_enacted'"):
        catalog._parse(catalog.read_catalog.__wrapped__(path))


@pytest.mark.parametrize(
    "old,new,entry,fix",
    [
        ("max_title_chars: 60\n", "max_title_chars: sixty\n", "max_title_chars", "longest title line"),
        (
            "committee_words:\n  - 常务委员会\n  - 常委会\n",
            "committee_words: []\n",
            "committee_words",
            "non-empty",
        ),
        ("  min_body_count: 2\n", "  min_body_count: 0\n", "term_review.min_body_count", "positive integer"),
        ("late_session_month: 9\n", "", "the top level", "add `late_session_month`: the month (1–12)"),
    ],
)
def test_a_broken_metadata_cue_is_named(tmp_path, old, new, entry, fix):
    path = broken(tmp_path, "metadata_cues.yaml", old, new)
    refused(lambda: cues.load_cues.__wrapped__(path), cues.MetadataCuesError, path, entry, fix)


@pytest.mark.parametrize(
    "old,new,entry,fix",
    [
        ("  河南省: {reference_term: 14, reference_start: 2023,",
         "  河南省: {reference_term: 14, reference_start: '2023',",
         "provinces.河南省.reference_start", "the year that term opened"),
        ("  reference_term: 14\n", "  reference_termm: 14\n", "national", "remove or rename it"),
        ("term_years: 5\n", "term_years: 50\n", "term_years", "length of a term"),
    ],
)  # fmt: skip
def test_a_broken_congress_term_is_named(tmp_path, old, new, entry, fix):
    path = broken(tmp_path, "congress_terms.yaml", old, new)
    refused(lambda: dating.load_terms.__wrapped__(path), dating.TermsError, path, entry, fix)


def test_a_broken_section_cue_is_named(tmp_path, monkeypatch):
    path = broken(tmp_path, "sections.yaml", "max_heading_len: 40\n", "max_heading_len: forty\n")
    monkeypatch.setattr(sections, "CUES_PATH", path)
    refused(sections.cues.__wrapped__, vocab.VocabularyError, path, "max_heading_len", "longest heading line")


@pytest.mark.parametrize(
    "old,new,entry,fix",
    [
        ("  豫: 河南省\n", "  豫: Henan\n", "abbreviations.豫", "a full official name"),
        ("  - 城区\n", "  - 城\n", "common_words[0]", "names that are also ordinary words"),
        ("aliases:\n", "alias:\n", "the top level", "remove or rename it"),
    ],
)
def test_a_broken_jurisdiction_alias_is_named(tmp_path, monkeypatch, old, new, entry, fix):
    path = broken(tmp_path, "jurisdiction_aliases.yaml", old, new)
    monkeypatch.setattr(gazetteer, "ALIASES_FILE", path)
    gazetteer._gazetteer.cache_clear()
    try:
        refused(gazetteer.all_jurisdictions, gazetteer.GazetteerDataError, path, entry, fix)
    finally:
        monkeypatch.undo()
        gazetteer._gazetteer.cache_clear()


def test_a_broken_division_source_is_named(tmp_path, monkeypatch):
    path = broken(tmp_path, "divisions.meta.yaml", "as_of: '2026-09-11'\n", "as_of: 11.9.2026\n")
    monkeypatch.setattr(gazetteer, "DIVISIONS_META_FILE", path)
    refused(
        gazetteer.divisions_source, gazetteer.GazetteerDataError, path, "as_of", "tools/build_divisions.py"
    )


def test_a_broken_division_row_is_named(tmp_path):
    path = broken(tmp_path, "divisions.csv", "110101000000,东城区,county,", "110101000000,东城区,district,")
    refused(
        lambda: vocab.load(path, "divisions"),
        vocab.VocabularyError,
        path,
        "[1].level",
        "use one of provincial",
    )


def test_a_broken_ethnic_group_is_named(tmp_path):
    path = broken(tmp_path, "ethnic_groups.txt", "蒙古族\n", "蒙古\n")
    refused(lambda: vocab.load(path, "ethnic_groups"), vocab.VocabularyError, path, "[1]", "ending in 族")


# -- files that cannot be read --------------------------------------------------------------------


def test_bad_yaml_names_the_line(tmp_path):
    path = broken(tmp_path, "sections.yaml", "max_heading_len: 40\n", "max_heading_len: [40\n")
    cause = refused(lambda: vocab.load(path, "sections"), vocab.VocabularyError, path, "line ", "YAML syntax")
    assert cause.entry.startswith("line ")


def test_a_file_not_in_utf8_names_the_byte(tmp_path):
    path = tmp_path / "sections.yaml"
    path.write_bytes((vocab.DATA_DIR / "sections.yaml").read_text(encoding="utf-8").encode("gb18030"))
    refused(lambda: vocab.load(path, "sections"), vocab.VocabularyError, path, "byte ", "UTF-8")


def test_a_missing_file_says_to_restore_it(tmp_path):
    path = tmp_path / "catalog.yaml"
    with pytest.raises(CatalogError, match="restore the file from the repository"):
        catalog.read_catalog.__wrapped__(path)


def test_one_message_for_many_problems(tmp_path):
    path = tmp_path / "congress_terms.yaml"
    shutil.copy(vocab.DATA_DIR / "congress_terms.yaml", path)
    path.write_text(path.read_text(encoding="utf-8").replace("reference_start: 2023", "reference_start: x"))
    with pytest.raises(dating.TermsError, match=r"more problems in this file"):
        dating.load_terms.__wrapped__(path)
