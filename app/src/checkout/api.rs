//! Server functions behind the storefront's checkout pages. They place orders through the
//! same engine as `POST /api/v1/orders`.

use leptos::prelude::*;

use super::cart::CheckoutDraft;
use super::{CheckoutForm, DeliveryOption, OrderLineInput, OrderView, Quote};
use crate::core::AppError;

/// What `/checkout` buys: `sku` alone ("Buy now", `quantity` units), else the cart; with the
/// buyer's saved cards and a fresh idempotency key for this checkout.
#[server(prefix = "/api/fn", endpoint = "checkout/draft")]
pub async fn load_checkout(
    sku: Option<String>,
    quantity: Option<i64>,
) -> Result<CheckoutDraft, AppError> {
    use super::cart::service;
    let (state, caller, cart) = super::cart::request_cart(false).await?;
    let db = &state.db;
    let (cart, from_cart) = match sku.filter(|s| !s.trim().is_empty()) {
        Some(sku) => {
            let sku_id = uuid::Uuid::parse_str(sku.trim()).map_err(|_| AppError::NotFound)?;
            let quantity = quantity
                .unwrap_or(1)
                .clamp(1, super::cart::MAX_LINE_QUANTITY);
            let cart = service::priced(
                db,
                &[(sku_id, quantity)],
                super::DeliveryOption::Standard,
                None,
                None,
            )
            .await?;
            if cart.brands.is_empty() {
                return Err(AppError::NotFound);
            }
            (cart, false)
        }
        None => (service::view(db, cart).await?, true),
    };
    let now = state.clock.now();
    let (saved_cards, coupons, envelopes) = match caller.account() {
        Some(account) => (
            super::wallet::cards(db, account.id).await?,
            crate::promotions::coupons::wallet(db, now, account.id)
                .await?
                .into_iter()
                .filter(|c| c.status == crate::promotions::CouponStatus::Claimed)
                .collect(),
            crate::promotions::envelopes::mine(db, now, account.id)
                .await?
                .into_iter()
                .filter(|e| e.status == crate::promotions::EnvelopeStatus::Won)
                .collect(),
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let express_fee_minor = super::pricing::parcel_fee(
        DeliveryOption::Express,
        cart.currency.as_deref().unwrap_or_default(),
    );
    Ok(CheckoutDraft {
        cart,
        from_cart,
        email: caller.account().map(|a| a.email.clone()),
        saved_cards,
        coupons,
        envelopes,
        express_fee_minor,
        // Time-ordered: idempotency records land together at the end of their index.
        checkout_key: uuid::Uuid::now_v7().to_string(),
    })
}

/// The price quote of `lines` shipped by `delivery` with the buyer's chosen `coupon` and red
/// `envelope` (ids from their wallet), as the checkout page shows it when the buyer changes a
/// quantity, the delivery, the coupon or the envelope (the page never computes a price
/// itself). One that is not the caller's, or no longer ready, is left out (placing the order
/// says why).
#[server(prefix = "/api/fn", endpoint = "checkout/quote")]
pub async fn quote_order(
    lines: Vec<OrderLineInput>,
    delivery: DeliveryOption,
    coupon: Option<String>,
    envelope: Option<String>,
) -> Result<Quote, AppError> {
    let (state, caller) = crate::state::request().await?;
    let now = state.clock.now();
    let id_of = |text: Option<String>| text.and_then(|c| uuid::Uuid::parse_str(c.trim()).ok());
    let (offer, envelope) = match caller.account() {
        Some(account) => {
            let offer = match id_of(coupon) {
                Some(id) => crate::promotions::offers::coupons(&state.db, now, vec![id])
                    .await?
                    .remove(&id)
                    .filter(|(owner, _)| *owner == account.id)
                    .map(|(_, offer)| offer),
                None => None,
            };
            let envelope = match id_of(envelope) {
                Some(id) => crate::promotions::envelopes::usable(&state.db, now, vec![id])
                    .await?
                    .remove(&id)
                    .filter(|e| e.owner == account.id)
                    .map(|e| super::pricing::EnvelopeRule {
                        envelope_id: id,
                        amount_minor: e.amount_minor,
                    }),
                None => None,
            };
            (offer, envelope)
        }
        None => (None, None),
    };
    super::cart::service::quote_request(
        &state.db,
        &lines,
        delivery,
        offer.as_ref(),
        envelope.as_ref(),
    )
    .await
}

/// Places a storefront order from the checkout page's form; its `key` (from
/// [`load_checkout`]) makes a retry safe. Buying the cart, the ordered SKUs leave the cart once
/// the order is placed. Posted by a plain form (no wasm), it answers with a redirect to the
/// order's confirmation, or back to the checkout with the error for the page to show.
#[server(prefix = "/api/fn", endpoint = "checkout/place")]
pub async fn place_order(form: CheckoutForm) -> Result<OrderView, AppError> {
    use super::{OrderChannel, Placing};
    let (state, caller, cart) = super::cart::request_cart(false).await?;
    let from_cart = form.from_cart();
    let cart_lines = if from_cart {
        super::cart::service::view(&state.db, cart)
            .await?
            .lines()
            .map(|line| OrderLineInput {
                sku: line.sku.clone(),
                quantity: line.quantity,
            })
            .collect()
    } else {
        Vec::new()
    };
    let key = form.key.clone();
    let input = form.into_order(cart_lines, caller.account().is_some());
    let placing = Placing {
        channel: OrderChannel::Storefront,
        pool: crate::catalog::stock::StockPool::Open,
        key: Some(&key),
        presale: None,
    };
    let placed = super::place(&state, &caller, placing, &input).await?;
    if let (true, Some(cart)) = (from_cart, cart) {
        let bought: Vec<uuid::Uuid> = placed
            .brands
            .iter()
            .flat_map(|b| b.lines.iter())
            .filter_map(|l| uuid::Uuid::parse_str(&l.sku).ok())
            .collect();
        super::cart::service::remove(&state.db, cart, &bought).await?;
    }
    if crate::core::links::is_plain_form_post() {
        leptos_axum::redirect(&super::order_link(
            "",
            &placed.id,
            placed.access_key.as_deref(),
        ));
    }
    Ok(placed)
}

/// An order for its confirmation page (same rules as `GET /api/v1/orders/{id}`).
#[server(prefix = "/api/fn", endpoint = "checkout/order")]
pub async fn order(id: String, key: Option<String>) -> Result<OrderView, AppError> {
    let (state, caller) = crate::state::request().await?;
    let buyer = super::request::Buyer::of(&state.db, &caller).await?;
    super::orders::for_buyer(&state.db, &id, &buyer, key.as_deref()).await
}

/// The signed-in shopper's orders, newest first.
#[server(prefix = "/api/fn", endpoint = "checkout/my-orders")]
pub async fn my_orders() -> Result<Vec<OrderView>, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::orders::for_account(&state.db, caller.signed_in()?.id, 100).await
}
