//! The storefront home page.

mod pages;

pub use pages::HomePage;
