-- Fettle schema 1 (SQLite). Portable types only: INTEGER/BIGINT, DOUBLE PRECISION, TEXT, BLOB
-- (BYTEA in PostgreSQL). Instants are BIGINT milliseconds since the Unix epoch (UTC); local days
-- are TEXT 'YYYY-MM-DD'; booleans are INTEGER 0/1. Every table carries athlete_id, the
-- partition key; child tables reference their parent through (athlete_id, id) so a row can never
-- belong to another athlete than its parent.

CREATE TABLE athletes (
    athlete_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    created_ms  BIGINT NOT NULL
);

-- One row per imported file (content hash), written in the same transaction as its activities.
CREATE TABLE files (
    file_id              INTEGER PRIMARY KEY AUTOINCREMENT,
    athlete_id           BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    content_hash         TEXT NOT NULL,
    source               TEXT NOT NULL,
    size_bytes           BIGINT NOT NULL CHECK (size_bytes >= 0),
    imported_ms          BIGINT NOT NULL,
    activities_inserted  INTEGER NOT NULL CHECK (activities_inserted >= 0),
    activities_duplicate INTEGER NOT NULL CHECK (activities_duplicate >= 0),
    UNIQUE (athlete_id, content_hash)
);

-- Activity summaries: everything but samples, laps and R-R intervals, plus computed values.
CREATE TABLE activities (
    activity_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    athlete_id         BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    file_id            BIGINT REFERENCES files (file_id) ON DELETE SET NULL,
    source             TEXT NOT NULL,
    session_index      INTEGER CHECK (session_index >= 0),
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
    lap_count          INTEGER NOT NULL,
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
-- scan reads one index instead of every wide summary row.
CREATE INDEX activities_by_start ON activities
    (athlete_id, start_ms, activity_id, utc_offset_s, timer_s, distance_m, load, sport);

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
-- activity has neither samples nor R-R intervals.
CREATE TABLE activity_samples (
    athlete_id  BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    samples     BLOB NOT NULL,
    PRIMARY KEY (athlete_id, activity_id),
    FOREIGN KEY (athlete_id, activity_id)
        REFERENCES activities (athlete_id, activity_id) ON DELETE CASCADE
);

CREATE TABLE profile_values (
    athlete_id BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    from_date  TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (athlete_id, key, from_date)
);

CREATE TABLE races (
    race_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    athlete_id BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    race_date  TEXT NOT NULL,
    distance_m DOUBLE PRECISION NOT NULL CHECK (distance_m > 0),
    time_s     DOUBLE PRECISION NOT NULL CHECK (time_s > 0),
    kind       TEXT NOT NULL
);
CREATE INDEX races_by_date ON races (athlete_id, race_date);

CREATE TABLE wellness (
    athlete_id    BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    entry_date    TEXT NOT NULL,
    sleep_h       DOUBLE PRECISION,
    sleep_quality DOUBLE PRECISION,
    soreness      DOUBLE PRECISION,
    fatigue       DOUBLE PRECISION,
    stress        DOUBLE PRECISION,
    mood          DOUBLE PRECISION,
    rmssd_ms      DOUBLE PRECISION,
    rest_hr       DOUBLE PRECISION,
    mass_kg       DOUBLE PRECISION,
    sick          INTEGER NOT NULL,
    injured       INTEGER NOT NULL,
    source        TEXT,
    PRIMARY KEY (athlete_id, entry_date)
);

CREATE TABLE recovery (
    recovery_id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    set_name   TEXT NOT NULL,
    member     TEXT NOT NULL,
    PRIMARY KEY (athlete_id, set_name, member)
);

CREATE TABLE plans (
    athlete_id BIGINT PRIMARY KEY REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    plan_json  TEXT NOT NULL,
    saved_ms   BIGINT NOT NULL
);

CREATE TABLE settings (
    athlete_id BIGINT NOT NULL REFERENCES athletes (athlete_id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (athlete_id, key)
);
