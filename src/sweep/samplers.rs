//! Samplers: where each point of a sweep lies in the unit hypercube [0, 1]^k (one axis per
//! parameter; `spec` maps a coordinate to the parameter's value).
//!
//! Every design is a pure function of the sampler, the parameters' grid sizes and the sweep
//! seed, with random access by point id, so that a shard, a resumed run and `sim analyze` all see
//! the same points without storing them.

use super::sobol;
use super::spec::Sampler;
use crate::rng::mix;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

/// Keys of the sampler's random streams, apart from the model's.
const RANDOM_STREAM: u64 = 0x5357_5045_4550_0001;
const LHS_STREAM: u64 = 0x5357_5045_4550_0002;
const MORRIS_STREAM: u64 = 0x5357_5045_4550_0003;

fn stream(seed: u64, stream: u64, index: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(mix(seed ^ mix(stream)) ^ index))
}

/// The points of a sweep.
#[derive(Debug, Clone)]
pub struct Design {
    kind: Kind,
    dims: usize,
    points: u64,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Cartesian product; the last parameter varies fastest.
    Grid {
        levels: Vec<u32>,
    },
    Random {
        seed: u64,
    },
    /// `perms[d][i]`: the stratum of point i on axis d.
    Lhs {
        seed: u64,
        perms: Vec<Vec<u32>>,
    },
    /// Saltelli's A, B, AB_1..AB_k matrices from the Sobol sequence, `dims + 2` points per row;
    /// row r uses point `skip + r` of the sequence.
    Saltelli {
        skip: u64,
    },
    /// Morris trajectories of `dims + 1` points on a grid of `levels` levels.
    Morris {
        seed: u64,
        levels: u32,
    },
}

/// What a point is for in a Saltelli design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaltelliRole {
    A,
    B,
    /// A with column i taken from B.
    AB(usize),
}

impl Design {
    /// The design of `sampler` for parameters whose grids have `grid_levels` levels each (a
    /// list of values: its length; a range: the sampler's `levels`).
    pub fn new(sampler: &Sampler, grid_levels: &[u32], seed: u64) -> Self {
        let dims = grid_levels.len();
        let k = dims as u64;
        let (kind, points) = match *sampler {
            Sampler::Grid { .. } => {
                let points = grid_levels.iter().map(|&n| u64::from(n)).product();
                (Kind::Grid { levels: grid_levels.to_vec() }, points)
            }
            Sampler::Random { points } => (Kind::Random { seed }, u64::from(points)),
            Sampler::LatinHypercube { points } => {
                (Kind::Lhs { seed, perms: lhs_strata(points, dims, seed) }, u64::from(points))
            }
            Sampler::Sobol { base_points } => {
                (Kind::Saltelli { skip: sobol_skip(base_points) }, u64::from(base_points) * (k + 2))
            }
            Sampler::Morris { trajectories, levels } => {
                (Kind::Morris { seed, levels }, u64::from(trajectories) * (k + 1))
            }
        };
        Self { kind, dims, points }
    }

    pub fn points(&self) -> u64 {
        self.points
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The unit coordinates of point `id` (< `points()`).
    pub fn unit(&self, id: u64) -> Vec<f64> {
        let k = self.dims;
        match &self.kind {
            Kind::Grid { levels } => {
                let mut rest = id;
                let mut u = vec![0.0; k];
                for d in (0..k).rev() {
                    let n = u64::from(levels[d]);
                    u[d] = grid_coordinate(rest % n, n);
                    rest /= n;
                }
                u
            }
            Kind::Random { seed } => {
                let mut rng = stream(*seed, RANDOM_STREAM, id);
                (0..k).map(|_| rng.random::<f64>()).collect()
            }
            Kind::Lhs { seed, perms } => {
                let mut rng = stream(*seed, LHS_STREAM ^ 1, id);
                let n = self.points as f64;
                perms.iter().map(|p| (f64::from(p[id as usize]) + rng.random::<f64>()) / n).collect()
            }
            Kind::Saltelli { skip } => {
                let (row, role) = saltelli_role(id, k);
                let x = sobol::point(skip + row, 2 * k);
                let (a, b) = x.split_at(k);
                match role {
                    SaltelliRole::A => a.to_vec(),
                    SaltelliRole::B => b.to_vec(),
                    SaltelliRole::AB(i) => {
                        let mut ab = a.to_vec();
                        ab[i] = b[i];
                        ab
                    }
                }
            }
            Kind::Morris { seed, levels } => {
                let per = k as u64 + 1;
                let mut rng = stream(*seed, MORRIS_STREAM, id / per);
                morris_trajectory(&mut rng, k, *levels).swap_remove((id % per) as usize)
            }
        }
    }
}

/// Coordinate of level `i` of `n` on a grid axis, `i / (n - 1)`: a range's levels include both
/// ends, and a list's value i is the one `spec::Parameter::value` maps this coordinate to.
fn grid_coordinate(i: u64, n: u64) -> f64 {
    if n <= 1 { 0.5 } else { i as f64 / (n - 1) as f64 }
}

/// Points of the Sobol sequence a Saltelli design of `base_points` rows skips: the next power of
/// two, at least 16, as SALib's `saltelli.sample` does by default. Point 0 is the origin and
/// point 1 is (0.5, ..., 0.5), where A = B and all the row's runs are the same; the rows used
/// are then one balanced block of the sequence (`base_points` a power of two).
pub fn sobol_skip(base_points: u32) -> u64 {
    u64::from(base_points).next_power_of_two().max(16)
}

/// Row and role of point `id` in a Saltelli design of `k` parameters.
pub fn saltelli_role(id: u64, k: usize) -> (u64, SaltelliRole) {
    let per = k as u64 + 2;
    let role = match id % per {
        0 => SaltelliRole::A,
        1 => SaltelliRole::B,
        m => SaltelliRole::AB(m as usize - 2),
    };
    (id / per, role)
}

/// Latin hypercube strata: on every axis, each of the `n` strata holds exactly one point.
fn lhs_strata(n: u32, dims: usize, seed: u64) -> Vec<Vec<u32>> {
    (0..dims)
        .map(|d| {
            let mut rng = stream(seed, LHS_STREAM, d as u64);
            let mut p: Vec<u32> = (0..n).collect();
            p.shuffle(&mut rng);
            p
        })
        .collect()
}

/// The jump of a Morris design on `levels` levels: p / (2 (p - 1)) (Morris 1991).
pub fn morris_delta(levels: u32) -> f64 {
    let p = f64::from(levels.max(2));
    p / (2.0 * (p - 1.0))
}

/// One Morris trajectory: a random base point on the grid {0, 1/(p-1), ..., 1 - delta}, then
/// each factor in random order moves once by +delta or -delta (random sign), so consecutive
/// points differ in exactly one coordinate and every point stays in [0, 1].
pub fn morris_trajectory(rng: &mut Xoshiro256PlusPlus, k: usize, levels: u32) -> Vec<Vec<f64>> {
    let delta = morris_delta(levels);
    let step = 1.0 / f64::from(levels.max(2) - 1);
    let base_levels = ((1.0 - delta) / step + 1e-9).floor() as u32 + 1;
    let mut x: Vec<f64> = Vec::with_capacity(k);
    let mut signs = Vec::with_capacity(k);
    for _ in 0..k {
        let low = f64::from(rng.random_range(0..base_levels)) * step;
        let up = rng.random::<bool>();
        x.push(if up { low } else { low + delta });
        signs.push(if up { delta } else { -delta });
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.shuffle(rng);
    let mut out = Vec::with_capacity(k + 1);
    out.push(x.clone());
    for i in order {
        x[i] += signs[i];
        out.push(x.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_cartesian_product_last_axis_fastest() {
        let d = Design::new(&Sampler::Grid { levels: 3 }, &[3, 2], 0);
        assert_eq!(d.points(), 6);
        let pts: Vec<Vec<f64>> = (0..6).map(|i| d.unit(i)).collect();
        let want = [[0.0, 0.0], [0.0, 1.0], [0.5, 0.0], [0.5, 1.0], [1.0, 0.0], [1.0, 1.0]];
        assert_eq!(pts, want.map(|r| r.to_vec()).to_vec());
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum_of_each_axis() {
        let n = 50;
        let d = Design::new(&Sampler::LatinHypercube { points: n }, &[2; 4], 9);
        for axis in 0..4 {
            let mut strata: Vec<usize> = (0..u64::from(n)).map(|i| (d.unit(i)[axis] * f64::from(n)) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..n as usize).collect::<Vec<_>>(), "axis {axis}");
        }
    }

    #[test]
    fn random_points_are_reproducible_and_in_the_unit_cube() {
        let d = Design::new(&Sampler::Random { points: 100 }, &[2; 3], 4);
        let again = Design::new(&Sampler::Random { points: 100 }, &[2; 3], 4);
        for i in 0..100 {
            let u = d.unit(i);
            assert_eq!(u, again.unit(i));
            assert!(u.iter().all(|x| (0.0..1.0).contains(x)));
        }
        assert_ne!(d.unit(0), Design::new(&Sampler::Random { points: 100 }, &[2; 3], 5).unit(0));
    }

    #[test]
    fn saltelli_rows_hold_a_b_and_a_with_one_column_of_b() {
        let k = 3;
        let d = Design::new(&Sampler::Sobol { base_points: 8 }, &[2; 3], 0);
        assert_eq!(d.points(), 8 * 5);
        for row in 0..8 {
            let a = d.unit(row * 5);
            let b = d.unit(row * 5 + 1);
            assert_eq!([a.clone(), b.clone()].concat(), sobol::point(16 + row, 2 * k));
            for i in 0..k {
                let ab = d.unit(row * 5 + 2 + i as u64);
                for j in 0..k {
                    assert_eq!(ab[j], if j == i { b[j] } else { a[j] });
                }
            }
        }
    }

    /// Regression: row 0 used point 1 of the sequence, (0.5, ..., 0.5), where A = B, so its
    /// k + 2 runs were the same point and gave no information.
    #[test]
    fn saltelli_rows_skip_the_degenerate_first_points_of_the_sequence() {
        for (n, k) in [(2, 5), (8, 3), (64, 2)] {
            let d = Design::new(&Sampler::Sobol { base_points: n }, &vec![2; k], 0);
            let per = k as u64 + 2;
            for row in 0..u64::from(n) {
                assert_ne!(d.unit(row * per), d.unit(row * per + 1), "A = B in row {row} of {n}");
            }
            // The rows are a block of 2^m points of the sequence: each axis of A is stratified.
            let mut strata: Vec<usize> =
                (0..u64::from(n)).map(|r| (d.unit(r * per)[0] * f64::from(n)) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..n as usize).collect::<Vec<_>>());
        }
        assert_eq!((sobol_skip(2), sobol_skip(16), sobol_skip(32), sobol_skip(1024)), (16, 16, 32, 1024));
    }

    #[test]
    fn morris_steps_change_one_coordinate_by_delta_within_the_cube() {
        let (k, levels) = (5, 4);
        let d = Design::new(&Sampler::Morris { trajectories: 20, levels }, &[2; 5], 3);
        let delta = morris_delta(levels);
        for t in 0..20 {
            let pts: Vec<Vec<f64>> = (0..=k as u64).map(|s| d.unit(t * (k as u64 + 1) + s)).collect();
            let mut moved = vec![false; k];
            for w in pts.windows(2) {
                let diff: Vec<usize> = (0..k).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(diff.len(), 1);
                assert!(((w[1][diff[0]] - w[0][diff[0]]).abs() - delta).abs() < 1e-12);
                moved[diff[0]] = true;
            }
            assert!(moved.iter().all(|m| *m));
            assert!(pts.iter().flatten().all(|x| (-1e-12..=1.0 + 1e-12).contains(x)));
        }
    }
}
