//! Pre-sale types shared by the pages, the server functions and the JSON API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checkout::{AddressInput, PaymentInput};

pub use entity::values::PresaleStatus;

/// A campaign as its brand drafts it: the windows (RFC 3339 times, or `YYYY-MM-DDTHH:MM` in
/// UTC), the rules and the SKUs it pre-sells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignInput {
    pub name: String,
    /// ISO 4217 code; every line is priced in it.
    pub currency: String,
    pub deposit_starts_at: String,
    pub deposit_ends_at: String,
    /// At or after the deposit window's end.
    pub balance_starts_at: String,
    pub balance_ends_at: String,
    /// Most units one buyer may put a deposit on (1–100).
    pub per_buyer_limit: i32,
    /// A cancelled deposit is refunded at this percent of itself (100–300; 200 is double).
    pub refund_multiplier_percent: i32,
    /// The forfeit and refund rules in plain words (shown to buyers before they pay).
    pub rules: String,
    /// 1 to 20 SKUs, each once.
    pub lines: Vec<CampaignLineInput>,
}

/// One SKU of a campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignLineInput {
    /// The SKU's id (one of the brand's).
    pub sku: String,
    /// The pre-sale price of one unit.
    pub price_minor: i64,
    /// Paid now, per unit: at most 20% of the price (PRC Civil Code art. 586).
    pub deposit_minor: i64,
    /// What the deposit is worth off the price at balance time (≥ the deposit, < the price).
    pub credit_minor: i64,
    /// Most units deposits may reserve.
    pub cap: i64,
}

/// Where a campaign is in its timeline at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignPhase {
    /// Approved; deposits not open yet (the warm-up's countdown).
    Upcoming,
    /// Taking deposits.
    Deposits,
    /// Deposits closed, balances not open yet.
    Waiting,
    /// Balances being paid.
    Balance,
    /// Over (or cancelled, or never approved).
    Closed,
}

/// One SKU of a campaign as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignLineView {
    pub sku: String,
    pub listing_id: String,
    pub title: String,
    pub price_minor: i64,
    pub deposit_minor: i64,
    pub credit_minor: i64,
    /// What is left to pay at balance time, before promotions: price − credit.
    pub balance_minor: i64,
    pub cap: i64,
}

/// A campaign as its brand, admins and buyers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignView {
    pub id: String,
    /// The brand's slug and name.
    pub brand: String,
    pub brand_name: String,
    pub name: String,
    pub currency: String,
    pub status: PresaleStatus,
    /// Where the timeline stands now (closed unless approved).
    pub phase: CampaignPhase,
    pub deposit_starts_at: DateTime<Utc>,
    pub deposit_ends_at: DateTime<Utc>,
    pub balance_starts_at: DateTime<Utc>,
    pub balance_ends_at: DateTime<Utc>,
    pub per_buyer_limit: i32,
    pub refund_multiplier_percent: i32,
    pub rules: String,
    pub lines: Vec<CampaignLineView>,
    pub review_note: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// An admin's decision on a submitted campaign: the same decision (and reason rule) as a
/// promotion's.
pub type CampaignDecision = crate::promotions::PromotionDecision;

/// The phase of a campaign with `status` and these windows at `now`.
pub fn phase_at(
    status: PresaleStatus,
    windows: [DateTime<Utc>; 4],
    now: DateTime<Utc>,
) -> CampaignPhase {
    let [deposit_starts, deposit_ends, balance_starts, balance_ends] = windows;
    if status != PresaleStatus::Approved || now >= balance_ends {
        CampaignPhase::Closed
    } else if now < deposit_starts {
        CampaignPhase::Upcoming
    } else if now < deposit_ends {
        CampaignPhase::Deposits
    } else if now < balance_starts {
        CampaignPhase::Waiting
    } else {
        CampaignPhase::Balance
    }
}

/// A buyer's deposit on one SKU of a campaign. Without an address or a payment, the buyer's
/// saved ones are used (one tap).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DepositInput {
    /// The SKU's id (one of the campaign's).
    pub sku: String,
    /// Units (at most the campaign's per-buyer limit, over all of the buyer's deposits).
    #[serde(default = "one_unit")]
    pub quantity: i64,
    /// Where the goods will ship once the balance is paid; default: the saved address.
    #[serde(default)]
    pub shipping_address: Option<AddressInput>,
    /// How the deposit is paid; default: the saved card.
    #[serde(default)]
    pub payment: Option<PaymentInput>,
}

fn one_unit() -> i64 {
    1
}

/// A buyer's balance payment on one of their deposits: their saved card (one tap) unless a
/// payment is given, and a coupon or red envelope from their wallet to use on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BalanceInput {
    #[serde(default)]
    pub payment: Option<PaymentInput>,
    #[serde(default)]
    pub coupon: Option<String>,
    #[serde(default)]
    pub envelope: Option<String>,
}
