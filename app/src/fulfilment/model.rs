//! Fulfilment types shared by the browser and the server.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checkout::{AddressInput, BrandOrderStatus, DeliveryOption, OrderLineView, PaymentView};

/// One brand order in the brand's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandOrderSummary {
    /// The brand order's id.
    pub id: String,
    /// The purchase's number, as the buyer knows it.
    pub number: String,
    pub status: BrandOrderStatus,
    pub buyer_email: String,
    pub created_at: DateTime<Utc>,
    /// Units bought.
    pub items: i64,
    /// Items plus delivery.
    pub total_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
}

/// A page of the brand's orders, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandOrderPage {
    pub orders: Vec<BrandOrderSummary>,
    /// Pass as `after` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// One line of a brand order, with the id refunds name it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandOrderLine {
    pub id: String,
    #[serde(flatten)]
    pub line: OrderLineView,
}

/// Everything the brand needs to ship, cancel or refund one brand order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandOrderDetail {
    #[serde(flatten)]
    pub summary: BrandOrderSummary,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub delivery: DeliveryOption,
    pub shipping_address: Option<AddressInput>,
    pub lines: Vec<BrandOrderLine>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The purchase's card payment (it may cover other brands' parts too).
    pub payment: Option<PaymentView>,
    /// What may still be refunded (units not yet refunded, and delivery with the last ones).
    pub refundable_minor: i64,
}

/// Filters of the brand's order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct BrandOrderFilter {
    /// One status (`paid` = to ship, `shipped`, `cancelled`, `refunded`...).
    #[serde(default)]
    pub status: Option<String>,
    /// An order number (`G…`) or the buyer's email address.
    #[serde(default)]
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub after: Option<String>,
}

/// Marks a brand order shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FulfilInput {
    /// Who carries the parcel (SF Express, Cainiao, DHL...).
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
}

/// Units of one line to refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RefundLineInput {
    /// A [`BrandOrderLine::id`].
    pub line: String,
    pub quantity: i64,
}

/// A refund of some units of a brand order (all remaining units also refund its delivery).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RefundInput {
    #[serde(default)]
    pub lines: Vec<RefundLineInput>,
    /// The goods came back (or never left): return the units to stock.
    #[serde(default)]
    pub restock: bool,
}
