//! The live scenario as a resource, with index lookups (ODD: input data).
//!
//! Dated events replace the scenario; the lookups are rebuilt with it, so systems always read
//! the parameters in force this week.

use super::agents::{Origin, Size};
use super::pricing::ImportPolicy;
use crate::config::{self, PlatformRegion, Regulator, Scenario, SizeClass};
use bevy_ecs::prelude::*;
use chrono::NaiveDate;

/// The scenario in force, and lookups by index.
#[derive(Resource, Debug, Clone)]
pub struct Params {
    pub s: Scenario,
    /// `[p * regions + r]`: index into `platforms[p].regions` if present there.
    platform_region: Vec<Option<usize>>,
    /// `[r]`: index into `regulators`.
    regulator: Vec<usize>,
    /// `[r][c]`: the region's basket and category weight in category order.
    basket: Vec<Vec<f64>>,
    category_weights: Vec<Vec<f64>>,
    /// `[r * categories + c]`: the region's tariff on goods of the category from China.
    tariff: Vec<f64>,
    pub start: NaiveDate,
}

impl Params {
    pub fn new(s: Scenario) -> Self {
        let start = config::parse_date(&s.calendar.start).expect("validated");
        let mut p = Self {
            s,
            platform_region: Vec::new(),
            regulator: Vec::new(),
            basket: Vec::new(),
            category_weights: Vec::new(),
            tariff: Vec::new(),
            start,
        };
        p.rebuild();
        p
    }

    /// Replaces the scenario (after an event) and rebuilds the lookups.
    pub fn replace(&mut self, s: Scenario) {
        self.s = s;
        self.rebuild();
    }

    fn rebuild(&mut self) {
        let s = &self.s;
        let nr = s.regions.len();
        self.platform_region = vec![None; s.platforms.len() * nr];
        for (p, platform) in s.platforms.iter().enumerate() {
            for (j, pr) in platform.regions.iter().enumerate() {
                if let Some(r) = self.region_index(&pr.region)
                    && pr.present
                {
                    self.platform_region[p * nr + r] = Some(j);
                }
            }
        }
        self.regulator =
            s.regions.iter().map(|r| s.regulators.iter().position(|g| g.region == r.id).expect("validated")).collect();
        let by_cat = |m: &std::collections::BTreeMap<String, f64>| -> Vec<f64> {
            s.categories.iter().map(|c| m[&c.id]).collect()
        };
        self.basket = s.regions.iter().map(|r| by_cat(&r.basket_usd)).collect();
        self.category_weights = s.regions.iter().map(|r| by_cat(&r.category_weights)).collect();
        self.tariff = self
            .regulator
            .iter()
            .flat_map(|&g| s.categories.iter().map(move |c| s.regulators[g].tariff.get(&c.id).copied().unwrap_or(0.0)))
            .collect();
    }

    pub fn regions(&self) -> usize {
        self.s.regions.len()
    }
    pub fn platforms(&self) -> usize {
        self.s.platforms.len()
    }
    pub fn categories(&self) -> usize {
        self.s.categories.len()
    }

    pub fn region_index(&self, id: &str) -> Option<usize> {
        self.s.regions.iter().position(|r| r.id == id)
    }

    /// The platform's terms in a region, if it is present there.
    pub fn platform_region(&self, p: usize, r: usize) -> Option<&PlatformRegion> {
        self.platform_region[p * self.regions() + r].map(|j| &self.s.platforms[p].regions[j])
    }

    pub fn regulator(&self, r: usize) -> &Regulator {
        &self.s.regulators[self.regulator[r]]
    }

    /// Typical order value (and outside-option price) of category `c` in region `r`, USD.
    pub fn basket(&self, r: usize, c: usize) -> f64 {
        self.basket[r][c]
    }

    pub fn category_weights(&self, r: usize) -> &[f64] {
        &self.category_weights[r]
    }

    /// Import terms for goods of category `c` from `origin` into region `r`; local goods pay
    /// only VAT.
    pub fn import_policy(&self, origin: Origin, r: usize, c: usize) -> ImportPolicy {
        let g = self.regulator(r);
        match origin {
            Origin::Cn => ImportPolicy {
                de_minimis: g.de_minimis_usd,
                tariff: self.tariff[r * self.categories() + c],
                vat: g.vat,
                vat_below_de_minimis: g.vat_below_de_minimis,
                flat_duty: g.flat_duty_usd,
                compliance_per_unit: g.compliance_usd_per_unit,
            },
            Origin::Local => ImportPolicy {
                de_minimis: 0.0,
                tariff: 0.0,
                vat: g.vat,
                vat_below_de_minimis: true,
                flat_duty: 0.0,
                compliance_per_unit: 0.0,
            },
        }
    }

    pub fn size(&self, size: Size) -> &SizeClass {
        match size {
            Size::Small => &self.s.sellers.small,
            Size::Medium => &self.s.sellers.medium,
            Size::Large => &self.s.sellers.large,
        }
    }

    /// Real consumers one consumer agent of region `r` stands for.
    pub fn consumer_weight(&self, r: usize, agents_in_region: u32) -> f64 {
        self.s.regions[r].online_shoppers_m * 1e6 / f64::from(agents_in_region.max(1))
    }

    /// Real sellers one seller agent stands for.
    pub fn seller_weight(&self) -> f64 {
        self.s.scale.real_sellers / f64::from(self.s.scale.seller_agents)
    }
}
