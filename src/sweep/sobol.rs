//! The Sobol low-discrepancy sequence (Bratley and Fox 1988, Gray-code order) with the direction
//! numbers of Joe and Kuo (2008, `new-joe-kuo-6.21201`) for the first 64 dimensions, enough for a
//! Saltelli design of 32 parameters. Unscrambled: point 0 is the origin, and the points equal
//! those of `scipy.stats.qmc.Sobol(d, scramble=False)`.

/// Dimensions with direction numbers.
pub const MAX_DIMS: usize = 64;

/// Bits of each coordinate: the sequence has 2^32 points.
const BITS: usize = 32;

/// Joe-Kuo parameters of dimensions 2..=64: degree `s` of the primitive polynomial, its inner
/// coefficients `a`, and the initial direction numbers `m_1..m_s`. Dimension 1 is van der Corput.
#[rustfmt::skip]
const JOE_KUO: [(u32, u32, &[u32]); MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];

/// Direction numbers of every dimension, computed once.
fn directions() -> &'static [[u32; BITS]; MAX_DIMS] {
    static V: std::sync::OnceLock<[[u32; BITS]; MAX_DIMS]> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let mut v = [[0u32; BITS]; MAX_DIMS];
        for (i, x) in v[0].iter_mut().enumerate() {
            *x = 1 << (BITS - 1 - i);
        }
        for (dim, &(s, a, m)) in JOE_KUO.iter().enumerate() {
            let (s, row) = (s as usize, &mut v[dim + 1]);
            for i in 0..BITS {
                row[i] = if i < s {
                    m[i] << (BITS - 1 - i)
                } else {
                    let mut x = row[i - s] ^ (row[i - s] >> s);
                    for k in 1..s {
                        if (a >> (s - 1 - k)) & 1 == 1 {
                            x ^= row[i - k];
                        }
                    }
                    x
                };
            }
        }
        v
    })
}

/// Point `index` of the `dims`-dimensional sequence, in [0, 1). Random access: the Gray code of
/// the index selects the direction numbers to combine.
///
/// # Panics
/// If `dims > MAX_DIMS` or `index >= 2^32`.
pub fn point(index: u64, dims: usize) -> Vec<f64> {
    assert!(dims <= MAX_DIMS, "the Sobol sequence has direction numbers for {MAX_DIMS} dimensions");
    assert!(index < 1 << BITS, "the Sobol sequence has 2^{BITS} points");
    let gray = index ^ (index >> 1);
    let v = directions();
    (0..dims)
        .map(|d| {
            let x = (0..BITS).filter(|b| gray >> b & 1 == 1).fold(0u32, |x, b| x ^ v[d][b]);
            f64::from(x) / (1u64 << BITS) as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_match_the_published_sequence() {
        let expected = [
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25, 0.25, 0.75, 0.75],
            [0.25, 0.75, 0.75, 0.75, 0.25, 0.25],
            [0.375, 0.375, 0.625, 0.875, 0.375, 0.125],
            [0.875, 0.875, 0.125, 0.375, 0.875, 0.625],
            [0.625, 0.125, 0.875, 0.625, 0.625, 0.875],
            [0.125, 0.625, 0.375, 0.125, 0.125, 0.375],
        ];
        for (i, row) in expected.iter().enumerate() {
            assert_eq!(point(i as u64, 6), row.to_vec(), "point {i}");
        }
    }

    #[test]
    fn high_dimensions_match_scipy() {
        // scipy.stats.qmc.Sobol(d=64, scramble=False).random(1024)
        assert_eq!(point(100, 6), vec![0.4140625, 0.2578125, 0.7734375, 0.7265625, 0.8828125, 0.7421875]);
        let p = point(777, 64);
        assert_eq!(p[40..46], [0.7216796875, 0.2666015625, 0.9482421875, 0.4013671875, 0.3212890625, 0.1513671875]);
        let p = point(1023, 64);
        let tail = [0.7978515625, 0.8603515625, 0.7275390625, 0.3525390625, 0.1025390625, 0.1962890625, 0.7900390625];
        assert_eq!(p[56..63], tail);
        assert_eq!(p[63], 0.0400390625);
    }

    #[test]
    fn each_dimension_is_stratified_over_a_power_of_two() {
        for d in 0..MAX_DIMS {
            let mut seen = [false; 64];
            for i in 0..64 {
                seen[(point(i, MAX_DIMS)[d] * 64.0) as usize] = true;
            }
            assert!(seen.iter().all(|s| *s), "dimension {d}");
        }
    }
}
