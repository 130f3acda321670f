//! Listing and showing activities: the objects behind `fettle activities`, `fettle activity ID`
//! and `GET /api/v1/activities[/{id}]`.

use std::collections::BTreeMap;

use fettle_core::load::MethodLoads;
use fettle_formats::{Lap, Streams};
use fettle_store::{ActivityFilter, ActivityId, ActivitySummary, AthleteId, Store};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use serde::Serialize;

use crate::AppError;

/// Each method's load for one activity: every registered metric
/// ([`MethodLoads::METRICS`], e.g. `trimp`, `edwards`, `srpe`, `rtss`, `hrtss`) in its order,
/// `null` where it cannot be computed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadsView {
    methods: BTreeMap<String, f64>,
}

impl LoadsView {
    /// A metric's value by its registered name, if computed.
    pub fn get(&self, metric: &str) -> Option<f64> {
        self.methods.get(metric).copied()
    }

    /// Every registered metric with its value, in the registry's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Option<f64>)> + '_ {
        MethodLoads::METRICS
            .iter()
            .map(|metric| (metric.name, self.get(metric.name)))
    }
}

impl Serialize for LoadsView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(MethodLoads::METRICS.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

/// One activity as listed (`fettle activities --json` items).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityItem {
    /// Id for `fettle activity ID`.
    pub id: i64,
    /// Start, RFC 3339 with the local offset.
    pub start: String,
    /// Sport (`running`, `cycling` …).
    pub sport: String,
    /// Sub-sport (`trail`, `treadmill` …) when known.
    pub sub_sport: Option<String>,
    /// Name, when the source gave one.
    pub name: Option<String>,
    /// Wall-clock duration, s.
    pub elapsed_s: f64,
    /// Moving duration, s.
    pub timer_s: f64,
    /// Distance, m.
    pub distance_m: Option<f64>,
    /// Ascent, m.
    pub ascent_m: Option<f64>,
    /// Descent, m.
    pub descent_m: Option<f64>,
    /// Average HR, bpm.
    pub avg_hr: Option<f64>,
    /// Maximum HR, bpm.
    pub max_hr: Option<f64>,
    /// Average cadence as recorded.
    pub avg_cadence: Option<f64>,
    /// Recording device.
    pub device: Option<String>,
    /// The file as given, with `#entry` inside an archive and `@N` for session N.
    pub source: String,
    /// Session RPE (CR-10) when entered or imported.
    pub rpe: Option<f64>,
    /// The session's load in load points (100 = one hour at threshold), once computed.
    pub load: Option<f64>,
    /// Which method produced `load`.
    pub load_method: Option<String>,
    /// Every method's value.
    pub loads: LoadsView,
    /// The athlete's own notes.
    pub notes: Option<String>,
    /// Whether the athlete left it out of the training load (it is listed but the daily
    /// series, estimates and the personal model ignore it).
    pub exclude_from_load: bool,
}

/// Statistics of one sample stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamStats {
    /// Samples with a value.
    pub count: usize,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Mean over samples with a value.
    pub mean: f64,
}

/// A lap as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LapItem {
    /// 1-based lap number.
    pub number: usize,
    /// Start, RFC 3339 with the local offset.
    pub start: String,
    /// Wall-clock duration, s.
    pub elapsed_s: f64,
    /// Moving duration, s.
    pub timer_s: f64,
    /// Distance, m.
    pub distance_m: Option<f64>,
    /// Average HR, bpm.
    pub avg_hr: Option<f64>,
    /// Maximum HR, bpm.
    pub max_hr: Option<f64>,
    /// Average speed, m/s.
    pub avg_speed_mps: Option<f64>,
    /// Average cadence.
    pub avg_cadence: Option<f64>,
    /// Ascent, m.
    pub ascent_m: Option<f64>,
}

/// Downsampled streams for charts: at most [`CHART_POINTS`] points, `null` for missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChartStreams {
    /// Seconds since the start.
    pub time_s: Vec<f64>,
    /// Heart rate, bpm.
    pub heart_rate_bpm: Vec<Option<f32>>,
    /// Speed, m/s.
    pub speed_mps: Vec<Option<f32>>,
    /// Altitude, m.
    pub altitude_m: Vec<Option<f32>>,
    /// Cumulative distance, m.
    pub distance_m: Vec<Option<f64>>,
}

/// Points kept when streams are downsampled for a chart (a screen is rarely wider).
pub const CHART_POINTS: usize = 1200;

/// One activity in full (`fettle activity ID --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityDetail {
    /// The summary, as listed.
    #[serde(flatten)]
    pub item: ActivityItem,
    /// Description, when the source gave one.
    pub description: Option<String>,
    /// Average power, W.
    pub avg_power_w: Option<f64>,
    /// Number of samples.
    pub samples: usize,
    /// Laps in order.
    pub laps: Vec<LapItem>,
    /// Per-stream statistics, by stream name; streams never recorded are absent.
    pub streams: std::collections::BTreeMap<String, StreamStats>,
    /// Number of beat-to-beat (R-R) intervals recorded.
    pub rr_intervals: usize,
    /// What the session contained: its kind (`recovery`, `easy`, `long`, `tempo`,
    /// `intervals`, `race`), whether that is hard, and why ([`fettle_core::classify`]).
    /// Absent for strength work.
    pub classification: Option<fettle_core::classify::Classification>,
    /// Moving time in each heart-rate and pace zone, with the zones' bounds and source
    /// ([`fettle_core::zones`]); runs only, `null` for other sports.
    pub zones: Option<fettle_core::zones::SessionZones>,
    /// Downsampled streams for charts (only when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<ChartStreams>,
}

/// Which activities to list: local dates (inclusive), sport and a limit.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// First local day.
    pub from: Option<Date>,
    /// Last local day.
    pub to: Option<Date>,
    /// Sport name.
    pub sport: Option<String>,
    /// At most this many.
    pub limit: Option<u32>,
    /// Skip this many (newest first).
    pub offset: u32,
    /// Keyset cursor: the `next` of the previous [`ActivityPage`]; the page starts right after
    /// the last activity of that page.
    pub before: Option<String>,
}

/// One page of activities, newest first, and the cursor for the following page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityPage {
    /// The activities of this page.
    pub activities: Vec<ActivityItem>,
    /// Pass as `before` for the next page; `null` when this page is the last.
    pub next: Option<String>,
}

/// The cursor of a page's last activity: its start (ms since the epoch, UTC) and id, opaque
/// to callers. Keyset, not offset, so a page is an index seek and activities added or
/// deleted between pages neither repeat nor skip a row.
fn cursor(summary: &ActivitySummary) -> String {
    format!("{}.{}", summary.start.as_millisecond(), summary.id.0)
}

/// Reads a cursor written by [`cursor`]; anything else is a clear error, not an empty page.
fn parse_cursor(text: &str) -> Result<(Timestamp, ActivityId), AppError> {
    let invalid = || {
        AppError::Invalid(format!(
            "`before` must be the `next` cursor of a previous page, not {text:?}"
        ))
    };
    let (start_ms, id) = text.split_once('.').ok_or_else(invalid)?;
    let start_ms: i64 = start_ms.parse().map_err(|_| invalid())?;
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let start = Timestamp::from_millisecond(start_ms).map_err(|_| invalid())?;
    Ok((start, ActivityId(id)))
}

/// Activities newest first (every one that matches, or the first `limit`).
pub fn list(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
    query: &ListQuery,
) -> Result<Vec<ActivityItem>, AppError> {
    page(store, athlete, tz, query).map(|page| page.activities)
}

/// A page of at most `limit` activities newest first after the cursor `before`, with the
/// cursor of the next page when there are more.
pub fn page(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
    query: &ListQuery,
) -> Result<ActivityPage, AppError> {
    let day_start = |d: Date| -> Result<Timestamp, AppError> {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| AppError::Invalid(format!("bad date {d}: {e}")))
    };
    if let (Some(from), Some(to)) = (query.from, query.to) {
        crate::validate::day_order(from, to)?;
    }
    let filter = ActivityFilter {
        from: query.from.map(day_start).transpose()?,
        to: query
            .to
            .map(|d| d.tomorrow().map_err(|e| AppError::Invalid(e.to_string())))
            .transpose()?
            .map(day_start)
            .transpose()?,
        sport: query
            .sport
            .as_deref()
            .map(|text| crate::validate::sport("sport", text))
            .transpose()?,
        // One more than asked tells whether a next page exists without a second query.
        limit: query.limit.map(|n| n.saturating_add(1)),
        offset: query.offset,
        before: query.before.as_deref().map(parse_cursor).transpose()?,
    };
    let mut rows = store.list_activities(athlete, &filter)?;
    let next = match query.limit {
        Some(limit) if rows.len() > limit as usize => {
            rows.truncate(limit as usize);
            rows.last().map(cursor)
        }
        _ => None,
    };
    Ok(ActivityPage {
        activities: rows.iter().map(|s| item(s, tz)).collect(),
        next,
    })
}

/// One activity with laps, stream statistics and, when `chart` is set, downsampled streams.
pub fn show(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
    id: i64,
    chart: bool,
) -> Result<ActivityDetail, AppError> {
    let stored = store
        .get_activity(athlete, ActivityId(id))?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no activity {id}: list them with `fettle activities`"
            ))
        })?;
    let offset = local_offset(stored.summary.utc_offset_s, stored.summary.start, tz);
    let activity = &stored.activity;
    let context = crate::training::SessionContext::load(store, athlete)?;
    let zones = activity.sport.is_running().then(|| {
        let streams = &activity.streams;
        let input = fettle_core::load::SessionInput {
            sport_is_running: true,
            time_s: &streams.time_s,
            heart_rate_bpm: &streams.heart_rate_bpm,
            speed_mps: &streams.speed_mps,
            distance_m: &streams.distance_m,
            ..fettle_core::load::SessionInput::default()
        };
        fettle_core::zones::time_in_zones(&input, &context.zones_for(&stored.summary))
    });
    Ok(ActivityDetail {
        item: item(&stored.summary, tz),
        description: stored.summary.description.clone(),
        avg_power_w: stored.summary.avg_power_w,
        samples: activity.streams.len(),
        laps: activity
            .laps
            .iter()
            .enumerate()
            .map(|(i, lap)| lap_item(i, lap, offset))
            .collect(),
        streams: stream_stats(&activity.streams),
        rr_intervals: activity.rr_intervals_ms.len(),
        classification: context.classify(&stored.summary),
        zones,
        chart: chart.then(|| downsample(&activity.streams, CHART_POINTS)),
    })
}

/// The offset to show an instant in: the one recorded with the activity, else the athlete's
/// time zone at that instant.
pub fn local_offset(recorded_s: Option<i32>, at: Timestamp, tz: &TimeZone) -> Offset {
    recorded_s
        .and_then(|s| Offset::from_seconds(s).ok())
        .unwrap_or_else(|| tz.to_offset(at))
}

/// An instant as RFC 3339 with the given offset, to the second.
pub fn rfc3339(at: Timestamp, offset: Offset) -> String {
    let ts = Timestamp::from_second(at.as_second()).unwrap_or(at);
    ts.display_with_offset(offset).to_string()
}

fn item(s: &ActivitySummary, tz: &TimeZone) -> ActivityItem {
    let offset = local_offset(s.utc_offset_s, s.start, tz);
    let loads = s.loads.as_ref();
    ActivityItem {
        id: s.id.0,
        start: rfc3339(s.start, offset),
        sport: s.sport.as_str().to_string(),
        sub_sport: s.sub_sport.clone(),
        name: s.name.clone(),
        elapsed_s: s.elapsed_s,
        timer_s: s.timer_s,
        distance_m: s.distance_m,
        ascent_m: s.ascent_m,
        descent_m: s.descent_m,
        avg_hr: s.avg_hr,
        max_hr: s.max_hr,
        avg_cadence: s.avg_cadence,
        device: s.device.clone(),
        source: s.source.clone(),
        rpe: s.rpe.or(s.perceived_exertion),
        load: loads.map(|l| l.load),
        load_method: loads.map(|l| l.method.clone()),
        loads: loads
            .map(|l| LoadsView {
                methods: l.methods.clone(),
            })
            .unwrap_or_default(),
        notes: s.notes.clone(),
        exclude_from_load: s.exclude_from_load,
    }
}

fn lap_item(index: usize, lap: &Lap, offset: Offset) -> LapItem {
    LapItem {
        number: index + 1,
        start: rfc3339(lap.start, offset),
        elapsed_s: lap.elapsed_s,
        timer_s: lap.timer_s,
        distance_m: lap.distance_m,
        avg_hr: lap.avg_hr,
        max_hr: lap.max_hr,
        avg_speed_mps: lap.avg_speed_mps,
        avg_cadence: lap.avg_cadence,
        ascent_m: lap.ascent_m,
    }
}

/// Min, max and mean of every recorded stream, skipping missing (NaN) samples.
fn stream_stats(streams: &Streams) -> std::collections::BTreeMap<String, StreamStats> {
    fn stats(values: impl Iterator<Item = f64>) -> Option<StreamStats> {
        let (mut count, mut min, mut max, mut sum) =
            (0usize, f64::INFINITY, f64::NEG_INFINITY, 0.0);
        for v in values.filter(|v| v.is_finite()) {
            count += 1;
            min = min.min(v);
            max = max.max(v);
            sum += v;
        }
        (count > 0).then(|| StreamStats {
            count,
            min,
            max,
            mean: sum / count as f64,
        })
    }
    let mut out = std::collections::BTreeMap::new();
    let f32s: [(&str, &Vec<f32>); 6] = [
        ("speed_mps", &streams.speed_mps),
        ("altitude_m", &streams.altitude_m),
        ("heart_rate_bpm", &streams.heart_rate_bpm),
        ("cadence_rpm", &streams.cadence_rpm),
        ("power_w", &streams.power_w),
        ("temperature_c", &streams.temperature_c),
    ];
    for (name, values) in f32s {
        if let Some(s) = stats(values.iter().map(|&v| f64::from(v))) {
            out.insert(name.to_string(), s);
        }
    }
    let f64s: [(&str, &Vec<f64>); 3] = [
        ("distance_m", &streams.distance_m),
        ("lat_deg", &streams.lat_deg),
        ("lon_deg", &streams.lon_deg),
    ];
    for (name, values) in f64s {
        if let Some(s) = stats(values.iter().copied()) {
            out.insert(name.to_string(), s);
        }
    }
    out
}

/// Keeps every k-th sample so that at most `max_points` remain (the last sample always kept).
fn downsample(streams: &Streams, max_points: usize) -> ChartStreams {
    let n = streams.len();
    if n == 0 {
        return ChartStreams::default();
    }
    let step = n.div_ceil(max_points.max(1)).max(1);
    let mut idx: Vec<usize> = (0..n).step_by(step).collect();
    if idx.last() != Some(&(n - 1)) {
        idx.push(n - 1);
    }
    let pick32 = |v: &Vec<f32>| -> Vec<Option<f32>> {
        if v.is_empty() {
            return Vec::new();
        }
        idx.iter()
            .map(|&i| Some(v[i]).filter(|x| x.is_finite()))
            .collect()
    };
    ChartStreams {
        time_s: idx.iter().map(|&i| streams.time_s[i]).collect(),
        heart_rate_bpm: pick32(&streams.heart_rate_bpm),
        speed_mps: pick32(&streams.speed_mps),
        altitude_m: pick32(&streams.altitude_m),
        distance_m: if streams.distance_m.is_empty() {
            Vec::new()
        } else {
            idx.iter()
                .map(|&i| Some(streams.distance_m[i]).filter(|x| x.is_finite()))
                .collect()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_keeps_first_and_last_and_bounds_points() {
        let n = 3601;
        let streams = Streams {
            time_s: (0..n).map(f64::from).collect(),
            heart_rate_bpm: (0..n)
                .map(|i| if i == 0 { f32::NAN } else { 150.0 })
                .collect(),
            ..Streams::default()
        };
        let chart = downsample(&streams, 1200);
        // step = ceil(3601 / 1200) = 4 → indices 0, 4, …, 3600: 901 points, last included.
        assert_eq!(chart.time_s.len(), 901);
        assert_eq!(chart.time_s[0], 0.0);
        assert_eq!(*chart.time_s.last().unwrap(), 3600.0);
        assert_eq!(chart.heart_rate_bpm[0], None);
        assert!(chart.speed_mps.is_empty());
    }

    #[test]
    fn stream_stats_skip_missing_samples() {
        let streams = Streams {
            time_s: vec![0.0, 1.0, 2.0],
            heart_rate_bpm: vec![100.0, f32::NAN, 140.0],
            ..Streams::default()
        };
        let s = &stream_stats(&streams)["heart_rate_bpm"];
        assert_eq!((s.count, s.min, s.max, s.mean), (2, 100.0, 140.0, 120.0));
        assert!(!stream_stats(&streams).contains_key("power_w"));
    }

    #[test]
    fn local_offset_prefers_the_recorded_one() {
        let at: Timestamp = "2026-07-01T06:00:00Z".parse().unwrap();
        let london = TimeZone::get("Europe/London").unwrap();
        assert_eq!(local_offset(Some(-14_400), at, &london).seconds(), -14_400);
        // London is on BST (+01:00) in July.
        assert_eq!(local_offset(None, at, &london).seconds(), 3600);
        assert_eq!(
            rfc3339(at, Offset::from_seconds(3600).unwrap()),
            "2026-07-01T07:00:00+01:00"
        );
    }
}
