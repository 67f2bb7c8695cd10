//! What every capability shares: the error type, money, the server-side application state, time
//! and the UI kit.

#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
pub mod cursor;
pub mod error;
#[cfg(feature = "ssr")]
pub mod keyed;
pub mod money;
#[cfg(feature = "ssr")]
pub mod state;
pub mod time;
#[cfg(feature = "ssr")]
pub mod txn;
pub mod ui;

pub use error::{AppError, FieldErrors, FieldErrorsExt};
