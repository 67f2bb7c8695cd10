//! What every capability shares: the error type, the server-side application state and the UI
//! kit.

pub mod error;
#[cfg(feature = "ssr")]
pub mod state;
pub mod time;
pub mod ui;

pub use error::{AppError, FieldErrors};
