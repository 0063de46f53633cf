//! The four agent kinds as ECS components (ODD: entities, state variables and scales).
//!
//! Agents carry stable `u64` ids; bevy `Entity` ids are never used as identities because they are
//! recycled. Parameters that events may change stay in the scenario ([`super::Params`]); the
//! components hold state only.

use bevy_ecs::prelude::*;

/// Where a seller is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Cn,
    Local,
}

/// Brand or white-label ("product-spraying") seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Brand,
    WhiteLabel,
}

/// Seller size class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Size {
    Small,
    Medium,
    Large,
}

/// How a cross-border seller's goods reach buyers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fulfilment {
    DirectParcel,
    LocalWarehouse,
}

impl Fulfilment {
    pub const ALL: [Fulfilment; 2] = [Fulfilment::DirectParcel, Fulfilment::LocalWarehouse];
}

impl Origin {
    pub const ALL: [Origin; 2] = [Origin::Cn, Origin::Local];
    pub fn name(self) -> &'static str {
        match self {
            Origin::Cn => "cn",
            Origin::Local => "local",
        }
    }
}

/// Tables laid out by walking an enum's `ALL` are indexed by `value as usize` (the quote table,
/// size classes' reach terms): checked here, at compile time, that `ALL[i] as usize == i`.
macro_rules! all_in_discriminant_order {
    ($($t:ty),*) => {$(
        const _: () = {
            let mut i = 0;
            while i < <$t>::ALL.len() {
                assert!(<$t>::ALL[i] as usize == i, "ALL lists the variants in declaration order");
                i += 1;
            }
        };
    )*};
}
all_in_discriminant_order!(Origin, Kind, Size, Fulfilment);

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Brand, Kind::WhiteLabel];
    pub fn name(self) -> &'static str {
        match self {
            Kind::Brand => "brand",
            Kind::WhiteLabel => "white_label",
        }
    }
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::Large];
    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

/// Index of an (origin, kind, size) segment, 0..12.
pub fn segment(origin: Origin, kind: Kind, size: Size) -> usize {
    (origin as usize * 2 + kind as usize) * 3 + size as usize
}

/// Number of (origin, kind, size) segments.
pub const SEGMENTS: usize = 12;

/// A seller's fixed traits and slowly changing attributes.
#[derive(Component, Debug, Clone)]
pub struct Seller {
    pub id: u64,
    pub origin: Origin,
    /// Home region index of a local seller (local sellers sell only at home).
    pub home: u8,
    pub kind: Kind,
    pub size: Size,
    pub category: u8,
    /// Unit cost before the AI factor, USD.
    pub unit_cost: f64,
    /// Product quality in [0, 1].
    pub quality: f64,
    /// Brand equity >= 0.
    pub equity: f64,
    pub certified_health: bool,
    pub certified_green: bool,
    /// Compliance level in [0, 1].
    pub compliance: f64,
    pub ai: bool,
    pub mode: Fulfilment,
    /// Target markup over landed cost.
    pub markup: f64,
    /// Ad spend as a share of expected revenue.
    pub ad_intensity: f64,
    /// Rating in [1, 5] from quality and delivery, smoothed.
    pub rating: f64,
}

/// One platform x region listing of a seller, with its weekly state.
#[derive(Debug, Clone)]
pub struct Listing {
    pub platform: u8,
    pub region: u8,
    /// Seller's price before consumer taxes, USD.
    pub price: f64,
    /// What the buyer pays per unit: price plus VAT, USD.
    pub consumer_price: f64,
    /// Landed cost per unit (excluding the platform's take), USD.
    pub landed: f64,
    /// Duty per unit remitted to customs, USD.
    pub duty: f64,
    /// VAT rate applied to this listing's sales.
    pub vat: f64,
    /// Delivery days the buyer sees.
    pub days: f64,
    /// Ad spend this week, USD per real seller.
    pub ad_spend: f64,
    /// Clicks bought this week (per real seller).
    pub clicks: f64,
    /// Agent units sold last week (after seizures).
    pub units: u32,
    /// Agent units seized last week.
    pub seized: u32,
    /// This week's revenue and listing-level cost (take, landed cost, ads, seizures), USD per
    /// real seller.
    pub week_revenue: f64,
    pub week_cost: f64,
    /// Smoothed weekly revenue of the listing, USD per real seller.
    pub revenue_avg: f64,
    /// Smoothed weekly profit of the listing, USD per real seller.
    pub profit_avg: f64,
    /// Consecutive weeks with a negative profit average.
    pub neg_weeks: u32,
}

/// A seller's listings (at most its size's `max_listings`).
#[derive(Component, Debug, Clone, Default)]
pub struct Listings(pub ListingVec);

/// A seller's listings in place, spilling to the heap beyond two: most sellers have one or two,
/// and loops over millions of sellers then read them in storage order instead of chasing a
/// pointer per seller (docs/PERFORMANCE.md).
pub type ListingVec = smallvec::SmallVec<[Listing; 2]>;

impl Listings {
    /// Asks the CPU to start loading the listings if they live on the heap (loops over sellers
    /// call it a few rows ahead).
    #[inline]
    pub fn prefetch(&self) {
        if self.0.spilled() {
            super::par::prefetch(&self.0);
        }
    }
}

/// A seller's money and life-cycle counters (USD per real seller).
#[derive(Component, Debug, Clone, Default)]
pub struct Finance {
    pub cash: f64,
    pub fixed_cost: f64,
    /// Smoothed weekly profit.
    pub profit_avg: f64,
    /// Consecutive weeks with a negative profit average.
    pub loss_streak: u32,
    pub age_weeks: u32,
    /// This week's books.
    pub week: Books,
    /// This calendar year's books.
    pub year: Books,
    pub weeks_active_this_year: u32,
}

/// Revenue and costs over a period, USD per real seller.
#[derive(Debug, Clone, Copy, Default)]
pub struct Books {
    /// Sales at the seller's price (before the platform's take).
    pub revenue: f64,
    pub profit: f64,
    pub ad_spend: f64,
    /// Every cost: goods, freight, duty, compliance, fees, ads, fixed, warehouse, seizures.
    pub cost: f64,
}

/// A consumer agent: small, plain data (the hot loop reads millions of these). Every consumer
/// also has a [`LastPlatform`] (added when it is spawned).
#[derive(Component, Debug, Clone, Copy)]
#[require(LastPlatform = LastPlatform::NONE)]
pub struct Consumer {
    pub id: u64,
    /// Price sensitivity alpha.
    pub alpha: f32,
    /// Individual purchase propensity (mean 1).
    pub propensity: f32,
    /// exp(loyalty): multiplier on the last-used platform's choice weight.
    pub loyalty_mult: f32,
    /// ln(1 + health premium), 0 for consumers who don't pay one.
    pub health: f32,
    /// ln(1 + sustainability premium), 0 for consumers who don't pay one.
    pub green: f32,
    pub region: u8,
    pub social: bool,
}

/// The platform a consumer last bought from (`NO_PLATFORM` before its first purchase): a
/// component of its own, so that a week's buyers write into a dense column of bytes (20 MB at
/// 2x10^7 consumers) instead of dirtying a cache line of [`Consumer`]s each.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastPlatform(pub u8);

impl LastPlatform {
    pub const NONE: Self = Self(NO_PLATFORM);
}

/// [`LastPlatform`] before any purchase.
pub const NO_PLATFORM: u8 = u8::MAX;

/// A platform agent's state per region.
#[derive(Debug, Clone, Default)]
pub struct PlatformRegionState {
    /// CPC this week, USD (for CPM platforms the effective CPC).
    pub cpc: f64,
    /// Exogenous CPC base, compounding weekly.
    pub cpc_base: f64,
    /// The reference competition ratio (bid demand / sponsored supply): the first positive one
    /// from step `ad_market.reference_week` on.
    pub reference_ratio: Option<f64>,
    /// Clicks demanded and sponsored impressions offered last week (real units).
    pub bid_demand: f64,
    pub sponsored_supply: f64,
    /// Share of the weekly marketing budget spent here.
    pub marketing_share: f64,
    /// Marketing spend this week, USD.
    pub marketing_usd: f64,
    /// Extra direct-parcel penalty from a shift away from fully-managed parcels.
    pub extra_penalty: f64,
    /// Share of warehouse set-up cost subsidised for sellers here.
    pub warehouse_subsidy: f64,
    /// Last week's results, cents and real orders.
    pub gmv_cents: i64,
    pub orders: i64,
    pub fees_cents: i64,
    pub ad_revenue_cents: i64,
    pub listings: u32,
    /// Smoothed weekly GMV, USD, and smoothed week-over-week GMV growth (both with
    /// `platform_strategy.inertia`), for the marketing split.
    pub gmv_avg: f64,
    pub growth_avg: f64,
}

/// A platform agent.
#[derive(Component, Debug, Clone)]
pub struct PlatformAgent {
    pub idx: u8,
    pub regions: Vec<PlatformRegionState>,
}

/// A regulator agent: one per region; its policy lives in the scenario.
#[derive(Component, Debug, Clone, Default)]
pub struct RegulatorAgent {
    pub region: u8,
    /// Last week's collections and inspections (real units).
    pub duties_cents: i64,
    pub vat_cents: i64,
    pub inspected: i64,
    pub seized: i64,
    /// Delivery delay from inspections added to next week's parcel days.
    pub delay_days: f64,
}
