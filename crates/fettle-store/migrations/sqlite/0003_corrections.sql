-- Fettle schema 3 (SQLite): what an athlete corrects after an import.
--
-- `notes`: the athlete's own words about a session (the source's text stays in `description`).
-- `exclude_from_load`: 0/1; an excluded activity stays listed but the science ignores it (daily
-- series, estimates, calibration, the personal model) — a stray route recorded as a 22-hour
-- session, a ride on someone else's bike.
-- `files.activities_deleted`: how many of a file's activities the athlete deleted. The file
-- stays recorded, so importing the same folder again does not bring them back; `import
-- --include-deleted` looks for files with deletions and restores what is missing.
ALTER TABLE activities ADD COLUMN notes TEXT;
ALTER TABLE activities ADD COLUMN exclude_from_load INTEGER NOT NULL DEFAULT 0
    CHECK (exclude_from_load IN (0, 1));
ALTER TABLE files ADD COLUMN activities_deleted INTEGER NOT NULL DEFAULT 0
    CHECK (activities_deleted >= 0);

-- The daily-series scan skips excluded activities: the covering index carries the flag so the
-- scan still reads the index alone.
DROP INDEX activities_by_start;
CREATE INDEX activities_by_start ON activities
    (athlete_id, start_ms, activity_id, utc_offset_s, timer_s, distance_m, load, sport,
     exclude_from_load);
