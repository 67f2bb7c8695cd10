//! Checkout: the one path every purchase takes — storefront, live show, API, and later
//! pre-sale deposits and in-store sales.
//!
//! - [`place()`]: who is buying, the idempotency key's one rule and the request checked field
//!   by field ([`request`]), then the engine — the one function the storefront, the API and a
//!   show call.
//! - [`Engine::place`] (`engine/`): reserves stock, takes payment through a
//!   [`payments::PaymentProvider`] and confirms, without overselling and without losing an
//!   acknowledged order, fast on one hot SKU (plan → pay → commit, one group commit per batch).
//! - [`cart`]: guest and signed-in carts (merged at sign-in), priced by the quote.
//! - [`pricing`]: the one price quote every page shows and the engine charges.
//! - [`limits`] (per-buyer purchase limits), [`idempotency`] (stored answers), [`orders`]
//!   (reading orders back), [`chores`] (lapsed reservations, captures, confirmation mail).
//!
//! Checkout owns the `cart`, `cart_line`, `shop_order`, `brand_order`, `order_line`, `payment` (charges),
//! `payment_method`, `saved_address`, `idempotency_record` and `sku_purchase` tables; stock
//! moves through the catalog's ledger.

mod api;
pub mod cart;
#[cfg(feature = "ssr")]
pub mod chores;
#[cfg(feature = "ssr")]
mod engine;
#[cfg(feature = "ssr")]
pub mod idempotency;
#[cfg(feature = "ssr")]
pub mod limits;
mod model;
#[cfg(feature = "ssr")]
pub mod orders;
mod pages;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod place;
#[cfg(feature = "ssr")]
pub mod pricing;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod wallet;

pub use api::*;
#[cfg(feature = "ssr")]
pub use engine::{Engine, EngineConfig, Overlap, DEFAULT_MAX_BATCH};
#[cfg(feature = "ssr")]
pub use idempotency::{IdempotencyKey, MAX_IDEMPOTENCY_KEY_LEN};
pub use model::*;
#[cfg(feature = "ssr")]
pub use orders::Placement;
pub use pages::*;
#[cfg(feature = "ssr")]
pub use place::{place, Placing};
