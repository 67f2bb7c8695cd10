//! `shop_order`: one purchase as the buyer sees it (the parent order). A purchase spanning
//! brands has one `brand_order` per brand under it; lines are in `order_line`.
use sea_orm::entity::prelude::*;

use crate::values::{DeliveryOption, OrderChannel, OrderStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shop_order")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short reference shown to people ("G7KQ2M9XA4").
    pub number: String,
    /// The buyer's account; `None` for a guest checkout.
    pub account_id: Option<Uuid>,
    /// Where confirmations go (normalised).
    pub email: String,
    /// `storefront`, `show`, `api`: where the purchase was made.
    pub channel: OrderChannel,
    /// `pending_payment`, `paid`, `payment_failed`, `expired`, `cancelled`.
    pub status: OrderStatus,
    pub currency: String,
    pub subtotal_minor: i64,
    /// The sum of its lines' adjustments (negative for discounts).
    pub adjustments_minor: i64,
    pub shipping_minor: i64,
    /// subtotal + adjustments + shipping: what the buyer is charged.
    pub total_minor: i64,
    /// `standard` or `express`.
    pub delivery: DeliveryOption,
    /// The stock pool its units came from: `open`, or `show:<id>` (a show's buyers: the
    /// show's drop stock where it had some). Each line's `allocations` say which locations.
    pub pool: String,
    /// JSON of the shipping address.
    #[sea_orm(column_type = "Text", nullable)]
    pub shipping_address: Option<String>,
    pub created_at: DateTimeUtc,
    /// When an unpaid reservation lapses and its stock returns.
    pub expires_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    /// When the confirmation mail was queued (written off the checkout path, see
    /// `checkout::maintenance`).
    pub confirmation_queued_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// A guest order's confirmation-link secret (none for an account's order).
    pub access_key: Option<String>,
    /// The pre-sale campaign a deposit order belongs to.
    pub presale_campaign_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
