//! The festival: the platform-wide event (name and dates) that the storefront counts down to.
//! Platform admins will edit it; `gala seed` sets the demo festival.

mod api;
mod model;
#[cfg(feature = "ssr")]
mod service;

pub use api::get_festival;
pub use model::{countdown_parts, Festival, FestivalPhase};
#[cfg(feature = "ssr")]
pub use service::{current_festival, save_festival};
