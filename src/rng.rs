//! Seeding and random streams.
//!
//! Every draw is keyed by (master seed, stream, agent id, tick): the key is hashed into the seed
//! of a fresh generator, so a draw never depends on thread count, scheduling or the order in which
//! agents are visited. Agent-level streams use Xoshiro256++ (cheap to create, used millions of
//! times a tick); world-level streams use ChaCha8 with the stream and tick as its stream and
//! word position. The shopping loop, which draws for every consumer every week, uses
//! [`Counter`], a generator whose whole state is the key, so it costs nothing to set up.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_chacha::ChaCha8Rng;

/// The random streams of the model; each has its own sequence for the same agent and tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Initial attributes of agents.
    Init = 1,
    /// Consumers' shopping decisions.
    Shopping = 2,
    /// Sellers' decisions (listings, pivots, AI adoption, warehouse).
    Seller = 3,
    /// Customs inspections and seizures.
    Customs = 4,
    /// Regulatory delisting.
    Enforcement = 5,
    /// Entry of new sellers and their attributes.
    Entry = 6,
    /// Stochastic shocks.
    Shocks = 7,
}

/// SplitMix64's finaliser: a bijective 64-bit mix.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 64-bit key of (seed, stream, id, tick).
#[inline]
pub fn key(seed: u64, stream: Stream, id: u64, tick: u32) -> u64 {
    mix(mix(mix(seed ^ mix(stream as u64)) ^ id) ^ u64::from(tick))
}

/// The part of [`key`] that depends on the seed and stream only, hoisted out of the loop over
/// consumers for [`small_key`].
#[inline]
pub fn stream_key(seed: u64, stream: Stream) -> u64 {
    mix(seed ^ mix(stream as u64))
}

/// A one-hash key for agents whose ids are below 2^40 (consumers) in ticks below 2^24: the
/// packed `(id, tick)` is unique, and `mix` is a bijection, so every consumer-week gets its own
/// key.
#[inline]
pub fn small_key(stream_key: u64, id: u64, tick: u32) -> u64 {
    debug_assert!(id < 1 << 40 && tick < 1 << 24);
    mix(stream_key ^ id ^ u64::from(tick) << 40)
}

/// The Weyl increment of [`Counter`]'s state per draw.
const WEYL: u64 = 0xa076_1d64_78bd_642f;

/// A counter-based stream for one agent in one tick: wyrand (Wang Yi's generator, a Weyl
/// sequence through a 64x64->128-bit multiply) whose state starts at the key. A draw is an add,
/// a multiply and two xors, and there is no generator to set up.
#[derive(Debug, Clone, Copy)]
pub struct Counter {
    state: u64,
}

impl Counter {
    #[inline]
    pub fn new(key: u64) -> Self {
        Self { state: key }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(WEYL);
        let t = u128::from(self.state).wrapping_mul(u128::from(self.state ^ 0xe703_7ed1_a0b4_28db));
        (t >> 64) as u64 ^ t as u64
    }

    /// The stream `n` draws on, without making them (a draw only moves the counter).
    #[inline]
    pub fn after(self, n: usize) -> Self {
        Self { state: self.state.wrapping_add((n as u64).wrapping_mul(WEYL)) }
    }

    /// A uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        unit_f64(self.next_u64())
    }

    /// A uniform in [0, 1) with 24 random bits.
    #[inline]
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }
}

/// A uniform in [0, 1) from the top 53 bits of `x`.
#[inline]
pub fn unit_f64(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A generator for one agent in one tick.
#[inline]
pub fn agent(seed: u64, stream: Stream, id: u64, tick: u32) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(key(seed, stream, id, tick))
}

/// A generator for a world-level stream in one tick (shocks, entry).
pub fn world(seed: u64, stream: Stream, tick: u32) -> ChaCha8Rng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(seed ^ mix(i as u64)).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(bytes);
    rng.set_stream(stream as u64);
    rng.set_word_pos(u128::from(tick) << 40);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn same_key_same_draws_and_streams_differ() {
        let a: f64 = agent(7, Stream::Shopping, 42, 3).random();
        let b: f64 = agent(7, Stream::Shopping, 42, 3).random();
        let c: f64 = agent(7, Stream::Seller, 42, 3).random();
        let d: f64 = agent(7, Stream::Shopping, 42, 4).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        let mut c = Counter::new(key(7, Stream::Shopping, 42, 3));
        let (x, y) = (c.next_u64(), c.next_u64());
        assert_ne!(x, y);
        let sk = stream_key(7, Stream::Shopping);
        assert_ne!(small_key(sk, 42, 3), small_key(sk, 42, 4));
        assert_ne!(small_key(sk, 42, 3), small_key(sk, 43, 3));
        let w1: u64 = world(1, Stream::Entry, 5).random();
        let w2: u64 = world(1, Stream::Entry, 6).random();
        assert_ne!(w1, w2);
    }

    #[test]
    fn counter_uniforms_are_uniform() {
        let mut c = Counter::new(99);
        let n = 100_000;
        let mut bins = [0u32; 10];
        for _ in 0..n {
            let u = c.uniform();
            assert!((0.0..1.0).contains(&u));
            bins[(u * 10.0) as usize] += 1;
            let v = c.uniform_f32();
            assert!((0.0..1.0).contains(&v));
        }
        assert!(bins.iter().all(|b| (f64::from(*b) / f64::from(n) - 0.1).abs() < 0.005), "{bins:?}");
    }
}
