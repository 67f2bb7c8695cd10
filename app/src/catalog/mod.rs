//! The catalog: listings with options and variants (SKUs), stock per location with its ledger,
//! who may buy a SKU through which channel and when (sale gates), and the storefront's search
//! and listing pages.
//!
//! - [`listings`] and [`images`]: what brands sell; [`import`]: CSV in and out.
//! - [`stock`]: levels, pools and the one [`stock::ledger`] that writes them.
//! - [`gates`]: the sale gate other capabilities hold on SKUs and let go of.
//! - [`index`] (what the full-text index holds) and [`search`] (the storefront's reads).
//!
//! Brand-side reads and writes take a [`crate::brands::BrandScope`]; storefront reads only ever
//! see `visible` listings (published, brand live). Modules depend downwards only: `stock` and
//! `index` stand on nothing else of the catalog; `listings` on them; `search`, `images` and
//! `import` on `listings`.

mod api;
#[cfg(feature = "ssr")]
pub mod gates;
#[cfg(feature = "ssr")]
pub mod images;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod index;
#[cfg(feature = "ssr")]
pub mod listings;
#[cfg(feature = "ssr")]
mod markdown;
mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod stock;
mod storefront;

pub use api::*;
pub use model::*;
pub use pages::*;
pub use storefront::*;
