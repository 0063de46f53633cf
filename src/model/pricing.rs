//! Landed cost, duty, VAT and price (ODD submodel "Seller decisions: landed cost and price",
//! MODEL step 4). Pure arithmetic, unit-tested without a `World`.

use super::agents::Fulfilment;

/// The part of a regulator's policy that prices one imported unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportPolicy {
    /// De minimis threshold for the seller's origin, USD; 0 means no exemption.
    pub de_minimis: f64,
    /// Ad valorem tariff for the seller's origin and category.
    pub tariff: f64,
    /// VAT or consumption tax rate.
    pub vat: f64,
    /// Whether VAT is charged on parcels under the de minimis threshold.
    pub vat_below_de_minimis: bool,
    /// Flat duty per item on direct parcels, USD (the EU's 3 EUR from 2026-07-01).
    pub flat_duty: f64,
    /// Compliance cost per imported unit, USD.
    pub compliance_per_unit: f64,
}

/// Whether a parcel of `customs_value` is exempt under de minimis.
pub fn under_de_minimis(customs_value: f64, de_minimis: f64) -> bool {
    de_minimis > 0.0 && customs_value <= de_minimis
}

/// Duty per unit remitted to customs for an imported unit.
///
/// A direct parcel pays `tariff x customs value` when its value is above the threshold (or the
/// threshold is gone), plus any flat duty per item. Local-warehouse stock clears customs in bulk:
/// de minimis never applies, and the per-item parcel duty does not either.
pub fn duty_per_unit(mode: Fulfilment, customs_value: f64, p: &ImportPolicy) -> f64 {
    match mode {
        Fulfilment::DirectParcel => {
            let ad_valorem = if under_de_minimis(customs_value, p.de_minimis) { 0.0 } else { p.tariff * customs_value };
            ad_valorem + p.flat_duty
        }
        Fulfilment::LocalWarehouse => p.tariff * customs_value,
    }
}

/// VAT rate charged on an imported unit's sale.
pub fn vat_rate(mode: Fulfilment, customs_value: f64, p: &ImportPolicy) -> f64 {
    let exempt =
        mode == Fulfilment::DirectParcel && !p.vat_below_de_minimis && under_de_minimis(customs_value, p.de_minimis);
    if exempt { 0.0 } else { p.vat }
}

/// Per-unit costs of a seller's goods other than duty and the platform's take, USD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitCosts {
    /// Unit cost after the AI factor.
    pub goods: f64,
    /// International freight (parcel or bulk, with any freight shock).
    pub freight: f64,
    /// Domestic last-mile shipping (warehouse stock and local sellers).
    pub domestic: f64,
    /// Platform fulfilment fee (warehouse stock and local sellers).
    pub fulfilment_fee: f64,
    /// Warehouse storage per unit.
    pub storage: f64,
    /// Inventory write-off per unit.
    pub write_off: f64,
}

/// Weekly write-off per unit sold: a yearly rate on stock worth `stock_weeks` of sales.
pub fn write_off_per_unit(yearly_rate: f64, stock_weeks: f64, unit_cost: f64) -> f64 {
    yearly_rate / 52.0 * stock_weeks * unit_cost
}

/// Landed cost per unit, excluding the platform's take: goods + freight + duty + compliance +
/// fees, and for warehouse stock its storage and write-off.
pub fn landed_cost(c: &UnitCosts, duty: f64, compliance_per_unit: f64) -> f64 {
    c.goods + c.freight + c.domestic + c.fulfilment_fee + c.storage + c.write_off + duty + compliance_per_unit
}

/// The price at which the seller earns `markup` over landed cost after the platform's take.
pub fn target_price(landed: f64, markup: f64, take_rate: f64) -> f64 {
    landed * (1.0 + markup) / (1.0 - take_rate)
}

/// Moves the price toward the target by the pass-through rate.
pub fn next_price(price: f64, target: f64, pass_through: f64) -> f64 {
    price + pass_through * (target - price)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(de_minimis: f64) -> ImportPolicy {
        ImportPolicy {
            de_minimis,
            tariff: 0.3,
            vat: 0.07,
            vat_below_de_minimis: false,
            flat_duty: 0.0,
            compliance_per_unit: 0.5,
        }
    }

    #[test]
    fn de_minimis_exempts_at_and_below_the_threshold_not_above() {
        let p = us(800.0);
        assert_eq!(duty_per_unit(Fulfilment::DirectParcel, 799.99, &p), 0.0);
        assert_eq!(duty_per_unit(Fulfilment::DirectParcel, 800.0, &p), 0.0);
        let above = duty_per_unit(Fulfilment::DirectParcel, 800.01, &p);
        assert!((above - 0.3 * 800.01).abs() < 1e-9);
        assert_eq!(vat_rate(Fulfilment::DirectParcel, 800.0, &p), 0.0);
        assert_eq!(vat_rate(Fulfilment::DirectParcel, 800.01, &p), 0.07);
    }

    #[test]
    fn ending_de_minimis_taxes_every_parcel() {
        let p = us(0.0);
        assert!((duty_per_unit(Fulfilment::DirectParcel, 10.0, &p) - 3.0).abs() < 1e-12);
        assert_eq!(vat_rate(Fulfilment::DirectParcel, 10.0, &p), 0.07);
    }

    #[test]
    fn warehouse_stock_never_gets_de_minimis() {
        let p = us(800.0);
        assert!((duty_per_unit(Fulfilment::LocalWarehouse, 10.0, &p) - 3.0).abs() < 1e-12);
        assert_eq!(vat_rate(Fulfilment::LocalWarehouse, 10.0, &p), 0.07);
    }

    #[test]
    fn eu_flat_duty_applies_per_parcel_item_even_under_de_minimis() {
        let eu = ImportPolicy { de_minimis: 160.0, flat_duty: 3.5, ..us(160.0) };
        assert!((duty_per_unit(Fulfilment::DirectParcel, 20.0, &eu) - 3.5).abs() < 1e-12);
        let above = duty_per_unit(Fulfilment::DirectParcel, 200.0, &eu);
        assert!((above - (0.3 * 200.0 + 3.5)).abs() < 1e-9);
        // Bulk stock pays the tariff only.
        assert!((duty_per_unit(Fulfilment::LocalWarehouse, 20.0, &eu) - 6.0).abs() < 1e-9);
    }

    #[test]
    fn landed_cost_adds_up_and_price_covers_the_take() {
        let c =
            UnitCosts { goods: 10.0, freight: 3.0, domestic: 0.0, fulfilment_fee: 0.0, storage: 0.0, write_off: 0.0 };
        let landed = landed_cost(&c, 3.0, 0.5);
        assert!((landed - 16.5).abs() < 1e-12);
        let price = target_price(landed, 0.5, 0.15);
        assert!((price * (1.0 - 0.15) - landed * 1.5).abs() < 1e-9);
        assert!((next_price(10.0, 20.0, 0.25) - 12.5).abs() < 1e-12);
    }

    #[test]
    fn write_off_is_a_yearly_rate_on_stock() {
        // 12% a year on 8 weeks of stock of a 10 USD unit: 0.12/52*8*10 per unit sold.
        assert!((write_off_per_unit(0.12, 8.0, 10.0) - 0.12 / 52.0 * 80.0).abs() < 1e-12);
    }
}
