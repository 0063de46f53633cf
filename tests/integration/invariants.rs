//! Invariants of the world state after every tick, checked in-process on the small scenario.

use crate::util::{Fixture, small};
use bevy_ecs::world::World;
use crossborder_sim::config::Scenario;
use crossborder_sim::model::agents::{Finance, Listings, PlatformAgent, RegulatorAgent, Seller};
use crossborder_sim::model::record::{Logs, Recorder};
use crossborder_sim::model::settlement::SaleCents;
use crossborder_sim::model::setup::Population;
use crossborder_sim::model::{Params, Simulation};

/// Overlay entries that stop every exit: an exiting seller's listings leave the world before it
/// can be inspected, so the money identity is checked on a population that only grows.
fn no_exits(s: &Scenario) -> Vec<(String, String)> {
    let mut sets = Vec::new();
    for size in ["small", "medium", "large"] {
        sets.push((format!("sellers.{size}.loss_streak_limit"), "520".to_string()));
        sets.push((format!("sellers.{size}.cash_weeks"), "1000000.0".to_string()));
    }
    for g in &s.regulators {
        sets.push((format!("regulators[{}].enforcement", g.region), "0.0".to_string()));
    }
    sets
}

/// Money totals of one tick, in cents.
#[derive(Default)]
struct Totals {
    spending: i64,
    duties: i64,
    vat: i64,
}

/// Checks, to the cent, that consumer spending as the platforms booked it equals sellers' net
/// revenue + platform fees + duties + VAT recomputed from every listing's sales, per platform and
/// region, and that the regulators booked the listings' duties and VAT.
fn check_money(world: &mut World, tick: u32) -> Totals {
    let params = world.resource::<Params>().clone();
    let weight = world.resource::<Population>().consumer_weight.clone();
    let (np, nr) = (params.platforms(), params.regions());
    let mut parts = vec![0i64; np * nr];
    let mut fees = vec![0i64; np * nr];
    let mut duties = vec![0i64; nr];
    let mut vat = vec![0i64; nr];
    let mut sellers = world.query::<(&Seller, &Listings)>();
    for (_, listings) in sellers.iter(world) {
        for l in &listings.0 {
            let (p, r) = (usize::from(l.platform), usize::from(l.region));
            let take = params.s.platforms[p].take_rate;
            let sale = SaleCents::new(f64::from(l.units) * weight[r], l.price, l.vat, l.duty, take);
            parts[p * nr + r] += sale.seller_net() + sale.fee + sale.duty + sale.vat;
            fees[p * nr + r] += sale.fee;
            duties[r] += sale.duty;
            vat[r] += sale.vat;
        }
    }
    let mut totals = Totals::default();
    let mut platforms = world.query::<&PlatformAgent>();
    for agent in platforms.iter(world) {
        let p = usize::from(agent.idx);
        for (r, st) in agent.regions.iter().enumerate() {
            let (pid, rid) = (&params.s.platforms[p].id, &params.s.regions[r].id);
            assert_eq!(st.gmv_cents, parts[p * nr + r], "tick {tick}: {pid} in {rid}: spending vs parts");
            assert_eq!(st.fees_cents, fees[p * nr + r], "tick {tick}: {pid} in {rid}: fees");
            totals.spending += st.gmv_cents;
        }
    }
    let mut regulators = world.query::<&RegulatorAgent>();
    for g in regulators.iter(world) {
        let r = usize::from(g.region);
        assert_eq!(g.duties_cents, duties[r], "tick {tick}: duties of {}", params.s.regions[r].id);
        assert_eq!(g.vat_cents, vat[r], "tick {tick}: VAT of {}", params.s.regions[r].id);
        totals.duties += g.duties_cents;
        totals.vat += g.vat_cents;
    }
    totals
}

#[test]
fn money_adds_up_to_the_cent_every_tick() {
    let f = Fixture::new();
    let s = f.load("no_exits", &no_exits(&small()));
    let weeks = s.calendar.weeks as usize;
    let mut sim = Simulation::new(s, 11);
    let mut all = Totals::default();
    let mut tick = 0;
    while sim.step() {
        let t = check_money(&mut sim.world, tick);
        assert!(t.spending > 0, "tick {tick}: nobody bought anything");
        (all.duties, all.vat) = (all.duties + t.duties, all.vat + t.vat);
        tick += 1;
    }
    assert_eq!(sim.world.resource::<Recorder>().ticks.len(), weeks, "not every week was recorded");
    assert!(all.duties > 0 && all.vat > 0, "the identity was never tested with duties and VAT");
    assert!(sim.world.resource::<Logs>().exits.is_empty(), "exits happened; the identity above is incomplete");
}

#[test]
fn agent_state_stays_finite_in_range_and_obeys_the_exit_rule() {
    let s = small();
    let limits =
        [s.sellers.small.loss_streak_limit, s.sellers.medium.loss_streak_limit, s.sellers.large.loss_streak_limit];
    let max_listings = [s.sellers.small.max_listings, s.sellers.medium.max_listings, s.sellers.large.max_listings];
    let mut sim = Simulation::new(s, 3);
    for tick in 0..52 {
        assert!(sim.step());
        let w = &mut sim.world;
        let mut sellers = w.query::<(&Seller, &Listings, &Finance)>();
        let mut n = 0;
        for (s, l, f) in sellers.iter(w) {
            n += 1;
            let at = format!("tick {tick}, seller {}", s.id);
            assert!(s.unit_cost.is_finite() && s.unit_cost > 0.0, "{at}: unit cost {}", s.unit_cost);
            assert!((0.0..=1.0).contains(&s.quality), "{at}: quality {}", s.quality);
            assert!((0.0..=1.0).contains(&s.compliance), "{at}: compliance {}", s.compliance);
            assert!(s.equity.is_finite() && s.equity >= 0.0, "{at}: equity {}", s.equity);
            assert!((1.0..=5.0).contains(&s.rating), "{at}: rating {}", s.rating);
            assert!(s.markup.is_finite() && s.ad_intensity.is_finite(), "{at}");
            // Survivors of the exit step are solvent and within their loss-streak limit.
            assert!(f.cash.is_finite() && f.cash >= 0.0, "{at}: cash {} after the exit step", f.cash);
            assert!(f.loss_streak < limits[s.size as usize], "{at}: loss streak {}", f.loss_streak);
            assert!(f.profit_avg.is_finite() && f.fixed_cost >= 0.0, "{at}");
            assert!(l.0.len() <= max_listings[s.size as usize] as usize, "{at}: {} listings", l.0.len());
            for x in &l.0 {
                assert!(x.price.is_finite() && x.price > 0.0, "{at}: price {}", x.price);
                assert!(x.consumer_price >= x.price && x.consumer_price.is_finite(), "{at}: consumer price");
                assert!(x.landed.is_finite() && x.landed > 0.0, "{at}: landed {}", x.landed);
                assert!(x.duty.is_finite() && x.duty >= 0.0, "{at}: duty {}", x.duty);
                assert!((0.0..=1.0).contains(&x.vat), "{at}: vat {}", x.vat);
                assert!(x.days.is_finite() && x.days > 0.0, "{at}: days {}", x.days);
                assert!(x.ad_spend.is_finite() && x.ad_spend >= 0.0, "{at}: ad spend {}", x.ad_spend);
                assert!(x.clicks.is_finite() && x.clicks >= 0.0, "{at}: clicks {}", x.clicks);
                assert!(x.revenue_avg.is_finite() && x.revenue_avg >= 0.0, "{at}: revenue avg {}", x.revenue_avg);
                assert!(x.profit_avg.is_finite() && x.week_cost.is_finite(), "{at}");
            }
        }
        assert!(n > 0, "tick {tick}: no sellers left");
        let mut platforms = w.query::<&PlatformAgent>();
        for a in platforms.iter(w) {
            for (r, st) in a.regions.iter().enumerate() {
                let at = format!("tick {tick}, platform {} region {r}", a.idx);
                assert!(st.cpc.is_finite() && st.cpc >= 0.0, "{at}: cpc {}", st.cpc);
                assert!((0.0..=1.0 + 1e-12).contains(&st.marketing_share), "{at}: marketing {}", st.marketing_share);
                assert!(st.gmv_cents >= 0 && st.orders >= 0 && st.fees_cents >= 0, "{at}");
                assert!(st.ad_revenue_cents >= 0 && st.fees_cents <= st.gmv_cents, "{at}");
                assert!(st.growth_avg.is_finite() && st.gmv_avg.is_finite(), "{at}");
            }
        }
        let mut regulators = w.query::<&RegulatorAgent>();
        for g in regulators.iter(w) {
            let at = format!("tick {tick}, regulator {}", g.region);
            assert!(g.duties_cents >= 0 && g.vat_cents >= 0, "{at}");
            assert!(0 <= g.seized && g.seized <= g.inspected, "{at}: seized {} of {}", g.seized, g.inspected);
            assert!(g.delay_days.is_finite() && g.delay_days >= 0.0, "{at}");
        }
    }
}
