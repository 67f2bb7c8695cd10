//! Pre-sale: the festival's three-week warm-up. A brand drafts a campaign — SKUs with a
//! pre-sale price, a deposit, the credit that deposit is worth at balance time, a cap, a
//! deposit window, a balance window on the festival day, a per-buyer limit and its forfeit and
//! refund rules in plain words — and submits it; platform admins approve, reject or send it
//! back ([`review`]). Approved, it is frozen, and its SKUs are sold only as pre-sale deposits
//! inside the deposit window (a `catalog::gates` gate, [`review::gate_of`]), and its cap is set
//! aside from open stock for its deposits (a stock pool of its own).
//!
//! Buyers pay deposits through the one checkout engine ([`deposits`]): the units are reserved,
//! not sold, and the order waits for its balance, which they pay in the balance window
//! ([`balances`]), through the engine again: the units are sold and the deposit settled.
//!
//! Owns `presale_campaign` and `presale_line`.

#[cfg(feature = "ssr")]
pub mod balances;
#[cfg(feature = "ssr")]
pub mod campaigns;
#[cfg(feature = "ssr")]
pub mod deposits;
mod model;
#[cfg(feature = "ssr")]
pub mod review;

pub use model::*;
