//! The live show — "See Now, Buy Now". A brand plans a show — or the platform a multi-brand
//! gala (see [`ShowHost`]) — with a stream and a run-sheet of looks, each revealing SKUs, some
//! exclusive to the show, some with units set aside for the drop (the catalog's set-aside pools
//! and sale gates, which the show holds and lets go of); an admin
//! approves it, and its producer runs it
//! from a console: going live, dropping looks, opening and closing buy windows, pinning,
//! moderating the chat. Viewers watch on `/show/<id>` (or in an embed on another site) and
//! buy in one tap through the shared checkout engine.
//!
//! Real time: every change appends a numbered event to the show's log in the same
//! transaction; each node's [`ShowHub`] streams the log to its viewers over server-sent
//! events, and PostgreSQL `LISTEN/NOTIFY` pokes the other nodes. Late joiners get a
//! snapshot; reconnecting viewers get exactly the events they missed.

mod api;
#[cfg(feature = "ssr")]
pub mod audience;
#[cfg(feature = "ssr")]
pub mod chat_writer;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
mod host;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod live;
mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod planning;
#[cfg(feature = "ssr")]
pub mod presence;
#[cfg(feature = "ssr")]
pub mod public;
#[cfg(feature = "ssr")]
pub mod review;

pub use api::*;
#[cfg(feature = "ssr")]
pub use host::ShowHost;
#[cfg(feature = "ssr")]
pub use hub::ShowHub;
pub use model::*;
pub use pages::*;
