-- Pre-aggregated tables the dashboard reads at national scale (etl/aggregates.py keeps them in step).
-- Every row belongs to one report (report_id), so an incremental refresh deletes and re-inserts the rows
-- of the reports that changed.  Built from facts_dated (etl/schema.sql: corrections applied, effective periods).

-- One row per report × metric × effective period (facts_dated's, which the dashboard uses too).  n_facts = how many current facts the group has; the other fact columns
-- are the group's own candidate for a chart point: the largest value, then the smallest fact_id (within
-- one report the report type, and so its rank, is the same for every fact).  place is the report's place
-- key (reports_placed: 北京市朝阳区 where the bare name is shared), the one the dashboard's points are per.
-- Every column but the counts is facts_dated's, so a report's rows change when its facts or its fields do
-- (both make the writer refresh that report).
CREATE TABLE IF NOT EXISTS agg_report_points (
    report_id      VARCHAR NOT NULL,
    place          VARCHAR,
    level          VARCHAR,
    province       VARCHAR,
    report_type    VARCHAR,
    metric         VARCHAR NOT NULL,
    period_start   INTEGER,
    period_end     INTEGER,
    n_facts        BIGINT NOT NULL,
    fact_id        VARCHAR NOT NULL,
    value          DOUBLE NOT NULL,
    unit           VARCHAR,
    qualifier      VARCHAR,
    scope          VARCHAR,
    evidence       VARCHAR,
    evidence_start INTEGER,
    evidence_end   INTEGER,
    value_text     VARCHAR,
    corrected      BOOLEAN,
    correction_id  VARCHAR,
    -- the report's own fields a chart point shows (its source line, hover and exports), so the points need
    -- no join of the reports table (a scan of every report's row: 15–20 ms a query at 64,000 reports)
    jurisdiction   VARCHAR,
    parent         VARCHAR,
    title          VARCHAR,
    source_file    VARCHAR,
    report_period_start INTEGER,
    report_period_end   INTEGER,
    delivered      DATE
);

-- One row per report × category × effective period: how many agg_report_points rows (n_points) and current
-- facts (n_facts) the report has there.  About a fifth of agg_report_points' rows: what the dashboard counts
-- per category or per period (which category or period to show first, how many places have data) without a
-- scan of every candidate.  category is the metrics table's (NULL for a metric not in it).
CREATE TABLE IF NOT EXISTS agg_report_categories (
    report_id      VARCHAR NOT NULL,
    place          VARCHAR,
    level          VARCHAR,
    province       VARCHAR,
    category       VARCHAR,
    period_start   INTEGER,
    period_end     INTEGER,
    n_points       BIGINT NOT NULL,
    n_facts        BIGINT NOT NULL
);

-- One row per report: its current facts and the years they are shown at (their effective periods).
CREATE TABLE IF NOT EXISTS agg_reports (
    report_id  VARCHAR NOT NULL,
    n_facts    BIGINT NOT NULL,
    y0         INTEGER,
    y1         INTEGER
);

-- One row per extracted fact that a correction names (rejected ones included: facts, not facts_current),
-- so the 更正记录 page says what a correction changed without joining every fact.  Keyed by the fact's
-- report, like the tables above: a correction changes its report's fact_edits, so the writer refreshes it.
CREATE TABLE IF NOT EXISTS agg_correction_facts (
    report_id     VARCHAR NOT NULL,
    fact_id       VARCHAR NOT NULL,
    metric        VARCHAR,
    value         DOUBLE,
    unit          VARCHAR,
    period_start  INTEGER,
    period_end    INTEGER
);

-- Small summaries, rebuilt whole by every refresh (they read reports, jurisdictions, metrics and
-- agg_report_points, never the facts): the sidebar's jurisdictions and metric counts.  A jurisdiction's
-- name is its place key (reports_placed.place): the sidebar lists, the URL keeps and the filters match it.
CREATE TABLE IF NOT EXISTS agg_jurisdictions (
    name        VARCHAR,
    level       VARCHAR,
    province    VARCHAR,
    parent      VARCHAR,
    n_reports   BIGINT,
    first_year  INTEGER,
    last_year   INTEGER
);

CREATE TABLE IF NOT EXISTS agg_metric_counts (
    metric   VARCHAR,
    n_facts  BIGINT
);

-- A report's facts by index lookup (the 报告 page, incremental refresh, and the writer's delete_report)
-- instead of a scan of every fact's report_id.
CREATE INDEX IF NOT EXISTS facts_report_id ON facts (report_id);
