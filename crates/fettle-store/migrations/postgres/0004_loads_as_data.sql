-- Fettle schema 4 (PostgreSQL): the same change as migrations/sqlite/0004_loads_as_data.sql —
-- per-activity loads as a JSON object of each method's value (a new load metric is a new key,
-- not a new column), the five former columns' values carried over, the columns dropped. Kept
-- as TEXT, as in SQLite: the store reads and writes it whole. PostgreSQL writes each double
-- in its shortest exact form (extra_float_digits = 1, the default since version 12).
ALTER TABLE activities ADD COLUMN loads_json TEXT;
UPDATE activities SET loads_json = json_strip_nulls(json_build_object(
        'trimp', load_trimp,
        'edwards', load_edwards,
        'srpe', load_srpe,
        'rtss', load_rtss,
        'hrtss', load_hrtss))::TEXT
WHERE load IS NOT NULL;
ALTER TABLE activities DROP COLUMN load_trimp;
ALTER TABLE activities DROP COLUMN load_edwards;
ALTER TABLE activities DROP COLUMN load_srpe;
ALTER TABLE activities DROP COLUMN load_rtss;
ALTER TABLE activities DROP COLUMN load_hrtss;
