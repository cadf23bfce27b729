-- Views of the cakupan database. Plain SQL on purpose: the published file must answer the same
-- in any SQLite client. The formulas match cakupan/gapmath.py (tests check every row).
-- Each view is described, with its columns, in metadata.yml.

-- coverage_gaps: each coverage figure paired with its target, the gap, workers to enrol and pace.
-- The target and the worker count come from the same article when it has them, else from the
-- latest earlier article about the same region (a target only while its year has not passed).
CREATE VIEW coverage_gaps AS
WITH actual AS (
  SELECT * FROM figures WHERE indicator_id = 'coverage_rate'
),
target_choice AS (
  SELECT a.figure_id AS actual_id, t.figure_id AS target_id,
         ROW_NUMBER() OVER (PARTITION BY a.figure_id
                            ORDER BY t.source_id = a.source_id DESC, t.as_of DESC, t.figure_id) AS n
  FROM actual a
  JOIN figures t ON t.region_code = a.region_code AND t.indicator_id = 'coverage_target_rate'
   AND t.as_of <= a.as_of AND t.target_year >= CAST(substr(a.as_of, 1, 4) AS INTEGER)
),
workers_choice AS (
  SELECT a.figure_id AS actual_id, w.figure_id AS workers_id,
         ROW_NUMBER() OVER (PARTITION BY a.figure_id
                            ORDER BY w.source_id = a.source_id DESC, w.as_of DESC, w.figure_id) AS n
  FROM actual a
  JOIN figures w ON w.region_code = a.region_code AND w.indicator_id = 'workers_total' AND w.as_of <= a.as_of
),
stated_choice AS (
  SELECT a.figure_id AS actual_id, g.figure_id AS gap_id,
         ROW_NUMBER() OVER (PARTITION BY a.figure_id ORDER BY g.figure_id) AS n
  FROM actual a
  JOIN figures g ON g.region_code = a.region_code AND g.indicator_id = 'coverage_gap' AND g.source_id = a.source_id
)
SELECT
  a.region_code,
  r.name AS region_name,
  r.level,
  COALESCE(r.parent_code, r.region_code) AS province_code,
  a.as_of,
  a.value AS actual_pct,
  t.value AS target_pct,
  t.target_year,
  ROUND(t.value - a.value, 2) AS gap_pp,
  w.value AS workers_total,
  w.qualifier AS workers_qualifier,
  CAST(ROUND(w.value * (t.value - a.value) / 100.0) AS INTEGER) AS workers_to_enrol,
  ROUND((julianday(t.target_year || '-12-31') - julianday(a.as_of)) / 365.25, 2) AS years_left,
  CASE WHEN julianday(t.target_year || '-12-31') > julianday(a.as_of) THEN
    ROUND((t.value - a.value) / ((julianday(t.target_year || '-12-31') - julianday(a.as_of)) / 365.25), 1)
  END AS pace_needed_pp_per_year,
  g.value AS stated_gap_pp,
  CASE WHEN g.value IS NULL THEN NULL
       WHEN ABS(g.value - (t.value - a.value)) <= 0.5 THEN 0 ELSE 1 END AS stated_gap_disagrees,
  a.figure_id AS actual_figure_id,
  t.figure_id AS target_figure_id,
  w.figure_id AS workers_figure_id,
  g.figure_id AS stated_gap_figure_id,
  a.source_id AS actual_source_id,
  t.source_id AS target_source_id
FROM actual a
JOIN regions r ON r.region_code = a.region_code
JOIN target_choice tc ON tc.actual_id = a.figure_id AND tc.n = 1
JOIN figures t ON t.figure_id = tc.target_id
LEFT JOIN workers_choice wc ON wc.actual_id = a.figure_id AND wc.n = 1
LEFT JOIN figures w ON w.figure_id = wc.workers_id
LEFT JOIN stated_choice sc ON sc.actual_id = a.figure_id AND sc.n = 1
LEFT JOIN figures g ON g.figure_id = sc.gap_id
ORDER BY gap_pp DESC, a.region_code, a.as_of, a.figure_id;  -- figure_id: ties never follow storage order

-- consistency_checks: does an article's own arithmetic hold, and do articles agree?
-- verdict: consistent (within tolerance), consistent_with_qualifier (outside it, but in the
-- direction a 'lebih dari' / 'hingga' allows), or inconsistent.
CREATE VIEW consistency_checks AS
WITH checks AS (
  -- workers covered as a share of all workers, against the stated coverage rate
  SELECT 'share_of_workers' AS check_kind, c.source_id, c.region_code,
         'workers_covered / workers_total × 100 = coverage_rate' AS formula,
         r.value AS stated, ROUND(100.0 * c.value / w.value, 1) AS computed, 'percent' AS unit,
         1.0 AS tolerance, '±1 percentage point' AS tolerance_rule,
         w.qualifier AS qualifier, c.figure_id || ',' || w.figure_id || ',' || r.figure_id AS figure_ids
  FROM figures c
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
  FROM figures tc
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
  FROM figures c
  JOIN figures u ON u.source_id = c.source_id AND u.region_code = c.region_code AND u.indicator_id = 'uncovered_rate'
  WHERE c.indicator_id = 'coverage_rate'
  UNION ALL
  -- a gap the article states, against target minus actual
  SELECT 'stated_gap', g.source_id, g.region_code,
         'coverage_target_rate − coverage_rate = coverage_gap',
         g.value, t.value - c.value, 'percentage_points', 0.5, '±0.5 percentage point',
         g.qualifier, g.figure_id || ',' || t.figure_id || ',' || c.figure_id
  FROM figures g
  JOIN figures t ON t.source_id = g.source_id AND t.region_code = g.region_code AND t.indicator_id = 'coverage_target_rate'
  JOIN figures c ON c.source_id = g.source_id AND c.region_code = g.region_code AND c.indicator_id = 'coverage_rate'
  WHERE g.indicator_id = 'coverage_gap'
  UNION ALL
  -- two articles stating the target of the same region for the same year
  SELECT 'same_target_across_articles', a.source_id || ',' || b.source_id, a.region_code,
         'target in one article = target in another (same region, indicator, target year)',
         a.value, b.value, a.unit, 0.0, 'equal',
         b.qualifier, a.figure_id || ',' || b.figure_id
  FROM figures a
  JOIN figures b ON b.region_code = a.region_code AND b.indicator_id = a.indicator_id
   AND b.target_year = a.target_year AND b.source_id > a.source_id
  JOIN indicators i ON i.indicator_id = a.indicator_id AND i.kind = 'target'
)
SELECT check_kind, source_id, region_code, formula, stated, computed, unit,
       ROUND(computed - stated, 2) AS difference, tolerance, tolerance_rule,
       CASE
         WHEN ABS(computed - stated) <= tolerance THEN 'consistent'
         WHEN qualifier = 'more_than' AND computed > stated THEN 'consistent_with_qualifier'
         WHEN qualifier = 'up_to' AND computed < stated THEN 'consistent_with_qualifier'
         ELSE 'inconsistent'
       END AS verdict,
       figure_ids
FROM checks
ORDER BY check_kind, source_id, region_code, figure_ids;

-- award_rankings: each Paritrana result with the region's latest coverage figure beside it.
CREATE VIEW award_rankings AS
WITH latest_coverage AS (
  SELECT region_code, value, as_of, figure_id,
         ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY as_of DESC, figure_id) AS n
  FROM figures WHERE indicator_id = 'coverage_rate'
)
SELECT a.award, a.award_year, a.level, a.organising_region_code, o.name AS organising_region,
       a.category, a.rank, a.region_code, r.name AS region_name,
       lc.value AS coverage_pct, lc.as_of AS coverage_as_of, lc.figure_id AS coverage_figure_id,
       a.award_id, a.source_id, a.quote, a.ceremony_date
FROM awards a
JOIN regions r ON r.region_code = a.region_code
JOIN regions o ON o.region_code = a.organising_region_code
LEFT JOIN latest_coverage lc ON lc.region_code = a.region_code AND lc.n = 1
ORDER BY a.award, a.award_year DESC, a.level, a.organising_region_code, a.category, a.rank, a.award_id;

-- time_series: every figure of a region and indicator in date order.
CREATE VIEW time_series AS
SELECT f.region_code, r.name AS region_name, f.indicator_id, i.name_id AS indicator_name_id,
       i.name_en AS indicator_name_en, f.as_of, f.value, f.unit, f.qualifier, f.target_year,
       f.figure_id, f.source_id
FROM figures f
JOIN regions r ON r.region_code = f.region_code
JOIN indicators i ON i.indicator_id = f.indicator_id
ORDER BY f.region_code, f.indicator_id, f.as_of, f.figure_id;

-- figure_citations: every figure with who said it, where, and a ready citation sentence.
CREATE VIEW figure_citations AS
SELECT f.figure_id, f.value, f.unit, f.qualifier, f.qualifier_text, f.region_code, r.name AS region_name,
       f.indicator_id, i.name_id AS indicator_name_id, i.name_en AS indicator_name_en,
       f.as_of, f.target_year, p.name AS speaker, po.post AS speaker_post, f.attribution,
       s.outlet, s.headline, s.published, s.event_date, s.url, f.source_id,
       f.quote, f.quote_start, f.quote_end,
       c.citation_id AS citation, c.citation_en, c.apa
FROM figures f
JOIN regions r ON r.region_code = f.region_code
JOIN indicators i ON i.indicator_id = f.indicator_id
JOIN sources s ON s.source_id = f.source_id
LEFT JOIN people p ON p.person_id = f.speaker_id
LEFT JOIN posts po ON po.person_id = f.speaker_id AND po.source_id = f.source_id
LEFT JOIN citations c ON c.figure_id = f.figure_id
ORDER BY f.figure_id;
