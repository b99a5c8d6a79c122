-- The public tables (names and meanings fixed by spec/metrics.md) and the project's own.
CREATE TABLE IF NOT EXISTS reports (
    report_id      VARCHAR PRIMARY KEY,   -- 'r' + first 16 hex of sha256 of the normalized text
    source_file    VARCHAR NOT NULL,      -- the file's name
    title          VARCHAR,
    jurisdiction   VARCHAR,               -- simplified full name: 郑州市, 中原区, 河南省, 全国
    level          VARCHAR,               -- national | provincial | prefecture | county
    parent         VARCHAR,
    province       VARCHAR,
    period_start   INTEGER,
    period_end     INTEGER,
    report_type    VARCHAR,               -- annual_report | report_excerpt | news_summary | term_review
    delivered      DATE,
    file_sha256    VARCHAR,               -- hash of the file's bytes (recognizes re-uploads)
    file_format    VARCHAR,               -- txt | html | pdf | docx
    encoding       VARCHAR,
    n_chars        INTEGER,
    loaded_at      TIMESTAMP,
    meta_status    VARCHAR,               -- ok | pending (待确认: a field could not be resolved with confidence)
    meta_pending   VARCHAR,               -- the fields that wait for an analyst: jurisdiction, period
    period_confidence DOUBLE,             -- 0–1: the weighed evidence for the period (etl/dating.py)
    meta_evidence  VARCHAR                -- JSON: per field its value, confidence, source, sentence, conflicts
);

CREATE TABLE IF NOT EXISTS report_texts (
    report_id  VARCHAR PRIMARY KEY,
    raw_text   VARCHAR NOT NULL,          -- the text as read from the file, never edited
    norm_text  VARCHAR NOT NULL           -- normalized text; evidence offsets point into it
);

CREATE TABLE IF NOT EXISTS sections (
    report_id     VARCHAR NOT NULL,
    seq           INTEGER NOT NULL,
    kind          VARCHAR NOT NULL,       -- preamble | past_work | term_review | plans
    heading       VARCHAR,
    start_offset  INTEGER NOT NULL,
    end_offset    INTEGER NOT NULL,
    period_start  INTEGER,
    period_end    INTEGER
);

CREATE TABLE IF NOT EXISTS facts (
    fact_id         VARCHAR PRIMARY KEY,  -- stable: hash of report_id, metric, value span
    report_id       VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,     -- a code from the metrics table
    value           DOUBLE NOT NULL,
    unit            VARCHAR,
    qualifier       VARCHAR NOT NULL,     -- exact | approx_at_least | approx
    period_start    INTEGER,
    period_end      INTEGER,
    scope           VARCHAR,              -- city_level | all_levels | NULL
    evidence        VARCHAR NOT NULL,     -- the sentence as written in the report
    evidence_start  INTEGER NOT NULL,     -- offsets of the sentence in report_texts.norm_text
    evidence_end    INTEGER NOT NULL,
    value_text      VARCHAR NOT NULL,     -- the number as written (7万余, 百分之百)
    value_start     INTEGER NOT NULL,     -- offsets of value_text in norm_text
    value_end       INTEGER NOT NULL,
    raw_start       INTEGER,              -- offsets of the sentence in report_texts.raw_text
    raw_end         INTEGER,
    section         VARCHAR,
    pattern         VARCHAR               -- which catalog pattern matched (for debugging)
);

CREATE TABLE IF NOT EXISTS metrics (
    code        VARCHAR PRIMARY KEY,
    category    VARCHAR NOT NULL,         -- legislation | supervision | decisions | appointments | deputies | liaison | petitions | meetings | self
    label_zh    VARCHAR NOT NULL,
    label_en    VARCHAR NOT NULL,
    unit        VARCHAR,                  -- the usual unit ('件/部' lists alternatives)
    kind        VARCHAR NOT NULL,         -- core | composite | extended | sub
    measure     VARCHAR,                  -- flow (counted over the period) | stock (a level at its end) | rate (%)
    description VARCHAR
);

-- Databases made before `measure` existed gain it (the catalog refills the table on every write).
ALTER TABLE metrics ADD COLUMN IF NOT EXISTS measure VARCHAR;
-- The label for 全国 where the national committee's act has another name (制定法律, not 制定地方性法规).
ALTER TABLE metrics ADD COLUMN IF NOT EXISTS label_zh_national VARCHAR;

CREATE TABLE IF NOT EXISTS jurisdictions (
    name      VARCHAR NOT NULL,
    level     VARCHAR,
    parent    VARCHAR,
    province  VARCHAR,
    code      VARCHAR                     -- 12-digit national division code (GB/T 2260 based)
);

CREATE TABLE IF NOT EXISTS checks (
    report_id  VARCHAR,
    source_file VARCHAR,
    check_name VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL,          -- warning | error
    metric     VARCHAR,
    message    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS load_problems (
    source_file VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS build_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- Corrections (etl/corrections.py).  The log file beside the database is the truth; these tables are
-- rebuilt from it on every write, so a rebuild never loses a correction.
CREATE TABLE IF NOT EXISTS corrections (
    correction_id        VARCHAR PRIMARY KEY,
    seq                  INTEGER NOT NULL,  -- position in the log (oldest first)
    action               VARCHAR NOT NULL,  -- set | reject | add | revert
    fact_id              VARCHAR,           -- the fact it changes (for add: the new fact's id)
    report_id            VARCHAR,
    target_correction_id VARCHAR,           -- revert: the correction it undoes
    changes              VARCHAR,           -- JSON {"field": [old, new], ...}
    summary              VARCHAR,           -- the change in words: "value 7 → 12"
    evidence             VARCHAR,           -- the sentence of the fact concerned
    user_name            VARCHAR NOT NULL,
    at_utc               TIMESTAMP,         -- when, in UTC
    reason               VARCHAR NOT NULL,
    status               VARCHAR NOT NULL,  -- applied | orphaned (its fact no longer exists) | reverted
    status_note          VARCHAR
);

-- One row per corrected extracted fact: the fields analysts changed (NULL = unchanged).
CREATE TABLE IF NOT EXISTS fact_edits (
    fact_id       VARCHAR PRIMARY KEY,
    rejected      BOOLEAN NOT NULL,
    metric        VARCHAR,
    value         DOUBLE,
    unit          VARCHAR,
    qualifier     VARCHAR,
    period_start  INTEGER,
    period_end    INTEGER,
    scope         VARCHAR,
    correction_id VARCHAR NOT NULL         -- the latest correction in force
);

-- Report metadata analysts set or confirmed (jurisdiction, period, type, delivery date): the latest value of
-- every field in force; `reports` shows them, and reports_as_extracted keeps what the extractor said.
CREATE TABLE IF NOT EXISTS report_edits (
    report_id     VARCHAR PRIMARY KEY,
    jurisdiction  VARCHAR,
    level         VARCHAR,
    parent        VARCHAR,
    province      VARCHAR,
    period_start  INTEGER,
    period_end    INTEGER,
    report_type   VARCHAR,
    delivered     DATE,
    correction_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS reports_as_extracted (
    report_id     VARCHAR PRIMARY KEY,
    jurisdiction  VARCHAR,
    level         VARCHAR,
    parent        VARCHAR,
    province      VARCHAR,
    period_start  INTEGER,
    period_end    INTEGER,
    report_type   VARCHAR,
    delivered     DATE,
    meta_status   VARCHAR,
    meta_pending  VARCHAR
);

-- Facts analysts added, with the same columns (and meanings) as facts.
CREATE TABLE IF NOT EXISTS added_facts (
    fact_id         VARCHAR PRIMARY KEY,
    report_id       VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,
    value           DOUBLE NOT NULL,
    unit            VARCHAR,
    qualifier       VARCHAR NOT NULL,
    period_start    INTEGER,
    period_end      INTEGER,
    scope           VARCHAR,
    evidence        VARCHAR NOT NULL,
    evidence_start  INTEGER NOT NULL,
    evidence_end    INTEGER NOT NULL,
    value_text      VARCHAR NOT NULL,
    value_start     INTEGER NOT NULL,
    value_end       INTEGER NOT NULL,
    raw_start       INTEGER,
    raw_end         INTEGER,
    section         VARCHAR,
    pattern         VARCHAR,
    correction_id   VARCHAR NOT NULL
);

-- The facts as analysts should see them: corrections applied, rejected facts left out, added facts in.
CREATE OR REPLACE VIEW facts_current AS
SELECT f.fact_id, f.report_id,
       coalesce(e.metric, f.metric)             AS metric,
       coalesce(e.value, f.value)               AS value,
       coalesce(e.unit, f.unit)                 AS unit,
       coalesce(e.qualifier, f.qualifier)       AS qualifier,
       coalesce(e.period_start, f.period_start) AS period_start,
       coalesce(e.period_end, f.period_end)     AS period_end,
       coalesce(e.scope, f.scope)               AS scope,
       f.evidence, f.evidence_start, f.evidence_end, f.value_text, f.value_start, f.value_end,
       f.raw_start, f.raw_end, f.section, f.pattern,
       e.fact_id IS NOT NULL                    AS corrected,
       e.correction_id,
       f.rowid                                  AS fact_row  -- see below
FROM facts f
LEFT JOIN fact_edits e ON e.fact_id = f.fact_id
WHERE e.rejected IS NOT TRUE
UNION ALL
SELECT a.fact_id, a.report_id, a.metric, a.value, a.unit, a.qualifier, a.period_start, a.period_end, a.scope,
       a.evidence, a.evidence_start, a.evidence_end, a.value_text, a.value_start, a.value_end,
       a.raw_start, a.raw_end, a.section, a.pattern,
       true AS corrected, a.correction_id, -1 - a.rowid AS fact_row
FROM added_facts a
WHERE a.report_id IN (SELECT report_id FROM reports);
-- fact_row: the row's rowid in facts, or -1 - its rowid in added_facts; only for reading a few reports'
-- facts within one statement (app/queries.py, _first_rows_source): `fact_row IN (SELECT rowid FROM facts
-- WHERE report_id IN … UNION ALL SELECT -1 - rowid FROM added_facts WHERE …)` finds them through the
-- report_id index and reads their row groups alone (a report_id filter on these views fetches row by row,
-- about 40 µs a fact).  A rowid is not kept across statements: a write may move it.

-- The names several current divisions share (朝阳区: 北京市's and 长春市's; 鼓楼区 four times), from the
-- division table (etl/data/divisions.csv), never from the reports loaded: the same name is qualified in every
-- write, so an incremental aggregate refresh agrees with a full one.
CREATE OR REPLACE VIEW shared_division_names AS
SELECT name FROM jurisdictions GROUP BY name HAVING count(*) > 1;

-- Each report with its place: the key the dashboard groups, filters and labels a jurisdiction by.  The bare
-- name (reports.jurisdiction, as the spec has it) where it names one division, the parent-qualified name
-- (北京市朝阳区, 长春市朝阳区) where several share it, so two districts' numbers never merge into one series.
-- A shared name without a parent (待确认) stays bare: a place of its own, apart from the qualified ones.
-- The only place this rule is written (facts_dated, the aggregates and app/queries.py read it).
CREATE OR REPLACE VIEW reports_placed AS
SELECT r.*,
       CASE WHEN s.name IS NOT NULL AND r.parent IS NOT NULL THEN r.parent || r.jurisdiction
            ELSE r.jurisdiction END AS place
FROM reports r
LEFT JOIN shared_division_names s ON s.name = r.jurisdiction;

-- Each current fact with its report and its effective period, the one every chart, table and aggregate uses:
-- a fact without a period of its own takes its report's, and a start without an end is that one year.
-- The only place this rule is written (etl/aggregates.py and app/queries.py read the view facts_dated).
-- facts_dated_of(ids) is the same for the reports whose ids are in the list ``ids`` (NULL: every report), the
-- list tested on both sides of the join: a few reports' facts (数据's first page) then join their own few
-- report rows instead of all of reports_placed (at 64,000 reports a third of that query, 40 → 27 ms).
CREATE OR REPLACE MACRO facts_dated_of(ids) AS TABLE
SELECT f.fact_id, f.report_id, f.metric, f.value, f.unit, f.qualifier,
       coalesce(f.period_start, r.period_start)             AS period_start,
       coalesce(f.period_end, f.period_start, r.period_end) AS period_end,
       f.scope, f.evidence, f.evidence_start, f.evidence_end, f.value_text, f.value_start, f.value_end,
       f.section, f.corrected, f.correction_id,
       r.jurisdiction, r.level, r.parent, r.province, r.report_type, r.title, r.source_file,
       r.period_start AS report_period_start, r.period_end AS report_period_end, r.delivered, r.place,
       f.fact_row
FROM facts_current f
JOIN reports_placed r ON r.report_id = f.report_id
WHERE ids IS NULL OR (list_contains(ids, r.report_id) AND list_contains(ids, f.report_id));

CREATE OR REPLACE VIEW facts_dated AS SELECT * FROM facts_dated_of(NULL);

-- Where a bundled or collected report was found: the `sources.csv` files beside the reports
-- (columns file, url[, title]) are read by every build, so the 报告 page can show each report's source.
CREATE TABLE IF NOT EXISTS report_sources (
    source_file VARCHAR PRIMARY KEY,
    url         VARCHAR,
    title       VARCHAR
);

-- Local congress terms learned from the reports (etl/session_terms.py): a report that states its session
-- ordinal and its year, or an analyst's confirmation of a report's period, says when a term began.
-- Rebuilt by every write for the jurisdictions it touches.
CREATE TABLE IF NOT EXISTS session_terms (
    jurisdiction   VARCHAR NOT NULL,
    term           INTEGER NOT NULL,      -- 第十五届 → 15
    first_year     INTEGER NOT NULL,      -- the year of its first session
    learned_from   VARCHAR NOT NULL,      -- stated (a report names session and year) | confirmed (an analyst)
    source_reports VARCHAR NOT NULL,      -- JSON list: report_id, source_file, how, first_year
    disputed       VARCHAR,               -- JSON list of the reports that teach another first year
    used           BOOLEAN NOT NULL,      -- false while the sources disagree without a confirmation
    PRIMARY KEY (jurisdiction, term)
);

-- The pending reports a learned term dated, with the fields as they were, so the next write can put them
-- back before learning again (idempotent across writes and rebuilds).
CREATE TABLE IF NOT EXISTS session_term_uses (
    report_id             VARCHAR PRIMARY KEY,
    jurisdiction          VARCHAR NOT NULL,
    term                  INTEGER NOT NULL,
    period_start          INTEGER,
    period_end            INTEGER,
    was_period_start      INTEGER,
    was_period_end        INTEGER,
    was_meta_status       VARCHAR,
    was_meta_pending      VARCHAR,
    was_period_confidence DOUBLE,
    was_meta_evidence     VARCHAR,
    first_year            INTEGER
);
