//! The scenario schema: every parameter of shared/MODEL.md, with its unit and allowed range.
//!
//! Field docs name the unit and the range; `validate.rs` enforces the ranges and reports the
//! field path. Defaults live here and only here (the `default_*` functions and `Default` impls).
//! Unknown fields are rejected everywhere (`deny_unknown_fields`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole scenario: what `sim run FILE` simulates.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used for the output directory and plot titles. `[A-Za-z0-9_.-]+`.
    pub name: String,
    /// Free text shown in the manifest (default: empty).
    #[serde(default)]
    pub description: String,
    /// Master seed of the run, 0 to 2^64 - 1 (default 0); `sim run --seed` overrides it.
    #[serde(default)]
    pub seed: u64,
    pub calendar: Calendar,
    pub scale: Scale,
    pub regions: Vec<Region>,
    pub categories: Vec<Category>,
    pub platforms: Vec<Platform>,
    pub sellers: Sellers,
    pub consumers: Consumers,
    pub ad_market: AdMarket,
    pub platform_strategy: PlatformStrategy,
    pub regulators: Vec<Regulator>,
    /// Dated policy events, applied at the start of the week that contains their date
    /// (default: none).
    #[serde(default)]
    pub events: Vec<Event>,
    /// Stochastic shocks drawn every week (default: none).
    #[serde(default)]
    pub shocks: Vec<Shock>,
    #[serde(default)]
    pub output: OutputOptions,
    /// Notes from loading (e.g. events an overlay left out), shown by `sim validate`.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// Start date and length of the run. One tick is one week.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// First day of the first week, `YYYY-MM-DD`.
    pub start: String,
    /// Number of weekly ticks, 1 to 2000.
    pub weeks: u32,
    /// Spin-up weeks simulated before `start` under the start's conditions (no events, no
    /// trends, nothing recorded), so the seller population settles first; 0 to 520 (default 0).
    #[serde(default)]
    pub warmup_weeks: u32,
}

/// How many agents stand for how many real actors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Seller agents at the start, 10 to 50,000,000.
    pub seller_agents: u32,
    /// Consumer agents, split across regions by online shoppers, 100 to 500,000,000.
    pub consumer_agents: u32,
    /// Real active sellers the seller agents stand for, at the start, in [1, 1e8].
    pub real_sellers: f64,
}

/// A consumer region (reference table).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Identifier, e.g. `us`.
    pub id: String,
    /// Emerging (true) or mature (false) market (default false; descriptive, read by no
    /// mechanism).
    #[serde(default)]
    pub emerging: bool,
    /// Real online shoppers, millions, in (0, 10000].
    pub online_shoppers_m: f64,
    /// Weekly probability that a shopper buys something at the start, in (0, 1].
    pub purchase_probability: f64,
    /// Typical order value by category id, USD, in (0, 1e5]; also the reference price of the outside
    /// option (not buying).
    pub basket_usd: BTreeMap<String, f64>,
    /// Share of purchases by category id; sums to 1.
    pub category_weights: BTreeMap<String, f64>,
    /// Yearly growth of purchase frequency, in [-0.5, 1].
    pub demand_growth: f64,
    /// Share of purchases made on mobile, in [0, 1]; drives the share of social-video users.
    pub mobile_share: f64,
    /// Utility lost per day of delivery time (beta_d), in [0, 5].
    pub delivery_sensitivity: f64,
    /// Share of the region's purchases made from local sellers, in [0, 1]. It only sets how
    /// many local seller agents live in the region (their homes are weighted by
    /// `online_shoppers_m x purchase_probability x local_share`); purchases are not steered to
    /// local sellers by it.
    pub local_share: f64,
}

/// A product category (reference table).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Identifier used in field paths and outputs (unique).
    pub id: String,
    /// Unit cost range, USD, for sellers from China, within [0.01, 1e6].
    pub unit_cost_cn: (f64, f64),
    /// Unit cost range, USD, for local sellers, within [0.01, 1e6].
    pub unit_cost_local: (f64, f64),
    /// Freight per unit of a direct parcel from China, USD, in [0, 1e5].
    pub parcel_freight_usd: f64,
    /// Freight per unit shipped in bulk to a local warehouse, USD, in [0, 1e5].
    pub bulk_freight_usd: f64,
    /// Domestic shipping per unit of a self-fulfilling local seller, USD, in [0, 1e5].
    pub domestic_shipping_usd: f64,
    /// How much health certification matters to buyers, in [0, 1].
    pub health_relevance: f64,
    /// How much sustainability matters to buyers, in [0, 1].
    pub sustainability_relevance: f64,
}

/// How a platform does business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BusinessModel {
    Marketplace,
    FullyManaged,
    SemiManaged,
    SocialCommerce,
}

/// A platform agent's parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Identifier used in field paths and outputs (unique).
    pub id: String,
    /// Business model (Marketplace, FullyManaged, SemiManaged, SocialCommerce).
    pub model: BusinessModel,
    /// Commission on the seller's price, in [0, 1).
    pub take_rate: f64,
    /// Fee per unit for fulfilment from a local warehouse (pick, pack, last mile), USD, in [0, 1e5].
    pub fulfilment_fee_usd: f64,
    /// Share of impressions that are sponsored, in [0, 1].
    pub ad_load: f64,
    /// Ranking weight on brand listings (multiplies `ranking.brand`), in [0, 10].
    pub brand_tilt: f64,
    /// Ranking penalty on direct-parcel listings (multiplies `ranking.direct`), in [0, 10].
    pub direct_penalty: f64,
    /// Yearly drift of attractiveness in every region (utility units per year), in [-5, 5]
    /// (default 0).
    #[serde(default)]
    pub attractiveness_drift: f64,
    /// Marketing budget, million USD per week, in [0, 10000].
    pub marketing_musd_week: f64,
    /// Per-region presence and terms; a region not listed is one the platform is absent from.
    pub regions: Vec<PlatformRegion>,
}

/// A platform's terms in one region.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformRegion {
    /// Region id (one of `regions[].id`).
    pub region: String,
    /// Present in the region (default true; an event may switch it).
    #[serde(default = "default_true")]
    pub present: bool,
    /// Base utility of the platform for the region's consumers, in [-10, 10].
    pub attractiveness: f64,
    /// Delivery days of a direct parcel, (0, 60].
    pub parcel_days: f64,
    /// Delivery days from local-warehouse stock, (0, 60].
    pub warehouse_days: f64,
    /// Cost per click at the start, USD, in (0, 1000]; for CPM platforms the effective CPC.
    pub base_cpc_usd: f64,
}

/// Seller population: initial attributes, behaviour and entry/exit rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sellers {
    /// Share of seller agents from China at the start, in [0, 1]; the rest are local sellers,
    /// spread over regions by each region's local GMV.
    pub cn_share: f64,
    /// Share of brands among sellers at the start, in [0, 1].
    pub brand_share: f64,
    /// Share of brands among entrants (an event may change it), in [0, 1].
    pub entrant_brand_share: f64,
    /// Size mix (small, medium, large) at the start and for entrants; sums to 1.
    pub size_shares: (f64, f64, f64),
    /// Parameters of small sellers.
    pub small: SizeClass,
    /// Parameters of medium sellers.
    pub medium: SizeClass,
    /// Parameters of large sellers.
    pub large: SizeClass,
    /// Quality range for brand sellers, within [0, 1].
    pub quality_brand: (f64, f64),
    /// Quality range for white-label sellers, within [0, 1].
    pub quality_white_label: (f64, f64),
    /// Initial brand equity range for brands, within [0, 1e6].
    pub equity_brand: (f64, f64),
    /// Markup over landed cost, brands, range within [0, 5].
    pub markup_brand: (f64, f64),
    /// Markup over landed cost, white label, range within [0, 5].
    pub markup_white_label: (f64, f64),
    /// Ad spend as a share of expected revenue, range within [0, 1].
    pub ad_intensity: (f64, f64),
    /// Compliance level range for sellers from China, within [0, 1].
    pub compliance_cn: (f64, f64),
    /// Compliance level range for local sellers, within [0, 1].
    pub compliance_local: (f64, f64),
    /// Share of sellers certified healthy, in [0, 1].
    pub certified_health_share: f64,
    /// Share of sellers certified sustainable, in [0, 1].
    pub certified_green_share: f64,
    /// Share of sellers from China on local-warehouse fulfilment at the start, in [0, 1].
    pub cn_warehouse_share: f64,
    /// Weekly price pass-through toward target price, in (0, 1].
    pub pass_through: f64,
    pub ai: AiAdoption,
    pub warehouse: Warehouse,
    pub listings: ListingRules,
    pub pivot: Pivot,
    pub equity: Equity,
    pub entry: Entry,
    pub rating: RatingRule,
    /// Weight of the newest week in the profit moving average, in (0, 1].
    pub profit_smoothing: f64,
}

/// Parameters of one seller size class.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeClass {
    /// Fixed cost, USD per week, in [0, 1e7].
    pub fixed_cost_usd_week: f64,
    /// Starting cash, in weeks of fixed cost, in [0, 1e6].
    pub cash_weeks: f64,
    /// Most platform x region listings, 1 to 16.
    pub max_listings: u32,
    /// Listings at the start (and for entrants), 1 to `max_listings`.
    pub initial_listings: u32,
    /// Consecutive loss weeks that make the seller exit (`sustained_losses`), 1 to 520.
    pub loss_streak_limit: u32,
    /// Share of the market's demand a listing of this size can serve relative to small, in [0, 1000];
    /// enters ranking as ln(reach).
    pub reach: f64,
}

/// AI tool adoption (F12).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiAdoption {
    /// Share of adopters at the start, in [0, 1].
    pub initial_share: f64,
    /// Logistic adoption curve: saturation share, in [0, 1].
    pub saturation: f64,
    /// Logistic curve midpoint, `YYYY-MM-DD`.
    pub midpoint: String,
    /// Logistic steepness, per year, in (0, 1000].
    pub steepness_per_year: f64,
    /// Unit-cost factor for adopters, in (0, 1].
    pub cost_factor: f64,
}

/// Local-warehouse fulfilment economics.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warehouse {
    /// One-off set-up cost of moving to local warehouses, USD, in [0, 1e7].
    pub setup_cost_usd: f64,
    /// Storage cost per unit sold, USD, in [0, 1e5].
    pub storage_usd_per_unit: f64,
    /// Stock held, in weeks of sales, in [0, 520]; write-off applies to its value.
    pub stock_weeks: f64,
    /// Yearly share of stock value written off, non-adopters, in [0, 1].
    pub write_off: f64,
    /// Yearly share of stock value written off, AI adopters, in [0, 1].
    pub write_off_ai: f64,
    /// Horizon of the switch decision, weeks, in (0, 520].
    pub horizon_weeks: f64,
    /// Share of buyers' value of faster delivery (delivery sensitivity / price sensitivity per
    /// day, times price) the seller expects to earn by switching, in [0, 1].
    pub delivery_value_share: f64,
}

/// Listing drop and add rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingRules {
    /// Weeks of negative profit average after which a listing is dropped, 1 to 520.
    pub drop_after_weeks: u32,
    /// Weekly chance that a seller with spare cash adds a listing, in [0, 1].
    pub add_probability: f64,
    /// Spare cash needed to add a listing, in weeks of fixed cost, in [0, 1e6].
    pub add_cash_weeks: f64,
    /// Logit scale of the expected-profit choice of a new listing, in (0, 1000].
    pub choice_temperature: f64,
}

/// White label to brand pivots.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pivot {
    /// Cash needed to pivot, in weeks of fixed cost, in [0, 1e6].
    pub cash_weeks: f64,
    /// Weekly chance that an eligible seller pivots, in [0, 1].
    pub probability: f64,
    /// One-off cost of the pivot, USD, in [0, 1e7].
    pub cost_usd: f64,
    /// Quality gained by the pivot, in [0, 1].
    pub quality_gain: f64,
}

/// Brand equity dynamics: `b <- (1 - delta) b + eta ln(1 + units)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equity {
    /// Weekly decay, in [0, 1].
    pub decay: f64,
    /// Gain per ln(1 + units) for brands, in [0, 1000].
    pub eta_brand: f64,
    /// Gain per ln(1 + units) for white label, in [0, 1000].
    pub eta_white_label: f64,
}

/// Seller rating in [1, 5]: `1 + 4 * (w * quality + (1 - w) * exp(-days / scale))`, smoothed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingRule {
    /// Weight of quality against delivery speed, in [0, 1].
    pub quality_weight: f64,
    /// Delivery days at which the speed term has fallen to 1/e, in (0, 365].
    pub days_scale: f64,
    /// Weight of the newest week in the rating, in (0, 1].
    pub smoothing: f64,
}

/// Entry: `Poisson(lambda0 * exp(k_e * (margin - m0)))` agents per segment per week.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Expected entrants per week across all segments at margin `m0`, as a share of the
    /// initial seller agents, in [0, 1].
    pub rate_per_week: f64,
    /// Sensitivity of entry to the segment's margin, in [0, 20].
    pub margin_sensitivity: f64,
    /// Reference margin m0, in [-1, 1].
    pub reference_margin: f64,
    /// Weight of the newest week in the segment margin average, in (0, 1].
    pub margin_smoothing: f64,
}

/// Consumer population.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consumers {
    /// Price sensitivity alpha: lognormal median, in (0, 1000].
    pub price_sensitivity_median: f64,
    /// Price sensitivity alpha: lognormal sigma, in [0, 3].
    pub price_sensitivity_sigma: f64,
    /// Utility weight of ln(1 + brand equity) (beta_b), in [0, 10].
    pub brand_affinity: f64,
    /// Share willing to pay a health premium (F13), in [0, 1].
    pub health_share: f64,
    /// Health premium range, in [0, 1].
    pub health_premium: (f64, f64),
    /// Share preferring sustainable products (F13), in [0, 1].
    pub green_share: f64,
    /// Sustainability premium range, in [0, 1].
    pub green_premium: (f64, f64),
    /// Spread of individual purchase propensity: lognormal sigma, in [0, 2].
    pub propensity_sigma: f64,
    /// Utility bonus for the platform used last, range within [0, 10].
    pub loyalty: (f64, f64),
    /// Share of mobile shoppers who use social video, in [0, 1].
    pub social_share_of_mobile: f64,
    /// Utility bonus of SocialCommerce platforms for social-video users, in [0, 10].
    pub social_boost: f64,
    /// Platform choice: weight of the platform's price index (b_p), in [0, 20].
    pub platform_price_weight: f64,
    /// Platform choice: weight of delivery days (b_d), in [0, 5].
    pub platform_delivery_weight: f64,
    /// Listings drawn per shopping trip (K), 1 to 64 (MODEL's default: 8).
    pub candidates: u32,
    /// Utility of the outside option at the region's basket price, in [-10, 10].
    pub outside_utility: f64,
    /// Q4 seasonal peak: relative rise of the purchase probability at the peak week, in [0, 3]
    /// (the probability is multiplied by `1 + q4_peak` there).
    pub q4_peak: f64,
    /// Week of year of the seasonal peak, 1 to 52.
    pub peak_week: u32,
    /// Width of the seasonal peak, weeks, in (0, 52].
    pub peak_width_weeks: f64,
}

/// Ad market: CPC dynamics and ranking weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdMarket {
    /// Yearly exogenous CPC inflation g by platform id, in [-0.5, 2].
    pub cpc_inflation: BTreeMap<String, f64>,
    /// Elasticity of CPC to bid demand over sponsored supply, in [0, 3].
    pub elasticity: f64,
    /// Tick (0 is the first warm-up week) from which the competition ratio is taken as
    /// the reference: the first positive ratio at or after it (CPC stays at its base until
    /// then, while sellers' ad budgets form), 1 to 520.
    pub reference_week: u32,
    /// How far sellers defend their clicks when CPC rises, in [0, 1]: ad spend is
    /// `ad_intensity x expected revenue x (cpc / base_cpc)^click_targeting`; 0 keeps spend a fixed
    /// share of revenue (MODEL's rule), 1 keeps clicks constant.
    pub click_targeting: f64,
    /// Click-through rate used to convert CPM into CPC for SocialCommerce platforms, in (0, 1].
    pub social_ctr: f64,
    /// Ranking weights (theta) of the listing table.
    pub ranking: RankingWeights,
}

/// Weights (theta) of the listing ranking score (MODEL step 5), each in [0, 20]: a listing's
/// weight in its table is `exp(score)`, and each weight multiplies one term of the score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingWeights {
    /// On the seller's rating signal `(rating - 1) / 4` in [0, 1] (quality and delivery).
    pub quality: f64,
    /// On `brand_tilt` of the platform, for brand sellers.
    pub brand: f64,
    /// On `ln(1 + brand equity)`.
    pub equity: f64,
    /// On `ln(1 + clicks bought)` this week.
    pub ads: f64,
    /// On `ln(1 + units sold)` last week.
    pub sales: f64,
    /// On the seller's compliance level in [0, 1].
    pub compliance: f64,
    /// On the platform's direct-parcel penalty, subtracted for direct-parcel listings.
    pub direct: f64,
    /// On `ln(reach)` of the seller's size class.
    pub reach: f64,
}

/// One region's regulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulator {
    /// Region id (one of `regions[].id`); one regulator per region.
    pub region: String,
    /// De minimis threshold for parcels from China, USD of customs value, in [0, 1e5]; 0 = no
    /// exemption.
    pub de_minimis_usd: f64,
    /// Ad valorem tariff on goods from China by category id, in [0, 5].
    pub tariff: BTreeMap<String, f64>,
    /// Import VAT or consumption tax on every sale, in [0, 1].
    pub vat: f64,
    /// Whether VAT is also charged on parcels under the de minimis threshold.
    pub vat_below_de_minimis: bool,
    /// Flat duty per imported item from China, USD, in [0, 1e5].
    pub flat_duty_usd: f64,
    /// Compliance cost per imported unit, USD, in [0, 1e5].
    pub compliance_usd_per_unit: f64,
    /// Compliance cost per cross-border seller selling here, USD per week, in [0, 1e7].
    pub compliance_usd_per_seller_week: f64,
    /// Share of direct parcels inspected, in [0, 1].
    pub inspection_rate: f64,
    /// Delay added to inspected parcels, days, in [0, 60].
    pub inspection_delay_days: f64,
    /// Chance an inspected non-compliant parcel is seized, in [0, 1].
    pub seizure_probability: f64,
    /// Weekly chance that a fully non-compliant seller is delisted (scaled by 1 - compliance),
    /// in [0, 1].
    pub enforcement: f64,
}

/// A dated change to any scenario field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Identifier, so an overlay can address the event (`events[us_de_minimis_cn].enabled`)
    /// (default: none; the event is then addressed by its index).
    #[serde(default)]
    pub id: String,
    /// A disabled event is kept in the file but never applied (default true).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Date the change takes effect, `YYYY-MM-DD`, within the calendar.
    pub date: String,
    /// Short label for plots, e.g. "US de minimis ends (cn)".
    pub label: String,
    /// Field path to new value, e.g. `"regulators[us].de_minimis_usd": 0.0`.
    #[serde(deserialize_with = "deserialize_set")]
    pub set: BTreeMap<String, ron::Value>,
}

/// A RON value in which a bare name such as `SemiManaged` is kept as the string it names: going
/// through serde's buffer for untagged enums makes RON hand over the name (read straight into a
/// `ron::Value`, it would become `()`).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Named {
    Value(ron::Value),
}

/// Reads a `set` map (of an event, an overlay or a sweep). A bare name such as `SemiManaged` or
/// `Cpc` is kept as the string it names, so enum fields can be set like any other; read straight
/// into a `ron::Value` it would become `()` and fail with "invalid type: null".
pub fn deserialize_set<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, ron::Value>, D::Error> {
    /// Reads the map entry by entry, so that a path set twice is an error, not a silent last win.
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = BTreeMap<String, ron::Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map from field paths to values")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((path, Named::Value(value))) = map.next_entry::<String, Named>()? {
                if out.contains_key(&path) {
                    return Err(serde::de::Error::custom(format!("`{path}` is set twice")));
                }
                out.insert(path, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Entries)
}

/// What a stochastic shock hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShockTarget {
    /// Freight from China (parcel and bulk).
    FreightCn,
    /// Cost per click on every platform.
    Cpc,
}

impl ShockTarget {
    /// The name in output files (`shocks.csv`).
    pub fn name(self) -> &'static str {
        match self {
            ShockTarget::FreightCn => "freight_cn",
            ShockTarget::Cpc => "cpc",
        }
    }
}

/// A shock that starts with a weekly probability and lasts a while.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shock {
    /// Name shown in the run's notes.
    pub label: String,
    /// What the shock multiplies.
    pub target: ShockTarget,
    /// Chance per week that the shock starts (when it is not already running), in [0, 1].
    pub weekly_probability: f64,
    /// Multiplier on the target while it lasts, in (0, 10].
    pub factor: f64,
    /// Duration, weeks, 1 to 520.
    pub duration_weeks: u32,
    /// First date the shock may start, `YYYY-MM-DD` (default: calendar start).
    #[serde(default)]
    pub from: Option<String>,
    /// Last date the shock may start, `YYYY-MM-DD` (default: no limit).
    #[serde(default)]
    pub until: Option<String>,
}

/// What the run writes besides the data files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputOptions {
    /// Draw the PNG and SVG plots after the run.
    #[serde(default = "default_true")]
    pub plots: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        Self { plots: true }
    }
}

fn default_true() -> bool {
    true
}

/// How platforms spend marketing and react to policy (MODEL step 3).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformStrategy {
    /// Weight of last week's regional split kept this week, in [0, 1]; also the weight of the
    /// past in the smoothed regional GMV and GMV growth the split reads.
    pub inertia: f64,
    /// Softmax temperature over regional margin and growth, in (0, 1000].
    pub temperature: f64,
    /// Weight of regional growth against regional margin in the softmax score, in [0, 10].
    pub growth_weight: f64,
    /// Attractiveness gained per ln(1 + spend / reference), in [0, 5].
    pub marketing_effect: f64,
    /// Weekly regional spend, million USD, at which marketing has gained `effect * ln 2`, in (0, 10000].
    pub marketing_reference_musd: f64,
    /// Weekly rise of a FullyManaged platform's direct-parcel penalty in a region where de minimis
    /// for China has ended, in [0, 10].
    pub managed_penalty_step: f64,
    /// Most extra direct-parcel penalty from that shift, in [0, 10].
    pub managed_penalty_max: f64,
    /// Share of the warehouse set-up cost the platform pays for its sellers there, in [0, 1].
    pub managed_warehouse_subsidy: f64,
}
