//! One session's 1 Hz streams, laps and summary, generated from a plan and the day's condition.
//!
//! Runs and rides move along a [`Route`]: the athlete aims for a flat-ground speed set by the
//! session plan (a fraction of today's threshold speed), slows on uphills and speeds up on
//! downhills by Minetti's cost of running, and the device records speed with GPS-like noise.
//! Distance is the integral of the recorded speed. Heart rate follows a first-order lag (time
//! constant [`HR_TIME_CONSTANT_S`]) towards a steady state set by the grade-adjusted intensity,
//! cardiac drift, fatigue and heat ([`HeartModel`]). Altitude carries slowly wandering GPS-like
//! error on top of the terrain, so smoothing matters downstream.
//!
//! Values are quantised the way a FIT file stores them (whole bpm, whole steps per minute,
//! 0.2 m altitude, mm/s speed, cm distance, whole °C), so summaries computed here equal the
//! summaries recomputed from a decoded file.
//!
//! The session's load (for the hidden truth) is the rTSS of docs/science.md computed with the true
//! threshold speed: grade-adjusted intensity, 30 s rolling mean, 4th-power mean, 4th root =
//! IF, load = moving hours × IF² × 100.

use fettle_formats::{Activity, Lap, Sport, Streams};
use std::sync::OnceLock;

use jiff::{SignedDuration, Timestamp};

use crate::physiology::{HeartModel, MINETTI_FLAT_COST, STANDING_HRR_FRACTION, running_cost};
use crate::rng::Rng;
use crate::route::Route;

/// The device name written on every simulated activity.
pub const DEVICE_NAME: &str = "Fettle simulator";

/// Heart rate's time constant towards its steady state, seconds (the brief: ~30 s).
pub(crate) const HR_TIME_CONSTANT_S: f64 = 30.0;
/// Time constant of the runner's speed towards the target speed, seconds.
const SPEED_TIME_CONSTANT_S: f64 = 4.0;
/// How strongly the runner's speed follows the grade cost: speed = flat speed ·
/// (C(0)/C(i))^exponent. 1 would be constant metabolic power; runners push harder uphill.
const GRADE_PACE_EXPONENT: f64 = 0.7;
/// Grade range and step of the grade-pace lookup table (Minetti's polynomial holds to ±0.45).
const GRADE_TABLE_LIMIT: f64 = 0.45;
/// See [`GRADE_TABLE_LIMIT`].
const GRADE_TABLE_STEP: f64 = 0.0005;
/// Entries in the grade-pace table.
const GRADE_TABLE_LEN: usize = 1801;

/// The factor by which grade `grade` changes a runner's speed:
/// `(C(0)/C(i))^GRADE_PACE_EXPONENT`, at most [`MAX_DOWNHILL_GAIN`]. Read from a table built once
/// (a `powf` per sample was a sixth of the generation time), linearly interpolated (error
/// < 1e-6).
fn grade_pace_factor(grade: f64) -> f64 {
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..GRADE_TABLE_LEN)
            .map(|j| {
                let grade = -GRADE_TABLE_LIMIT + j as f64 * GRADE_TABLE_STEP;
                (MINETTI_FLAT_COST / running_cost(grade))
                    .powf(GRADE_PACE_EXPONENT)
                    .min(MAX_DOWNHILL_GAIN)
            })
            .collect()
    });
    let x =
        (grade.clamp(-GRADE_TABLE_LIMIT, GRADE_TABLE_LIMIT) + GRADE_TABLE_LIMIT) / GRADE_TABLE_STEP;
    let j = (x as usize).min(GRADE_TABLE_LEN - 2);
    let f = x - j as f64;
    table[j] + f * (table[j + 1] - table[j])
}
/// The most a downhill speeds a runner up (braking on steep descents).
const MAX_DOWNHILL_GAIN: f64 = 1.12;
/// Window of the rolling mean in the rTSS normalisation (docs/science.md: 30 s).
const ROLLING_WINDOW_S: usize = 30;

/// Steps per minute at zero speed and per m/s: 2.8 m/s → 169 spm, 4.5 m/s → 182 spm,
/// 5.5 m/s → 189 spm (recreational runners, roughly 160–185 spm over training paces).
const STEP_RATE_INTERCEPT_SPM: f64 = 148.0;
/// See [`STEP_RATE_INTERCEPT_SPM`].
const STEP_RATE_PER_MPS: f64 = 7.5;
/// Bounds on the step rate.
const STEP_RATE_RANGE_SPM: (f64, f64) = (150.0, 196.0);
/// Typical cycling cadence, rpm.
const RIDE_CADENCE_RPM: f64 = 86.0;
/// Flat-ground cycling speed at threshold intensity, m/s (≈ 32 km/h).
const RIDE_THRESHOLD_SPEED_MPS: f64 = 8.9;
/// How much a grade slows a rider: speed = flat speed / (1 + k·grade), clamped.
const RIDE_GRADE_SLOWDOWN: f64 = 12.0;
/// The wrist-worn device reads warmer than the air once the run is under way, °C.
const WRIST_WARMTH_C: f64 = 5.0;

/// What ends a segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SegmentEnd {
    /// After this many metres.
    Distance(f64),
    /// After this many moving seconds.
    Duration(f64),
}

/// A part of a session at one intensity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Segment {
    /// Flat-ground speed as a fraction of threshold speed (runs) or intensity factor (rides).
    pub(crate) intensity: f64,
    pub(crate) end: SegmentEnd,
    /// Whether the segment starts a new lap (intervals: each rep and each recovery is a lap).
    pub(crate) new_lap: bool,
}

/// Moving sports the generator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Run,
    Ride,
}

/// Everything that shapes one moving session.
#[derive(Debug, Clone)]
pub(crate) struct SessionSpec {
    pub(crate) mode: Mode,
    pub(crate) name: String,
    pub(crate) segments: Vec<Segment>,
    /// Laps every this many metres inside segments (in addition to segment laps).
    pub(crate) auto_lap_m: f64,
    pub(crate) loop_m: f64,
    pub(crate) max_grade: f64,
    /// Expected auto-pauses (traffic lights) per kilometre.
    pub(crate) stops_per_km: f64,
    /// Slow pace wander, as a fraction of the target speed (stationary SD).
    pub(crate) pace_wander: f64,
}

/// The day's conditions for a session.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Conditions {
    pub(crate) heart: HeartModel,
    pub(crate) threshold_mps: f64,
    pub(crate) fatigue_excess: f64,
    pub(crate) ambient_c: f64,
    pub(crate) start: Timestamp,
    pub(crate) utc_offset_s: i32,
    pub(crate) home_lat: f64,
    pub(crate) home_lon: f64,
    pub(crate) home_altitude_m: f64,
    /// The athlete's personal offset from the typical step rate, spm.
    pub(crate) step_rate_offset_spm: f64,
}

/// A generated session: the activity and its true load.
#[derive(Debug, Clone)]
pub(crate) struct Generated {
    pub(crate) activity: Activity,
    pub(crate) load: f64,
}

/// A first-order autoregressive noise source with a given stationary standard deviation.
#[derive(Debug, Clone, Copy)]
struct Ar1 {
    value: f64,
    phi: f64,
    innovation_sd: f64,
}

impl Ar1 {
    fn new(phi: f64, stationary_sd: f64) -> Ar1 {
        Ar1 {
            value: 0.0,
            phi,
            innovation_sd: stationary_sd * (1.0 - phi * phi).sqrt(),
        }
    }

    fn step(&mut self, rng: &mut Rng) -> f64 {
        self.value = self.phi * self.value + self.innovation_sd * rng.noise();
        self.value
    }
}

/// 1.5 · 2⁵²: adding and subtracting it rounds an f64 of magnitude below 2⁵¹ to the nearest
/// integer (ties to even) in two additions, where `f64::round` is a library call on baseline
/// x86-64. The hot loop rounds seven values per sample.
const ROUNDING_MAGIC: f64 = 6_755_399_441_055_744.0;

/// Rounds to the nearest integer (ties to even) for |x| < 2⁵¹; larger values are returned as is
/// (they are integers already).
fn round_fast(x: f64) -> f64 {
    if x.abs() < 2_251_799_813_685_248.0 {
        (x + ROUNDING_MAGIC) - ROUNDING_MAGIC
    } else {
        x
    }
}

/// Rounds to a multiple of `quantum`.
fn quantise(x: f64, quantum: f64) -> f64 {
    round_fast(x / quantum) * quantum
}

/// rTSS-style accumulator: 30 s rolling mean of intensity, 4th-power mean.
struct NormalisedIntensity {
    window: [f64; ROLLING_WINDOW_S],
    filled: usize,
    next: usize,
    sum: f64,
    fourth_power_sum: f64,
    count: usize,
}

impl NormalisedIntensity {
    fn new() -> NormalisedIntensity {
        NormalisedIntensity {
            window: [0.0; ROLLING_WINDOW_S],
            filled: 0,
            next: 0,
            sum: 0.0,
            fourth_power_sum: 0.0,
            count: 0,
        }
    }

    fn push(&mut self, intensity: f64) {
        if self.filled == ROLLING_WINDOW_S {
            self.sum -= self.window[self.next];
        } else {
            self.filled += 1;
        }
        self.window[self.next] = intensity;
        self.sum += intensity;
        self.next += 1;
        if self.next == ROLLING_WINDOW_S {
            self.next = 0;
        }
        let mean = self.sum / self.filled as f64;
        self.fourth_power_sum += mean.powi(4);
        self.count += 1;
    }

    /// Load points: moving hours × IF² × 100.
    fn load(&self, moving_s: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let intensity_factor = (self.fourth_power_sum / self.count as f64).powf(0.25);
        moving_s / 3600.0 * intensity_factor * intensity_factor * 100.0
    }
}

/// Per-lap terrain ascent and descent, with the index of the lap's first sample.
#[derive(Debug, Clone, Copy)]
struct LapMark {
    first_sample: usize,
    ascent_m: f64,
    descent_m: f64,
}

/// Generates a run or a ride.
pub(crate) fn generate_moving(spec: &SessionSpec, cond: &Conditions, rng: &mut Rng) -> Generated {
    let planned_s: f64 = spec
        .segments
        .iter()
        .map(|seg| match seg.end {
            SegmentEnd::Duration(s) => s,
            SegmentEnd::Distance(m) => m / (seg.intensity * cond.threshold_mps).max(0.5),
        })
        .sum();
    let capacity = (planned_s * 1.2) as usize + 16;
    let mut st = Streams {
        time_s: Vec::with_capacity(capacity),
        lat_deg: Vec::with_capacity(capacity),
        lon_deg: Vec::with_capacity(capacity),
        distance_m: Vec::with_capacity(capacity),
        speed_mps: Vec::with_capacity(capacity),
        altitude_m: Vec::with_capacity(capacity),
        heart_rate_bpm: Vec::with_capacity(capacity),
        cadence_rpm: Vec::with_capacity(capacity),
        power_w: Vec::new(),
        temperature_c: Vec::with_capacity(capacity),
    };
    let mut route = Route::new(
        rng,
        cond.home_lat,
        cond.home_lon,
        cond.home_altitude_m,
        spec.loop_m,
        spec.max_grade,
    );
    let heart = cond.heart;
    let hr_response = 1.0 - (-1.0 / HR_TIME_CONSTANT_S).exp();
    let speed_response = 1.0 - (-1.0 / SPEED_TIME_CONSTANT_S).exp();
    let metres_per_degree_lon = 111_320.0 * cond.home_lat.to_radians().cos().max(0.01);

    // Noise sources (stationary SDs are the simulator's choices: typical wrist-GPS figures).
    let mut wander = Ar1::new(0.995, spec.pace_wander);
    let mut speed_noise = Ar1::new(0.7, 0.06);
    let mut altitude_error = Ar1::new(0.98, 2.0);
    let mut gps_east = Ar1::new(0.95, 2.5);
    let mut gps_north = Ar1::new(0.95, 2.5);
    let mut hr_noise = Ar1::new(0.8, 1.2);

    // An optical sensor sometimes loses the pulse for a while.
    let dropout = if rng.chance(0.12) {
        let start = if rng.chance(0.4) {
            0.0
        } else {
            rng.range(60.0, planned_s.max(61.0))
        };
        Some((start, start + rng.range(5.0, 40.0)))
    } else {
        None
    };

    let mut t = 0.0_f64;
    let mut moving_s = 0.0_f64;
    let mut distance = 0.0_f64;
    let first_target = spec.segments.first().map_or(1.0, |s| s.intensity) * cond.threshold_mps;
    let mut speed = match spec.mode {
        Mode::Run => 0.5 * first_target,
        Mode::Ride => 0.3 * RIDE_THRESHOLD_SPEED_MPS,
    };
    let (hr_floor, hr_ceiling) = (heart.hr_rest.ceil(), heart.hr_max.floor());
    let mut hr = heart.hr_rest + STANDING_HRR_FRACTION * (heart.hr_max - heart.hr_rest);
    let mut terrain = route.terrain();
    let (mut previous_altitude, _) = terrain.at(&route, 0.0);
    // Wrist warmth approaches its plateau exponentially: 1 − e^(−t/600 s), updated by a factor.
    let warmth_decay = (-1.0 / 600.0_f64).exp();
    let mut warmth_remaining = 1.0;
    let mut load = NormalisedIntensity::new();
    let mut laps: Vec<LapMark> = Vec::with_capacity(32);
    let mut lap_start_m = 0.0;
    let stop_probability_per_m = spec.stops_per_km / 1000.0;

    for seg in &spec.segments {
        let seg_start_m = distance;
        let seg_start_s = moving_s;
        if seg.new_lap || laps.is_empty() {
            laps.push(LapMark {
                first_sample: st.time_s.len(),
                ascent_m: 0.0,
                descent_m: 0.0,
            });
            lap_start_m = distance;
        }
        loop {
            let done = match seg.end {
                SegmentEnd::Distance(m) => distance - seg_start_m >= m,
                SegmentEnd::Duration(s) => moving_s - seg_start_s >= s,
            };
            if done {
                break;
            }
            if distance - lap_start_m >= spec.auto_lap_m {
                laps.push(LapMark {
                    first_sample: st.time_s.len(),
                    ascent_m: 0.0,
                    descent_m: 0.0,
                });
                lap_start_m = distance;
            }

            let (terrain_altitude, grade) = terrain.at(&route, distance);
            let flat_target = match spec.mode {
                Mode::Run => seg.intensity * cond.threshold_mps,
                Mode::Ride => seg.intensity * RIDE_THRESHOLD_SPEED_MPS,
            } * (1.0 + wander.step(rng));
            let (target, intensity) = match spec.mode {
                Mode::Run => {
                    let cost = running_cost(grade);
                    let target = flat_target * grade_pace_factor(grade);
                    (
                        target,
                        speed * cost / MINETTI_FLAT_COST / cond.threshold_mps,
                    )
                }
                Mode::Ride => {
                    let slow = (1.0 + RIDE_GRADE_SLOWDOWN * grade).clamp(0.35, 2.5);
                    let target = flat_target / slow;
                    let effort = seg.intensity * (1.0 + 6.0 * grade).clamp(0.4, 1.4);
                    (target, effort)
                }
            };
            speed += (target - speed) * speed_response;
            let recorded_speed = quantise((speed + speed_noise.step(rng)).max(0.0), 0.001);
            if !st.time_s.is_empty() {
                distance += recorded_speed;
            }
            load.push(intensity);

            let steady = heart.steady_state_bpm(
                intensity,
                moving_s / 3600.0,
                cond.fatigue_excess,
                cond.ambient_c,
            );
            hr += (steady - hr) * hr_response;
            let in_dropout = dropout.is_some_and(|(a, b)| moving_s >= a && moving_s < b);
            let recorded_hr = if in_dropout {
                f32::NAN
            } else {
                // Whole bpm, kept inside [HRrest, HRmax] after rounding.
                round_fast(hr + hr_noise.step(rng)).clamp(hr_floor, hr_ceiling) as f32
            };

            let cadence = match spec.mode {
                Mode::Run => {
                    let spm = (STEP_RATE_INTERCEPT_SPM
                        + STEP_RATE_PER_MPS * speed
                        + cond.step_rate_offset_spm
                        + 1.5 * rng.noise())
                    .clamp(STEP_RATE_RANGE_SPM.0, STEP_RATE_RANGE_SPM.1);
                    let spm = round_fast(spm);
                    spm / 2.0
                }
                Mode::Ride => round_fast(
                    RIDE_CADENCE_RPM + cond.step_rate_offset_spm / 2.0 + 3.0 * rng.noise(),
                ),
            };

            let (lat, lon) = route.position(distance);
            let lat = lat + gps_north.step(rng) / 111_320.0;
            let lon = lon + gps_east.step(rng) / metres_per_degree_lon;
            let altitude = quantise(
                terrain_altitude + altitude_error.step(rng) + 0.4 * rng.noise(),
                0.2,
            );
            let temperature =
                round_fast(cond.ambient_c + WRIST_WARMTH_C * (1.0 - warmth_remaining));
            warmth_remaining *= warmth_decay;

            if let Some(lap) = laps.last_mut() {
                let rise = terrain_altitude - previous_altitude;
                if rise > 0.0 {
                    lap.ascent_m += rise;
                } else {
                    lap.descent_m -= rise;
                }
            }
            previous_altitude = terrain_altitude;

            st.time_s.push(t);
            st.lat_deg.push(lat);
            st.lon_deg.push(lon);
            st.distance_m.push(quantise(distance, 0.01));
            st.speed_mps.push(recorded_speed as f32);
            st.altitude_m.push(altitude as f32);
            st.heart_rate_bpm.push(recorded_hr);
            st.cadence_rpm.push(cadence as f32);
            st.temperature_c.push(temperature as f32);

            t += 1.0;
            moving_s += 1.0;
            if rng.chance(stop_probability_per_m * speed) {
                // Auto-pause at a crossing: no samples while stopped; HR settles towards
                // standing, and the runner starts again from a walk.
                let pause = rng.range(8.0, 45.0).round();
                t += pause;
                let standing = heart.steady_state_bpm(0.0, 0.0, 0.0, cond.ambient_c);
                hr = standing + (hr - standing) * (-pause / HR_TIME_CONSTANT_S).exp();
                speed *= 0.3;
            }
        }
    }

    let mut activity = Activity::new(
        cond.start,
        match spec.mode {
            Mode::Run => Sport::Running,
            Mode::Ride => Sport::Cycling,
        },
    );
    activity.sub_sport = Some("road".to_owned());
    activity.laps = build_laps(&st, &laps, cond.start);
    activity.streams = st;
    fill_summary(&mut activity, cond.utc_offset_s, &spec.name);
    let load = load.load(activity.timer_s);
    Generated { activity, load }
}

/// Generates a pool swim: distance and speed only (no position, no wrist HR in water), laps every
/// 500 m. `intensity` is the session's intensity factor for the load.
pub(crate) fn generate_swim(
    name: &str,
    distance_m: f64,
    intensity: f64,
    cond: &Conditions,
    rng: &mut Rng,
) -> Generated {
    const SWIM_SPEED_MPS: f64 = 0.85;
    const SWIM_LAP_M: f64 = 500.0;
    let capacity = (distance_m / SWIM_SPEED_MPS * 1.2) as usize + 16;
    let mut st = Streams {
        time_s: Vec::with_capacity(capacity),
        distance_m: Vec::with_capacity(capacity),
        speed_mps: Vec::with_capacity(capacity),
        ..Streams::default()
    };
    let pace = SWIM_SPEED_MPS * rng.range(0.9, 1.1);
    let mut speed_noise = Ar1::new(0.9, 0.05);
    let mut laps = Vec::with_capacity(8);
    let mut distance = 0.0;
    let mut t = 0.0;
    while distance < distance_m {
        if st.time_s.is_empty() || distance - laps_start(&st, &laps) >= SWIM_LAP_M {
            laps.push(LapMark {
                first_sample: st.time_s.len(),
                ascent_m: 0.0,
                descent_m: 0.0,
            });
        }
        let speed = quantise((pace + speed_noise.step(rng)).max(0.1), 0.001);
        if !st.time_s.is_empty() {
            distance += speed;
        }
        st.time_s.push(t);
        st.distance_m.push(quantise(distance, 0.01));
        st.speed_mps.push(speed as f32);
        t += 1.0;
    }
    let mut activity = Activity::new(cond.start, Sport::Swimming);
    activity.sub_sport = Some("lap_swimming".to_owned());
    activity.laps = build_laps(&st, &laps, cond.start);
    for lap in &mut activity.laps {
        lap.ascent_m = None;
        lap.descent_m = None;
    }
    activity.streams = st;
    fill_summary(&mut activity, cond.utc_offset_s, name);
    activity.ascent_m = None;
    activity.descent_m = None;
    let load = activity.timer_s / 3600.0 * intensity * intensity * 100.0;
    Generated { activity, load }
}

/// Distance at the start of the current (last) lap.
fn laps_start(st: &Streams, laps: &[LapMark]) -> f64 {
    laps.last()
        .and_then(|lap| st.distance_m.get(lap.first_sample))
        .copied()
        .unwrap_or(0.0)
}

/// Moving time over samples `first..=last`: the sum of the gaps between consecutive samples,
/// each capped at one second (a longer gap is an auto-pause).
pub(crate) fn moving_seconds(time_s: &[f64], first: usize, last: usize) -> f64 {
    (first + 1..=last)
        .map(|k| (time_s[k] - time_s[k - 1]).min(1.0))
        .sum()
}

/// Mean and maximum of the finite values of a channel (NaN samples are missing).
fn mean_max(values: &[f32]) -> (Option<f64>, Option<f64>) {
    let (mut sum, mut count, mut max) = (0.0_f64, 0_usize, f64::NEG_INFINITY);
    for &v in values {
        if v.is_finite() {
            sum += f64::from(v);
            count += 1;
            max = max.max(f64::from(v));
        }
    }
    if count == 0 {
        (None, None)
    } else {
        (Some(sum / count as f64), Some(max))
    }
}

/// Laps from the lap marks: lap k spans from its first sample to the first sample of lap k+1
/// (the last lap to the last sample), so lap times and distances add up to the activity's.
fn build_laps(st: &Streams, marks: &[LapMark], start: Timestamp) -> Vec<Lap> {
    let n = st.time_s.len();
    let mut laps = Vec::with_capacity(marks.len());
    for (k, mark) in marks.iter().enumerate() {
        let first = mark.first_sample;
        if first >= n {
            continue;
        }
        let (end, stats_end) = match marks.get(k + 1) {
            Some(next) if next.first_sample < n => (next.first_sample, next.first_sample),
            _ => (n - 1, n),
        };
        let elapsed_s = st.time_s[end] - st.time_s[first];
        let timer_s = moving_seconds(&st.time_s, first, end);
        let distance_m = st.distance_m[end] - st.distance_m[first];
        let slice = first..stats_end;
        let (avg_hr, max_hr) = if st.heart_rate_bpm.is_empty() {
            (None, None)
        } else {
            mean_max(&st.heart_rate_bpm[slice.clone()])
        };
        let (avg_cadence, _) = if st.cadence_rpm.is_empty() {
            (None, None)
        } else {
            mean_max(&st.cadence_rpm[slice])
        };
        let lap_start = start
            .checked_add(SignedDuration::from_secs(st.time_s[first] as i64))
            .unwrap_or(start);
        laps.push(Lap {
            start: lap_start,
            elapsed_s,
            timer_s,
            distance_m: Some(distance_m),
            avg_hr,
            max_hr,
            avg_speed_mps: (timer_s > 0.0).then(|| distance_m / timer_s),
            avg_cadence,
            avg_power_w: None,
            ascent_m: Some(quantise(mark.ascent_m, 0.01)),
            descent_m: Some(quantise(mark.descent_m, 0.01)),
        });
    }
    laps
}

/// Fills the activity's summary from its streams and laps.
fn fill_summary(activity: &mut Activity, utc_offset_s: i32, name: &str) {
    let st = &activity.streams;
    let n = st.len();
    activity.utc_offset_s = Some(utc_offset_s);
    activity.name = Some(name.to_owned());
    activity.device = Some(DEVICE_NAME.to_owned());
    if n == 0 {
        return;
    }
    activity.elapsed_s = st.time_s[n - 1] - st.time_s[0];
    activity.timer_s = moving_seconds(&st.time_s, 0, n - 1);
    activity.distance_m = Some(st.distance_m[n - 1] - st.distance_m[0]);
    let (avg_hr, max_hr) = mean_max(&st.heart_rate_bpm);
    activity.avg_hr = avg_hr;
    activity.max_hr = max_hr;
    activity.avg_cadence = mean_max(&st.cadence_rpm).0;
    activity.ascent_m = Some(activity.laps.iter().filter_map(|l| l.ascent_m).sum());
    activity.descent_m = Some(activity.laps.iter().filter_map(|l| l.descent_m).sum());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh, cool day for the default athlete (HR 48–188, LTHR 170) at 3.85 m/s threshold.
    fn conditions(fatigue_excess: f64) -> Conditions {
        Conditions {
            heart: HeartModel::new(48.0, 188.0, 170.0),
            threshold_mps: 3.85,
            fatigue_excess,
            ambient_c: 10.0,
            start: Timestamp::from_second(1_780_000_000).unwrap(),
            utc_offset_s: 3600,
            home_lat: 51.44,
            home_lon: -0.27,
            home_altitude_m: 40.0,
            step_rate_offset_spm: 0.0,
        }
    }

    /// A flat run of `segments`, without pauses or pace wander.
    fn flat_run(segments: Vec<Segment>) -> SessionSpec {
        SessionSpec {
            mode: Mode::Run,
            name: "test".to_owned(),
            segments,
            auto_lap_m: 1000.0,
            loop_m: 10_000.0,
            max_grade: 0.0,
            stops_per_km: 0.0,
            pace_wander: 0.0,
        }
    }

    fn steady(intensity: f64, seconds: f64) -> Segment {
        Segment {
            intensity,
            end: SegmentEnd::Duration(seconds),
            new_lap: false,
        }
    }

    #[test]
    fn one_hour_at_threshold_on_the_flat_is_about_100_load_points() {
        // rTSS definition: 1 h × IF² × 100 with IF = 1 → 100. The runner starts at half speed
        // and reaches the target with a 4 s time constant, losing about 2 s at threshold: the
        // 30 s rolling 4th-power mean barely notices (≥ 99).
        let spec = flat_run(vec![steady(1.0, 3600.0)]);
        let g = generate_moving(&spec, &conditions(0.0), &mut Rng::new(1, 1));
        assert!((99.0..=100.5).contains(&g.load), "{}", g.load);
        // ≈ 3.85 m/s × 3600 s = 13.86 km.
        let km = g.activity.distance_m.unwrap() / 1000.0;
        assert!((km - 13.86).abs() < 0.1, "{km}");
        assert_eq!(g.activity.laps.len(), 14);
    }

    #[test]
    fn hr_in_the_last_20_minutes_of_a_30_minute_threshold_run_is_about_lthr() {
        // Friel's LTHR test (docs/science.md): the simulated athlete's LTHR is 170; cardiac drift
        // adds 0.04 · 140 bpm per hour, i.e. 5.6 · (10..30 min)/60 ≈ 0.9–2.8 bpm, ≈ 1.9 on average.
        let spec = flat_run(vec![steady(1.0, 1800.0)]);
        let g = generate_moving(&spec, &conditions(0.0), &mut Rng::new(2, 1));
        let hr = &g.activity.streams.heart_rate_bpm;
        let last: Vec<f64> = hr[600..]
            .iter()
            .filter(|v| v.is_finite())
            .map(|&v| f64::from(v))
            .collect();
        let mean = last.iter().sum::<f64>() / last.len() as f64;
        assert!((170.5..=173.5).contains(&mean), "{mean}");
    }

    #[test]
    fn fatigue_raises_hr_at_the_same_pace() {
        // 20 points of fatigue above fitness add 0.0015 · 20 · 140 = 4.2 bpm at steady state.
        let spec = flat_run(vec![steady(0.75, 1800.0)]);
        let fresh = generate_moving(&spec, &conditions(0.0), &mut Rng::new(3, 1));
        let tired = generate_moving(&spec, &conditions(20.0), &mut Rng::new(3, 1));
        assert_eq!(
            fresh.activity.streams.speed_mps,
            tired.activity.streams.speed_mps
        );
        let diff = tired.activity.avg_hr.unwrap() - fresh.activity.avg_hr.unwrap();
        assert!((3.5..=4.5).contains(&diff), "{diff}");
    }

    #[test]
    fn interval_sessions_have_a_lap_per_rep_and_recovery() {
        let rep = |intensity, end| Segment {
            intensity,
            end,
            new_lap: true,
        };
        let mut segments = vec![steady(0.7, 600.0)];
        for k in 0..5 {
            if k > 0 {
                segments.push(rep(0.6, SegmentEnd::Duration(120.0)));
            }
            segments.push(rep(1.07, SegmentEnd::Distance(1000.0)));
        }
        let g = generate_moving(&flat_run(segments), &conditions(0.0), &mut Rng::new(4, 1));
        let laps = &g.activity.laps;
        // Warm-up (10 min ≈ 1.6 km: laps at 0 and 1 km) + 5 reps + 4 recoveries.
        assert_eq!(laps.len(), 2 + 5 + 4);
        for rep_lap in laps[2..].iter().step_by(2) {
            let d = rep_lap.distance_m.unwrap();
            assert!((1000.0..1006.0).contains(&d), "{d}");
            // Each rep is faster than threshold and HR rises towards the top of the range.
            assert!(rep_lap.avg_speed_mps.unwrap() > 3.85);
        }
    }

    #[test]
    fn hills_slow_the_runner_and_add_load() {
        let mut spec = flat_run(vec![steady(0.8, 2400.0)]);
        let flat = generate_moving(&spec, &conditions(0.0), &mut Rng::new(5, 1));
        spec.max_grade = 0.08;
        let hilly = generate_moving(&spec, &conditions(0.0), &mut Rng::new(5, 1));
        assert!(hilly.activity.distance_m < flat.activity.distance_m);
        assert!(hilly.activity.ascent_m.unwrap() > 20.0);
        assert!(flat.activity.ascent_m.unwrap() < 1e-6);
        // Uphills cost more than downhills save (Minetti), so the load is higher.
        assert!(hilly.load > flat.load);
    }

    #[test]
    fn round_fast_rounds_to_nearest_even() {
        assert_eq!(round_fast(2.4), 2.0);
        assert_eq!(round_fast(2.6), 3.0);
        assert_eq!(round_fast(-2.6), -3.0);
        assert_eq!(round_fast(2.5), 2.0);
        assert_eq!(round_fast(3.5), 4.0);
        assert_eq!(round_fast(1e300), 1e300);
        assert_eq!(quantise(40.123, 0.2), 40.2);
    }
}
