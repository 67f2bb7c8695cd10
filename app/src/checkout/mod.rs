//! Checkout: the one path every purchase takes — storefront, live show, API, and later
//! pre-sale deposits and in-store sales. [`Engine::place`] reserves stock, takes payment
//! through a [`payments::PaymentProvider`] and confirms, without overselling and without
//! losing an acknowledged order; see `engine.rs` for how it stays fast on one hot SKU.

mod api;
#[cfg(feature = "ssr")]
mod batch;
#[cfg(feature = "ssr")]
mod engine;
#[cfg(feature = "ssr")]
mod idempotency;
#[cfg(feature = "ssr")]
mod maintenance;
mod model;
#[cfg(feature = "ssr")]
pub mod orders;
mod pages;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod request;

pub use api::*;
#[cfg(feature = "ssr")]
pub use engine::{
    Engine, EngineConfig, IdempotencyKey, Placement, DEFAULT_MAX_BATCH, MAX_IDEMPOTENCY_KEY_LEN,
};
pub use model::*;
pub use pages::*;
