//! Heart-rate variability: rMSSD from R-R intervals with artefact filtering, and the personal
//! baselines readiness compares against (docs/science.md).
//!
//! - [`rmssd_from_rr`] turns a morning recording's R-R intervals (from a FIT file's HRV messages
//!   or an Elite HRV text export) into rMSSD after dropping artefacts.
//! - [`rolling_baseline`] computes a long baseline (mean, SD) and a short recent mean over dated
//!   values; [`hrv_baseline`] applies it to ln rMSSD with the Plews et al. 2014 windows and the
//!   smallest worthwhile change.

use jiff::civil::Date;
use serde::Serialize;

/// Shortest plausible R-R interval, ms (200 bpm). Beats shorter than this are artefacts.
/// docs/science.md: "drop beats outside 300–2000 ms".
pub const RR_MIN_MS: f32 = 300.0;
/// Longest plausible R-R interval, ms (30 bpm). docs/science.md.
pub const RR_MAX_MS: f32 = 2000.0;
/// A beat differing from the previous accepted beat by more than this fraction is an artefact
/// (ectopic or missed beat). docs/science.md: "> 20 % from the previous one".
pub const RR_MAX_RELATIVE_CHANGE: f32 = 0.20;
/// After this many consecutive beats rejected only by the 20 % rule, the filter accepts the
/// current beat as the new reference: the rhythm itself has changed (or the first accepted beat
/// was the artefact), and rejecting the rest of the recording would be worse. Fettle's choice.
pub const RR_REANCHOR_AFTER_REJECTS: usize = 5;

/// The baseline window for HRV and resting HR, days (Plews et al. 2014, IJSPP 9:783: ~60 days).
pub const BASELINE_DAYS: i64 = 60;
/// The recent window whose mean is compared with the baseline, days (Plews et al. 2014: 7-day
/// rolling mean of ln rMSSD).
pub const RECENT_DAYS: i64 = 7;
/// Fewest values in the baseline window before a baseline is reported (two weeks of mornings).
/// Fettle's choice: an SD from fewer points is too unstable to define a smallest worthwhile change.
pub const MIN_BASELINE_VALUES: usize = 14;
/// Fewest values in the 7-day window before its mean is used. Plews et al. 2014 (IJSPP 9:783)
/// found 3 recordings a week enough to track the weekly ln rMSSD mean.
pub const MIN_RECENT_VALUES: usize = 3;
/// Smallest worthwhile change as a fraction of the baseline SD (0.5 SD; Plews et al. 2014,
/// Vesterinen et al. 2016, MSSE 48:1347).
pub const SWC_SD_FRACTION: f64 = 0.5;

/// rMSSD of one recording and how many beats the artefact filter kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RmssdResult {
    /// Root mean square of successive differences of the accepted beats, ms.
    pub rmssd_ms: f64,
    /// Beats accepted by the filter.
    pub beats_used: usize,
    /// Beats rejected as artefacts.
    pub beats_dropped: usize,
    /// Mean accepted R-R interval, ms (60 000 / this is the recording's mean heart rate).
    pub mean_rr_ms: f64,
}

/// rMSSD from R-R intervals in milliseconds, with artefact filtering.
///
/// The filter, exactly:
/// 1. a beat outside [`RR_MIN_MS`]..=[`RR_MAX_MS`] (or not finite) is dropped;
/// 2. otherwise a beat is accepted when there is no previous accepted beat, or when it differs
///    from the previous accepted beat by at most [`RR_MAX_RELATIVE_CHANGE`] of that beat;
/// 3. after [`RR_MAX_RELATIVE_CHANGE`] has rejected [`RR_REANCHOR_AFTER_REJECTS`] beats in a row,
///    the next in-range beat is accepted as a new reference (without a difference to the old one).
///
/// Successive differences are taken only between accepted beats that are *adjacent in the
/// recording* — a difference never spans a dropped beat, so one artefact removes the two
/// differences around it instead of creating a false one. Returns `None` when fewer than two
/// differences remain (nothing trustworthy to report).
pub fn rmssd_from_rr(rr_ms: &[f32]) -> Option<RmssdResult> {
    let mut previous_accepted: Option<f32> = None;
    let mut previous_was_accepted = false;
    let mut consecutive_change_rejects = 0usize;
    let mut sum_sq = 0.0f64;
    let mut n_diffs = 0usize;
    let mut used = 0usize;
    let mut sum_rr = 0.0f64;
    for &rr in rr_ms {
        let in_range = rr.is_finite() && (RR_MIN_MS..=RR_MAX_MS).contains(&rr);
        if !in_range {
            previous_was_accepted = false;
            continue;
        }
        let accept = match previous_accepted {
            None => true,
            Some(prev) => {
                (rr - prev).abs() <= RR_MAX_RELATIVE_CHANGE * prev
                    || consecutive_change_rejects >= RR_REANCHOR_AFTER_REJECTS
            }
        };
        if !accept {
            consecutive_change_rejects += 1;
            previous_was_accepted = false;
            continue;
        }
        let reanchored = consecutive_change_rejects >= RR_REANCHOR_AFTER_REJECTS;
        consecutive_change_rejects = 0;
        if let Some(prev) = previous_accepted.filter(|_| previous_was_accepted && !reanchored) {
            let d = f64::from(rr - prev);
            sum_sq += d * d;
            n_diffs += 1;
        }
        previous_accepted = Some(rr);
        previous_was_accepted = true;
        used += 1;
        sum_rr += f64::from(rr);
    }
    if n_diffs < 2 {
        return None;
    }
    Some(RmssdResult {
        rmssd_ms: (sum_sq / n_diffs as f64).sqrt(),
        beats_used: used,
        beats_dropped: rr_ms.len() - used,
        mean_rr_ms: sum_rr / used as f64,
    })
}

/// A long baseline and a short recent mean over dated values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BaselineStats {
    /// Mean over the baseline window.
    pub mean: f64,
    /// Sample standard deviation over the baseline window.
    pub sd: f64,
    /// Values in the baseline window.
    pub n: usize,
    /// Mean over the recent window (`None` below [`MIN_RECENT_VALUES`]).
    pub recent_mean: Option<f64>,
    /// Values in the recent window.
    pub recent_n: usize,
}

/// Days from `earlier` to `later` (positive when `later` is after `earlier`).
pub(crate) fn days_between(earlier: Date, later: Date) -> i64 {
    later.duration_since(earlier).as_secs() / 86_400
}

/// Baseline over the `baseline_days` ending on `today` (inclusive) and the mean of the
/// `recent_days` ending on `today`. Values with a non-finite number are ignored. Returns `None`
/// when fewer than [`MIN_BASELINE_VALUES`] values fall in the baseline window.
pub fn rolling_baseline(
    values: &[(Date, f64)],
    today: Date,
    baseline_days: i64,
    recent_days: i64,
) -> Option<BaselineStats> {
    let (mut n, mut sum, mut sum_sq) = (0usize, 0.0, 0.0);
    let (mut recent_n, mut recent_sum) = (0usize, 0.0);
    for &(date, v) in values {
        if !v.is_finite() {
            continue;
        }
        let age = days_between(date, today);
        if !(0..baseline_days).contains(&age) {
            continue;
        }
        n += 1;
        sum += v;
        sum_sq += v * v;
        if age < recent_days {
            recent_n += 1;
            recent_sum += v;
        }
    }
    if n < MIN_BASELINE_VALUES {
        return None;
    }
    let mean = sum / n as f64;
    let var = ((sum_sq - n as f64 * mean * mean) / (n as f64 - 1.0)).max(0.0);
    Some(BaselineStats {
        mean,
        sd: var.sqrt(),
        n,
        recent_mean: (recent_n >= MIN_RECENT_VALUES).then(|| recent_sum / recent_n as f64),
        recent_n,
    })
}

/// The HRV signal and its baseline, all in ln rMSSD (ln of milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HrvBaseline {
    /// Mean ln rMSSD over the last [`BASELINE_DAYS`].
    pub ln_mean_60d: f64,
    /// SD of ln rMSSD over the last [`BASELINE_DAYS`].
    pub ln_sd_60d: f64,
    /// Mornings in the baseline window.
    pub n_60d: usize,
    /// Mean ln rMSSD over the last [`RECENT_DAYS`] (the signal; `None` with too few mornings).
    pub ln_mean_7d: Option<f64>,
    /// Mornings in the recent window.
    pub n_7d: usize,
    /// Smallest worthwhile change, ln units ([`SWC_SD_FRACTION`] × SD).
    pub swc: f64,
}

/// ln rMSSD baseline (60 days) and signal (7-day mean) ending on `today`, from dated rMSSD
/// values in milliseconds (non-positive values are ignored). Plews et al. 2014.
pub fn hrv_baseline(rmssd_ms: &[(Date, f64)], today: Date) -> Option<HrvBaseline> {
    let ln: Vec<(Date, f64)> = rmssd_ms
        .iter()
        .filter(|(_, v)| *v > 0.0)
        .map(|&(d, v)| (d, v.ln()))
        .collect();
    let stats = rolling_baseline(&ln, today, BASELINE_DAYS, RECENT_DAYS)?;
    Some(HrvBaseline {
        ln_mean_60d: stats.mean,
        ln_sd_60d: stats.sd,
        n_60d: stats.n,
        ln_mean_7d: stats.recent_mean,
        n_7d: stats.recent_n,
        swc: SWC_SD_FRACTION * stats.sd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn rmssd_of_clean_series_matches_hand_calculation() {
        // Differences: +20, -40, +30, -10 → squares 400, 1600, 900, 100 → mean 750 → √750 = 27.386.
        let r = rmssd_from_rr(&[800.0, 820.0, 780.0, 810.0, 800.0]).unwrap();
        assert!((r.rmssd_ms - 750f64.sqrt()).abs() < 1e-9);
        assert_eq!((r.beats_used, r.beats_dropped), (5, 0));
        assert!((r.mean_rr_ms - 802.0).abs() < 1e-9);
    }

    #[test]
    fn out_of_range_beat_is_dropped_and_no_difference_spans_it() {
        // 250 is below 300 ms. Accepted: 800, 810, 805, 790. Diffs taken: 810−800 = 10 and
        // 790−805 = −15; 805−810 is not taken because the dropped beat lies between them.
        // rMSSD = √((100 + 225)/2) = √162.5.
        let r = rmssd_from_rr(&[800.0, 810.0, 250.0, 805.0, 790.0]).unwrap();
        assert_eq!((r.beats_used, r.beats_dropped), (4, 1));
        assert!((r.rmssd_ms - 162.5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn ectopic_beat_more_than_20_percent_off_is_dropped() {
        // A premature beat and its pause, shaped like one in a real Elite HRV export
        // (… 593, 421, 312, 525, 747 …). Walk-through:
        // 600 accepted; 593 (−1 %) accepted, diff −7; 421 (−29 % vs 593) dropped; 312 (−47 %)
        // dropped; 525 (−11 % vs 593) accepted, no diff (follows dropped beats); 747 (+42 % vs
        // 525) dropped; 600 (+14 % vs 525) accepted, no diff; 610 accepted, diff +10.
        let rr = [600.0, 593.0, 421.0, 312.0, 525.0, 747.0, 600.0, 610.0];
        let r = rmssd_from_rr(&rr).unwrap();
        // Accepted: 600, 593, 525, 600, 610 (5); dropped: 421, 312, 747 (3).
        assert_eq!((r.beats_used, r.beats_dropped), (5, 3));
        // Diffs taken: 593-600 = -7, 610-600 = 10 → √((49 + 100)/2) = √74.5.
        assert!((r.rmssd_ms - 74.5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn filter_reanchors_when_the_first_beat_was_the_artefact() {
        // First beat 1500 is in range but the true rhythm is ~800: after 5 rejections the filter
        // takes 800 as its new reference and keeps the rest.
        let rr = [
            1500.0, 800.0, 805.0, 810.0, 800.0, 795.0, 800.0, 810.0, 800.0,
        ];
        let r = rmssd_from_rr(&rr).unwrap();
        // Rejected: 800, 805, 810, 800, 795 (5 in a row); 800 (index 6) re-anchors; then 810, 800.
        assert_eq!(r.beats_used, 4);
        // Diffs: 810-800 = 10, 800-810 = -10 → rMSSD 10.
        assert!((r.rmssd_ms - 10.0).abs() < 1e-9);
    }

    #[test]
    fn too_few_beats_give_none() {
        assert!(rmssd_from_rr(&[]).is_none());
        assert!(rmssd_from_rr(&[800.0, 810.0]).is_none());
        assert!(rmssd_from_rr(&[100.0, 5000.0, f32::NAN, 800.0]).is_none());
    }

    #[test]
    fn baseline_uses_60_and_7_day_windows() {
        let today = date(2026, 3, 1);
        // 70 days: day age a has value 10 for a >= 7 and 20 for a < 7; the 61st+ days (age ≥ 60)
        // hold 1000 and must be ignored.
        let values: Vec<(Date, f64)> = (0..70)
            .map(|age| {
                let d = today.checked_sub(jiff::Span::new().days(age)).unwrap();
                let v = if age >= 60 {
                    1000.0
                } else if age < 7 {
                    20.0
                } else {
                    10.0
                };
                (d, v)
            })
            .collect();
        let s = rolling_baseline(&values, today, 60, 7).unwrap();
        assert_eq!(s.n, 60);
        // mean = (7·20 + 53·10)/60 = 670/60.
        assert!((s.mean - 670.0 / 60.0).abs() < 1e-9);
        assert_eq!(s.recent_n, 7);
        assert_eq!(s.recent_mean, Some(20.0));
    }

    #[test]
    fn hrv_baseline_is_in_ln_units_with_half_sd_swc() {
        let today = date(2026, 3, 1);
        // Alternating e^4 and e^4.2 for 20 days → ln values alternate 4.0/4.2:
        // mean 4.1, sample SD = √(20·0.01/19) = 0.10260, SWC = 0.0513.
        let values: Vec<(Date, f64)> = (0..20)
            .map(|age| {
                let d = today.checked_sub(jiff::Span::new().days(age)).unwrap();
                let ln = if age % 2 == 0 { 4.0 } else { 4.2 };
                (d, f64::exp(ln))
            })
            .collect();
        let b = hrv_baseline(&values, today).unwrap();
        assert!((b.ln_mean_60d - 4.1).abs() < 1e-9);
        let sd = (20.0 * 0.01 / 19.0f64).sqrt();
        assert!((b.ln_sd_60d - sd).abs() < 1e-9);
        assert!((b.swc - 0.5 * sd).abs() < 1e-9);
        // Last 7 days: ages 0..6 → four 4.0 and three 4.2 → (16 + 12.6)/7.
        assert!((b.ln_mean_7d.unwrap() - 28.6 / 7.0).abs() < 1e-9);
    }

    #[test]
    fn baseline_needs_two_weeks_of_values() {
        let today = date(2026, 3, 1);
        let values: Vec<(Date, f64)> = (0..13)
            .map(|age| {
                (
                    today.checked_sub(jiff::Span::new().days(age)).unwrap(),
                    50.0,
                )
            })
            .collect();
        assert!(hrv_baseline(&values, today).is_none());
    }

    proptest! {
        #[test]
        fn rmssd_never_panics_and_counts_add_up(rr in proptest::collection::vec(-100f32..4000.0, 0..300)) {
            if let Some(r) = rmssd_from_rr(&rr) {
                prop_assert_eq!(r.beats_used + r.beats_dropped, rr.len());
                prop_assert!(r.rmssd_ms.is_finite() && r.rmssd_ms >= 0.0);
                // No accepted difference can exceed the range width.
                prop_assert!(r.rmssd_ms <= f64::from(RR_MAX_MS - RR_MIN_MS));
            }
        }
    }
}
