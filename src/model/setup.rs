//! ODD "Initialization": agents drawn from the scenario's distributions, and the sample weights
//! that turn agents into real consumers and sellers.

use super::agents::*;
use super::calendar::Shocks;
use super::market::{Market, Quotes};
use super::par;
use super::params::Params;
use super::sellers::new_listing;
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

/// How many agents there are and how many real actors each stands for.
#[derive(Resource, Debug, Clone)]
pub struct Population {
    pub consumers_per_region: Vec<u32>,
    /// Real consumers per consumer agent, by region.
    pub consumer_weight: Vec<f64>,
    /// Real sellers per seller agent.
    pub seller_weight: f64,
    /// Seller agents at the start.
    pub initial_sellers: u32,
}

impl Population {
    pub fn new(params: &Params) -> Self {
        let s = &params.s;
        let shares: Vec<f64> = s.regions.iter().map(|r| r.online_shoppers_m).collect();
        let consumers_per_region = apportion(s.scale.consumer_agents, &shares);
        let consumer_weight =
            consumers_per_region.iter().enumerate().map(|(r, n)| params.consumer_weight(r, *n)).collect();
        Self {
            consumers_per_region,
            consumer_weight,
            seller_weight: params.seller_weight(),
            initial_sellers: s.scale.seller_agents,
        }
    }
}

/// Splits `total` into integer parts proportional to `weights` (largest remainder).
pub fn apportion(total: u32, weights: &[f64]) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| f64::from(total) * w / sum).collect();
    let mut parts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let missing = total - parts.iter().sum::<u32>();
    for &i in order.iter().take(missing as usize) {
        parts[i] += 1;
    }
    parts
}

/// Index drawn from weights by one uniform.
fn draw_index(weights: &[f64], u: f64) -> usize {
    super::choice::sample_weighted(weights, u).unwrap_or(0)
}

/// Draws one consumer of region `r`.
pub fn draw_consumer(params: &Params, seed: u64, id: u64, r: usize) -> Consumer {
    let c = &params.s.consumers;
    let region = &params.s.regions[r];
    let mut rng = rng::agent(seed, Stream::Init, id, 0);
    let z: f64 = StandardNormal.sample(&mut rng);
    let alpha = c.price_sensitivity_median * (c.price_sensitivity_sigma * z).exp();
    let z2: f64 = StandardNormal.sample(&mut rng);
    let sigma = c.propensity_sigma;
    let propensity = (sigma * z2 - sigma * sigma / 2.0).exp();
    let loyalty = rng.random_range(c.loyalty.0..=c.loyalty.1);
    let health = if rng.random::<f64>() < c.health_share {
        rng.random_range(c.health_premium.0..=c.health_premium.1).ln_1p()
    } else {
        0.0
    };
    let green = if rng.random::<f64>() < c.green_share {
        rng.random_range(c.green_premium.0..=c.green_premium.1).ln_1p()
    } else {
        0.0
    };
    let social = rng.random::<f64>() < region.mobile_share * c.social_share_of_mobile;
    Consumer {
        id,
        alpha: alpha as f32,
        propensity: propensity as f32,
        loyalty_mult: loyalty.exp() as f32,
        health: health as f32,
        green: green as f32,
        region: r as u8,
        social,
    }
}

/// Weights of regions as homes of local sellers: their local purchases.
pub fn local_home_weights(params: &Params) -> Vec<f64> {
    params.s.regions.iter().map(|r| r.online_shoppers_m * r.purchase_probability * r.local_share).collect()
}

/// Weights of categories across all regions: their purchases.
fn category_weights(params: &Params) -> Vec<f64> {
    let mut w = vec![0.0; params.categories()];
    for (r, region) in params.s.regions.iter().enumerate() {
        for (c, x) in params.category_weights(r).iter().enumerate() {
            w[c] += x * region.online_shoppers_m * region.purchase_probability;
        }
    }
    w
}

/// What an entrant or initial seller is, before its other attributes are drawn.
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub origin: Origin,
    pub kind: Kind,
    pub size: Size,
}

/// Draws a segment from the population's mix (`brand_share` for the brand share).
pub fn draw_segment(params: &Params, brand_share: f64, rng: &mut impl rand::Rng) -> Segment {
    let s = &params.s.sellers;
    let origin = if rng.random::<f64>() < s.cn_share { Origin::Cn } else { Origin::Local };
    let kind = if rng.random::<f64>() < brand_share { Kind::Brand } else { Kind::WhiteLabel };
    let (a, b, c) = s.size_shares;
    let size = Size::ALL[draw_index(&[a, b, c], rng.random())];
    Segment { origin, kind, size }
}

/// Draws a seller of a segment with its initial listings; `ai_share` is the current adoption.
pub fn draw_seller(
    params: &Params,
    market: &Market,
    quotes: &Quotes,
    id: u64,
    seg: Segment,
    ai_share: f64,
    rng: &mut impl rand::Rng,
) -> (Seller, Listings, Finance) {
    let cfg = &params.s.sellers;
    let home = match seg.origin {
        Origin::Cn => 0,
        Origin::Local => draw_index(&local_home_weights(params), rng.random()) as u8,
    };
    let category = draw_index(&category_weights(params), rng.random());
    let cat = &params.s.categories[category];
    let range =
        |(lo, hi): (f64, f64), rng: &mut dyn rand::Rng| if hi > lo { lo + (hi - lo) * rng.random::<f64>() } else { lo };
    let brand = seg.kind == Kind::Brand;
    let unit_cost = range(if seg.origin == Origin::Cn { cat.unit_cost_cn } else { cat.unit_cost_local }, rng);
    let quality = range(if brand { cfg.quality_brand } else { cfg.quality_white_label }, rng);
    let equity = if brand { range(cfg.equity_brand, rng) } else { 0.0 };
    let markup = range(if brand { cfg.markup_brand } else { cfg.markup_white_label }, rng);
    let ad_intensity = range(cfg.ad_intensity, rng);
    let compliance = range(if seg.origin == Origin::Cn { cfg.compliance_cn } else { cfg.compliance_local }, rng);
    let certified_health = rng.random::<f64>() < cfg.certified_health_share;
    let certified_green = rng.random::<f64>() < cfg.certified_green_share;
    let ai = rng.random::<f64>() < ai_share;
    let mode = if seg.origin == Origin::Cn && rng.random::<f64>() >= cfg.cn_warehouse_share {
        Fulfilment::DirectParcel
    } else {
        Fulfilment::LocalWarehouse
    };
    let size = params.size(seg.size);
    let seller = Seller {
        id,
        origin: seg.origin,
        home,
        kind: seg.kind,
        size: seg.size,
        category: category as u8,
        unit_cost,
        quality,
        equity,
        certified_health,
        certified_green,
        compliance,
        ai,
        mode,
        markup,
        ad_intensity,
        rating: super::accounting::rating_target(quality, 0.0, &cfg.rating),
    };
    let mut listings = Vec::new();
    let mut options: Vec<(usize, usize, f64)> = Vec::new();
    for p in 0..params.platforms() {
        for r in 0..params.regions() {
            if seg.origin == Origin::Local && r != usize::from(home) {
                continue;
            }
            if let Some(terms) = params.platform_region(p, r) {
                let region = &params.s.regions[r];
                options.push((
                    p,
                    r,
                    terms.attractiveness.exp() * region.online_shoppers_m * region.purchase_probability,
                ));
            }
        }
    }
    for _ in 0..size.initial_listings {
        let weights: Vec<f64> = options.iter().map(|o| o.2).collect();
        let Some(i) = super::choice::sample_weighted(&weights, rng.random()) else { break };
        let (p, r, _) = options.swap_remove(i);
        listings.extend(new_listing(&seller, p, r, quotes, market));
    }
    let finance = Finance {
        cash: size.cash_weeks * size.fixed_cost_usd_week,
        fixed_cost: size.fixed_cost_usd_week,
        ..Default::default()
    };
    (seller, Listings(listings.into()), finance)
}

/// Spawns the initial world: platforms, regulators, consumers and sellers.
pub fn populate(world: &mut World, seed: u64) {
    let params = world.resource::<Params>().clone();
    let population = world.resource::<Population>().clone();
    let market = world.resource::<Market>().clone();
    let quotes = Quotes::new(&params, &market, world.resource::<Shocks>());
    let nr = params.regions();
    for (p, _) in params.s.platforms.iter().enumerate() {
        let regions = (0..nr)
            .map(|r| {
                let base = params.s.platforms[p]
                    .regions
                    .iter()
                    .find(|x| x.region == params.s.regions[r].id)
                    .map_or(0.0, |x| x.base_cpc_usd);
                PlatformRegionState { cpc: base, cpc_base: base, ..Default::default() }
            })
            .collect();
        world.spawn(PlatformAgent { idx: p as u8, regions });
    }
    for r in 0..nr {
        world.spawn(RegulatorAgent { region: r as u8, ..Default::default() });
    }
    // Agents are drawn in parallel chunks (each from its own keyed stream) and spawned in id
    // order, so consumer ids run 0.. region by region.
    let mut first_id = Vec::new();
    let mut id = 0u64;
    for n in &population.consumers_per_region {
        first_id.push(id);
        id += u64::from(*n);
    }
    let region_of = |id: u64| first_id.partition_point(|&f| f <= id) - 1;
    spawn_drawn(world, id as usize, |id| draw_consumer(&params, seed, id as u64, region_of(id as u64)));
    let ai_share = params.s.sellers.ai.initial_share;
    spawn_drawn(world, population.initial_sellers as usize, |sid| {
        let id = SELLER_ID_BASE + sid as u64;
        let mut rng = rng::agent(seed, Stream::Init, id, 0);
        let seg = draw_segment(&params, params.s.sellers.brand_share, &mut rng);
        draw_seller(&params, &market, &quotes, id, seg, ai_share, &mut rng)
    });
    world.insert_resource(quotes);
    world.insert_resource(NextSellerId(SELLER_ID_BASE + u64::from(population.initial_sellers)));
}

/// Agents drawn per parallel work item at set-up.
const SPAWN_CHUNK: usize = 1 << 16;

/// Parallel work items drawn before they are spawned.
const SPAWN_GROUP: usize = 32;

/// Draws agents `0..n` (agent `i` by `draw(i)`, which takes its own keyed stream) in parallel
/// chunks and spawns them in order, a group of chunks at a time: only a group's agents wait
/// outside the world, not all of them (at 2x10^7 consumers, 640 MB of `Consumer`s).
fn spawn_drawn<B>(world: &mut World, n: usize, draw: impl Fn(usize) -> B + Sync)
where
    B: Bundle<Effect: bevy_ecs::bundle::NoBundleEffect> + Send,
{
    for group in par::ranges(n, SPAWN_GROUP * SPAWN_CHUNK) {
        let start = group.start;
        let drawn = par::map_ranges(group.len(), SPAWN_CHUNK, |ids| ids.map(|i| draw(start + i)).collect::<Vec<_>>());
        for chunk in drawn {
            world.spawn_batch(chunk);
        }
    }
}

/// Seller ids start here, apart from consumer ids.
pub const SELLER_ID_BASE: u64 = 1 << 40;

/// The id the next entrant gets.
#[derive(Resource, Debug)]
pub struct NextSellerId(pub u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_keeps_the_total_and_proportions() {
        let parts = apportion(100, &[1.0, 1.0, 1.0]);
        assert_eq!(parts.iter().sum::<u32>(), 100);
        assert_eq!(parts, vec![34, 33, 33]);
        assert_eq!(apportion(10, &[280.0, 55.0]), vec![8, 2]);
    }

    #[test]
    fn drawn_agents_are_spawned_in_order_and_consumers_bought_nowhere_yet() {
        let consumer = |id: usize| Consumer {
            id: id as u64,
            alpha: 1.0,
            propensity: 1.0,
            loyalty_mult: 1.0,
            health: 0.0,
            green: 0.0,
            region: 0,
            social: false,
        };
        let mut world = World::new();
        let n = 2 * SPAWN_CHUNK + 5;
        spawn_drawn(&mut world, n, consumer);
        let mut query = world.query::<(&Consumer, &LastPlatform)>();
        let ids: Vec<u64> = query.iter(&world).map(|(c, _)| c.id).collect();
        assert_eq!(ids, (0..n as u64).collect::<Vec<_>>());
        assert!(query.iter(&world).all(|(_, last)| *last == LastPlatform::NONE));
    }
}
