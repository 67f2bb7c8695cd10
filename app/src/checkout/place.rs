//! The one way an order is placed — from the storefront's checkout page, `POST /api/v1/orders`
//! and a show's one-tap buy alike: who is buying, the idempotency key's one rule, the request
//! checked field by field, then the engine.

use super::idempotency::IdempotencyKey;
use super::orders::Placement;
use super::request::{self, Buyer, PresaleStep};
use super::{OrderChannel, PlaceOrderInput};
use crate::auth::Caller;
use crate::catalog::stock::StockPool;
use crate::state::AppState;

/// How an order is being placed.
#[derive(Debug, Clone)]
pub struct Placing<'a> {
    /// Where the purchase is made.
    pub channel: OrderChannel,
    /// The stock it draws on (a show's drop stock, or the open stock).
    pub pool: StockPool,
    /// The caller's idempotency key, as sent; see [`IdempotencyKey::new`].
    pub key: Option<&'a str>,
    /// A pre-sale deposit's or balance's terms (the `presale` capability's orders only).
    pub presale: Option<PresaleStep>,
}

/// Prepares and places `input` for `caller` as `placing` says; answers the order (paid, or
/// waiting for an asynchronous payment) or why not.
pub async fn place(
    state: &AppState,
    caller: &Caller,
    placing: Placing<'_>,
    input: &PlaceOrderInput,
) -> Placement {
    let buyer = Buyer::of(&state.db, caller).await?;
    let mut order = request::prepare(
        &state.db,
        state.checkout.provider().as_ref(),
        &buyer,
        placing.channel,
        placing.pool,
        input,
    )
    .await?;
    order.presale = placing.presale;
    let key = placing
        .key
        .map(|raw| IdempotencyKey::new(&buyer, &order.email, placing.channel, raw))
        .transpose()?;
    let placed = state.checkout.place(order, key).await?;
    if buyer.guest.is_some() {
        if let Ok(id) = placed.id.parse() {
            request::remember_placed(caller.session(), id).await?;
        }
    }
    Ok(placed)
}
