//! Promotions: the festival's discounts. A brand (or the platform) drafts a promotion — a price
//! cut, a store's spend threshold, a coupon, a platform allowance across brands — with a window,
//! what it applies to, per-buyer and total limits and a money budget; platform admins approve
//! it, reject it or send it back; an approved version is frozen, and editing it makes the next
//! version (once live, only in the buyer's favour).
//!
//! Buyers claim coupons into their wallet. The checkout engine asks [`offers`] which promotions
//! are live for a batch, prices each order with them (`checkout::pricing`, which picks the best
//! combination under the stacking rules), and takes each budget in its commit through
//! [`budget`] — one conditional update per counter row per batch — so no usage limit, coupon
//! or budget is ever exceeded; a lapsed or cancelled order gives its use back exactly once.
//!
//! Red envelopes ([`envelopes`]): a platform pool handed out through interactive moments,
//! redeemed at checkout as a platform-funded adjustment.
//!
//! Coupons and envelopes are also handed out by a show's drop (its moments, set in the
//! producer console) and by a claim link a brand prints as a QR code at a store ([`links`]).
//!
//! Owns `promotion`, `promotion_budget`, `promotion_buyer`, `coupon`, `promotion_use`,
//! `envelope_pool`, `envelope_play`, `envelope_buyer`, `red_envelope` and `claim_link`.

mod api;
#[cfg(feature = "ssr")]
pub mod budget;
#[cfg(feature = "ssr")]
pub mod coupons;
#[cfg(feature = "ssr")]
pub mod envelopes;
#[cfg(feature = "ssr")]
pub mod links;
mod model;
#[cfg(feature = "ssr")]
pub mod offers;
mod pages;
#[cfg(feature = "ssr")]
pub mod review;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settlement;
#[cfg(feature = "ssr")]
mod terms;

pub use api::*;
pub use model::*;
#[cfg(feature = "ssr")]
pub use offers::Offer;
pub use pages::*;
