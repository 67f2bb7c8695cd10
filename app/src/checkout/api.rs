//! Server functions behind the storefront's checkout pages. They place orders through the
//! same engine as `POST /api/v1/orders`.

use leptos::prelude::*;

use super::{OrderView, PlaceOrderInput};
use crate::cart::CheckoutDraft;
use crate::core::AppError;

/// What `/checkout` buys: `sku` alone ("Buy now", `quantity` units), else the cart; with the
/// buyer's saved cards and a fresh idempotency key for this checkout.
#[server(prefix = "/api/fn", endpoint = "checkout/draft")]
pub async fn load_checkout(
    sku: Option<String>,
    quantity: Option<i64>,
) -> Result<CheckoutDraft, AppError> {
    use crate::cart::{service, CartView, SavedCard};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let (context, cart) = crate::cart::request_cart(false).await?;
    let db = &context.state.db;
    let user = context.user().await?;
    let (cart, from_cart) = match sku.filter(|s| !s.trim().is_empty()) {
        Some(sku) => {
            let sku_id = uuid::Uuid::parse_str(sku.trim()).map_err(|_| AppError::NotFound)?;
            let quantity = quantity
                .unwrap_or(1)
                .clamp(1, crate::cart::MAX_LINE_QUANTITY);
            let lines = service::describe(db, &[(sku_id, quantity)]).await?;
            if lines.is_empty() {
                return Err(AppError::NotFound);
            }
            (CartView::from_lines(lines), false)
        }
        None => (service::view(db, cart).await?, true),
    };
    let saved_cards = match &user {
        Some(user) => entity::payment_method::Entity::find()
            .filter(
                entity::payment_method::Column::AccountId
                    .eq(uuid::Uuid::parse_str(&user.id).map_err(AppError::internal)?),
            )
            .order_by_desc(entity::payment_method::Column::CreatedAt)
            .all(db)
            .await?
            .into_iter()
            .map(|m| SavedCard {
                id: m.id.to_string(),
                card_brand: m.card_brand,
                last4: m.card_last4,
                exp_month: m.exp_month,
                exp_year: m.exp_year,
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(CheckoutDraft {
        cart,
        from_cart,
        email: user.map(|u| u.email),
        saved_cards,
        checkout_key: uuid::Uuid::new_v4().to_string(),
    })
}

/// Places a storefront order; `checkout_key` (from [`load_checkout`]) makes a retry safe.
/// With `from_cart`, the ordered SKUs leave the cart once the order is placed.
#[server(prefix = "/api/fn", endpoint = "checkout/place")]
pub async fn place_order(
    input: PlaceOrderInput,
    checkout_key: String,
    from_cart: bool,
) -> Result<OrderView, AppError> {
    use super::{request, IdempotencyKey, OrderChannel};
    let (context, cart) = crate::cart::request_cart(false).await?;
    let state = &context.state;
    let caller = request::Caller::shopper(context.user().await?.as_ref())?;
    let key =
        (!checkout_key.trim().is_empty() && checkout_key.len() <= 64).then(|| IdempotencyKey {
            scope: caller.idempotency_scope(),
            key: format!("storefront:{}", checkout_key.trim()),
        });
    let order = request::prepare(
        &state.db,
        state.checkout.provider().as_ref(),
        &caller,
        OrderChannel::Storefront,
        &input,
    )
    .await?;
    let bought: Vec<uuid::Uuid> = order.lines.iter().map(|l| l.sku_id).collect();
    let placed = state.checkout.place(order, key).await?;
    if let (true, Some(cart)) = (from_cart, cart) {
        crate::cart::service::remove(&state.db, cart, &bought).await?;
    }
    Ok(placed)
}

/// An order for its confirmation page (same rules as `GET /api/v1/orders/{id}`).
#[server(prefix = "/api/fn", endpoint = "checkout/order")]
pub async fn order(id: String) -> Result<OrderView, AppError> {
    let context = crate::auth::request::RequestContext::load().await?;
    let caller = super::request::Caller::shopper(context.user().await?.as_ref())?;
    super::orders::for_caller(&context.state.db, &id, &caller).await
}

/// The signed-in shopper's orders, newest first.
#[server(prefix = "/api/fn", endpoint = "checkout/my-orders")]
pub async fn my_orders() -> Result<Vec<OrderView>, AppError> {
    let context = crate::auth::request::RequestContext::load().await?;
    let caller = super::request::Caller::shopper(context.user().await?.as_ref())?;
    let (account, _) = caller.account.ok_or(AppError::Unauthorized)?;
    super::orders::for_account(&context.state.db, account, 100).await
}
