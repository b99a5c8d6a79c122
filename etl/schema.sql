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
    loaded_at      TIMESTAMP
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
    description VARCHAR
);

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
