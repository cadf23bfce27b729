-- Derived tables of the cakupan database, computed once by the build so that no page computes
-- them per request. Plain SQL on purpose: the published file answers the same in any SQLite
-- client, and cakupan/gapmath.py spells the same formulas in Python (tests check every row).
-- Each table is described, with its columns, in metadata.yml. Number columns are NUMERIC, like
-- the curated ones, so that an integer-valued result reads back as an integer (11, not 11.0).
--
-- Every row derives from the figures and awards of one region, so a table is refreshed region
-- by region: the build fills temp.derived_scope with every region (a full build) or with the
-- regions an edit touched (an incremental one), deletes those regions' rows and inserts them
-- again with the statements below. Statements are separated by lines starting "-- step:".

-- step: indexes the refresh and the pages read by
CREATE INDEX IF NOT EXISTS figures_by_indicator_region ON figures (indicator_id, region_code, as_of);
CREATE INDEX IF NOT EXISTS figures_by_source_region ON figures (source_id, region_code, indicator_id);
CREATE INDEX IF NOT EXISTS sources_by_date ON sources (coalesce(published, event_date) DESC, source_id);
CREATE INDEX IF NOT EXISTS sources_retracted ON sources (retracted_on) WHERE retracted_on IS NOT NULL;
CREATE INDEX IF NOT EXISTS releases_by_date ON releases (released_on);
-- /-/releases lists a release's field changes apart from its added and removed rows.
CREATE INDEX IF NOT EXISTS release_changes_by_kind
    ON release_changes (release_id, change, table_name, record_id, field);

-- step: coverage_gaps, each coverage figure paired with its target: gap, workers to enrol, pace.
-- The target and the worker count come from the same article when it has them, else from the
-- latest earlier article about the same region (a target only while its year has not passed).
-- Where the article also counts the workers covered and the workers its target means, the
-- workers to enrol by its own counts (target count − covered count) stand beside the computed.
CREATE TABLE IF NOT EXISTS coverage_gaps (
  region_code TEXT NOT NULL, region_name TEXT, level TEXT, province_code TEXT, as_of TEXT,
  actual_pct NUMERIC, target_pct NUMERIC, target_year INTEGER, gap_pp NUMERIC, workers_total NUMERIC,
  workers_qualifier TEXT, workers_to_enrol INTEGER, years_left NUMERIC, pace_needed_pp_per_year NUMERIC,
  stated_gap_pp NUMERIC, stated_gap_disagrees INTEGER,
  actual_figure_id TEXT PRIMARY KEY REFERENCES figures (figure_id),
  target_figure_id TEXT REFERENCES figures (figure_id),
  workers_figure_id TEXT REFERENCES figures (figure_id),
  stated_gap_figure_id TEXT REFERENCES figures (figure_id),
  actual_source_id TEXT, target_source_id TEXT,
  covered_workers NUMERIC, covered_target_workers NUMERIC, counted_to_enrol INTEGER,
  covered_figure_id TEXT REFERENCES figures (figure_id),
  covered_target_figure_id TEXT REFERENCES figures (figure_id),
  is_latest INTEGER NOT NULL,
  -- each figure's qualifier, as its row in figures has it, so a page that shows a computed
  -- number with the qualifier it rests on reads this row only ("lebih dari 143.000 pekerja")
  actual_qualifier TEXT, target_qualifier TEXT, stated_gap_qualifier TEXT,
  covered_qualifier TEXT, covered_target_qualifier TEXT
);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_gap ON coverage_gaps (gap_pp DESC, region_code, as_of, actual_figure_id);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_province ON coverage_gaps (province_code, gap_pp DESC, region_code, as_of, actual_figure_id);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_level ON coverage_gaps (level, gap_pp DESC, region_code, as_of, actual_figure_id);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_region ON coverage_gaps (region_code, as_of);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_target ON coverage_gaps (target_figure_id);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_workers ON coverage_gaps (workers_figure_id);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_stated_gap ON coverage_gaps (stated_gap_figure_id);
-- the gaps page lists each region at its latest row, in gap order, all of them or one province's
-- or one level's: a bounded range of one of these, whatever the number of earlier rows
CREATE INDEX IF NOT EXISTS coverage_gaps_latest ON coverage_gaps (gap_pp DESC, region_code) WHERE is_latest = 1;
CREATE INDEX IF NOT EXISTS coverage_gaps_latest_by_province ON coverage_gaps (province_code, gap_pp DESC, region_code) WHERE is_latest = 1;
CREATE INDEX IF NOT EXISTS coverage_gaps_latest_by_level ON coverage_gaps (level, gap_pp DESC, region_code) WHERE is_latest = 1;
CREATE INDEX IF NOT EXISTS coverage_gaps_by_covered ON coverage_gaps (covered_figure_id);
CREATE INDEX IF NOT EXISTS coverage_gaps_by_covered_target ON coverage_gaps (covered_target_figure_id);

-- step: fill coverage_gaps
INSERT INTO coverage_gaps
WITH chosen AS (
  SELECT a.*,
    -- the same article's first, else the latest earlier one (SQLite cannot order a subquery by
    -- the outer row, so "same article first" is two lookups)
    COALESCE(
      (SELECT t.figure_id FROM figures t
        WHERE t.indicator_id = 'coverage_target_rate' AND t.region_code = a.region_code
          AND t.source_id = a.source_id
          AND t.as_of <= a.as_of AND t.target_year >= CAST(substr(a.as_of, 1, 4) AS INTEGER)
          AND t.source_id NOT IN (SELECT source_id FROM sources WHERE retracted_on IS NOT NULL)
        ORDER BY t.as_of DESC, t.figure_id LIMIT 1),
      (SELECT t.figure_id FROM figures t
        WHERE t.indicator_id = 'coverage_target_rate' AND t.region_code = a.region_code
          AND t.as_of <= a.as_of AND t.target_year >= CAST(substr(a.as_of, 1, 4) AS INTEGER)
          AND t.source_id NOT IN (SELECT source_id FROM sources WHERE retracted_on IS NOT NULL)
        ORDER BY t.as_of DESC, t.figure_id LIMIT 1)) AS target_id,
    COALESCE(
      (SELECT w.figure_id FROM figures w
        WHERE w.indicator_id = 'workers_total' AND w.region_code = a.region_code
          AND w.source_id = a.source_id AND w.as_of <= a.as_of
        ORDER BY w.as_of DESC, w.figure_id LIMIT 1),
      (SELECT w.figure_id FROM figures w
        WHERE w.indicator_id = 'workers_total' AND w.region_code = a.region_code AND w.as_of <= a.as_of
          AND w.source_id NOT IN (SELECT source_id FROM sources WHERE retracted_on IS NOT NULL)
        ORDER BY w.as_of DESC, w.figure_id LIMIT 1)) AS workers_id,
    (SELECT g.figure_id FROM figures g
      WHERE g.source_id = a.source_id AND g.region_code = a.region_code AND g.indicator_id = 'coverage_gap'
      ORDER BY g.figure_id LIMIT 1) AS gap_id,
    (SELECT c.figure_id FROM figures c
      WHERE c.source_id = a.source_id AND c.region_code = a.region_code AND c.indicator_id = 'workers_covered'
      ORDER BY c.figure_id LIMIT 1) AS covered_id,
    (SELECT c.figure_id FROM figures c
      WHERE c.source_id = a.source_id AND c.region_code = a.region_code
        AND c.indicator_id = 'workers_covered_target'
      ORDER BY c.figure_id LIMIT 1) AS covered_target_id
  FROM figures a
  WHERE a.indicator_id = 'coverage_rate' AND a.region_code IN (SELECT region_code FROM temp.derived_scope)
    -- a retracted article's figures stay in figures, marked, but leave the gaps
    AND a.source_id NOT IN (SELECT source_id FROM sources WHERE retracted_on IS NOT NULL)
)
SELECT
  a.region_code, r.name, r.level, COALESCE(r.parent_code, r.region_code), a.as_of,
  a.value, t.value, t.target_year, ROUND(t.value - a.value, 2),
  w.value, w.qualifier, CAST(ROUND(w.value * (t.value - a.value) / 100.0) AS INTEGER),
  ROUND((julianday(t.target_year || '-12-31') - julianday(a.as_of)) / 365.25, 2),
  CASE WHEN julianday(t.target_year || '-12-31') > julianday(a.as_of) THEN
    ROUND((t.value - a.value) / ((julianday(t.target_year || '-12-31') - julianday(a.as_of)) / 365.25), 1)
  END,
  g.value,
  CASE WHEN g.value IS NULL THEN NULL WHEN ABS(g.value - (t.value - a.value)) <= 0.5 THEN 0 ELSE 1 END,
  a.figure_id, t.figure_id, w.figure_id, g.figure_id, a.source_id, t.source_id,
  c.value, ct.value, CAST(ct.value - c.value AS INTEGER), c.figure_id, ct.figure_id,
  0,  -- is_latest: the next step marks each region's latest row
  a.qualifier, t.qualifier, g.qualifier, c.qualifier, ct.qualifier
FROM chosen a
JOIN regions r ON r.region_code = a.region_code
JOIN figures t ON t.figure_id = a.target_id
LEFT JOIN figures w ON w.figure_id = a.workers_id
LEFT JOIN figures g ON g.figure_id = a.gap_id
-- the two counts only as a pair: one without the other gives no count to enrol
LEFT JOIN figures c ON c.figure_id = a.covered_id AND a.covered_target_id IS NOT NULL
LEFT JOIN figures ct ON ct.figure_id = a.covered_target_id AND a.covered_id IS NOT NULL;

-- step: fill coverage_gaps latest
-- Each region's latest row: the latest as_of, ties to the greater figure id (a refresh covers
-- every row of a region in scope, so the window sees them all).
UPDATE coverage_gaps SET is_latest = (l.n = 1)
FROM (
  SELECT actual_figure_id AS id,
    ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY as_of DESC, actual_figure_id DESC) AS n
  FROM coverage_gaps WHERE region_code IN (SELECT region_code FROM temp.derived_scope)
) l
WHERE coverage_gaps.actual_figure_id = l.id;

-- step: consistency_checks, does an article's own arithmetic hold, and do articles agree?
-- verdict: consistent (within tolerance), consistent_with_qualifier (outside it, but in the
-- direction a 'lebih dari' / 'hingga' allows), inconsistent, or flagged (a "gap" that is really
-- the uncovered share: 100 − coverage rather than target − coverage; the figure stays as printed).
CREATE TABLE IF NOT EXISTS consistency_checks (
  check_kind TEXT NOT NULL, source_id TEXT, region_code TEXT NOT NULL, formula TEXT, stated NUMERIC,
  computed NUMERIC, unit TEXT, difference NUMERIC, tolerance NUMERIC, tolerance_rule TEXT, verdict TEXT,
  figure_ids TEXT NOT NULL,
  PRIMARY KEY (check_kind, figure_ids)
);
CREATE INDEX IF NOT EXISTS consistency_checks_by_region ON consistency_checks (region_code);
CREATE INDEX IF NOT EXISTS consistency_checks_by_verdict ON consistency_checks (verdict, check_kind);
-- one row per figure a check rests on, so a cite page finds its checks by key
CREATE TABLE IF NOT EXISTS consistency_check_figures (
  figure_id TEXT NOT NULL REFERENCES figures (figure_id), check_kind TEXT NOT NULL,
  figure_ids TEXT NOT NULL, region_code TEXT NOT NULL,
  PRIMARY KEY (figure_id, check_kind, figure_ids)
);
CREATE INDEX IF NOT EXISTS consistency_check_figures_by_region ON consistency_check_figures (region_code);

-- step: fill consistency_checks
INSERT INTO consistency_checks
WITH scoped AS (
  SELECT * FROM figures WHERE region_code IN (SELECT region_code FROM temp.derived_scope)
),
checks AS (
  -- workers covered as a share of all workers, against the stated coverage rate
  SELECT 'share_of_workers' AS check_kind, c.source_id, c.region_code,
         'workers_covered / workers_total × 100 = coverage_rate' AS formula,
         r.value AS stated, ROUND(100.0 * c.value / w.value, 1) AS computed, 'percent' AS unit,
         1.0 AS tolerance, '±1 percentage point' AS tolerance_rule,
         w.qualifier AS qualifier, c.figure_id || ',' || w.figure_id || ',' || r.figure_id AS figure_ids
  FROM scoped c
  JOIN figures w ON w.source_id = c.source_id AND w.region_code = c.region_code AND w.indicator_id = 'workers_total'
  JOIN figures r ON r.source_id = c.source_id AND r.region_code = c.region_code AND r.indicator_id = 'coverage_rate'
  WHERE c.indicator_id = 'workers_covered'
  UNION ALL
  -- the number of workers a target count and target rate imply, against the stated total
  SELECT 'implied_total', tc.source_id, tc.region_code,
         'workers_covered_target × 100 / coverage_target_rate = workers_total',
         w.value, ROUND(tc.value * 100.0 / tr.value), 'workers',
         ROUND(w.value * 0.02), '±2 % of the stated total',
         w.qualifier, tc.figure_id || ',' || tr.figure_id || ',' || w.figure_id
  FROM scoped tc
  JOIN figures tr ON tr.source_id = tc.source_id AND tr.region_code = tc.region_code
   AND tr.indicator_id = 'coverage_target_rate' AND tr.target_year = tc.target_year
  JOIN figures w ON w.source_id = tc.source_id AND w.region_code = tc.region_code AND w.indicator_id = 'workers_total'
  WHERE tc.indicator_id = 'workers_covered_target'
  UNION ALL
  -- covered and not covered add up to 100 %
  SELECT 'complement', c.source_id, c.region_code,
         'coverage_rate + uncovered_rate = 100',
         100, c.value + u.value, 'percent', 0.5, '±0.5 percentage point',
         'exact', c.figure_id || ',' || u.figure_id
  FROM scoped c
  JOIN figures u ON u.source_id = c.source_id AND u.region_code = c.region_code AND u.indicator_id = 'uncovered_rate'
  WHERE c.indicator_id = 'coverage_rate'
  UNION ALL
  -- a gap the article states, against target minus actual
  SELECT 'stated_gap', g.source_id, g.region_code,
         'coverage_target_rate − coverage_rate = coverage_gap',
         g.value, t.value - c.value, 'percentage_points', 0.5, '±0.5 percentage point',
         g.qualifier, g.figure_id || ',' || t.figure_id || ',' || c.figure_id
  FROM scoped g
  JOIN figures t ON t.source_id = g.source_id AND t.region_code = g.region_code AND t.indicator_id = 'coverage_target_rate'
  JOIN figures c ON c.source_id = g.source_id AND c.region_code = g.region_code AND c.indicator_id = 'coverage_rate'
  WHERE g.indicator_id = 'coverage_gap'
  UNION ALL
  -- a stated gap equal to the uncovered share (100 − coverage) and not to target − coverage
  SELECT 'stated_gap_is_uncovered_share', g.source_id, g.region_code,
         '100 − coverage_rate = coverage_gap (the uncovered share, not target − coverage)',
         g.value, 100 - c.value, 'percentage_points', 0.5, '±0.5 percentage point',
         'flagged', g.figure_id || ',' || c.figure_id
  FROM scoped g
  JOIN figures c ON c.source_id = g.source_id AND c.region_code = g.region_code AND c.indicator_id = 'coverage_rate'
  WHERE g.indicator_id = 'coverage_gap' AND ABS(g.value - (100 - c.value)) <= 0.5
    AND NOT EXISTS (
      SELECT 1 FROM figures t WHERE t.source_id = g.source_id AND t.region_code = g.region_code
         AND t.indicator_id = 'coverage_target_rate' AND ABS(g.value - (t.value - c.value)) <= 0.5)
  UNION ALL
  -- each article's target against the one the article before it states for the same region,
  -- indicator and year (by source_id): a chain, not every pair, so a region with many articles
  -- gets one check per article rather than a number that grows as their square; a value that
  -- differs still breaks two links of the chain, and figure_conflicts lists all of them
  SELECT 'same_target_across_articles', prev_source_id || ',' || source_id, region_code,
         'target in one article = target in another (same region, indicator, target year)',
         prev_value, value, unit, 0.0, 'equal',
         qualifier, prev_figure_id || ',' || figure_id
  FROM (
    SELECT f.*,
           LAG(f.figure_id) OVER same AS prev_figure_id,
           LAG(f.source_id) OVER same AS prev_source_id,
           LAG(f.value) OVER same AS prev_value
    FROM scoped f JOIN indicators i ON i.indicator_id = f.indicator_id AND i.kind = 'target'
    WHERE f.target_year IS NOT NULL
    WINDOW same AS (PARTITION BY f.region_code, f.indicator_id, f.target_year
                    ORDER BY f.source_id, f.figure_id)
  )
  WHERE prev_source_id IS NOT NULL AND prev_source_id <> source_id
)
SELECT check_kind, source_id, region_code, formula, stated, computed, unit,
       ROUND(computed - stated, 2), tolerance, tolerance_rule,
       CASE
         WHEN qualifier = 'flagged' THEN 'flagged'
         WHEN ABS(computed - stated) <= tolerance THEN 'consistent'
         WHEN qualifier = 'more_than' AND computed > stated THEN 'consistent_with_qualifier'
         WHEN qualifier = 'up_to' AND computed < stated THEN 'consistent_with_qualifier'
         ELSE 'inconsistent'
       END,
       figure_ids
FROM checks;

-- step: award_rankings, each Paritrana result with the region's latest coverage figure beside it
CREATE TABLE IF NOT EXISTS award_rankings (
  award TEXT, award_year INTEGER, level TEXT, organising_region_code TEXT, organising_region TEXT,
  category TEXT, rank INTEGER, region_code TEXT NOT NULL, region_name TEXT, coverage_pct NUMERIC,
  coverage_as_of TEXT, coverage_figure_id TEXT REFERENCES figures (figure_id),
  award_id TEXT PRIMARY KEY REFERENCES awards (award_id), source_id TEXT, quote TEXT, ceremony_date TEXT
);
CREATE INDEX IF NOT EXISTS award_rankings_in_order ON award_rankings
  (award, award_year DESC, level, organising_region_code, category, rank, award_id);
CREATE INDEX IF NOT EXISTS award_rankings_by_region ON award_rankings (region_code);
CREATE INDEX IF NOT EXISTS award_rankings_by_year ON award_rankings (award_year DESC, award, level, organising_region_code, category, rank, award_id);

-- step: fill award_rankings
INSERT INTO award_rankings
SELECT a.award, a.award_year, a.level, a.organising_region_code, o.name,
       a.category, a.rank, a.region_code, r.name,
       lc.value, lc.as_of, lc.figure_id,
       a.award_id, a.source_id, a.quote, a.ceremony_date
FROM awards a
JOIN regions r ON r.region_code = a.region_code
JOIN regions o ON o.region_code = a.organising_region_code
LEFT JOIN figures lc ON lc.figure_id = (
  SELECT f.figure_id FROM figures f
  WHERE f.indicator_id = 'coverage_rate' AND f.region_code = a.region_code
    AND f.source_id NOT IN (SELECT source_id FROM sources WHERE retracted_on IS NOT NULL)
  ORDER BY f.as_of DESC, f.figure_id LIMIT 1)
WHERE a.region_code IN (SELECT region_code FROM temp.derived_scope)
  -- a retracted article's awards leave the rankings
  AND a.source_id NOT IN (SELECT source_id FROM sources WHERE retracted_on IS NOT NULL);

-- step: time_series, every figure of a region and indicator in date order
CREATE TABLE IF NOT EXISTS time_series (
  region_code TEXT NOT NULL, region_name TEXT, indicator_id TEXT, indicator_name_id TEXT,
  indicator_name_en TEXT, as_of TEXT, value NUMERIC, unit TEXT, qualifier TEXT, target_year INTEGER,
  figure_id TEXT PRIMARY KEY REFERENCES figures (figure_id), source_id TEXT
);
CREATE INDEX IF NOT EXISTS time_series_in_order ON time_series (region_code, indicator_id, as_of, figure_id);

-- step: fill time_series
INSERT INTO time_series
SELECT f.region_code, r.name, f.indicator_id, i.name_id, i.name_en, f.as_of, f.value, f.unit,
       f.qualifier, f.target_year, f.figure_id, f.source_id
FROM figures f
JOIN regions r ON r.region_code = f.region_code
JOIN indicators i ON i.indicator_id = f.indicator_id
WHERE f.region_code IN (SELECT region_code FROM temp.derived_scope);

-- step: figure_conflicts, figures of one region, indicator and date that disagree across articles
CREATE TABLE IF NOT EXISTS figure_conflicts (
  region_code TEXT NOT NULL, region_name TEXT, indicator_id TEXT NOT NULL, indicator_name_id TEXT,
  indicator_name_en TEXT, as_of TEXT NOT NULL, unit TEXT, min_value NUMERIC, max_value NUMERIC,
  article_count INTEGER, figure_ids TEXT, source_ids TEXT,
  PRIMARY KEY (region_code, indicator_id, as_of)
);
CREATE INDEX IF NOT EXISTS figure_conflicts_by_spread ON figure_conflicts (max_value - min_value DESC, region_code, indicator_id, as_of);

-- step: fill figure_conflicts
INSERT INTO figure_conflicts
SELECT f.region_code, r.name, f.indicator_id, i.name_id, i.name_en, f.as_of, min(f.unit),
       min(f.value), max(f.value), count(DISTINCT f.source_id),
       group_concat(f.figure_id, ','), group_concat(DISTINCT f.source_id)
FROM (SELECT * FROM figures WHERE region_code IN (SELECT region_code FROM temp.derived_scope)
      ORDER BY figure_id) f
JOIN regions r ON r.region_code = f.region_code
JOIN indicators i ON i.indicator_id = f.indicator_id
GROUP BY f.region_code, f.indicator_id, f.as_of
HAVING count(DISTINCT f.source_id) > 1 AND min(f.value) <> max(f.value);
