//! The one price quote. Every price a buyer sees or pays is computed here: the cart and the
//! checkout page show a [`Quote`], a show's product card shows one unit's, and the checkout
//! engine charges the quote of the order it plans and stores each line's adjustments with it.
//! The browser only ever shows what the server quoted.
//!
//! A quote starts from the catalog's unit prices and applies [`PriceRule`]s in the fixed order
//! of [`AdjustmentKind`] (price cut → store threshold → store coupon → platform allowance →
//! red envelope → deposit credit), each on what the rules before it left. An order-level
//! amount is spread over lines in proportion to what they cost so far, by largest remainder
//! ([`allocate`]): shares always sum to the amount exactly, and a discount never takes a line
//! below zero. Refunds give back shares of what a line actually cost ([`refund_share`]).
//!
//! Promotions ([`Offer`]s: price cuts, store thresholds, coupons, platform allowances) are
//! rules; [`best_quote`] picks the best combination of the live ones under the stacking rules
//! and within what their budgets still afford. Red envelopes and pre-sale credits implement
//! [`PriceRule`] when they arrive.

use uuid::Uuid;

use super::{
    Adjustment, AdjustmentKind, DeliveryOption, Funder, Quote, QuoteBrand, QuoteLine,
    EXPRESS_FEE_MINOR,
};
use crate::promotions::{Offer, PromotionKind};

/// A line to price: one SKU as the catalog sells it, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceLine {
    pub sku_id: Uuid,
    pub brand_id: Uuid,
    /// The listing and its category, which promotions select lines by.
    pub listing_id: Uuid,
    pub category: String,
    /// The brand's slug, as quotes name brands.
    pub brand: String,
    pub unit_price_minor: i64,
    pub quantity: i64,
}

/// What a rule does to the lines of a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// An amount on each of these lines (by index); negative for a discount.
    Lines(Vec<(usize, i64)>),
    /// One amount spread over these lines in proportion to what each costs so far.
    Spread { amount_minor: i64, over: Vec<usize> },
}

/// Something that adjusts prices: a promotion, a coupon, a red envelope, a deposit's credit.
pub trait PriceRule {
    /// When it applies, relative to the other kinds.
    fn kind(&self) -> AdjustmentKind;
    /// What made it (a promotion's id, a coupon's code), stored with each adjustment.
    fn source(&self) -> String;
    /// How buyers read it.
    fn label(&self) -> String;
    /// Who pays for it.
    fn funder(&self) -> Funder;
    /// What it does, given the lines and what each costs after the rules before it; `None`
    /// when it does not apply to them.
    fn effect(&self, lines: &[PriceLine], costs: &[i64]) -> Option<Effect>;
}

impl PriceRule for Offer {
    fn kind(&self) -> AdjustmentKind {
        match (self.kind, self.brand_id) {
            (PromotionKind::PriceCut, _) => AdjustmentKind::PriceCut,
            (PromotionKind::StoreThreshold, _) => AdjustmentKind::StoreThreshold,
            (PromotionKind::Coupon, Some(_)) => AdjustmentKind::StoreCoupon,
            // The platform's coupons apply where its allowances do, across brands.
            (PromotionKind::Coupon, None) | (PromotionKind::PlatformAllowance, _) => {
                AdjustmentKind::PlatformAllowance
            }
        }
    }

    fn source(&self) -> String {
        self.promotion_id.to_string()
    }

    fn label(&self) -> String {
        self.name.clone()
    }

    fn funder(&self) -> Funder {
        match self.brand_id {
            Some(_) => Funder::Brand,
            None => Funder::Platform,
        }
    }

    fn effect(&self, lines: &[PriceLine], costs: &[i64]) -> Option<Effect> {
        let over: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                let line = &lines[i];
                costs[i] > 0 && self.covers(line.brand_id, line.listing_id, &line.category)
            })
            .collect();
        if over.is_empty() {
            return None;
        }
        let eligible: i64 = over.iter().map(|&i| costs[i]).sum();
        let percent_of = |amount: i64, percent: i32| {
            // Rounded down: a discount never gives a fraction of a minor unit more.
            (i128::from(amount) * i128::from(percent) / 100) as i64
        };
        let capped = |off: i64| self.cap_minor.map_or(off, |cap| off.min(cap));
        let off = match self.kind {
            PromotionKind::PriceCut => {
                return Some(Effect::Lines(
                    over.into_iter()
                        .map(|i| {
                            let off = match (self.percent_off, self.amount_off_minor) {
                                (Some(percent), _) => percent_of(costs[i], percent),
                                (None, Some(per_unit)) => per_unit * lines[i].quantity,
                                (None, None) => 0,
                            };
                            (i, -off)
                        })
                        .collect(),
                ))
            }
            PromotionKind::StoreThreshold | PromotionKind::PlatformAllowance => {
                let step = self.threshold_minor.filter(|&s| s > 0)?;
                capped((eligible / step) * self.amount_off_minor.unwrap_or(0))
            }
            PromotionKind::Coupon => {
                if eligible < self.threshold_minor.unwrap_or(0) {
                    return None;
                }
                match (self.percent_off, self.amount_off_minor) {
                    (Some(percent), _) => capped(percent_of(eligible, percent)),
                    (None, Some(amount)) => amount,
                    (None, None) => 0,
                }
            }
        };
        (off > 0).then_some(Effect::Spread {
            amount_minor: -off,
            over,
        })
    }
}

/// A red envelope redeemed on an order: its whole amount off the order (at most what the
/// order costs), spread over every line, funded by the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeRule {
    pub envelope_id: Uuid,
    pub amount_minor: i64,
}

impl PriceRule for EnvelopeRule {
    fn kind(&self) -> AdjustmentKind {
        AdjustmentKind::RedEnvelope
    }

    fn source(&self) -> String {
        self.envelope_id.to_string()
    }

    fn label(&self) -> String {
        "Red envelope".into()
    }

    fn funder(&self) -> Funder {
        Funder::Platform
    }

    fn effect(&self, lines: &[PriceLine], costs: &[i64]) -> Option<Effect> {
        let over: Vec<usize> = (0..lines.len()).filter(|&i| costs[i] > 0).collect();
        (!over.is_empty() && self.amount_minor > 0).then(|| Effect::Spread {
            amount_minor: -self.amount_minor,
            over,
        })
    }
}

/// A pre-sale deposit's credit on the balance of `lines` (by index): what each line's
/// deposits are worth off its price, funded by the brand (it holds the deposit, and pays for
/// any "inflation" of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositCredit {
    /// The deposit order whose credit this is.
    pub deposit_order: Uuid,
    /// (line index, credit over the line's units).
    pub credits: Vec<(usize, i64)>,
}

impl PriceRule for DepositCredit {
    fn kind(&self) -> AdjustmentKind {
        AdjustmentKind::DepositCredit
    }

    fn source(&self) -> String {
        self.deposit_order.to_string()
    }

    fn label(&self) -> String {
        "Deposit paid, with its credit".into()
    }

    fn funder(&self) -> Funder {
        Funder::Brand
    }

    fn effect(&self, _lines: &[PriceLine], _costs: &[i64]) -> Option<Effect> {
        Some(Effect::Lines(
            self.credits
                .iter()
                .map(|&(line, credit)| (line, -credit))
                .collect(),
        ))
    }
}

/// What each offer of a quote took, by the index of the offer in the list given to
/// [`best_quote`]: `(brand, amount off)` per selling brand, amounts positive.
pub type OfferTakes = Vec<(usize, Vec<(Uuid, i64)>)>;

/// What `quote` took through the rule named `source`, per brand of `lines`.
pub fn taken_by(quote: &Quote, lines: &[PriceLine], source: &str) -> Vec<(Uuid, i64)> {
    let mut by_brand: Vec<(Uuid, i64)> = Vec::new();
    for (quoted, line) in quote.lines.iter().zip(lines) {
        let off: i64 = quoted
            .adjustments
            .iter()
            .filter(|a| a.source == source)
            .map(|a| -a.amount_minor)
            .sum();
        if off == 0 {
            continue;
        }
        match by_brand
            .iter_mut()
            .find(|(brand, _)| *brand == line.brand_id)
        {
            Some((_, amount)) => *amount += off,
            None => by_brand.push((line.brand_id, off)),
        }
    }
    by_brand
}

/// Prices `lines` with the best combination of `offers` (live, in the order's currency and
/// channel) that `affords` allows: the combinable offers stack; an offer that does not combine
/// competes alone; the combination that costs the buyer least wins (ties: the stack). An offer
/// whose discount its budget, limits or coupon cannot afford (`affords(offer, amount)` false)
/// is dropped and the choice made again without it. Answers the quote and what each offer
/// in it took. A red envelope the buyer chose applies last, whatever the combination.
pub fn best_quote(
    currency: &str,
    lines: &[PriceLine],
    delivery: DeliveryOption,
    offers: &[Offer],
    envelope: Option<&EnvelopeRule>,
    affords: impl Fn(&Offer, i64) -> bool,
) -> (Quote, OfferTakes) {
    let fixed: Vec<&dyn PriceRule> = envelope.map(|e| e as &dyn PriceRule).into_iter().collect();
    best_quote_with(currency, lines, delivery, offers, &fixed, affords)
}

/// [`best_quote`] with `fixed` rules that apply whatever the combination of offers (a red
/// envelope, a deposit's credit), each in its kind's place.
pub fn best_quote_with(
    currency: &str,
    lines: &[PriceLine],
    delivery: DeliveryOption,
    offers: &[Offer],
    fixed: &[&dyn PriceRule],
    affords: impl Fn(&Offer, i64) -> bool,
) -> (Quote, OfferTakes) {
    let mut allowed: Vec<usize> = (0..offers.len()).collect();
    loop {
        let stack: Vec<usize> = allowed
            .iter()
            .copied()
            .filter(|&i| offers[i].combinable)
            .collect();
        let mut choices = vec![stack];
        choices.extend(
            allowed
                .iter()
                .filter(|&&i| !offers[i].combinable)
                .map(|&i| vec![i]),
        );
        let (chosen, best) = choices
            .into_iter()
            .map(|choice| {
                let rules: Vec<&dyn PriceRule> = choice
                    .iter()
                    .map(|&i| &offers[i] as &dyn PriceRule)
                    .chain(fixed.iter().copied())
                    .collect();
                let quote = quote(currency, lines, delivery, &rules);
                (choice, quote)
            })
            .min_by_key(|(_, quote)| quote.total_minor)
            .expect("at least the stack");
        let takes: OfferTakes = chosen
            .iter()
            .map(|&i| (i, taken_by(&best, lines, &offers[i].source())))
            .filter(|(_, by_brand)| !by_brand.is_empty())
            .collect();
        let unaffordable = takes.iter().find(|(i, by_brand)| {
            !affords(&offers[*i], by_brand.iter().map(|(_, amount)| amount).sum())
        });
        match unaffordable {
            Some(&(i, _)) => allowed.retain(|&a| a != i),
            None => return (best, takes),
        }
    }
}

/// Splits `amount` (≥ 0) over `weights` (≥ 0) in proportion, by largest remainder: the shares
/// sum to `amount` exactly, and none exceeds its weight when `amount` ≤ Σ weights. Ties in the
/// remainder go to the earlier weight; with all weights zero the amount is split evenly.
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    let amount_wide = i128::from(amount.max(0));
    let (mut shares, remainders): (Vec<i64>, Vec<i128>) = if total == 0 {
        let n = weights.len() as i128;
        (0..weights.len())
            .map(|_| ((amount_wide / n) as i64, amount_wide % n))
            .unzip()
    } else {
        weights
            .iter()
            .map(|&w| {
                let exact = amount_wide * i128::from(w.max(0));
                ((exact / total) as i64, exact % total)
            })
            .unzip()
    };
    let mut left = amount.max(0) - shares.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    if total == 0 {
        order.sort_by_key(|&i| i);
    } else {
        order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(a.cmp(&b)));
    }
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}

/// What `units` more units of a line cost its buyer when `refunded` of its `quantity` units
/// were refunded already: the line's `total` (what it cost after adjustments) spread over its
/// units, so every refund of the line together gives back exactly `total`.
pub fn refund_share(total: i64, quantity: i64, refunded: i64, units: i64) -> i64 {
    let paid_for = |n: i64| -> i64 {
        if quantity <= 0 {
            return 0;
        }
        let n = n.clamp(0, quantity);
        (i128::from(total) * i128::from(n) / i128::from(quantity)) as i64
    };
    paid_for(refunded + units) - paid_for(refunded)
}

/// What one brand's parcel costs to ship by `delivery` in `currency`.
pub fn parcel_fee(delivery: DeliveryOption, currency: &str) -> i64 {
    match delivery {
        DeliveryOption::Standard => 0,
        // Currencies without minor units (JPY, KRW) pay the same number in whole units.
        DeliveryOption::Express if crate::core::money::exponent(currency) == Some(0) => {
            EXPRESS_FEE_MINOR * 10
        }
        DeliveryOption::Express => EXPRESS_FEE_MINOR,
    }
}

/// What `quantity` units cost at `unit_price_minor`, before adjustments.
pub fn subtotal(unit_price_minor: i64, quantity: i64) -> i64 {
    unit_price_minor * quantity
}

/// What one unit of `line`'s SKU costs a buyer on its own — a product card's price: one unit
/// quoted as an order of its own, before delivery, with `rules` applied.
pub fn unit_price(currency: &str, line: &PriceLine, rules: &[&dyn PriceRule]) -> i64 {
    let one = PriceLine {
        quantity: 1,
        ..line.clone()
    };
    quote(currency, &[one], DeliveryOption::Standard, rules).lines[0].total_minor
}

/// Prices a pre-sale deposit: `lines` at their deposit, without delivery (nothing ships until
/// the balance is paid) and without promotions (they apply to the balance).
pub fn deposit_quote(currency: &str, lines: &[PriceLine]) -> Quote {
    let mut quote = quote(currency, lines, DeliveryOption::Standard, &[]);
    for brand in &mut quote.brands {
        brand.shipping_minor = 0;
    }
    quote.shipping_minor = 0;
    quote.total_minor = quote.subtotal_minor + quote.adjustments_minor;
    quote
}

/// Prices `lines` (in one `currency`) shipped by `delivery`, with `rules` applied in their
/// kinds' order. Each brand's lines ship as one parcel.
pub fn quote(
    currency: &str,
    lines: &[PriceLine],
    delivery: DeliveryOption,
    rules: &[&dyn PriceRule],
) -> Quote {
    let mut costs: Vec<i64> = lines
        .iter()
        .map(|l| subtotal(l.unit_price_minor, l.quantity))
        .collect();
    let mut adjustments: Vec<Vec<Adjustment>> = vec![Vec::new(); lines.len()];
    let mut ordered: Vec<&&dyn PriceRule> = rules.iter().collect();
    ordered.sort_by_key(|rule| rule.kind());
    for rule in ordered {
        let Some(effect) = rule.effect(lines, &costs) else {
            continue;
        };
        let amounts: Vec<(usize, i64)> = match effect {
            Effect::Lines(amounts) => amounts,
            Effect::Spread { amount_minor, over } => {
                let over: Vec<usize> = over.into_iter().filter(|&i| i < lines.len()).collect();
                let weights: Vec<i64> = over.iter().map(|&i| costs[i]).collect();
                let sign = amount_minor.signum();
                // A discount cannot exceed what the lines cost.
                let magnitude = if sign < 0 {
                    amount_minor.abs().min(weights.iter().sum())
                } else {
                    amount_minor
                };
                over.into_iter()
                    .zip(allocate(magnitude, &weights))
                    .map(|(i, share)| (i, sign * share))
                    .collect()
            }
        };
        for (i, amount) in amounts {
            // Never below zero, whatever a rule asks.
            let amount = amount.max(-costs.get(i).copied().unwrap_or(0));
            if amount == 0 || i >= lines.len() {
                continue;
            }
            costs[i] += amount;
            adjustments[i].push(Adjustment {
                kind: rule.kind(),
                source: rule.source(),
                label: rule.label(),
                funder: rule.funder(),
                amount_minor: amount,
            });
        }
    }
    let quoted: Vec<QuoteLine> = lines
        .iter()
        .zip(adjustments)
        .zip(&costs)
        .map(|((line, adjustments), &total)| QuoteLine {
            sku: line.sku_id.to_string(),
            brand: line.brand.clone(),
            unit_price_minor: line.unit_price_minor,
            quantity: line.quantity,
            subtotal_minor: subtotal(line.unit_price_minor, line.quantity),
            adjustments,
            total_minor: total,
        })
        .collect();
    let mut brands: Vec<QuoteBrand> = Vec::new();
    for line in &quoted {
        let adjusted: i64 = line.adjustments.iter().map(|a| a.amount_minor).sum();
        match brands.iter_mut().find(|b| b.brand == line.brand) {
            Some(brand) => {
                brand.subtotal_minor += line.subtotal_minor;
                brand.adjustments_minor += adjusted;
            }
            None => brands.push(QuoteBrand {
                brand: line.brand.clone(),
                subtotal_minor: line.subtotal_minor,
                adjustments_minor: adjusted,
                shipping_minor: parcel_fee(delivery, currency),
            }),
        }
    }
    let subtotal_minor = quoted.iter().map(|l| l.subtotal_minor).sum();
    let adjustments_minor = brands.iter().map(|b| b.adjustments_minor).sum();
    let shipping_minor = brands.iter().map(|b| b.shipping_minor).sum();
    Quote {
        currency: currency.to_owned(),
        lines: quoted,
        brands,
        subtotal_minor,
        adjustments_minor,
        shipping_minor,
        total_minor: subtotal_minor + adjustments_minor + shipping_minor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// A synthetic rule: `amount` over the lines of `brand` (all lines when none), or a cut
    /// of `per_line` on each line.
    struct Synthetic {
        kind: AdjustmentKind,
        funder: Funder,
        spread: Option<(i64, Option<String>)>,
        per_line: Option<i64>,
    }

    impl PriceRule for Synthetic {
        fn kind(&self) -> AdjustmentKind {
            self.kind
        }
        fn source(&self) -> String {
            format!("test-{:?}", self.kind)
        }
        fn label(&self) -> String {
            "Test".into()
        }
        fn funder(&self) -> Funder {
            self.funder
        }
        fn effect(&self, lines: &[PriceLine], _costs: &[i64]) -> Option<Effect> {
            if let Some(cut) = self.per_line {
                return Some(Effect::Lines((0..lines.len()).map(|i| (i, cut)).collect()));
            }
            let (amount_minor, brand) = self.spread.clone()?;
            let over = (0..lines.len())
                .filter(|&i| brand.as_ref().is_none_or(|b| &lines[i].brand == b))
                .collect();
            Some(Effect::Spread { amount_minor, over })
        }
    }

    fn line(brand: &str, price: i64, quantity: i64) -> PriceLine {
        PriceLine {
            sku_id: Uuid::new_v4(),
            brand_id: brand_uuid(brand),
            listing_id: Uuid::new_v4(),
            category: "fashion".into(),
            brand: brand.into(),
            unit_price_minor: price,
            quantity,
        }
    }

    /// A stable id per brand name, for these tests.
    fn brand_uuid(brand: &str) -> Uuid {
        Uuid::from_u128(brand.bytes().fold(1u128, |h, b| h * 257 + u128::from(b)))
    }

    fn offer(kind: PromotionKind, brand: Option<&str>, off: i64, step: Option<i64>) -> Offer {
        Offer {
            promotion_id: Uuid::new_v4(),
            brand_id: brand.map(brand_uuid),
            kind,
            name: format!("{kind:?}"),
            percent_off: None,
            amount_off_minor: Some(off),
            threshold_minor: step,
            cap_minor: None,
            currency: "CNY".into(),
            listing_ids: vec![],
            categories: vec![],
            brand_ids: vec![],
            channels: vec![],
            per_buyer_limit: None,
            usage_limit: None,
            budget_minor: None,
            combinable: true,
            coupon_id: None,
        }
    }

    fn spread(kind: AdjustmentKind, funder: Funder, amount: i64, brand: Option<&str>) -> Synthetic {
        Synthetic {
            kind,
            funder,
            spread: Some((amount, brand.map(str::to_owned))),
            per_line: None,
        }
    }

    #[test]
    fn without_rules_a_quote_is_the_catalog_price_plus_one_parcel_per_brand() {
        let lines = [line("a", 12_900, 2), line("b", 5_000, 1), line("a", 100, 3)];
        let quote = quote("CNY", &lines, DeliveryOption::Express, &[]);
        assert_eq!(quote.subtotal_minor, 25_800 + 5_000 + 300);
        assert_eq!(quote.adjustments_minor, 0);
        assert_eq!(quote.brands.len(), 2);
        assert_eq!(quote.shipping_minor, 2 * EXPRESS_FEE_MINOR);
        assert_eq!(quote.total_minor, 31_100 + quote.shipping_minor);
        assert!(quote
            .lines
            .iter()
            .all(|l| l.total_minor == l.subtotal_minor && l.adjustments.is_empty()));
    }

    #[test]
    fn a_unit_price_is_one_unit_quoted_alone_with_the_rules_in_force() {
        let coat = line("a", 12_900, 7);
        assert_eq!(unit_price("CNY", &coat, &[]), 12_900);
        let cut = Synthetic {
            kind: AdjustmentKind::PriceCut,
            funder: Funder::Brand,
            spread: None,
            per_line: Some(-1_000),
        };
        assert_eq!(unit_price("CNY", &coat, &[&cut]), 11_900);
        let envelope = spread(AdjustmentKind::RedEnvelope, Funder::Platform, -50_000, None);
        assert_eq!(
            unit_price("CNY", &coat, &[&envelope]),
            0,
            "never below zero"
        );
    }

    #[test]
    fn ten_off_three_equal_lines_sums_to_ten_not_nine_ninety_nine() {
        let lines = [line("a", 333, 1), line("a", 333, 1), line("a", 333, 1)];
        let rule = spread(AdjustmentKind::StoreCoupon, Funder::Brand, -1_000, None);
        let quote = quote("CNY", &lines, DeliveryOption::Standard, &[&rule]);
        // Only 999 to take off: the discount stops at zero.
        assert_eq!(quote.adjustments_minor, -999);
        assert!(quote.lines.iter().all(|l| l.total_minor == 0));
        let lines = [
            line("a", 1_000, 1),
            line("a", 1_000, 1),
            line("a", 1_000, 1),
        ];
        let quote = super::quote("CNY", &lines, DeliveryOption::Standard, &[&rule]);
        let shares: Vec<i64> = quote
            .lines
            .iter()
            .map(|l| l.adjustments[0].amount_minor)
            .collect();
        assert_eq!(shares, vec![-334, -333, -333]);
        assert_eq!(quote.total_minor, 2_000);
    }

    #[test]
    fn rules_apply_in_kind_order_each_on_what_the_earlier_left() {
        let lines = [line("a", 10_000, 1), line("b", 30_000, 1)];
        let envelope = spread(AdjustmentKind::RedEnvelope, Funder::Platform, -400, None);
        let cut = Synthetic {
            kind: AdjustmentKind::PriceCut,
            funder: Funder::Brand,
            spread: None,
            per_line: Some(-5_000),
        };
        // Given out of order: the cut still applies first, so the envelope splits 400 over
        // 5,000 and 25,000 (1:5), not over the list prices (1:3).
        let quote = quote("CNY", &lines, DeliveryOption::Standard, &[&envelope, &cut]);
        let kinds: Vec<AdjustmentKind> =
            quote.lines[0].adjustments.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            vec![AdjustmentKind::PriceCut, AdjustmentKind::RedEnvelope]
        );
        assert_eq!(quote.lines[0].adjustments[1].amount_minor, -67);
        assert_eq!(quote.lines[1].adjustments[1].amount_minor, -333);
        assert_eq!(quote.lines[1].adjustments[1].funder, Funder::Platform);
        assert_eq!(quote.total_minor, 40_000 - 10_000 - 400);
        assert_eq!(quote.brands[0].adjustments_minor, -5_067);
    }

    #[test]
    fn a_per_line_cut_bigger_than_the_line_stops_at_zero() {
        let lines = [line("a", 1_000, 1)];
        let cut = Synthetic {
            kind: AdjustmentKind::PriceCut,
            funder: Funder::Brand,
            spread: None,
            per_line: Some(-5_000),
        };
        let quote = quote("CNY", &lines, DeliveryOption::Standard, &[&cut]);
        assert_eq!(quote.lines[0].total_minor, 0);
        assert_eq!(quote.lines[0].adjustments[0].amount_minor, -1_000);
    }

    #[test]
    fn allocation_over_many_random_carts_sums_exactly_and_never_goes_negative() {
        let mut rng = StdRng::seed_from_u64(20_261_206);
        for _ in 0..5_000 {
            let n = rng.random_range(1..=12);
            let lines: Vec<PriceLine> = (0..n)
                .map(|i| {
                    let brand = ["a", "b", "c"][i % 3];
                    line(
                        brand,
                        rng.random_range(0..=500_000),
                        rng.random_range(1..=7),
                    )
                })
                .collect();
            let cost: i64 = lines.iter().map(|l| l.unit_price_minor * l.quantity).sum();
            let amount = -rng.random_range(0..=cost.max(1) * 2);
            let brand = ["a", "b", "c", "all"][rng.random_range(0..4)];
            let rule = spread(
                AdjustmentKind::PlatformAllowance,
                Funder::Platform,
                amount,
                (brand != "all").then_some(brand),
            );
            let quote = quote("CNY", &lines, DeliveryOption::Standard, &[&rule]);
            let eligible: i64 = quote
                .lines
                .iter()
                .filter(|l| brand == "all" || l.brand == brand)
                .map(|l| l.subtotal_minor)
                .sum();
            assert_eq!(quote.adjustments_minor, amount.max(-eligible), "{lines:?}");
            for l in &quote.lines {
                assert!(l.total_minor >= 0, "{l:?}");
                let adjusted: i64 = l.adjustments.iter().map(|a| a.amount_minor).sum();
                assert_eq!(l.total_minor, l.subtotal_minor + adjusted);
            }
            assert_eq!(
                quote.total_minor,
                quote.lines.iter().map(|l| l.total_minor).sum::<i64>()
            );
        }
    }

    #[test]
    fn forty_off_every_three_hundred_steps_and_stops_at_its_cap() {
        let mut threshold = offer(
            PromotionKind::StoreThreshold,
            Some("a"),
            4_000,
            Some(30_000),
        );
        threshold.cap_minor = Some(10_000);
        let lines = [
            line("a", 25_000, 1),
            line("a", 10_000, 1),
            line("b", 90_000, 1),
        ];
        let (quote, takes) = best_quote(
            "CNY",
            &lines,
            DeliveryOption::Standard,
            &[threshold.clone()],
            None,
            |_, _| true,
        );
        // 35,000 of brand a: one step. Brand b's lines are not its store's.
        assert_eq!(quote.adjustments_minor, -4_000);
        assert_eq!(quote.lines[2].adjustments, vec![]);
        assert_eq!(takes, vec![(0, vec![(brand_uuid("a"), 4_000)])]);
        let lines = [line("a", 100_000, 1)];
        let (quote, _) = best_quote(
            "CNY",
            &lines,
            DeliveryOption::Standard,
            &[threshold],
            None,
            |_, _| true,
        );
        assert_eq!(quote.adjustments_minor, -10_000, "three steps, capped");
    }

    #[test]
    fn promotions_stack_in_kind_order_and_an_allowance_splits_across_brands_exactly() {
        let mut cut = offer(PromotionKind::PriceCut, Some("a"), 0, None);
        cut.amount_off_minor = None;
        cut.percent_off = Some(10);
        let threshold = offer(
            PromotionKind::StoreThreshold,
            Some("a"),
            4_000,
            Some(30_000),
        );
        let mut coupon = offer(PromotionKind::Coupon, Some("b"), 1_000, Some(5_000));
        coupon.coupon_id = Some(Uuid::new_v4());
        let allowance = offer(PromotionKind::PlatformAllowance, None, 5_000, Some(40_000));
        let lines = [line("a", 20_000, 2), line("b", 10_001, 1)];
        let offers = [allowance, coupon, threshold, cut];
        let (quote, takes) = best_quote(
            "CNY",
            &lines,
            DeliveryOption::Standard,
            &offers,
            None,
            |_, _| true,
        );
        // a: 40,000 − 10% = 36,000, − 4,000 (one step of 300) = 32,000.
        // b: 10,001 − 1,000 coupon = 9,001. Allowance: 41,001 → one step of 50 split 32,000 : 9,001.
        let kinds: Vec<AdjustmentKind> =
            quote.lines[0].adjustments.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            vec![
                AdjustmentKind::PriceCut,
                AdjustmentKind::StoreThreshold,
                AdjustmentKind::PlatformAllowance
            ]
        );
        let allowance_shares: Vec<i64> = quote
            .lines
            .iter()
            .map(|l| l.adjustments.last().unwrap().amount_minor)
            .collect();
        assert_eq!(allowance_shares.iter().sum::<i64>(), -5_000);
        assert_eq!(allowance_shares, vec![-3_902, -1_098]);
        assert_eq!(quote.total_minor, 50_001 - 4_000 - 4_000 - 1_000 - 5_000);
        assert_eq!(quote.lines[1].adjustments[0].funder, Funder::Brand);
        assert_eq!(quote.lines[1].adjustments[1].funder, Funder::Platform);
        assert_eq!(takes.len(), 4);
        let allowance_take = takes.iter().find(|(i, _)| *i == 0).unwrap();
        assert_eq!(allowance_take.1.iter().map(|(_, a)| a).sum::<i64>(), 5_000);
    }

    #[test]
    fn an_offer_that_does_not_combine_competes_alone_and_the_cheaper_wins() {
        let lines = [line("a", 30_000, 1)];
        let small = offer(
            PromotionKind::StoreThreshold,
            Some("a"),
            2_000,
            Some(30_000),
        );
        let also = offer(PromotionKind::PlatformAllowance, None, 1_000, Some(20_000));
        let mut alone = offer(PromotionKind::Coupon, Some("a"), 2_500, None);
        alone.combinable = false;
        let offers = [small.clone(), also.clone(), alone.clone()];
        let (quote, takes) = best_quote(
            "CNY",
            &lines,
            DeliveryOption::Standard,
            &offers,
            None,
            |_, _| true,
        );
        assert_eq!(
            quote.total_minor, 27_000,
            "2,000 + 1,000 stacked beat 2,500 alone"
        );
        assert_eq!(
            takes.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            vec![0, 1]
        );
        alone.amount_off_minor = Some(5_000);
        let (quote, takes) = best_quote(
            "CNY",
            &lines,
            DeliveryOption::Standard,
            &[small, also, alone],
            None,
            |_, _| true,
        );
        assert_eq!(quote.total_minor, 25_000);
        assert_eq!(takes.len(), 1);
    }

    #[test]
    fn an_offer_its_budget_cannot_afford_is_dropped() {
        let lines = [line("a", 30_000, 1)];
        let rich = offer(
            PromotionKind::StoreThreshold,
            Some("a"),
            2_000,
            Some(30_000),
        );
        let poor = offer(PromotionKind::PlatformAllowance, None, 3_000, Some(30_000));
        let poor_id = poor.promotion_id;
        let (quote, takes) = best_quote(
            "CNY",
            &lines,
            DeliveryOption::Standard,
            &[rich, poor],
            None,
            |o, _| o.promotion_id != poor_id,
        );
        assert_eq!(quote.total_minor, 28_000);
        assert_eq!(takes.len(), 1);
    }

    #[test]
    fn a_coupon_needs_its_minimum_spend_and_a_percentage_one_its_cap() {
        let mut coupon = offer(PromotionKind::Coupon, Some("a"), 0, Some(20_000));
        coupon.amount_off_minor = None;
        coupon.percent_off = Some(15);
        coupon.cap_minor = Some(2_000);
        let (quote, _) = best_quote(
            "CNY",
            &[line("a", 19_999, 1)],
            DeliveryOption::Standard,
            &[coupon.clone()],
            None,
            |_, _| true,
        );
        assert_eq!(quote.adjustments_minor, 0);
        let (quote, _) = best_quote(
            "CNY",
            &[line("a", 20_000, 1)],
            DeliveryOption::Standard,
            &[coupon.clone()],
            None,
            |_, _| true,
        );
        assert_eq!(quote.adjustments_minor, -2_000);
        coupon.cap_minor = None;
        let (quote, _) = best_quote(
            "CNY",
            &[line("a", 20_001, 1)],
            DeliveryOption::Standard,
            &[coupon],
            None,
            |_, _| true,
        );
        assert_eq!(
            quote.adjustments_minor, -3_000,
            "15% of 200.01, rounded down"
        );
    }

    #[test]
    fn allocate_is_proportional_and_exact() {
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate(10, &[0, 0]), vec![5, 5]);
        assert_eq!(allocate(7, &[0, 0, 0]), vec![3, 2, 2]);
        assert_eq!(allocate(0, &[5, 5]), vec![0, 0]);
        assert_eq!(allocate(5, &[]), Vec::<i64>::new());
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..10_000 {
            let weights: Vec<i64> = (0..rng.random_range(1..20))
                .map(|_| rng.random_range(0..1_000_000))
                .collect();
            let total: i64 = weights.iter().sum();
            let amount = rng.random_range(0..=total.max(1));
            let shares = allocate(amount, &weights);
            assert_eq!(shares.iter().sum::<i64>(), amount);
            if total > 0 {
                for (share, weight) in shares.iter().zip(&weights) {
                    assert!(share <= weight, "{share} > {weight}");
                    // Within one minor unit of the exact proportion.
                    let exact = amount as f64 * *weight as f64 / total as f64;
                    assert!((*share as f64 - exact).abs() < 1.0);
                }
            }
        }
    }

    #[test]
    fn refunds_of_a_line_in_any_steps_give_back_exactly_what_it_cost() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..2_000 {
            let quantity = rng.random_range(1..=50);
            let total = rng.random_range(0..=10_000_000);
            let mut refunded = 0;
            let mut given = 0;
            while refunded < quantity {
                let units = rng.random_range(1..=quantity - refunded);
                let share = refund_share(total, quantity, refunded, units);
                assert!(share >= 0);
                given += share;
                refunded += units;
            }
            assert_eq!(given, total);
        }
        // 10.00 paid for 3 units: 3.33, 3.33, 3.34.
        assert_eq!(refund_share(1_000, 3, 0, 1), 333);
        assert_eq!(refund_share(1_000, 3, 1, 1), 333);
        assert_eq!(refund_share(1_000, 3, 2, 1), 334);
    }
}
