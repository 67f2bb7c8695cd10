//! What every capability shares: the error type, money, time, database helpers and the UI kit.
//! `core` imports no capability: it is the ground the capabilities stand on.

#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
pub mod cursor;
pub mod error;
#[cfg(feature = "ssr")]
pub mod keyed;
#[cfg(feature = "ssr")]
pub mod lease;
pub mod links;
pub mod money;
pub mod time;
#[cfg(feature = "ssr")]
pub mod txn;
pub mod ui;

pub use error::{AppError, FieldErrors, FieldErrorsExt};
