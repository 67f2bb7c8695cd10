//! Cross-cutting HTTP pieces used by [`crate::router`].

pub mod client_addr;
pub mod csrf;
pub mod fallback;
pub mod health;
pub mod media;
pub mod metrics;
pub mod middleware;
pub mod uploads;
