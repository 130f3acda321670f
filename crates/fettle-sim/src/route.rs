//! Routes: a closed loop around the athlete's home with smooth hills.
//!
//! The loop is a deformed circle through home, stored as a polyline of [`ROUTE_POINTS`] vertices
//! whose perimeter equals the loop length, so that a position can be found from the distance
//! run. Altitude is a sum of sinusoids along the distance whose wavelengths divide the loop
//! length (the loop closes at the same height) and whose amplitudes are scaled so that the
//! steepest possible grade is at most the route's maximum grade.

use crate::rng::Rng;

/// Vertices of a route polyline (the loop is closed: the last vertex repeats the first).
const ROUTE_POINTS: usize = 128;
/// Metres per degree of latitude (WGS84 mean, adequate for a few kilometres around home).
const METRES_PER_DEGREE_LAT: f64 = 111_320.0;
/// Sinusoids summed for the altitude profile.
const HILL_WAVES: usize = 3;
/// Steepest grade of a hilly training route (decimal): "grade up to ~8 %".
pub(crate) const HILLY_MAX_GRADE: f64 = 0.08;
/// Steepest grade of a road-race course: nearly flat.
pub(crate) const RACE_MAX_GRADE: f64 = 0.012;

/// One loop route.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    loop_m: f64,
    east_m: [f64; ROUTE_POINTS + 1],
    north_m: [f64; ROUTE_POINTS + 1],
    cumulative_m: [f64; ROUTE_POINTS + 1],
    home_lat: f64,
    home_lon: f64,
    metres_per_degree_lon: f64,
    base_altitude_m: f64,
    /// (amplitude m, wavenumber rad/m, phase rad)
    hills: [(f64, f64, f64); HILL_WAVES],
    /// Index of the polyline segment the last lookup fell in (distance only grows, so lookups
    /// walk forward from here: amortised constant time).
    cursor: usize,
    /// Distance at which the current loop began (a multiple of the loop length).
    loop_start_m: f64,
}

impl Route {
    /// A random loop of `loop_m` metres starting and ending at home, with grades up to
    /// `max_grade`.
    pub(crate) fn new(
        rng: &mut Rng,
        home_lat: f64,
        home_lon: f64,
        base_altitude_m: f64,
        loop_m: f64,
        max_grade: f64,
    ) -> Route {
        let loop_m = loop_m.max(400.0);
        // Shape: r(θ) = 1 + a2·sin(2θ + φ2) + a3·sin(3θ + φ3), rotated and shifted so θ = 0 is home.
        let a2 = rng.range(0.05, 0.25);
        let a3 = rng.range(0.0, 0.12);
        let (p2, p3) = (rng.range(0.0, 6.3), rng.range(0.0, 6.3));
        let heading = rng.range(0.0, std::f64::consts::TAU);
        let shape =
            |theta: f64| 1.0 + a2 * (2.0 * theta + p2).sin() + a3 * (3.0 * theta + p3).sin();
        let mut east = [0.0; ROUTE_POINTS + 1];
        let mut north = [0.0; ROUTE_POINTS + 1];
        for j in 0..=ROUTE_POINTS {
            let theta = std::f64::consts::TAU * j as f64 / ROUTE_POINTS as f64;
            let r = shape(theta);
            east[j] = r * (theta + heading).cos();
            north[j] = r * (theta + heading).sin();
        }
        let (e0, n0) = (east[0], north[0]);
        let mut cumulative = [0.0; ROUTE_POINTS + 1];
        for j in 1..=ROUTE_POINTS {
            cumulative[j] =
                cumulative[j - 1] + (east[j] - east[j - 1]).hypot(north[j] - north[j - 1]);
        }
        // Scale the unit shape so the perimeter equals the loop length.
        let scale = loop_m / cumulative[ROUTE_POINTS];
        for j in 0..=ROUTE_POINTS {
            east[j] = (east[j] - e0) * scale;
            north[j] = (north[j] - n0) * scale;
            cumulative[j] *= scale;
        }

        let mut hills = [(0.0, 0.0, 0.0); HILL_WAVES];
        let mut steepest = 0.0;
        for wave in &mut hills {
            let wavelength = rng.range(500.0, 3000.0);
            let cycles = (loop_m / wavelength).round().max(1.0);
            let wavenumber = std::f64::consts::TAU * cycles / loop_m;
            let amplitude = rng.range(3.0, 25.0);
            *wave = (amplitude, wavenumber, rng.range(0.0, std::f64::consts::TAU));
            steepest += amplitude * wavenumber;
        }
        if steepest > max_grade {
            for wave in &mut hills {
                wave.0 *= max_grade / steepest;
            }
        }
        // Home sits at the base altitude: subtract the profile's value at s = 0.
        let at_home: f64 = hills.iter().map(|(a, _, p)| a * p.sin()).sum();
        Route {
            loop_m,
            east_m: east,
            north_m: north,
            cumulative_m: cumulative,
            home_lat,
            home_lon,
            metres_per_degree_lon: METRES_PER_DEGREE_LAT * home_lat.to_radians().cos().max(0.01),
            base_altitude_m: base_altitude_m - at_home,
            hills,
            cursor: 0,
            loop_start_m: 0.0,
        }
    }

    /// A cursor that tracks the terrain along increasing distances cheaply.
    pub(crate) fn terrain(&self) -> Terrain {
        let mut terrain = Terrain {
            distance_m: 0.0,
            sin: [0.0; HILL_WAVES],
            cos: [1.0; HILL_WAVES],
            steps_since_exact: 0,
        };
        terrain.exact(self, 0.0);
        terrain
    }

    /// The terrain altitude (m) and grade (rise over run) at `distance_m` along the route,
    /// computed directly (the reference for [`Terrain`]).
    #[cfg(test)]
    pub(crate) fn altitude_and_grade(&self, distance_m: f64) -> (f64, f64) {
        let mut altitude = self.base_altitude_m;
        let mut grade = 0.0;
        for &(amplitude, wavenumber, phase) in &self.hills {
            let (sin, cos) = (wavenumber * distance_m + phase).sin_cos();
            altitude += amplitude * sin;
            grade += amplitude * wavenumber * cos;
        }
        (altitude, grade)
    }

    /// Latitude and longitude (degrees) at `distance_m` along the route. Lookups are fastest
    /// when the distance never decreases between calls.
    pub(crate) fn position(&mut self, distance_m: f64) -> (f64, f64) {
        // Distance into the current loop; completed loops are counted rather than taken modulo
        // at every sample (a library call).
        if distance_m < self.loop_start_m {
            self.loop_start_m = 0.0;
        }
        while distance_m - self.loop_start_m >= self.loop_m {
            self.loop_start_m += self.loop_m;
        }
        let s = distance_m - self.loop_start_m;
        if s < self.cumulative_m[self.cursor] {
            self.cursor = 0;
        }
        while self.cursor + 1 < ROUTE_POINTS && self.cumulative_m[self.cursor + 1] < s {
            self.cursor += 1;
        }
        let j = self.cursor;
        let length = self.cumulative_m[j + 1] - self.cumulative_m[j];
        let f = if length > 0.0 {
            ((s - self.cumulative_m[j]) / length).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let east = self.east_m[j] + f * (self.east_m[j + 1] - self.east_m[j]);
        let north = self.north_m[j] + f * (self.north_m[j + 1] - self.north_m[j]);
        (
            self.home_lat + north / METRES_PER_DEGREE_LAT,
            self.home_lon + east / self.metres_per_degree_lon,
        )
    }
}

/// Steps between exact recomputations of a [`Terrain`] (bounds the rounding drift of the
/// incremental rotation).
const TERRAIN_EXACT_EVERY: u32 = 256;
/// Largest rotation angle (radians) the incremental update handles; larger steps recompute.
const TERRAIN_MAX_STEP_RAD: f64 = 0.2;

/// Altitude and grade along a route for a distance that only grows: each wave's phase is
/// rotated by the small angle of the step (Taylor series of sin and cos) instead of calling the
/// trigonometric functions at every sample, with an exact recomputation every
/// [`TERRAIN_EXACT_EVERY`] steps.
#[derive(Debug, Clone)]
pub(crate) struct Terrain {
    distance_m: f64,
    sin: [f64; HILL_WAVES],
    cos: [f64; HILL_WAVES],
    steps_since_exact: u32,
}

impl Terrain {
    fn exact(&mut self, route: &Route, distance_m: f64) {
        for (k, &(_, wavenumber, phase)) in route.hills.iter().enumerate() {
            let (sin, cos) = (wavenumber * distance_m + phase).sin_cos();
            self.sin[k] = sin;
            self.cos[k] = cos;
        }
        self.distance_m = distance_m;
        self.steps_since_exact = 0;
    }

    /// Moves to `distance_m` and returns the terrain altitude (m) and grade there.
    pub(crate) fn at(&mut self, route: &Route, distance_m: f64) -> (f64, f64) {
        let step = distance_m - self.distance_m;
        let largest_angle = route.hills.iter().map(|h| h.1).fold(0.0, f64::max) * step.abs();
        if self.steps_since_exact >= TERRAIN_EXACT_EVERY || largest_angle > TERRAIN_MAX_STEP_RAD {
            self.exact(route, distance_m);
        } else if step != 0.0 {
            for (k, &(_, wavenumber, _)) in route.hills.iter().enumerate() {
                let a = wavenumber * step;
                let a2 = a * a;
                // Taylor series to the 5th/6th power: error < 1e-10 for |a| ≤ 0.2.
                let sin_a = a * (1.0 - a2 / 6.0 * (1.0 - a2 / 20.0));
                let cos_a = 1.0 - a2 / 2.0 * (1.0 - a2 / 12.0 * (1.0 - a2 / 30.0));
                let (s, c) = (self.sin[k], self.cos[k]);
                self.sin[k] = s * cos_a + c * sin_a;
                self.cos[k] = c * cos_a - s * sin_a;
            }
            self.distance_m = distance_m;
            self.steps_since_exact += 1;
        }
        let mut altitude = route.base_altitude_m;
        let mut grade = 0.0;
        for (k, &(amplitude, wavenumber, _)) in route.hills.iter().enumerate() {
            altitude += amplitude * self.sin[k];
            grade += amplitude * wavenumber * self.cos[k];
        }
        (altitude, grade)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
        let r = 6_371_000.0;
        let (la1, lo1, la2, lo2) = (
            a.0.to_radians(),
            a.1.to_radians(),
            b.0.to_radians(),
            b.1.to_radians(),
        );
        let h = ((la2 - la1) / 2.0).sin().powi(2)
            + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
        2.0 * r * h.sqrt().asin()
    }

    #[test]
    fn loop_starts_and_ends_at_home_with_the_requested_length() {
        let mut rng = Rng::new(1, 1);
        let mut route = Route::new(&mut rng, 51.44, -0.27, 40.0, 8000.0, HILLY_MAX_GRADE);
        let home = route.position(0.0);
        assert!((home.0 - 51.44).abs() < 1e-9 && (home.1 + 0.27).abs() < 1e-9);
        // Walk the loop in 10 m steps and add the great-circle distances: ≈ 8 km.
        let mut total = 0.0;
        let mut prev = home;
        for k in 1..=800 {
            let p = route.position(k as f64 * 10.0);
            total += haversine_m(prev, p);
            prev = p;
        }
        assert!((total - 8000.0).abs() < 80.0, "{total}");
        assert!(haversine_m(prev, home) < 1.0);
    }

    #[test]
    fn terrain_cursor_matches_the_exact_profile() {
        let mut rng = Rng::new(4, 1);
        let route = Route::new(&mut rng, 51.44, -0.27, 40.0, 9000.0, HILLY_MAX_GRADE);
        let mut terrain = route.terrain();
        let mut s = 0.0;
        for k in 0..5000 {
            s += 1.0 + 5.0 * ((k % 7) as f64 / 7.0);
            let (a, g) = terrain.at(&route, s);
            let (a_exact, g_exact) = route.altitude_and_grade(s);
            assert!(
                (a - a_exact).abs() < 1e-6 && (g - g_exact).abs() < 1e-9,
                "at {s}"
            );
        }
    }

    #[test]
    fn grades_stay_within_the_bound_and_match_the_altitude_slope() {
        let mut rng = Rng::new(2, 1);
        let route = Route::new(&mut rng, 51.44, -0.27, 40.0, 12_000.0, HILLY_MAX_GRADE);
        let (home_alt, _) = route.altitude_and_grade(0.0);
        assert!((home_alt - 40.0).abs() < 1e-9);
        let (end_alt, _) = route.altitude_and_grade(12_000.0);
        assert!(
            (end_alt - 40.0).abs() < 1e-6,
            "loop closes at the same height"
        );
        for k in 0..12_000 {
            let s = k as f64;
            let (a0, g) = route.altitude_and_grade(s);
            assert!(g.abs() <= HILLY_MAX_GRADE + 1e-12);
            let (a1, _) = route.altitude_and_grade(s + 0.01);
            assert!(((a1 - a0) / 0.01 - g).abs() < 1e-3);
        }
    }
}
