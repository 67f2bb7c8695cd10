//! Brands, Gala's tenants: applications, admin review, suspension, and the [`BrandScope`]
//! through which every tenant-scoped query must go.

mod api;
#[cfg(feature = "ssr")]
pub mod api_tokens;
#[cfg(feature = "ssr")]
pub mod logo;
mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod scope;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod team;

pub use api::*;
pub use model::*;
pub use pages::*;
#[cfg(feature = "ssr")]
pub use scope::{BrandOwned, BrandScope, Need};
