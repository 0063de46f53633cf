//! MODEL step 6, "Consumers shop": the hot loop, parallel over consumers.
//!
//! A consumer shops this week with probability `propensity x purchase probability x growth x
//! seasonality`, picks a category by its region's weights, a platform by logit over
//! `U_k = attractiveness + loyalty*[k = last] - b_p*price_index - b_d*days + social_boost*[...]`,
//! draws K listings from that platform's table and picks one by logit with an outside option:
//! `V_j = -alpha*ln(price_j) - beta_d*days_j + beta_b*ln(1+equity_j) + alpha*ln(1+premium)*[...]`.
//! A purchase increments the listing's counter (integer adds commute, so the result does not
//! depend on thread count or order). Nothing is allocated per consumer.
//!
//! Speed (see docs/PERFORMANCE.md). The week runs in three passes on the `par` pool:
//! 1. over chunks of consumers in storage order: who shops (listed without branches, a block of
//!    consumers at a time), which category, which platform; the shoppers of a chunk are queued
//!    by the table they will draw from;
//! 2. over tables: each table's shoppers (from every chunk) draw K listings and choose, so the
//!    table stays in cache while it is used; its sales are counted without atomics, and the
//!    buyers listed by queue;
//! 3. over chunks of consumers again: buyers remember the platform.
//!
//! Each consumer draws from a counter-based stream ([`rng::Counter`], keyed by seed, stream,
//! consumer id and tick) carried from pass 1 to pass 2, so its decisions do not depend on which
//! pass, thread or order handles it. A listing draw is one 64-bit number (high half: the alias
//! column, low half: keep or alias) and reads one packed table [`Entry`]; a shopper's draws are
//! made while the shopper before it chooses, and their entries prefetched. The choice runs in
//! fixed lanes (8 for K <= 8, then 16, 32 or 64) so that the compiler unrolls and vectorises it, with
//! single-precision [`fast_exp`].

use super::agents::{Consumer, LastPlatform};
use super::calendar::{Clock, Trends};
use super::choice::fast_exp;
use super::par;
use super::params::Params;
use super::ranking::{Entry, Menu, PlatformOption, Tables};
use crate::rng::{self, Counter, Stream};
use bevy_ecs::prelude::*;

/// Most listings drawn per trip (the validated bound of `consumers.candidates`).
const MAX_OPTIONS: usize = 64;

/// Consumers per parallel work item: a 32nd of the consumers, between 4,096 and 65,536 (small
/// worlds get enough items to balance; large ones few enough queues; a shopper's place in its
/// chunk fits 16 bits). Purchases are counted in integers, so the chunking never changes a
/// result.
fn consumer_chunk(consumers: usize) -> usize {
    (consumers / 32).clamp(1 << 12, 1 << 16)
}

/// Seasonal multiplier on purchase probability: a Gaussian bump of height `peak` around
/// `peak_week` (circular over 52 weeks).
pub fn seasonality(week_of_year: u32, peak_week: u32, width_weeks: f64, peak: f64) -> f64 {
    let d = (f64::from(week_of_year) - f64::from(peak_week)).abs();
    let d = d.min(52.0 - d);
    1.0 + peak * (-0.5 * (d / width_weeks).powi(2)).exp()
}

/// A consumer who shops this week, waiting for its turn at its table.
#[derive(Debug, Clone, Copy)]
pub struct Shopper {
    /// The consumer's stream, after the shop, category and platform draws.
    rng: Counter,
    alpha: f32,
    health: f32,
    green: f32,
    /// The consumer's place in its chunk.
    row: u16,
}

/// Every shopper is written and read once a week: keep them at 24 bytes.
const _: () = assert!(std::mem::size_of::<Shopper>() == 24);

/// The shoppers of one chunk of consumers at one table, and those of them who bought.
#[derive(Default)]
pub struct Queue {
    shoppers: Vec<Shopper>,
    /// The buyers' places in the chunk, in the order they were served.
    buyers: Vec<u16>,
}

/// Queues by chunk of consumers and table (`[chunk][table]`), kept from week to week so that
/// their buffers are allocated once.
#[derive(Default)]
pub struct Queues(Vec<Vec<Queue>>);

/// What every shopper reads this week.
pub struct Week<'a> {
    tables: &'a Tables,
    /// `[r]`: weekly shopping probability of an average consumer of region `r`.
    region_p: Vec<f64>,
    /// `[r * categories + c]`: cumulative category shares of region `r`.
    cum_category: Vec<f64>,
    categories: usize,
    /// Listings drawn per trip.
    k: usize,
    stream: u64,
    step: u32,
}

impl<'a> Week<'a> {
    pub fn new(clock: &Clock, params: &Params, trends: &Trends, tables: &'a Tables) -> Self {
        let cons = &params.s.consumers;
        let season = seasonality(clock.week_of_year(), cons.peak_week, cons.peak_width_weeks, cons.q4_peak);
        let region_p = params
            .s
            .regions
            .iter()
            .zip(&trends.demand)
            .map(|(r, index)| r.purchase_probability * index * season)
            .collect();
        let mut cum_category = Vec::new();
        for r in 0..params.regions() {
            let w = params.category_weights(r);
            let total: f64 = w.iter().sum();
            let mut acc = 0.0;
            cum_category.extend(w.iter().map(|x| {
                acc += x;
                acc / total
            }));
        }
        Self {
            tables,
            region_p,
            cum_category,
            categories: params.categories(),
            k: (cons.candidates as usize).clamp(1, MAX_OPTIONS),
            stream: rng::stream_key(clock.seed, Stream::Shopping),
            step: clock.step,
        }
    }

    /// Pass 1 for one consumer, who last bought on platform `last`: whether it shops this week,
    /// and if so at which table.
    pub fn visit(&self, c: &Consumer, last: u8, row: u16) -> Option<(usize, Shopper)> {
        let (shops, rng) = self.shops(c);
        if shops { self.destination(c, last, row, rng) } else { None }
    }

    /// Whether consumer `c` shops this week, and its stream after that draw.
    #[inline(always)]
    fn shops(&self, c: &Consumer) -> (bool, Counter) {
        let mut rng = Counter::new(rng::small_key(self.stream, c.id, self.step));
        let shops = rng.uniform() < self.region_p[usize::from(c.region)] * f64::from(c.propensity);
        (shops, rng)
    }

    /// The table a shopper who last bought on platform `last` will draw from (by category and
    /// platform), and the shopper; `None` if no platform offers its category in its region.
    #[inline(always)]
    fn destination(&self, c: &Consumer, last: u8, row: u16, mut rng: Counter) -> Option<(usize, Shopper)> {
        let r = usize::from(c.region);
        let nc = self.categories;
        let u = rng.uniform();
        // The first category whose running share passes `u`, counted without branches (the
        // shares are sorted); rounding can leave `u` past the last, which picks the last.
        let cat =
            self.cum_category[r * nc..(r + 1) * nc].iter().map(|&x| usize::from(x <= u)).sum::<usize>().min(nc - 1);
        let chosen = choose_platform(&self.tables.menus[r * nc + cat], c, last, rng.uniform_f32())?;
        Some((chosen.table as usize, Shopper { rng, row, alpha: c.alpha, health: c.health, green: c.green }))
    }

    /// Pass 1 for a chunk of at most 2^16 consumers and their last platforms: its shoppers,
    /// queued by table. Consumers are taken in blocks: first who shops, listed without branches
    /// (to the CPU, whether a consumer shops is a coin flip), then where the block's shoppers go.
    #[inline(never)]
    fn visit_chunk(&self, consumers: &[Consumer], last: &[LastPlatform], queues: &mut [Queue]) {
        const BLOCK: usize = 256;
        assert!(consumers.len() <= 1 << 16, "a chunk's rows are 16-bit");
        let mut rows = [0u16; BLOCK];
        let mut rngs = [Counter::new(0); BLOCK];
        for (b, block) in consumers.chunks(BLOCK).enumerate() {
            let mut m = 0;
            for (i, c) in block.iter().enumerate() {
                let (shops, rng) = self.shops(c);
                rows[m] = (b * BLOCK + i) as u16; // below 2^16, asserted above
                rngs[m] = rng;
                m += usize::from(shops);
            }
            for (&row, &rng) in rows[..m].iter().zip(&rngs[..m]) {
                let i = usize::from(row);
                if let Some((t, sh)) = self.destination(&consumers[i], last[i].0, row, rng) {
                    queues[t].shoppers.push(sh);
                }
            }
        }
    }

    /// Pass 2 for table `t`: its shoppers (in one queue per chunk of consumers) choose; sales are
    /// counted in `sold` (the table's positions), buyers listed in their queue. Returns the trips.
    fn serve(&self, t: usize, sold: &mut [u32], groups: Vec<&mut Queue>) -> u64 {
        match self.k {
            0..=8 => self.serve_with::<8>(t, sold, groups),
            9..=16 => self.serve_with::<16>(t, sold, groups),
            17..=32 => self.serve_with::<32>(t, sold, groups),
            _ => self.serve_with::<MAX_OPTIONS>(t, sold, groups),
        }
    }

    /// [`Week::serve`] in lanes of `N >= k` draws, [`BATCH`] shoppers at a time. A batch's
    /// draws are made, and the table entries they will read prefetched, while the batch before
    /// it chooses.
    #[inline(never)]
    fn serve_with<const N: usize>(&self, t: usize, sold: &mut [u32], groups: Vec<&mut Queue>) -> u64 {
        let info = self.tables.info[t];
        let table = self.tables.table(t);
        let trips = groups.iter().map(|g| g.shoppers.len() as u64).sum();
        if table.is_empty() {
            return trips; // no menu offers an empty table; were one offered, nobody could buy there
        }
        let k = self.k;
        // Two batches' draws, filled in place in turn (moving them would copy them).
        let (mut this, mut ahead) = (Batch::<N, BATCH>::new(), Batch::<N, BATCH>::new());
        let (mut draws, mut draws_ahead) = (&mut this, &mut ahead);
        for group in groups {
            let Queue { shoppers, buyers } = group;
            // Sales and buyers are counted without branches (whether a shopper buys is a coin
            // flip to the CPU): every shopper writes its row after the buyers so far.
            buyers.resize(shoppers.len(), 0);
            let mut bought_so_far = 0;
            let mut batches = shoppers.chunks(BATCH);
            let mut next = batches.next();
            if let Some(first) = next {
                draws_ahead.draw(first.iter().map(|sh| sh.rng), k, table);
            }
            while let Some(batch) = next {
                std::mem::swap(&mut draws, &mut draws_ahead);
                next = batches.next();
                if let Some(upcoming) = next {
                    draws_ahead.draw(upcoming.iter().map(|sh| sh.rng), k, table);
                }
                let shopper = batch.iter().map(|sh| {
                    let (health, green) = (sh.health * info.health, sh.green * info.green);
                    (sh.alpha, [0.0, health, green, health + green], sh.rng.after(k).uniform_f32())
                });
                for (sh, (bought, local)) in batch.iter().zip(draws.choose(table, k, shopper)) {
                    sold[local as usize] += u32::from(bought);
                    buyers[bought_so_far] = sh.row;
                    bought_so_far += usize::from(bought);
                }
            }
            buyers.truncate(bought_so_far);
        }
        trips
    }
}

/// Shoppers whose choices are computed side by side: their chains of dependent steps (loads,
/// exponentials, running totals, search) overlap, and the running totals of the batch add up
/// in one vector.
const BATCH: usize = 4;

/// The listing draws of the streams of `B` shoppers, in `N` lanes (a trip uses the first `k`), for
/// a table of `n > 0` entries. A draw is one 64-bit number: its high 32 bits scaled to `0..n`
/// pick the alias column, its low 32 bits decide between the column's listing and its alias.
struct Batch<const N: usize, const B: usize> {
    column: [[u32; N]; B],
    low: [[u32; N]; B],
}

impl<const N: usize, const B: usize> Batch<N, B> {
    /// Draws in column 0 of every lane. [`Batch::draw`] writes only the first `k` lanes, so the
    /// lanes past `k` stay in column 0: a valid place in any non-empty table, read by the choice's
    /// fixed-length loops and never chosen.
    fn new() -> Self {
        Self { column: [[0; N]; B], low: [[0; N]; B] }
    }

    /// Makes the first `k <= N` draws of up to `B` streams, from copies (the shoppers' own
    /// streams do not move), for the non-empty `table`, and starts loading the entries they will
    /// read. The lanes of shoppers not given keep their draws, which are not read.
    #[inline(always)]
    fn draw(&mut self, streams: impl Iterator<Item = Counter>, k: usize, table: &[Entry]) {
        let n = table.len() as u64;
        for ((columns, lows), mut rng) in self.column.iter_mut().zip(&mut self.low).zip(streams) {
            for (c, l) in columns[..k].iter_mut().zip(&mut lows[..k]) {
                let bits = rng.next_u64();
                *c = (((bits >> 32) * n) >> 32) as u32;
                *l = bits as u32;
            }
        }
        for columns in &self.column {
            for &c in &columns[..k] {
                if let Some(e) = table.get(c as usize) {
                    par::prefetch(std::slice::from_ref(e));
                }
            }
        }
    }

    /// Each shopper's logit choice among its first `k` draws and the outside option (weight 1),
    /// given its `(alpha, premium, u)`: price sensitivity, premium term by certification flags
    /// and the uniform that picks. Returns whether the shopper buys, and the listing's place in
    /// the table if so (its first draw's otherwise, so that the caller needs no branch), for each
    /// of the `B` places (those past the shoppers given buy nothing). Every loop runs over all
    /// `N` lanes, so that the compiler unrolls and vectorises it; the lanes past `k` weigh
    /// exactly 0, which leaves every running total (and so the choice) as it is with `k` lanes.
    #[inline(always)]
    fn choose(
        &self,
        table: &[Entry],
        k: usize,
        shoppers: impl Iterator<Item = (f32, [f32; 4], f32)>,
    ) -> [(bool, u32); B] {
        let mut u = [0f32; B];
        let mut w = [[0f32; N]; B];
        let mut drawn = [[0u32; N]; B];
        for (b, (alpha, premium, u_b)) in shoppers.take(B).enumerate() {
            u[b] = u_b;
            for j in 0..N {
                let e = &table[self.column[b][j] as usize];
                let which = usize::from(self.low[b][j] >= e.keep);
                let slot = &e.slots[which];
                w[b][j] = slot.base + alpha * (slot.value + premium[((e.flags >> (2 * which)) & 3) as usize]);
                drawn[b][j] = slot.local;
            }
        }
        for lanes in &mut w {
            for (j, x) in lanes.iter_mut().enumerate() {
                let e = fast_exp(*x);
                *x = if j < k { e } else { 0.0 };
            }
        }
        // The weights' running totals, in place: one chain of adds per shopper serves the total
        // and the search, the batch's chains side by side.
        let mut acc = [0f32; B];
        for j in 0..N {
            for (acc, lanes) in acc.iter_mut().zip(&mut w) {
                *acc += lanes[j];
                lanes[j] = *acc;
            }
        }
        // Below 0 a target falls on the outside option: buy nothing. Otherwise it falls on the
        // first draw whose running total passes it, counted without branches; rounding can
        // leave a sliver past the last total (where the padding lanes also are), which belongs
        // to the last draw. (A shopper not given has `u` 0 and buys nothing.)
        std::array::from_fn(|b| {
            let target = u[b] * (1.0 + acc[b]) - 1.0;
            let i = w[b].iter().map(|&x| usize::from(x <= target)).sum::<usize>();
            let outside = target < 0.0;
            (!outside, drawn[b][i.min(k - 1)])
        })
    }
}

/// The platform logit: the menu's weights for the consumer's social-video use, with the weight
/// of `last`, the platform it last bought from, times the loyalty multiplier; `None` if the menu
/// is empty.
#[inline]
pub fn choose_platform<'m>(menu: &'m Menu, c: &Consumer, last: u8, u: f32) -> Option<&'m PlatformOption> {
    let s = usize::from(c.social);
    let (cum, weight) = (&menu.cum[s], &menu.weight[s]);
    let n = cum.len();
    if n == 0 {
        return None;
    }
    // Loyalty adds `extra` to the last platform's weight, so to every running total from it on.
    // A last platform not on the menu (or none) has place `n`, past the totals, and weight 0.
    let from = usize::from(menu.index_of[usize::from(last)]).min(n);
    let extra = weight[from] * (c.loyalty_mult - 1.0);
    let target = u * (cum[n - 1] + extra);
    let mut k = 0;
    for (j, x) in cum.iter().enumerate() {
        let x = if j >= from { x + extra } else { *x };
        k += usize::from(x <= target);
    }
    menu.options.get(k.min(n - 1))
}

/// Runs every consumer's shopping decision for the week.
pub fn shop(
    clock: Res<Clock>,
    params: Res<Params>,
    trends: Res<Trends>,
    mut tables: ResMut<Tables>,
    mut consumers: Query<(&Consumer, &mut LastPlatform)>,
    mut queues: Local<Queues>,
) {
    let mut sold = std::mem::take(&mut tables.sold);
    let week = Week::new(&clock, &params, &trends, &tables);
    let mut storage: Vec<_> = consumers.contiguous_iter_mut().expect("consumers are stored in tables").collect();
    let chunk = consumer_chunk(storage.iter().map(|(part, _)| part.len()).sum());
    let mut chunks: Vec<(&[Consumer], &mut [LastPlatform])> = storage
        .iter_mut()
        .flat_map(|(part, last)| part.chunks(chunk).zip(last.bypass_change_detection().chunks_mut(chunk)))
        .collect();
    let ntables = week.tables.info.len();
    queues.0.resize_with(chunks.len(), Vec::new);
    for q in &mut queues.0 {
        q.resize_with(ntables, Queue::default);
        for queue in q.iter_mut() {
            queue.shoppers.clear();
            queue.buyers.clear();
        }
    }

    // 1. Who shops where.
    par::map(chunks.iter().zip(queues.0.iter_mut()), |((c, last), q)| week.visit_chunk(c, last, q));

    // 2. Table by table.
    let mut groups: Vec<Vec<&mut Queue>> = (0..ntables).map(|_| Vec::with_capacity(chunks.len())).collect();
    for q in &mut queues.0 {
        for (t, queue) in q.iter_mut().enumerate().filter(|(_, queue)| !queue.shoppers.is_empty()) {
            groups[t].push(queue);
        }
    }
    let sold_parts = par::split_by_lengths(&mut sold, week.tables.info.iter().map(|i| i.len as usize));
    let work: Vec<_> = sold_parts.into_iter().zip(groups).enumerate().collect();
    let shoppers =
        |(_, (_, group)): &(usize, (&mut [u32], Vec<&mut Queue>))| group.iter().map(|g| g.shoppers.len()).sum();
    let trips = par::map_largest_first(work, shoppers, |(t, (sold, group))| week.serve(t, sold, group));

    // 3. Buyers remember the platform. Tables are numbered `(p * regions + r) * categories + c`.
    let per_platform = week.tables.menus.len().max(1);
    par::map(chunks.iter_mut().zip(&queues.0), |((_, last), q)| {
        for (t, queue) in q.iter().enumerate() {
            let platform = LastPlatform((t / per_platform) as u8);
            for &row in &queue.buyers {
                last[usize::from(row)] = platform;
            }
        }
    });
    drop(week);
    tables.sold = sold;
    for (total, n) in tables.trips.iter_mut().zip(trips) {
        *total += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::NO_PLATFORM;
    use crate::model::ranking::{Slot, TableInfo};

    /// Draws `k` (1 to 64) listings from `table` and picks one by logit against the outside option
    /// (weight 1); returns the chosen listing's place in the table, `None` if the consumer buys
    /// nothing. `premium[flags]` is the premium term for a listing's certifications (bit 0: healthy,
    /// bit 1: sustainable): the consumer's premiums times the table's category relevance. The
    /// shopping step makes the same choice, a batch of shoppers at a time, in [`Week::serve_with`].
    fn choose_listing(table: &[Entry], k: usize, alpha: f32, premium: [f32; 4], rng: &mut Counter) -> Option<u32> {
        choose_listing_in::<MAX_OPTIONS>(table, k, alpha, premium, rng)
    }

    /// [`choose_listing`]'s signature.
    type Choose = fn(&[Entry], usize, f32, [f32; 4], &mut Counter) -> Option<u32>;

    /// [`choose_listing`] in `N >= k` lanes.
    fn choose_listing_in<const N: usize>(
        table: &[Entry],
        k: usize,
        alpha: f32,
        premium: [f32; 4],
        rng: &mut Counter,
    ) -> Option<u32> {
        assert!((1..=N).contains(&k), "1 to {N} draws, not {k}");
        let u = rng.after(k).uniform_f32();
        let stream = *rng;
        *rng = rng.after(k + 1);
        if table.is_empty() {
            return None;
        }
        let mut draws = Batch::<N, 1>::new();
        draws.draw(std::iter::once(stream), k, table);
        let [(bought, local)] = draws.choose(table, k, std::iter::once((alpha, premium, u)));
        bought.then_some(local)
    }

    #[test]
    fn seasonality_peaks_at_the_peak_week_and_wraps() {
        assert!((seasonality(48, 48, 2.5, 0.35) - 1.35).abs() < 1e-12);
        assert!(seasonality(20, 48, 2.5, 0.35) < 1.001);
        // Week 1 is 3 weeks from week 50 across the new year.
        assert!((seasonality(1, 50, 2.5, 0.35) - seasonality(47, 50, 2.5, 0.35)).abs() < 1e-12);
    }

    #[test]
    fn platform_choice_applies_loyalty_and_the_social_boost() {
        let option = |platform: u8, weight: f32, social: bool| PlatformOption { platform, weight, social, table: 0 };
        let menu = Menu::new(vec![option(2, 1.0, false), option(5, 2.0, true), option(7, 1.0, false)], 3.0);
        let mut c = Consumer {
            id: 0,
            alpha: 1.0,
            propensity: 1.0,
            loyalty_mult: 2.0,
            health: 0.0,
            green: 0.0,
            region: 0,
            social: true,
        };
        let shares = |c: &Consumer, last: u8| {
            let mut hits = [0u32; 8];
            let n = 100_000;
            for i in 0..n {
                let u = (i as f32 + 0.5) / n as f32;
                hits[usize::from(choose_platform(&menu, c, last, u).expect("options").platform)] += 1;
            }
            [2, 5, 7].map(|p| f64::from(hits[p]) / f64::from(n))
        };
        // Weights 1, 2 x 3 (social), 1 x 2 (loyal): 1/9, 6/9, 2/9.
        let got = shares(&c, 7);
        for (g, e) in got.iter().zip([1.0 / 9.0, 6.0 / 9.0, 2.0 / 9.0]) {
            assert!((g - e).abs() < 1e-3, "{got:?}");
        }
        c.social = false;
        let got = shares(&c, NO_PLATFORM);
        for (g, e) in got.iter().zip([0.25, 0.5, 0.25]) {
            assert!((g - e).abs() < 1e-3, "{got:?}");
        }
    }

    /// One region, one category, one platform whose table holds two listings, drawn with
    /// probabilities 1/4 and 3/4.
    fn one_table() -> Tables {
        let a = Slot { local: 0, base: 0.5, value: -1.0 };
        let b = Slot { local: 1, base: -0.2, value: 0.3 };
        // Column 0 keeps `a` half the time, column 1 is always `b`: P(a) = 1/4.
        let entries = vec![
            Entry { keep: 1 << 31, flags: 0b0001, slots: [a, b] },
            Entry { keep: u32::MAX, flags: 0, slots: [b, b] },
        ];
        Tables {
            entries,
            info: vec![TableInfo { start: 0, len: 2, health: 0.5, green: 0.0 }],
            seller_first: vec![0, 2],
            position: vec![0, 1],
            sold: vec![0, 0],
            trips: vec![0],
            menus: vec![Menu::new(vec![PlatformOption { platform: 0, weight: 1.0, social: false, table: 0 }], 1.0)],
            candidates: Vec::new(),
        }
    }

    #[test]
    fn purchases_follow_the_logit_with_an_outside_option() {
        let tables = one_table();
        let week = Week {
            tables: &tables,
            region_p: vec![1.0],
            cum_category: vec![1.0],
            categories: 1,
            k: 1,
            stream: rng::stream_key(3, Stream::Shopping),
            step: 0,
        };
        let (alpha, health) = (1.5f32, 0.2f32);
        let mut sold = [0u64; 2];
        let n = 400_000u64;
        for id in 0..n {
            let c = Consumer {
                id,
                alpha,
                propensity: 2.0,
                loyalty_mult: 1.0,
                health,
                green: 0.0,
                region: 0,
                social: false,
            };
            let (t, mut sh) = week.visit(&c, NO_PLATFORM, 0).expect("everyone shops");
            assert_eq!(t, 0);
            let h = sh.health * 0.5;
            if let Some(l) = choose_listing(tables.table(0), 1, sh.alpha, [0.0, h, 0.0, h], &mut sh.rng) {
                sold[l as usize] += 1;
            }
        }
        // Listing a is certified healthy: its premium is health x table relevance (0.5).
        let v_a = f64::from(0.5 + alpha * (-1.0 + health * 0.5));
        let v_b = f64::from(-0.2 + alpha * 0.3);
        let buy = |v: f64| v.exp() / (1.0 + v.exp());
        let expected = [0.25 * buy(v_a), 0.75 * buy(v_b)];
        for (l, e) in expected.iter().enumerate() {
            let got = sold[l] as f64 / n as f64;
            assert!((got - e).abs() < 0.004, "listing {l}: {got} vs {e}");
        }
    }

    /// The choice of `k` listings written plainly, one lane per draw.
    fn plain_choice(table: &[Entry], k: usize, alpha: f32, premium: [f32; 4], mut rng: Counter) -> Option<u32> {
        let n = table.len() as u64;
        let (mut w, mut drawn) = (Vec::new(), Vec::new());
        for _ in 0..k {
            let bits = rng.next_u64();
            let e = &table[(((bits >> 32) * n) >> 32) as usize];
            let which = usize::from(bits as u32 >= e.keep);
            let slot = &e.slots[which];
            w.push(fast_exp(slot.base + alpha * (slot.value + premium[((e.flags >> (2 * which)) & 3) as usize])));
            drawn.push(slot.local);
        }
        let mut acc = 0.0;
        for x in &mut w {
            acc += *x;
            *x = acc;
        }
        let target = rng.uniform_f32() * (1.0 + acc) - 1.0;
        if target < 0.0 {
            return None;
        }
        Some(drawn[w.iter().filter(|&&x| x <= target).count().min(k - 1)])
    }

    #[test]
    fn padded_lanes_choose_as_k_lanes_do() {
        let mut source = Counter::new(11);
        let slot = |g: &mut Counter, local: u32| Slot {
            local,
            base: 4.0 * g.uniform_f32() - 3.0,
            value: 2.0 * g.uniform_f32() - 1.0,
        };
        let table: Vec<Entry> = (0..37)
            .map(|i| {
                let own = slot(&mut source, i);
                let alias = slot(&mut source, (i * 7) % 37);
                Entry { keep: source.next_u64() as u32, flags: (source.next_u64() & 15) as u32, slots: [own, alias] }
            })
            .collect();
        let premium = [0.0, 0.4, -0.2, 0.2];
        for k in [1, 2, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 64] {
            let (mut bought, mut seen) = (0, std::collections::BTreeSet::new());
            for id in 0..2_000u64 {
                let mut rng = Counter::new(rng::small_key(5, id, 0));
                let expected = plain_choice(&table, k, 1.3, premium, rng);
                // Every lane count the shopping step serves with (`Week::serve`) that holds k.
                let lanes: [(usize, Choose); 4] = [
                    (8, choose_listing_in::<8>),
                    (16, choose_listing_in::<16>),
                    (32, choose_listing_in::<32>),
                    (MAX_OPTIONS, choose_listing),
                ];
                for (n, choose) in lanes.into_iter().filter(|&(n, _)| k <= n) {
                    let mut stream = rng;
                    assert_eq!(choose(&table, k, 1.3, premium, &mut stream), expected, "k = {k} in {n} lanes, {id}");
                }
                assert_eq!(choose_listing(&table, k, 1.3, premium, &mut rng), expected, "k = {k}, consumer {id}");
                assert_eq!(rng.next_u64(), Counter::new(rng::small_key(5, id, 0)).after(k + 1).next_u64());
                bought += usize::from(expected.is_some());
                seen.extend(expected);
            }
            // The test means something: shoppers buy and leave, and choose many listings.
            assert!((100..2_000).contains(&bought) && seen.len() > 10, "k = {k}: {bought} bought");
        }
    }
}
