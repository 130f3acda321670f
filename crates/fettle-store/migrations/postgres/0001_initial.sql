-- Fettle schema 1 (PostgreSQL): the same tables, keys, constraints and indexes as
-- migrations/sqlite/0001_initial.sql, in PostgreSQL types. Ids are identity columns (a sequence
-- never hands out a value twice, like SQLite's AUTOINCREMENT); instants are BIGINT milliseconds
-- since the Unix epoch (UTC); local days are TEXT 'YYYY-MM-DD'; booleans are BOOLEAN; the sample
-- blob is BYTEA. Text that is sorted or compared by range (keys, days, set members) uses the
-- "C" collation: byte order, the same as SQLite's BINARY, whatever the database's locale.
-- Every table carries athlete_id, the partition key; child tables reference their parent
-- through (athlete_id, id) so a row can never belong to another athlete than its parent.

CREATE TABLE athletes (
    athlete_id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_ms  BIGINT NOT NULL
);

-- One row per imported file (content hash), written in the same transaction as its activities.
CREATE TABLE files (
    file_id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_id           BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    content_hash         TEXT COLLATE "C" NOT NULL,
    source               TEXT NOT NULL,
    size_bytes           BIGINT NOT NULL CHECK (size_bytes >= 0),
    imported_ms          BIGINT NOT NULL,
    activities_inserted  BIGINT NOT NULL CHECK (activities_inserted >= 0),
    activities_duplicate BIGINT NOT NULL CHECK (activities_duplicate >= 0),
    UNIQUE (athlete_id, content_hash)
);

-- Activity summaries: everything but samples, laps and R-R intervals, plus computed values.
CREATE TABLE activities (
    activity_id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_id         BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    file_id            BIGINT REFERENCES files (file_id) ON DELETE SET NULL,
    source             TEXT NOT NULL,
    session_index      BIGINT CHECK (session_index >= 0),
    start_ms           BIGINT NOT NULL,
    end_ms             BIGINT NOT NULL,
    utc_offset_s       INTEGER,
    sport              TEXT NOT NULL,
    sub_sport          TEXT,
    name               TEXT,
    description        TEXT,
    perceived_exertion DOUBLE PRECISION,
    elapsed_s          DOUBLE PRECISION NOT NULL CHECK (elapsed_s >= 0),
    timer_s            DOUBLE PRECISION NOT NULL CHECK (timer_s >= 0),
    distance_m         DOUBLE PRECISION CHECK (distance_m >= 0),
    ascent_m           DOUBLE PRECISION,
    descent_m          DOUBLE PRECISION,
    avg_hr             DOUBLE PRECISION,
    max_hr             DOUBLE PRECISION,
    avg_cadence        DOUBLE PRECISION,
    avg_power_w        DOUBLE PRECISION,
    device             TEXT,
    sample_count       BIGINT NOT NULL,
    lap_count          BIGINT NOT NULL,
    rpe                DOUBLE PRECISION CHECK (rpe >= 0 AND rpe <= 10),
    load_trimp         DOUBLE PRECISION,
    load_edwards       DOUBLE PRECISION,
    load_srpe          DOUBLE PRECISION,
    load_rtss          DOUBLE PRECISION,
    load_hrtss         DOUBLE PRECISION,
    load               DOUBLE PRECISION,
    load_method        TEXT,
    metrics_json       TEXT,
    UNIQUE (athlete_id, activity_id)
);
-- Ordered by start and covering the columns of the daily-series scan (Store::load_rows), so the
-- scan can read the index alone (an index-only scan once the table is vacuumed).
CREATE INDEX activities_by_start ON activities (athlete_id, start_ms, activity_id)
    INCLUDE (utc_offset_s, timer_s, distance_m, load, sport);

CREATE TABLE laps (
    athlete_id      BIGINT NOT NULL,
    activity_id     BIGINT NOT NULL,
    lap_index       INTEGER NOT NULL,
    start_ms        BIGINT NOT NULL,
    elapsed_s       DOUBLE PRECISION NOT NULL,
    timer_s         DOUBLE PRECISION NOT NULL,
    distance_m      DOUBLE PRECISION,
    avg_hr          DOUBLE PRECISION,
    max_hr          DOUBLE PRECISION,
    avg_speed_mps   DOUBLE PRECISION,
    avg_cadence     DOUBLE PRECISION,
    avg_power_w     DOUBLE PRECISION,
    ascent_m        DOUBLE PRECISION,
    descent_m       DOUBLE PRECISION,
    PRIMARY KEY (athlete_id, activity_id, lap_index),
    FOREIGN KEY (athlete_id, activity_id)
        REFERENCES activities (athlete_id, activity_id) ON DELETE CASCADE
);

-- One compressed columnar blob per activity (format: the `blob` module); no row when the
-- activity has neither samples nor R-R intervals. The blob is already compressed: storing it
-- EXTERNAL stops PostgreSQL from trying (and failing) to compress it again.
CREATE TABLE activity_samples (
    athlete_id  BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    samples     BYTEA NOT NULL,
    PRIMARY KEY (athlete_id, activity_id),
    FOREIGN KEY (athlete_id, activity_id)
        REFERENCES activities (athlete_id, activity_id) ON DELETE CASCADE
);
ALTER TABLE activity_samples ALTER COLUMN samples SET STORAGE EXTERNAL;

CREATE TABLE profile_values (
    athlete_id BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    key        TEXT COLLATE "C" NOT NULL,
    from_date  TEXT COLLATE "C" NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (athlete_id, key, from_date)
);

CREATE TABLE races (
    race_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_id BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    race_date  TEXT COLLATE "C" NOT NULL,
    distance_m DOUBLE PRECISION NOT NULL CHECK (distance_m > 0),
    time_s     DOUBLE PRECISION NOT NULL CHECK (time_s > 0),
    kind       TEXT NOT NULL
);
CREATE INDEX races_by_date ON races (athlete_id, race_date);

CREATE TABLE wellness (
    athlete_id    BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    entry_date    TEXT COLLATE "C" NOT NULL,
    sleep_h       DOUBLE PRECISION,
    sleep_quality DOUBLE PRECISION,
    soreness      DOUBLE PRECISION,
    fatigue       DOUBLE PRECISION,
    stress        DOUBLE PRECISION,
    mood          DOUBLE PRECISION,
    rmssd_ms      DOUBLE PRECISION,
    rest_hr       DOUBLE PRECISION,
    mass_kg       DOUBLE PRECISION,
    sick          BOOLEAN NOT NULL,
    injured       BOOLEAN NOT NULL,
    source        TEXT,
    PRIMARY KEY (athlete_id, entry_date)
);

CREATE TABLE recovery (
    recovery_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_id  BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    method      TEXT NOT NULL,
    at_ms       BIGINT NOT NULL,
    minutes     DOUBLE PRECISION,
    temp_c      DOUBLE PRECISION,
    zones_json  TEXT NOT NULL,
    carbs_g     DOUBLE PRECISION,
    protein_g   DOUBLE PRECISION,
    note        TEXT
);
CREATE INDEX recovery_by_time ON recovery (athlete_id, at_ms);

-- Named sets of strings (`access`: recovery methods available; `health`: declared conditions).
CREATE TABLE string_sets (
    athlete_id BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    set_name   TEXT COLLATE "C" NOT NULL,
    member     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (athlete_id, set_name, member)
);

CREATE TABLE plans (
    athlete_id BIGINT PRIMARY KEY REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    plan_json  TEXT NOT NULL,
    saved_ms   BIGINT NOT NULL
);

CREATE TABLE settings (
    athlete_id BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    key        TEXT COLLATE "C" NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (athlete_id, key)
);
