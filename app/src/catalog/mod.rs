//! The catalog: listings with options and variants (SKUs), stock per location with its ledger,
//! and the storefront's search and listing pages.
//!
//! Brand-side reads and writes take a [`crate::brands::BrandScope`]; storefront reads only ever
//! see `visible` listings (published, brand live).

mod api;
#[cfg(feature = "ssr")]
pub mod images;
#[cfg(feature = "ssr")]
pub mod import;
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
