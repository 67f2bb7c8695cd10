//! Identity: accounts, sessions, roles and the guards that check them, email verification,
//! password reset, throttling and the audit log.
//!
//! Pages and server functions live here; the JSON API for apps (`/api/v1/auth/...`) is wired in
//! the server crate and calls the same [`service`] functions.

mod api;
mod guard;
mod model;
mod pages;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod session_store;
#[cfg(feature = "ssr")]
mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;

pub use api::*;
pub use guard::*;
pub use model::*;
pub use pages::*;
