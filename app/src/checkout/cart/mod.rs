//! The cart: what a shopper means to buy, from any number of brands. A guest's cart is found
//! through their session; a signed-in shopper's belongs to the account, and a guest cart
//! merges into it when they sign in. The cart keeps SKUs and quantities only: prices and
//! availability are always read live from the catalog, and checkout charges the catalog's
//! price whatever a page showed.

mod api;
mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use api::*;
pub use model::*;
pub use pages::*;
