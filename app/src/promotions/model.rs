//! Promotions as pages and the API see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use entity::values::{
    CouponStatus, EnvelopeStatus, OrderChannel, PromotionKind, PromotionStatus,
};

/// A promotion's terms, as a brand (or a platform admin) writes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PromotionInput {
    /// `price_cut`, `store_threshold`, `coupon` or (platform only) `platform_allowance`.
    pub kind: Option<PromotionKind>,
    /// What buyers read ("40 off every 300"), 1–80 characters.
    pub name: String,
    /// A percentage off, 1–90 (price cuts and coupons); or `amount_off_minor`.
    pub percent_off: Option<i32>,
    /// An amount off in minor units: per unit (price cut), per step (threshold, allowance), or
    /// per order (coupon).
    pub amount_off_minor: Option<i64>,
    /// The "every" amount of a threshold or allowance; a coupon's minimum spend.
    pub threshold_minor: Option<i64>,
    /// Most one order gets off (thresholds, allowances, percentage coupons).
    pub cap_minor: Option<i64>,
    /// ISO 4217 code of the amounts (`CNY`).
    pub currency: String,
    /// Listing ids it applies to; empty: every listing (of the brand, for a brand's promotion).
    #[serde(default)]
    pub listing_ids: Vec<String>,
    /// Categories it applies to; empty: all.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Platform promotions: the brands (slugs) it applies to; empty: every brand.
    #[serde(default)]
    pub brands: Vec<String>,
    /// Channels it applies in; empty: all.
    #[serde(default)]
    pub channels: Vec<OrderChannel>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` read as UTC.
    pub starts_at: String,
    pub ends_at: String,
    /// Orders one buyer may use it in.
    pub per_buyer_limit: Option<i32>,
    /// Orders that may use it in all.
    pub usage_limit: Option<i32>,
    /// Most it may give away in all, in minor units.
    pub budget_minor: Option<i64>,
    /// Whether it stacks with the other promotions of an order.
    #[serde(default)]
    pub combinable: bool,
    /// Coupons: a code buyers can type to claim it (4–32 letters, digits and dashes).
    pub code: Option<String>,
    /// Coupons: how many may be claimed in all.
    pub coupon_stock: Option<i32>,
    /// Coupons: how many one buyer may claim (default 1).
    pub claim_limit: Option<i32>,
}

/// One version of a promotion, with what it has used so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PromotionView {
    /// This version's id (what edits, submissions and reviews name).
    pub id: String,
    /// The promotion's id, shared by its versions (what coupons and orders name).
    pub promotion_id: String,
    pub version: i32,
    /// The funding brand's slug; none: the platform.
    pub brand: Option<String>,
    pub kind: PromotionKind,
    pub status: PromotionStatus,
    pub name: String,
    /// The terms in a sentence ("40 off every 300, at most 120").
    pub summary: String,
    pub terms: PromotionInput,
    /// Approved and inside its window now.
    pub live: bool,
    /// Orders that used it, money it gave away, coupons claimed (all versions).
    pub uses: i64,
    pub spent_minor: i64,
    pub claimed: i64,
    pub review_note: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// An admin's decision on a submitted promotion.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PromotionDecision {
    /// `approve`, `reject` or `request_changes`.
    pub decision: crate::brands::ReviewDecision,
    /// Required to reject or ask for changes.
    pub reason: Option<String>,
}

/// What a buyer asks to claim: a promotion's id, or a coupon code.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimInput {
    pub promotion_id: Option<String>,
    pub code: Option<String>,
    /// A claim link's token (what a store's QR code holds): its coupon.
    #[serde(default)]
    pub link: Option<String>,
}

/// A coupon in a buyer's wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CouponView {
    /// The coupon's id, chosen at checkout.
    pub id: String,
    pub promotion_id: String,
    /// The funding brand's slug; none: the platform.
    pub brand: Option<String>,
    pub name: String,
    pub summary: String,
    pub status: CouponStatus,
    pub expires_at: DateTime<Utc>,
    /// The order holding or using it.
    pub order_id: Option<String>,
}

/// A red envelope a buyer won.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EnvelopeView {
    /// The envelope's id, chosen at checkout.
    pub id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: EnvelopeStatus,
    /// Where it was won (`festival:<date>`, `show:<id>`).
    pub moment: String,
    pub won_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The order holding or using it.
    pub order_id: Option<String>,
}

/// Which moment a buyer plays: a live show's (its id), one of its drops, or with none the
/// festival page's game.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlayInput {
    pub show_id: Option<String>,
    /// A show's drop (a look's id) with a "find the cat" moment: played once per viewer per
    /// drop, while the show is live and after the look has dropped.
    #[serde(default)]
    pub drop_id: Option<String>,
    /// A claim link's token (a store's QR code) with a red-envelope moment: played once per
    /// buyer per link, until it expires.
    #[serde(default)]
    pub link: Option<String>,
}

/// A claim link as a brand (or the platform) sets it up, to print as a QR code at a store's
/// door or counter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimLinkInput {
    /// Where it hangs, 1–80 characters ("Shanghai pop-up, front door").
    pub place: String,
    /// One of the owner's approved coupons that has not ended.
    #[serde(default)]
    pub coupon_promotion_id: Option<String>,
    /// A red-envelope "find the cat" moment, played once per buyer.
    #[serde(default)]
    pub envelope: bool,
    /// Hours it works, 1 to 744 (a month).
    pub valid_hours: i32,
}

/// A claim link: what its QR code holds and hands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimLinkView {
    pub id: String,
    /// Its path on Gala (`/claim/<token>`).
    pub path: String,
    /// The whole address, as the QR code holds it.
    pub url: String,
    /// Where it hangs.
    pub place: String,
    /// Whose it is: the brand's name, or "Gala".
    pub host: String,
    pub coupon: Option<CouponMoment>,
    pub envelope: bool,
    pub expires_at: DateTime<Utc>,
    /// An expired link opens, to say so, and claims nothing.
    pub expired: bool,
    /// The QR code of `url` as SVG, for its owner to print; empty for buyers.
    pub qr_svg: String,
}

/// A coupon a show's drop hands out: viewers claim it (through the one claim path) while the
/// look is on the runway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CouponMoment {
    /// The coupon promotion's id (what a claim names).
    pub promotion_id: String,
    pub name: String,
    /// The terms in a sentence ("30 off orders from 200").
    pub summary: String,
}

/// What a play gave: an envelope, or none (and why, in words).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlayOutcome {
    pub won: Option<EnvelopeView>,
    pub message: String,
}

/// A red-envelope pool as a platform admin sets it up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PoolInput {
    pub name: String,
    pub currency: String,
    /// The whole budget, in minor units.
    pub budget_minor: i64,
    /// The range of one envelope, in minor units.
    pub min_minor: i64,
    pub max_minor: i64,
    /// The chance one play wins, 1–100.
    pub win_percent: i32,
    /// Most envelopes, and most money, one buyer may win.
    pub per_buyer_count: i32,
    pub per_buyer_minor: i64,
    /// Hours a won envelope stays usable.
    pub valid_hours: i32,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` read as UTC.
    pub starts_at: String,
    pub ends_at: String,
}

/// A pool with what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PoolView {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub budget_minor: i64,
    pub remaining_minor: i64,
    pub min_minor: i64,
    pub max_minor: i64,
    pub win_percent: i32,
    pub per_buyer_count: i32,
    pub per_buyer_minor: i64,
    pub valid_hours: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// One line of a settlement: what a promotion took off one brand's orders, and who funds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SettlementRow {
    /// The selling brand's slug.
    pub brand: String,
    pub promotion_id: String,
    pub promotion: String,
    /// The platform funds it (and owes the brand); otherwise the brand does.
    pub funded_by_platform: bool,
    pub currency: String,
    /// Orders it was used in (not given back).
    pub orders: i64,
    /// What it took off, in minor units (positive).
    pub amount_minor: i64,
}
