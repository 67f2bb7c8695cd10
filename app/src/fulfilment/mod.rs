//! Fulfilment: a brand's side of its orders. Each purchase has one child order per brand
//! (`brand_order`); here the brand's team lists and filters them, ships them (carrier and
//! tracking number, with a mail to the buyer), cancels them before shipping, and refunds in
//! full or in part — returning stock to its location when the goods come back. Every call
//! takes a [`crate::brands::BrandScope`], so one brand never reaches another's orders.

mod api;
mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use api::*;
pub use model::*;
pub use pages::*;
