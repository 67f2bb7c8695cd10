//! Identity: accounts, sessions, the [`Caller`] of every request, roles and the guards that
//! check them, email verification,
//! password reset, throttling and the audit log.
//!
//! Pages and server functions live here; the JSON API for apps (`/api/v1/auth/...`) is wired in
//! the server crate and calls the same [`service`] functions.

mod api;
#[cfg(feature = "ssr")]
mod caller;
#[cfg(feature = "ssr")]
mod guard;
mod model;
mod pages;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod session_store;
#[cfg(feature = "ssr")]
pub(crate) mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;

pub use api::*;
#[cfg(feature = "ssr")]
pub use caller::{Caller, ClientAddr};
#[cfg(feature = "ssr")]
pub use guard::*;
pub use model::*;
pub use pages::*;
#[cfg(feature = "ssr")]
pub use session::Account;
