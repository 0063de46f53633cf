//! Mechanisms that configs/2026.ron leaves off or barely uses still work: each is switched on in
//! an overlay and compared with a baseline that differs only in that switch.

use crate::util::{Fixture, SHORT};
use crossborder_sim::config::{self, Scenario};
use crossborder_sim::run::{Results, simulate};

fn run(s: &Scenario) -> Results {
    let r = simulate(s, s.seed, &mut |_, _| {});
    assert_eq!(r.ticks.len(), s.calendar.weeks as usize, "not every week was recorded");
    r
}

/// `SHORT` with `extra` added (an `extra` key replaces the same key of `SHORT`).
fn short(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let kept = SHORT.iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    kept.chain(extra).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The tick of the week that contains `date`.
fn tick_of(s: &Scenario, date: &str) -> u32 {
    let start = config::parse_date(&s.calendar.start).unwrap();
    ((config::parse_date(date).unwrap() - start).num_days() / 7) as u32
}

#[test]
fn a_cpc_shock_raises_the_cost_per_click() {
    let f = Fixture::new();
    let shock =
        |p: &str| format!("[(label: \"ads\", target: Cpc, weekly_probability: {p}, factor: 2.0, duration_weeks: 520)]");
    // Without the competition term, CPC is its exogenous base times the running shocks.
    let with = |p: &str| short(&[("shocks", &shock(p)), ("ad_market.elasticity", "0.0")]);
    let calm = run(&f.load("calm", &with("0.0")));
    let hit = run(&f.load("hit", &with("1.0")));
    assert!(!calm.platforms.is_empty() && calm.platforms.len() == hit.platforms.len());
    for (a, b) in calm.platforms.iter().zip(&hit.platforms) {
        assert_eq!((a.tick, &a.platform, &a.region), (b.tick, &b.platform, &b.region));
        assert!((b.cpc_usd - 2.0 * a.cpc_usd).abs() <= 1e-9 * a.cpc_usd, "{b:?} vs {a:?}");
    }
    for (a, b) in calm.ticks.iter().zip(&hit.ticks) {
        assert!(b.avg_cpc_usd > 1.5 * a.avg_cpc_usd, "tick {}: {} vs {}", a.tick, b.avg_cpc_usd, a.avg_cpc_usd);
    }
}

#[test]
fn a_shock_is_recorded_with_the_weeks_it_runs() {
    let f = Fixture::new();
    // Sure to start in the first week on or after its `from` date, and only then; three weeks.
    let shock = "[(label: \"ads x2\", target: Cpc, weekly_probability: 1.0, factor: 2.0, duration_weeks: 3, \
                 from: \"2024-02-14\", until: \"2024-02-20\")]";
    let calm = run(&f.load("calm", &short(&[("shocks", "[]"), ("ad_market.elasticity", "0.0")])));
    let s = f.load("hit", &short(&[("shocks", shock), ("ad_market.elasticity", "0.0")]));
    let hit = run(&s);
    let first = tick_of(&s, "2024-02-14") + 1; // the week that starts on 2024-02-19
    // Without the competition term, CPC is its base times the running shocks.
    let doubled = |t: u32| {
        let rows = calm.platforms.iter().zip(&hit.platforms).filter(|(a, _)| a.tick == t && a.cpc_usd > 0.0);
        rows.map(|(a, b)| (b.cpc_usd - 2.0 * a.cpc_usd).abs() <= 1e-9 * a.cpc_usd).reduce(|x, y| x && y).unwrap()
    };
    let weeks: Vec<u32> = (0..s.calendar.weeks).filter(|&t| doubled(t)).collect();
    assert_eq!(weeks, [first, first + 1, first + 2]);
    assert_eq!(hit.shocks.len(), 1, "{:?}", hit.shocks);
    let row = &hit.shocks[0];
    let date = |t: u32| hit.ticks[t as usize].date.clone();
    assert_eq!((row.start_date.clone(), row.end_date.clone()), (date(first), date(first + 2)));
    assert_eq!((row.label.as_str(), row.target.as_str(), row.factor, row.weeks), ("ads x2", "cpc", 2.0, 3));
    assert!(calm.shocks.is_empty());
}

#[test]
fn a_platform_that_leaves_a_region_sells_nothing_there_afterwards() {
    let f = Fixture::new();
    let base = f.load("base", SHORT);
    let p = &base.platforms[0];
    let r = &p.regions.iter().find(|r| r.present).expect("the first platform is present somewhere").region;
    let date = "2024-03-06";
    let label = format!("{} leaves {r}", p.id);
    let event = format!(
        "[(id: \"leave\", date: \"{date}\", label: \"{label}\", set: {{ \"platforms[{}].regions[{r}].present\": false }})]",
        p.id
    );
    let s = f.load("leave", &short(&[("events", &event)]));
    let res = run(&s);
    let when = tick_of(&s, date);
    assert_eq!(res.events.len(), 1);
    assert_eq!(res.events[0].1, label);
    assert_eq!(res.events[0].0, res.ticks[when as usize].date);
    let (mut before, mut after, mut region_after) = (0.0, 0.0, 0.0);
    for row in &res.platforms {
        if row.region == *r && row.tick >= when {
            region_after += row.gmv_usd;
        }
        if row.platform == p.id && row.region == *r {
            if row.tick < when { before += row.gmv_usd } else { after += row.gmv_usd }
        }
    }
    assert!(before > 0.0, "{} sold nothing in {r} before leaving", p.id);
    assert_eq!(after, 0.0, "{} still sold in {r} after leaving", p.id);
    assert!(region_after > 0.0, "{r} bought nothing once {} left", p.id);
}

#[test]
fn strict_enforcement_delists_non_compliant_cn_sellers() {
    let f = Fixture::new();
    let base = f.load("base", SHORT);
    let with = |enforcement: &str| {
        let mut sets = short(&[("sellers.compliance_cn", "(0.0, 0.2)")]);
        for g in &base.regulators {
            sets.push((format!("regulators[{}].enforcement", g.region), enforcement.to_string()));
        }
        sets
    };
    let lax = run(&f.load("lax", &with("0.0")));
    let strict = run(&f.load("strict", &with("1.0")));
    let regulatory = |r: &Results| r.ticks.iter().map(|t| t.exits_regulatory).sum::<i64>();
    assert_eq!(regulatory(&lax), 0);
    assert!(regulatory(&strict) > 0, "no regulatory exits");
    let delisted: Vec<_> = strict.exits.iter().filter(|e| e.reason == "regulatory").collect();
    assert!(!delisted.is_empty());
    assert!(delisted.iter().all(|e| e.origin == "cn"), "a local seller was delisted");
    // Fewer cn sellers remain active than without enforcement.
    let cn_active = |r: &Results| -> i64 {
        let last = r.ticks.last().unwrap().tick;
        r.segments.iter().filter(|x| x.tick == last && x.origin == "cn").map(|x| x.active).sum()
    };
    assert!(
        cn_active(&strict) < cn_active(&lax),
        "{} cn sellers left, {} without enforcement",
        cn_active(&strict),
        cn_active(&lax)
    );
}

#[test]
fn events_fire_in_date_order_and_disabled_events_never_fire() {
    let f = Fixture::new();
    let base = f.load("base", SHORT);
    let p = &base.platforms[0].id;
    let before = base.platforms[0].take_rate;
    let events = format!(
        "[(date: \"2024-04-10\", label: \"late\", set: {{ \"platforms[{p}].take_rate\": 0.3 }}), \
          (date: \"2024-02-14\", label: \"early\", set: {{ \"platforms[{p}].take_rate\": 0.2 }}), \
          (enabled: false, date: \"2024-03-06\", label: \"off\", set: {{ \"platforms[{p}].take_rate\": 0.9 }})]"
    );
    let s = f.load("ordered", &short(&[("events", &events)]));
    let res = run(&s);
    let labels: Vec<&str> = res.events.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["early", "late"]);
    let (early, late) = (tick_of(&s, "2024-02-14"), tick_of(&s, "2024-04-10"));
    for row in res.platforms.iter().filter(|x| x.platform == *p) {
        let expected = if row.tick < early {
            before
        } else if row.tick < late {
            0.2
        } else {
            0.3
        };
        assert_eq!(row.take_rate, expected, "tick {}", row.tick);
    }
}
