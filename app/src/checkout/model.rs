//! Checkout types shared by the browser and the server: what a buyer sends to place an order
//! and what an order looks like afterwards.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::catalog::OrderChannel;
pub use entity::values::{BrandOrderStatus, DeliveryOption, OrderStatus, PaymentStatus};

/// Express delivery, per brand parcel, in minor units of the order's currency (15.00).
pub const EXPRESS_FEE_MINOR: i64 = 1_500;

/// Who pays for an adjustment to a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    /// The brand selling the line.
    Brand,
    /// Gala (a platform allowance, a red envelope).
    Platform,
}

/// What an adjustment is. Quotes apply them in this order, each on what the earlier ones left:
/// a price cut on the item, a store's spend threshold, a store coupon, a platform allowance
/// across brands, a red envelope, then a pre-sale deposit's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    PriceCut,
    /// A pre-sale deposit's credit on its balance: right after price cuts, so thresholds and
    /// coupons see the balance that is left to pay.
    DepositCredit,
    StoreThreshold,
    StoreCoupon,
    PlatformAllowance,
    RedEnvelope,
}

/// One change to a line's price (negative: a discount), with what made it and who funds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    /// What made it: a promotion's id, a coupon's code.
    pub source: String,
    /// How the buyer reads it ("Festival price", "40 off every 300").
    pub label: String,
    pub funder: Funder,
    /// In minor units of the order's currency; negative for a discount.
    pub amount_minor: i64,
}

/// One discount of an order as its buyer reads it: every share of one adjustment summed
/// over the lines (see [`discounts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Discount {
    pub label: String,
    pub funder: Funder,
    /// Negative: what it takes off.
    pub amount_minor: i64,
}

/// `adjustments` (of every line of a quote or an order) summed per adjustment, in the order
/// they apply: the breakdown the cart, the checkout and the order pages show.
pub fn discounts<'a>(adjustments: impl Iterator<Item = &'a Adjustment>) -> Vec<Discount> {
    let mut found: Vec<(AdjustmentKind, String, Discount)> = Vec::new();
    for adjustment in adjustments {
        match found
            .iter_mut()
            .find(|(_, source, _)| *source == adjustment.source)
        {
            Some((_, _, discount)) => discount.amount_minor += adjustment.amount_minor,
            None => found.push((
                adjustment.kind,
                adjustment.source.clone(),
                Discount {
                    label: adjustment.label.clone(),
                    funder: adjustment.funder,
                    amount_minor: adjustment.amount_minor,
                },
            )),
        }
    }
    found.sort_by_key(|(kind, ..)| *kind);
    found.into_iter().map(|(_, _, discount)| discount).collect()
}

/// One line of a price quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QuoteLine {
    /// The SKU's id.
    pub sku: String,
    /// The brand selling it (its slug).
    pub brand: String,
    pub unit_price_minor: i64,
    pub quantity: i64,
    /// unit price × quantity.
    pub subtotal_minor: i64,
    pub adjustments: Vec<Adjustment>,
    /// subtotal + adjustments: what the line costs.
    pub total_minor: i64,
}

/// One brand's part of a quote: each brand ships its own parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QuoteBrand {
    /// The brand's slug.
    pub brand: String,
    pub subtotal_minor: i64,
    pub adjustments_minor: i64,
    pub shipping_minor: i64,
}

/// What a set of lines costs a buyer through a channel, as the server prices it: the one
/// place prices are computed (the cart, the checkout page, a show's card and the checkout
/// engine all show or charge a quote). Integer minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Quote {
    pub currency: String,
    pub lines: Vec<QuoteLine>,
    pub brands: Vec<QuoteBrand>,
    /// Σ lines' subtotals.
    pub subtotal_minor: i64,
    /// Σ lines' adjustments (negative for discounts).
    pub adjustments_minor: i64,
    pub shipping_minor: i64,
    /// subtotal + adjustments + shipping.
    pub total_minor: i64,
}

/// One line of an order request. The price is never sent: the server's price is charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderLineInput {
    /// The SKU's id.
    pub sku: String,
    /// Units, 1 to 100.
    pub quantity: i64,
}

/// A postal address for delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddressInput {
    /// The recipient's full name.
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    /// State, province or prefecture, where the country uses one.
    #[serde(default)]
    pub region: Option<String>,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code (`CN`, `US`, ...).
    pub country: String,
    /// For the courier.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A card typed in at checkout. Only the payment provider sees the number; Gala keeps the
/// provider's reference, the brand and the last four digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CardInput {
    /// 12–19 digits; spaces and dashes are ignored.
    pub number: String,
    pub exp_month: u32,
    /// Four digits (2030).
    pub exp_year: u32,
    pub cvc: String,
}

/// What the checkout page's form posts, field by field as the browser sends it (plain strings),
/// so one server function serves the hydrated page and a browser without the wasm alike.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct CheckoutForm {
    /// The idempotency key of this attempt: rendered by the server, sent again on a retry.
    pub key: String,
    /// "Buy now": the SKU's id; absent when buying the cart.
    #[serde(default)]
    pub sku: Option<String>,
    /// "Buy now": the units, as typed.
    #[serde(default)]
    pub quantity: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// `express`, else standard delivery.
    #[serde(default)]
    pub delivery: Option<String>,
    /// A saved card's id, or [`CheckoutForm::NEW_CARD`] (the default) for the card typed in.
    #[serde(default)]
    pub pay_with: Option<String>,
    /// A coupon from the buyer's wallet (its id); empty for none.
    #[serde(default)]
    pub coupon: Option<String>,
    /// A red envelope the buyer won (its id); empty for none.
    #[serde(default)]
    pub envelope: Option<String>,
    #[serde(default)]
    pub card_number: Option<String>,
    /// "MM/YY" or "MM/YYYY".
    #[serde(default)]
    pub expiry: Option<String>,
    #[serde(default)]
    pub cvc: Option<String>,
    /// Present (a ticked checkbox) to keep the card for one-tap buying.
    #[serde(default)]
    pub save_card: Option<String>,
}

/// The card number and security code never reach logs through `Debug`.
impl std::fmt::Debug for CheckoutForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutForm")
            .field("key", &self.key)
            .field("sku", &self.sku)
            .finish_non_exhaustive()
    }
}

impl CheckoutForm {
    /// `pay_with` for a card typed in now.
    pub const NEW_CARD: &'static str = "new";

    /// True when it buys the cart rather than one SKU ("Buy now").
    pub fn from_cart(&self) -> bool {
        self.sku.as_deref().is_none_or(|s| s.trim().is_empty())
    }

    /// The order it asks for, with `cart_lines` (what the cart holds) when it buys the cart.
    /// Unreadable numbers become 0 for the engine's validation to name.
    pub fn into_order(self, cart_lines: Vec<OrderLineInput>, signed_in: bool) -> PlaceOrderInput {
        let optional = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let lines = match optional(self.sku.clone()) {
            Some(sku) => vec![OrderLineInput {
                sku,
                quantity: self
                    .quantity
                    .as_deref()
                    .map_or(Some(1), |q| q.trim().parse().ok())
                    .unwrap_or(0),
            }],
            None => cart_lines,
        };
        let payment = match optional(self.pay_with) {
            Some(saved) if saved != Self::NEW_CARD => PaymentInput {
                card: None,
                saved_method: Some(saved),
                save_card: false,
            },
            _ => {
                let (exp_month, exp_year) =
                    parse_expiry(self.expiry.as_deref().unwrap_or_default());
                PaymentInput {
                    card: Some(CardInput {
                        number: self.card_number.unwrap_or_default(),
                        exp_month,
                        exp_year,
                        cvc: self.cvc.unwrap_or_default(),
                    }),
                    saved_method: None,
                    save_card: signed_in && self.save_card.is_some(),
                }
            }
        };
        PlaceOrderInput {
            lines,
            email: optional(self.email),
            shipping_address: Some(AddressInput {
                name: self.name,
                line1: self.line1,
                line2: optional(self.line2),
                city: self.city,
                region: None,
                postal_code: self.postal_code,
                country: self.country,
                phone: optional(self.phone),
            }),
            delivery: if self.delivery.as_deref() == Some("express") {
                DeliveryOption::Express
            } else {
                DeliveryOption::Standard
            },
            payment,
            coupon: optional(self.coupon),
            envelope: optional(self.envelope),
        }
    }
}

/// "12/31", "12 / 2031" → (12, 2031); (0, 0) when unreadable (the server says what's wrong).
pub fn parse_expiry(text: &str) -> (u32, u32) {
    let parts: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [month, year] if *year < 100 => (*month, 2000 + year),
        [month, year] => (*month, *year),
        _ => (0, 0),
    }
}

/// Card numbers never reach logs through `Debug`.
impl std::fmt::Debug for CardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        let last4 = &digits[digits.len().saturating_sub(4)..];
        write!(f, "CardInput(•••• {last4})")
    }
}

/// How to pay: a card, or a card saved earlier (signed-in buyers). Exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PaymentInput {
    #[serde(default)]
    pub card: Option<CardInput>,
    /// The id of a saved payment method.
    #[serde(default)]
    pub saved_method: Option<String>,
    /// Keep the card for one-tap buying (signed-in buyers only).
    #[serde(default)]
    pub save_card: bool,
}

/// The body of `POST /api/v1/orders` and of the checkout form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlaceOrderInput {
    /// 1 to 50 lines, each SKU at most once.
    pub lines: Vec<OrderLineInput>,
    /// Where the confirmation goes. Required for guests; signed-in buyers default to their
    /// account's address.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub shipping_address: Option<AddressInput>,
    #[serde(default)]
    pub delivery: DeliveryOption,
    pub payment: PaymentInput,
    /// A coupon from the buyer's wallet (its id) to use on this order; signed-in buyers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
    /// A red envelope the buyer won (its id) to use on this order; signed-in buyers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
}

/// One line of an order as bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderLineView {
    pub sku: String,
    pub sku_code: String,
    pub listing_id: String,
    pub title: String,
    pub option_values: Vec<String>,
    pub quantity: i64,
    /// Units refunded so far.
    pub refunded_quantity: i64,
    pub unit_price_minor: i64,
    /// unit price × quantity.
    pub subtotal_minor: i64,
    /// What the price quote changed on the line (discounts are negative).
    pub adjustments: Vec<Adjustment>,
    /// What the line cost: subtotal + adjustments.
    pub line_total_minor: i64,
    /// A pre-sale deposit line (its unit price is the deposit): the pre-sale price of one unit
    /// and the credit its deposit is worth off that price when the balance is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presale_price_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presale_credit_minor: Option<i64>,
}

/// The part of an order one brand ships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandOrderView {
    pub id: String,
    pub brand_slug: String,
    pub brand_name: String,
    pub status: BrandOrderStatus,
    pub subtotal_minor: i64,
    /// Its lines' adjustments (negative for discounts).
    pub adjustments_minor: i64,
    pub shipping_minor: i64,
    pub refunded_minor: i64,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub lines: Vec<OrderLineView>,
}

/// How an order was paid, as far as a buyer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PaymentView {
    /// `sandbox` for the test-mode provider.
    pub provider: String,
    pub status: PaymentStatus,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub amount_minor: i64,
    /// Why the provider refused it (`card_declined`, `insufficient_funds`...).
    pub failure_code: Option<String>,
}

/// An order as its buyer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: String,
    pub number: String,
    pub status: OrderStatus,
    pub channel: OrderChannel,
    pub email: String,
    pub currency: String,
    pub subtotal_minor: i64,
    /// Its lines' adjustments (negative for discounts).
    pub adjustments_minor: i64,
    pub shipping_minor: i64,
    /// subtotal + adjustments + shipping.
    pub total_minor: i64,
    pub delivery: DeliveryOption,
    /// The stock the order drew on: `open`, or `show:<id>` for a show's buyers (its drop
    /// stock where it had some).
    pub pool: String,
    pub shipping_address: Option<AddressInput>,
    pub brands: Vec<BrandOrderView>,
    pub payment: Option<PaymentView>,
    pub created_at: DateTime<Utc>,
    /// When an unpaid order's reservation lapses.
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// A guest order's confirmation-link secret (`/orders/<id>?key=<access_key>`): whoever
    /// has it may see the order. Shown to the buyer, never to a brand.
    pub access_key: Option<String>,
}

/// The address of order `id`'s page under `public_url` (empty for a path), with a guest
/// order's secret `key`: its confirmation link.
pub fn order_link(public_url: &str, id: &impl std::fmt::Display, key: Option<&str>) -> String {
    let page = format!("{}/orders/{id}", public_url.trim_end_matches('/'));
    match key {
        Some(key) => format!("{page}?key={key}"),
        None => page,
    }
}
