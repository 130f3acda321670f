-- Fettle schema 3 (PostgreSQL): the same columns, constraints and index as
-- migrations/sqlite/0003_corrections.sql (what an athlete corrects after an import: notes, an
-- activity excluded from the training load, and the count of a file's deleted activities that
-- keeps a re-import from bringing them back).
ALTER TABLE activities ADD COLUMN notes TEXT;
ALTER TABLE activities ADD COLUMN exclude_from_load INTEGER NOT NULL DEFAULT 0
    CHECK (exclude_from_load IN (0, 1));
ALTER TABLE files ADD COLUMN activities_deleted BIGINT NOT NULL DEFAULT 0
    CHECK (activities_deleted >= 0);

DROP INDEX activities_by_start;
CREATE INDEX activities_by_start ON activities (athlete_id, start_ms, activity_id)
    INCLUDE (utc_offset_s, timer_s, distance_m, load, sport, exclude_from_load);
