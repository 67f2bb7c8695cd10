//! The values enumerated columns hold — statuses, roles, channels, kinds — each a SeaORM
//! `DeriveActiveEnum` (so a row's field is the enum, never a string parsed by hand) and a
//! serde type the browser shares (this module compiles to wasm without SeaORM). How people
//! read a value (`label`) lives beside it.

use serde::{Deserialize, Serialize};

/// Where a brand is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum BrandStatus {
    /// Applied; waiting for an admin.
    Pending,
    /// An admin asked the applicant to change something and resubmit.
    ChangesRequested,
    /// Live: its storefront is public and its team can sell.
    Approved,
    /// Turned down (final; the applicant may apply again under another slug).
    Rejected,
    /// Taken off the storefront by an admin; can be reinstated.
    Suspended,
}

impl BrandStatus {
    /// Stable name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BrandStatus::Pending => "pending",
            BrandStatus::ChangesRequested => "changes_requested",
            BrandStatus::Approved => "approved",
            BrandStatus::Rejected => "rejected",
            BrandStatus::Suspended => "suspended",
        }
    }

    /// Parses [`BrandStatus::as_str`]'s output.
    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::ChangesRequested,
            Self::Approved,
            Self::Rejected,
            Self::Suspended,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    /// Whether shoppers can see the brand and its team can sell.
    pub fn is_live(self) -> bool {
        self == BrandStatus::Approved
    }
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read the brand's data.
    Read,
    /// Read and change it.
    Write,
}

impl TokenScope {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }
}

/// A person's role in a brand's team, from least to most powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum BrandRole {
    /// Day-to-day work: stock, orders, the show's chat.
    Staff,
    /// Everything staff can do, plus listings, campaigns and shows.
    Manager,
    /// Everything, including the team, API tokens and brand settings.
    Owner,
}

impl BrandRole {
    /// Stable name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BrandRole::Staff => "staff",
            BrandRole::Manager => "manager",
            BrandRole::Owner => "owner",
        }
    }
}

/// Where a listing is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    /// Being prepared; only the team sees it.
    Draft,
    /// For sale (when the brand is live).
    Published,
    /// Withdrawn; kept for orders and history.
    Archived,
}

impl ListingStatus {
    /// Stable name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::Published => "published",
            ListingStatus::Archived => "archived",
        }
    }

    /// Parses [`ListingStatus::as_str`]'s output.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Draft, Self::Published, Self::Archived]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Where a bulk import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl ImportStatus {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Queued => "queued",
            ImportStatus::Running => "running",
            ImportStatus::Done => "done",
            ImportStatus::Failed => "failed",
        }
    }

    /// Whether the job will change no more.
    pub fn is_finished(self) -> bool {
        matches!(self, ImportStatus::Done | ImportStatus::Failed)
    }
}

/// Where a purchase is made. Every channel buys through the same engine; pre-sale deposits,
/// balances and in-store sales join this list with their capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum OrderChannel {
    /// The web storefront's cart and checkout.
    #[default]
    Storefront,
    /// One-tap buying during a live show.
    Show,
    /// `POST /api/v1/orders` from an app or a brand's own system.
    Api,
    /// A pre-sale campaign's deposit or balance.
    Presale,
}

impl OrderChannel {
    /// Stable name stored with the order.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderChannel::Storefront => "storefront",
            OrderChannel::Show => "show",
            OrderChannel::Api => "api",
            OrderChannel::Presale => "presale",
        }
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Stock is reserved; the payment has not been confirmed yet.
    PendingPayment,
    /// Paid: the brands fulfil it.
    Paid,
    /// A pre-sale deposit, paid: its units are reserved until the balance is paid (or the
    /// deposit is forfeited).
    BalanceDue,
    /// A pre-sale deposit whose balance was paid: its units were sold by the balance's order,
    /// which is the one the brand ships.
    BalancePaid,
    /// A pre-sale deposit whose balance was not paid in its window: the deposit is kept, as the
    /// campaign's rules said, and its units went back.
    Forfeited,
    /// The card was declined; the stock went back.
    PaymentFailed,
    /// Not paid in time; the stock went back.
    Expired,
    /// Cancelled after payment; refunded.
    Cancelled,
}

impl OrderStatus {
    /// Stable name stored with the order.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::BalanceDue => "balance_due",
            OrderStatus::BalancePaid => "balance_paid",
            OrderStatus::Forfeited => "forfeited",
            OrderStatus::PaymentFailed => "payment_failed",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "Awaiting payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::BalanceDue => "Deposit paid · balance due",
            OrderStatus::BalancePaid => "Deposit · balance paid",
            OrderStatus::Forfeited => "Deposit forfeited",
            OrderStatus::PaymentFailed => "Payment declined",
            OrderStatus::Expired => "Expired",
            OrderStatus::Cancelled => "Cancelled",
        }
    }
}

/// Where one brand's part of an order stands. Until payment it follows the order; then the
/// brand moves it on (ships, cancels, refunds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum BrandOrderStatus {
    PendingPayment,
    /// Paid: to be shipped.
    Paid,
    /// A pre-sale deposit, paid: nothing to ship until its balance is paid.
    BalanceDue,
    /// A pre-sale deposit whose balance was paid: the balance's order is the one to ship.
    BalancePaid,
    /// A pre-sale deposit whose balance was not paid in its window: kept, nothing to ship.
    Forfeited,
    /// Handed to a carrier (with a tracking number).
    Shipped,
    /// Cancelled by the brand before shipping: the stock went back, the payment was refunded.
    Cancelled,
    /// Every unit refunded.
    Refunded,
    PaymentFailed,
    Expired,
}

impl BrandOrderStatus {
    /// Every status, in the order a brand's filter lists them.
    pub const ALL: [BrandOrderStatus; 10] = [
        BrandOrderStatus::Paid,
        BrandOrderStatus::BalanceDue,
        BrandOrderStatus::BalancePaid,
        BrandOrderStatus::Forfeited,
        BrandOrderStatus::Shipped,
        BrandOrderStatus::Cancelled,
        BrandOrderStatus::Refunded,
        BrandOrderStatus::PendingPayment,
        BrandOrderStatus::PaymentFailed,
        BrandOrderStatus::Expired,
    ];

    /// Stable name stored with the brand order.
    pub fn as_str(self) -> &'static str {
        match self {
            BrandOrderStatus::PendingPayment => "pending_payment",
            BrandOrderStatus::Paid => "paid",
            BrandOrderStatus::BalanceDue => "balance_due",
            BrandOrderStatus::BalancePaid => "balance_paid",
            BrandOrderStatus::Forfeited => "forfeited",
            BrandOrderStatus::Shipped => "shipped",
            BrandOrderStatus::Cancelled => "cancelled",
            BrandOrderStatus::Refunded => "refunded",
            BrandOrderStatus::PaymentFailed => "payment_failed",
            BrandOrderStatus::Expired => "expired",
        }
    }

    /// Parses [`BrandOrderStatus::as_str`].
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            BrandOrderStatus::PendingPayment => "Awaiting payment",
            BrandOrderStatus::Paid => "To ship",
            BrandOrderStatus::BalanceDue => "Deposit paid · balance due",
            BrandOrderStatus::BalancePaid => "Deposit · balance paid",
            BrandOrderStatus::Forfeited => "Deposit forfeited",
            BrandOrderStatus::Shipped => "Shipped",
            BrandOrderStatus::Cancelled => "Cancelled",
            BrandOrderStatus::Refunded => "Refunded",
            BrandOrderStatus::PaymentFailed => "Payment declined",
            BrandOrderStatus::Expired => "Expired",
        }
    }

    /// How the buyer reads it (the brand's "to ship" is the buyer's "preparing").
    pub fn buyer_label(self) -> &'static str {
        match self {
            BrandOrderStatus::Paid => "Preparing",
            status => status.label(),
        }
    }
}

/// Until it is paid, a brand's part of an order is where the order is.
impl From<OrderStatus> for BrandOrderStatus {
    fn from(status: OrderStatus) -> Self {
        match status {
            OrderStatus::PendingPayment => BrandOrderStatus::PendingPayment,
            OrderStatus::Paid => BrandOrderStatus::Paid,
            OrderStatus::BalanceDue => BrandOrderStatus::BalanceDue,
            OrderStatus::BalancePaid => BrandOrderStatus::BalancePaid,
            OrderStatus::Forfeited => BrandOrderStatus::Forfeited,
            OrderStatus::PaymentFailed => BrandOrderStatus::PaymentFailed,
            OrderStatus::Expired => BrandOrderStatus::Expired,
            OrderStatus::Cancelled => BrandOrderStatus::Cancelled,
        }
    }
}

/// How the parcel travels; the fee is per brand (each brand ships its own parcel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOption {
    /// Free, 3–5 days.
    #[default]
    Standard,
    /// 1–2 days, a fee per brand parcel (see `checkout::pricing::parcel_fee`).
    Express,
}

impl DeliveryOption {
    /// Stable name stored with the order.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOption::Standard => "standard",
            DeliveryOption::Express => "express",
        }
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            DeliveryOption::Standard => "Standard (3–5 days, free)",
            DeliveryOption::Express => "Express (1–2 days)",
        }
    }
}

/// Where a show stands. Brands edit drafts (and rejected shows), submit them, an admin
/// approves them, the producer takes them live and ends them; an ended show is a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ShowStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Live,
    Ended,
}

impl ShowStatus {
    /// Stable name stored with the show.
    pub fn as_str(self) -> &'static str {
        match self {
            ShowStatus::Draft => "draft",
            ShowStatus::Submitted => "submitted",
            ShowStatus::Approved => "approved",
            ShowStatus::Rejected => "rejected",
            ShowStatus::Live => "live",
            ShowStatus::Ended => "ended",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            ShowStatus::Draft => "Draft",
            ShowStatus::Submitted => "In review",
            ShowStatus::Approved => "Approved",
            ShowStatus::Rejected => "Changes requested",
            ShowStatus::Live => "Live",
            ShowStatus::Ended => "Ended",
        }
    }

    /// The brand may still change the show and its run-sheet (what an admin approved stays
    /// as approved).
    pub fn editable(self) -> bool {
        matches!(self, ShowStatus::Draft | ShowStatus::Rejected)
    }

    /// Shoppers may see the show (announced, live or as a replay).
    pub fn public(self) -> bool {
        matches!(
            self,
            ShowStatus::Approved | ShowStatus::Live | ShowStatus::Ended
        )
    }
}

/// What a ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Receive,
    Adjust,
    TransferOut,
    TransferIn,
    Reserve,
    Release,
    Sell,
    /// Sold units that came back (a refund or cancellation with restocking).
    Return,
}

impl MovementKind {
    /// Stable name stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Receive => "receive",
            MovementKind::Adjust => "adjust",
            MovementKind::TransferOut => "transfer_out",
            MovementKind::TransferIn => "transfer_in",
            MovementKind::Reserve => "reserve",
            MovementKind::Release => "release",
            MovementKind::Sell => "sell",
            MovementKind::Return => "return",
        }
    }
}

/// Where a payment (a card charge) stands with the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Waiting for the provider's asynchronous confirmation.
    Pending,
    /// Held on the card; captured by the checkout chores.
    Authorized,
    /// Taken.
    Captured,
    /// Refused by the provider (or the provider could not be asked).
    Declined,
    /// A hold released (the order lapsed or was refused).
    Voided,
}

impl PaymentStatus {
    /// Stable name stored with the payment.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Captured => "captured",
            PaymentStatus::Declined => "declined",
            PaymentStatus::Voided => "voided",
        }
    }
}

/// Where a refund stands with the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Recorded; the provider has not confirmed it yet (retried by fulfilment's chores).
    Pending,
    /// The provider took it.
    Succeeded,
}

impl RefundStatus {
    /// Stable name stored with the refund.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
        }
    }
}

/// What a stock location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// A brand's warehouse.
    Warehouse,
    /// Units set aside for one show (while `set_aside_for` names it).
    Show,
    /// A pre-sale campaign's cap, set aside for its deposits (while `set_aside_for` names it).
    Presale,
}

impl LocationKind {
    /// Stable name stored with the location.
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Warehouse => "warehouse",
            LocationKind::Show => "show",
            LocationKind::Presale => "presale",
        }
    }
}

/// Where a queued mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "orm", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting to be sent (again, after a failed attempt).
    Pending,
    /// Leased by a sender.
    Sending,
    Sent,
}

impl MailStatus {
    /// Stable name stored with the mail.
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
        }
    }
}

#[cfg(all(test, feature = "orm"))]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    /// `as_str` (what code and raw SQL use) is exactly what the column stores.
    fn same_names<E: ActiveEnum<Value = String> + Iterable + Copy>(as_str: fn(E) -> &'static str) {
        for value in E::iter() {
            assert_eq!(value.to_value(), as_str(value));
        }
    }

    #[test]
    fn stored_names_are_the_snake_case_names_code_uses() {
        same_names(BrandStatus::as_str);
        same_names(TokenScope::as_str);
        same_names(BrandRole::as_str);
        same_names(ListingStatus::as_str);
        same_names(ImportStatus::as_str);
        same_names(OrderChannel::as_str);
        same_names(OrderStatus::as_str);
        same_names(BrandOrderStatus::as_str);
        same_names(DeliveryOption::as_str);
        same_names(ShowStatus::as_str);
        same_names(MovementKind::as_str);
        same_names(PaymentStatus::as_str);
        same_names(RefundStatus::as_str);
        same_names(LocationKind::as_str);
        same_names(MailStatus::as_str);
    }
}

/// What a promotion does. Quotes apply the kinds in a fixed order (see `checkout::pricing`):
/// price cut → store threshold → store coupon → platform allowance (and platform coupons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum PromotionKind {
    /// A lower price on chosen listings or categories (percentage or fixed per unit): a
    /// "festival price".
    PriceCut,
    /// "40 off every 300" across one brand's store, with an optional cap.
    StoreThreshold,
    /// A coupon a buyer claims first, then chooses at checkout (fixed or percentage, with a
    /// minimum spend).
    Coupon,
    /// "50 off every 400 from any brands", funded by the platform and split across brands.
    PlatformAllowance,
}

impl PromotionKind {
    /// Stable name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PromotionKind::PriceCut => "price_cut",
            PromotionKind::StoreThreshold => "store_threshold",
            PromotionKind::Coupon => "coupon",
            PromotionKind::PlatformAllowance => "platform_allowance",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            PromotionKind::PriceCut => "Price cut",
            PromotionKind::StoreThreshold => "Spend threshold",
            PromotionKind::Coupon => "Coupon",
            PromotionKind::PlatformAllowance => "Platform allowance",
        }
    }
}

/// Where a promotion's version stands. A brand edits drafts (and versions sent back),
/// submits them; an admin approves, rejects or asks for changes. An approved version is frozen:
/// editing it makes the next version, and approving that one supersedes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum PromotionStatus {
    Draft,
    Submitted,
    Approved,
    ChangesRequested,
    Rejected,
    /// A later version was approved in its place.
    Superseded,
}

impl PromotionStatus {
    /// Stable name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PromotionStatus::Draft => "draft",
            PromotionStatus::Submitted => "submitted",
            PromotionStatus::Approved => "approved",
            PromotionStatus::ChangesRequested => "changes_requested",
            PromotionStatus::Rejected => "rejected",
            PromotionStatus::Superseded => "superseded",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            PromotionStatus::Draft => "Draft",
            PromotionStatus::Submitted => "In review",
            PromotionStatus::Approved => "Approved",
            PromotionStatus::ChangesRequested => "Changes requested",
            PromotionStatus::Rejected => "Rejected",
            PromotionStatus::Superseded => "Replaced by a newer version",
        }
    }

    /// The brand may still change this version in place.
    pub fn editable(self) -> bool {
        matches!(
            self,
            PromotionStatus::Draft | PromotionStatus::ChangesRequested
        )
    }
}

/// Where a claimed coupon stands: claimed → held by an order (waiting for its payment) → used;
/// back to claimed when that order fails, lapses or is cancelled; expired when its promotion
/// ends unused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum CouponStatus {
    Claimed,
    Held,
    Used,
    Expired,
}

impl CouponStatus {
    /// Stable name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CouponStatus::Claimed => "claimed",
            CouponStatus::Held => "held",
            CouponStatus::Used => "used",
            CouponStatus::Expired => "expired",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            CouponStatus::Claimed => "Ready to use",
            CouponStatus::Held => "Held by an order",
            CouponStatus::Used => "Used",
            CouponStatus::Expired => "Expired",
        }
    }
}

/// Where a red envelope stands: won → held by an order (waiting for its payment) → used; back
/// to won when that order lapses or is cancelled; expired (its money back to the pool) when
/// it was not used in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeStatus {
    Won,
    Held,
    Used,
    Expired,
}

impl EnvelopeStatus {
    /// Stable name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            EnvelopeStatus::Won => "won",
            EnvelopeStatus::Held => "held",
            EnvelopeStatus::Used => "used",
            EnvelopeStatus::Expired => "expired",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            EnvelopeStatus::Won => "Ready to use",
            EnvelopeStatus::Held => "Held by an order",
            EnvelopeStatus::Used => "Used",
            EnvelopeStatus::Expired => "Expired",
        }
    }
}

/// Where a pre-sale campaign stands. A brand edits drafts (and campaigns sent back) and
/// submits them; an admin approves, rejects or asks for changes. An approved campaign is
/// frozen: it can only be cancelled (which refunds its deposits with the campaign's multiplier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema)
)]
#[cfg_attr(
    feature = "orm",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum PresaleStatus {
    Draft,
    Submitted,
    Approved,
    ChangesRequested,
    Rejected,
    /// Cancelled by its brand after approval: its deposits are refunded.
    Cancelled,
}

impl PresaleStatus {
    /// Stable name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PresaleStatus::Draft => "draft",
            PresaleStatus::Submitted => "submitted",
            PresaleStatus::Approved => "approved",
            PresaleStatus::ChangesRequested => "changes_requested",
            PresaleStatus::Rejected => "rejected",
            PresaleStatus::Cancelled => "cancelled",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            PresaleStatus::Draft => "Draft",
            PresaleStatus::Submitted => "In review",
            PresaleStatus::Approved => "Approved",
            PresaleStatus::ChangesRequested => "Changes requested",
            PresaleStatus::Rejected => "Rejected",
            PresaleStatus::Cancelled => "Cancelled",
        }
    }

    /// The brand may still change the campaign.
    pub fn editable(self) -> bool {
        matches!(self, PresaleStatus::Draft | PresaleStatus::ChangesRequested)
    }
}
