//! Heart-rate and pace training zones, and the time a session spent in each (docs/science.md,
//! "Zones").
//!
//! # Zone tables
//! - Heart rate from the lactate-threshold heart rate (LTHR): Joe Friel's seven run zones
//!   (Friel, "A Quick Guide to Setting Zones", trainingbible.com, 26 Nov 2009): Z1 < 85 %, Z2 85–89 %, Z3 90–94 %, Z4 95–99 %,
//!   Z5a 100–102 %, Z5b 103–106 %, Z5c > 106 % of LTHR. The published bands are whole percent;
//!   here each zone starts at its published lower bound and runs to the next zone's lower bound
//!   ([`FRIEL_HR_LOWER_BOUNDS`]), so every heart rate falls in exactly one zone.
//! - Heart rate from heart-rate reserve, when LTHR is not known but maximum and resting heart
//!   rate are: Karvonen's target `HRrest + p·(HRmax − HRrest)` (Karvonen, Kentala & Mustala
//!   1957, Ann Med Exp Biol Fenn 35:307) with the common five 10-% bands of the reserve
//!   ([`RESERVE_LOWER_BOUNDS`]: Z1 below 60 %, Z2 60–70 %, Z3 70–80 %, Z4 80–90 %, Z5 90 % and
//!   above).
//! - Pace from the threshold pace (the pace one can hold for about an hour): Friel's run pace
//!   zones from the same Quick Guide, as percent of the threshold pace's time per kilometre:
//!   Z1 slower than 129 %, Z2 114–129 %, Z3 106–113 %, Z4 99–105 %, Z5a 97–100 %, Z5b 90–96 %,
//!   Z5c faster than 90 %. Each zone runs from its published slower bound to the next zone's
//!   slower bound ([`FRIEL_PACE_SLOWER_BOUNDS`]; the published Z4 and Z5a overlap at 99–100 %,
//!   which this gives to Z5a). Bounds are stated as speeds in m/s (`low` the slower edge).
//!
//! # Time in zone
//! Only moving time counts. The streams are integrated as the loads are ([`crate::load`]): the
//! segment from sample k−1 to k lasts `Δt = t_k − t_(k−1)`, carries the heart rate of its start
//! and the speed of its end. A segment longer than [`MAX_SAMPLE_GAP_S`] is a pause (the
//! timer was stopped or auto-paused) and a segment whose speed is below [`STOPPED_SPEED_MPS`]
//! is standing still with the timer running (a crossing, a drink): neither counts. The speed is
//! the recorded one, else the distance gained over `Δt`; a recorded speed under the stop
//! threshold while the distance advanced faster is a dropped reading, and the distance wins. Every moving
//! segment goes to one heart-rate zone or to "no heart rate" (no plausible reading), and to one
//! pace zone or to "no pace", so each list with its "no …" time sums to the moving time.

use serde::{Deserialize, Serialize};

use crate::load::{MAX_SAMPLE_GAP_S, PLAUSIBLE_HR_BPM, SessionInput, Thresholds};

/// Lower bounds of Friel's run heart-rate zones 2, 3, 4, 5a, 5b, 5c as fractions of LTHR
/// (zone 1 is everything below 85 %). Friel, "A Quick Guide to Setting Zones" (2009).
pub const FRIEL_HR_LOWER_BOUNDS: [f64; 6] = [0.85, 0.90, 0.95, 1.00, 1.03, 1.06];
/// Friel's run heart-rate zone labels and names, zone 1 to 5c.
pub const FRIEL_HR_ZONES: [(&str, &str); 7] = [
    ("1", "recovery"),
    ("2", "aerobic"),
    ("3", "tempo"),
    ("4", "sub-threshold"),
    ("5a", "super-threshold"),
    ("5b", "aerobic capacity"),
    ("5c", "anaerobic capacity"),
];
/// Lower bounds of heart-rate-reserve zones 2 to 5 as fractions of the reserve
/// (`HRmax − HRrest`, Karvonen 1957); zone 1 is everything below 60 %.
pub const RESERVE_LOWER_BOUNDS: [f64; 4] = [0.60, 0.70, 0.80, 0.90];
/// Heart-rate-reserve zone labels and names, zone 1 to 5.
pub const RESERVE_ZONES: [(&str, &str); 5] = [
    ("1", "recovery"),
    ("2", "endurance"),
    ("3", "tempo"),
    ("4", "threshold"),
    ("5", "maximum"),
];
/// Slower bounds of Friel's run pace zones 2, 3, 4, 5a, 5b, 5c as the ratio of their time per
/// kilometre to the threshold pace's (zone 1 is everything slower than 129 %). Friel, "A Quick
/// Guide to Setting Zones" (2009).
pub const FRIEL_PACE_SLOWER_BOUNDS: [f64; 6] = [1.29, 1.13, 1.05, 1.00, 0.96, 0.90];
/// Friel's run pace zone labels and names, zone 1 to 5c.
pub const FRIEL_PACE_ZONES: [(&str, &str); 7] = FRIEL_HR_ZONES;
/// Below this speed (m/s, 1.8 km/h, slower than any walk) a runner with the timer running is
/// standing still; the segment is not moving time. GPS drift while standing usually stays
/// under it.
pub const STOPPED_SPEED_MPS: f64 = 0.5;

/// One zone: its label (`1` … `5c`), its name in words, and its bounds. Heart-rate zones are
/// in bpm; pace zones are speeds in m/s (`low` the slower edge). `low` is inclusive; `None`
/// means the zone is open on that side (zone 1 has no lower bound, the top zone no upper one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Label: `1`, `2`, … `5c`.
    pub zone: String,
    /// What the zone trains, in words.
    pub name: String,
    /// Lower bound (bpm, or m/s for pace), inclusive; `None` for the first zone.
    pub low: Option<f64>,
    /// Upper bound (bpm, or m/s for pace), exclusive; `None` for the top zone.
    pub high: Option<f64>,
}

/// Which table a set of heart-rate zones came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrZoneMethod {
    /// Friel's seven run zones from LTHR.
    FrielLthr,
    /// Five bands of heart-rate reserve (Karvonen).
    HeartRateReserve,
}

/// A table of zones with where it came from, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneTable {
    /// The zones, slowest/easiest first.
    pub zones: Vec<Zone>,
    /// The table and the threshold it was built from, in words (cites docs/science.md).
    pub source: String,
}

/// The athlete's zones on one day; a table is absent when its threshold is not known.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AthleteZones {
    /// Heart-rate zones (bpm).
    pub hr: Option<ZoneTable>,
    /// Which heart-rate table, when there is one.
    pub hr_method: Option<HrZoneMethod>,
    /// Pace zones (bounds as speeds, m/s).
    pub pace: Option<ZoneTable>,
}

/// Friel's seven run heart-rate zones for an LTHR (bpm).
pub fn hr_zones_from_lthr(lthr: f64) -> Vec<Zone> {
    let bounds: Vec<f64> = FRIEL_HR_LOWER_BOUNDS.iter().map(|f| f * lthr).collect();
    ascending(&FRIEL_HR_ZONES, &bounds)
}

/// Five heart-rate-reserve zones (Karvonen) for a resting and maximum heart rate (bpm).
pub fn hr_zones_from_reserve(hr_rest: f64, hr_max: f64) -> Vec<Zone> {
    let bounds: Vec<f64> = RESERVE_LOWER_BOUNDS
        .iter()
        .map(|f| hr_rest + f * (hr_max - hr_rest))
        .collect();
    ascending(&RESERVE_ZONES, &bounds)
}

/// Friel's seven run pace zones for a threshold speed (m/s), bounds as speeds.
pub fn pace_zones(threshold_speed_mps: f64) -> Vec<Zone> {
    // A pace ratio r (time per km against threshold's) is the speed threshold / r.
    let bounds: Vec<f64> = FRIEL_PACE_SLOWER_BOUNDS
        .iter()
        .map(|r| threshold_speed_mps / r)
        .collect();
    ascending(&FRIEL_PACE_ZONES, &bounds)
}

/// Zones from labels and the n−1 ascending boundaries between them.
fn ascending(labels: &[(&str, &str)], bounds: &[f64]) -> Vec<Zone> {
    labels
        .iter()
        .enumerate()
        .map(|(i, (zone, name))| Zone {
            zone: (*zone).to_string(),
            name: (*name).to_string(),
            low: i.checked_sub(1).and_then(|j| bounds.get(j).copied()),
            high: bounds.get(i).copied(),
        })
        .collect()
}

/// The index of the zone a value falls in (`low` inclusive, `high` exclusive).
fn zone_index(zones: &[Zone], value: f64) -> Option<usize> {
    if !value.is_finite() || zones.is_empty() {
        return None;
    }
    Some(
        zones
            .iter()
            .rposition(|z| z.low.is_none_or(|low| value >= low))
            .unwrap_or(0),
    )
}

/// The athlete's zones from the thresholds of a day. `given` are the values the athlete set
/// (the rest were estimated from their history); the source says which.
pub fn athlete_zones(th: &Thresholds, given: &Thresholds) -> AthleteZones {
    let how = |is_given: bool| if is_given { "given" } else { "estimated" };
    let valid_hr = |v: Option<f64>| v.filter(|h| h.is_finite() && *h > 0.0);
    let (hr, hr_method) = if let Some(lthr) = valid_hr(th.lthr) {
        (
            Some(ZoneTable {
                zones: hr_zones_from_lthr(lthr),
                source: format!(
                    "Friel's seven run zones from your threshold heart rate {lthr:.0} bpm \
                     ({}), docs/science.md \"Zones\"",
                    how(given.lthr.is_some())
                ),
            }),
            Some(HrZoneMethod::FrielLthr),
        )
    } else if let (Some(rest), Some(max)) = (valid_hr(th.hr_rest), valid_hr(th.hr_max))
        && max > rest
    {
        (
            Some(ZoneTable {
                zones: hr_zones_from_reserve(rest, max),
                source: format!(
                    "bands of your heart-rate reserve (Karvonen) between resting {rest:.0} bpm \
                     ({}) and maximum {max:.0} bpm ({}); set your threshold heart rate for \
                     Friel's zones, docs/science.md \"Zones\"",
                    how(given.hr_rest.is_some()),
                    how(given.hr_max.is_some())
                ),
            }),
            Some(HrZoneMethod::HeartRateReserve),
        )
    } else {
        (None, None)
    };
    let pace = th
        .threshold_speed_mps
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(|speed| ZoneTable {
            zones: pace_zones(speed),
            source: format!(
                "Friel's seven run pace zones from your threshold pace {} per km ({}), \
                 docs/science.md \"Zones\"",
                min_sec(1000.0 / speed),
                how(given.threshold_speed_mps.is_some())
            ),
        });
    AthleteZones {
        hr,
        hr_method,
        pace,
    }
}

/// Seconds as `m:ss`.
fn min_sec(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A zone with the moving seconds a session spent in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneTime {
    /// Label: `1`, `2`, … `5c`.
    pub zone: String,
    /// What the zone trains, in words.
    pub name: String,
    /// Lower bound (bpm, or m/s for pace), inclusive; `null` for the first zone.
    pub low: Option<f64>,
    /// Upper bound (bpm, or m/s for pace), exclusive; `null` for the top zone.
    pub high: Option<f64>,
    /// Moving seconds in the zone.
    pub seconds: f64,
}

/// Time in each zone for one session. `hr` with `no_heart_rate_s`, and `pace` with
/// `no_pace_s`, each sum to `moving_s`. A list is empty when its zones are not known.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionZones {
    /// Moving time, s: the stream segments that were neither a pause nor standing still.
    pub moving_s: f64,
    /// Heart-rate zones with their seconds.
    pub hr: Vec<ZoneTime>,
    /// Where the heart-rate zones came from, in words.
    pub hr_source: Option<String>,
    /// Moving seconds without a plausible heart rate (strap dropped out, none recorded).
    pub no_heart_rate_s: f64,
    /// Pace zones (bounds as speeds, m/s) with their seconds.
    pub pace: Vec<ZoneTime>,
    /// Where the pace zones came from, in words.
    pub pace_source: Option<String>,
    /// Moving seconds without a speed (no GPS, no distance).
    pub no_pace_s: f64,
}

/// The speed of the segment ending at sample `k`: the recorded speed, else distance over time.
/// A recorded speed below [`STOPPED_SPEED_MPS`] while the distance advanced faster is a dropped
/// reading (devices that compress speed write 0 between updates), and the distance wins.
fn segment_speed(input: &SessionInput<'_>, k: usize, dt: f64) -> Option<f64> {
    let n = input.time_s.len();
    let recorded = (input.speed_mps.len() == n)
        .then(|| f64::from(input.speed_mps[k]))
        .filter(|v| v.is_finite() && *v >= 0.0);
    let from_distance = (input.distance_m.len() == n && k > 0 && dt > 0.0)
        .then(|| (input.distance_m[k] - input.distance_m[k - 1]) / dt)
        .filter(|v| v.is_finite() && *v >= 0.0);
    match (recorded, from_distance) {
        (Some(v), Some(d)) if v < STOPPED_SPEED_MPS => Some(v.max(d)),
        (Some(v), _) => Some(v),
        (None, d) => d,
    }
}

/// Time in each zone of `zones` over the session's moving time (see the module docs).
pub fn time_in_zones(input: &SessionInput<'_>, zones: &AthleteZones) -> SessionZones {
    let n = input.time_s.len();
    let hr = if input.heart_rate_bpm.len() == n {
        input.heart_rate_bpm
    } else {
        &[]
    };
    let hr_zones = zones.hr.as_ref().map_or(&[][..], |t| &t.zones[..]);
    let pace_zones = zones.pace.as_ref().map_or(&[][..], |t| &t.zones[..]);
    let mut hr_seconds = vec![0.0; hr_zones.len()];
    let mut pace_seconds = vec![0.0; pace_zones.len()];
    let (mut moving_s, mut no_hr, mut no_pace) = (0.0, 0.0, 0.0);
    for k in 1..n {
        let dt = input.time_s[k] - input.time_s[k - 1];
        if !(dt > 0.0 && dt <= MAX_SAMPLE_GAP_S) {
            continue;
        }
        let speed = segment_speed(input, k, dt);
        if speed.is_some_and(|v| v < STOPPED_SPEED_MPS) {
            continue;
        }
        moving_s += dt;
        let bpm = hr
            .get(k - 1)
            .map(|b| f64::from(*b))
            .filter(|b| *b >= PLAUSIBLE_HR_BPM.0 && *b <= PLAUSIBLE_HR_BPM.1);
        match bpm.and_then(|b| zone_index(hr_zones, b)) {
            Some(i) => hr_seconds[i] += dt,
            None => no_hr += dt,
        }
        match speed.and_then(|v| zone_index(pace_zones, v)) {
            Some(i) => pace_seconds[i] += dt,
            None => no_pace += dt,
        }
    }
    let with_time = |zones: &[Zone], seconds: Vec<f64>| -> Vec<ZoneTime> {
        zones
            .iter()
            .zip(seconds)
            .map(|(z, seconds)| ZoneTime {
                zone: z.zone.clone(),
                name: z.name.clone(),
                low: z.low,
                high: z.high,
                seconds,
            })
            .collect()
    };
    SessionZones {
        moving_s,
        hr: with_time(hr_zones, hr_seconds),
        hr_source: zones.hr.as_ref().map(|t| t.source.clone()),
        no_heart_rate_s: no_hr,
        pace: with_time(pace_zones, pace_seconds),
        pace_source: zones.pace.as_ref().map(|t| t.source.clone()),
        no_pace_s: no_pace,
    }
}

#[cfg(test)]
mod tests;
