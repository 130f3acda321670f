-- Fettle schema 4 (SQLite): per-activity loads as data, method → value.
--
-- `loads_json`: a JSON object of each load method's value (`{"trimp": 61.2, "hrtss": 55.0}`),
-- the names of the core's registered load metrics; a method without a value is absent. A new
-- metric is a new key, not a new column. The primary `load` and its `load_method` stay columns:
-- the daily-series scan reads `load` from its covering index.
--
-- The values of the five former columns are carried over; the columns go.
ALTER TABLE activities ADD COLUMN loads_json TEXT;
UPDATE activities SET loads_json = '{' || COALESCE((
    -- 17 significant digits ('!' lifts SQLite's cap of 16): every double reads back exactly.
    SELECT group_concat('"' || name || '":' || printf('%!.17g', value), ',') FROM (
        SELECT 'trimp' AS name, activities.load_trimp AS value
        UNION ALL SELECT 'edwards', activities.load_edwards
        UNION ALL SELECT 'srpe', activities.load_srpe
        UNION ALL SELECT 'rtss', activities.load_rtss
        UNION ALL SELECT 'hrtss', activities.load_hrtss
    ) WHERE value IS NOT NULL
), '') || '}'
WHERE load IS NOT NULL;
ALTER TABLE activities DROP COLUMN load_trimp;
ALTER TABLE activities DROP COLUMN load_edwards;
ALTER TABLE activities DROP COLUMN load_srpe;
ALTER TABLE activities DROP COLUMN load_rtss;
ALTER TABLE activities DROP COLUMN load_hrtss;
