//! Balances: inside the campaign's balance window, the buyer pays what is left on a deposit —
//! the pre-sale price less the deposit's credit, less whatever promotions, coupons and red
//! envelopes the quote picks then — through the one checkout engine (`PresaleStep::Balance`).
//! The balance's order sells the units the deposit reserved and settles the deposit order in
//! the same commit, once: a double tap, a retry or the window's close racing it end in one
//! final state.

use entity::{order_line, presale_campaign, shop_order};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::campaigns::windows;
use super::{phase_at, BalanceInput, CampaignPhase};
use crate::auth::Caller;
use crate::catalog::stock::StockPool;
use crate::checkout::request::PresaleStep;
use crate::checkout::{
    orders, wallet, AddressInput, DeliveryOption, OrderChannel, OrderLineInput, OrderStatus,
    OrderView, PaymentInput, PlaceOrderInput, Placing,
};
use crate::core::{time, AppError};
use crate::state::AppState;

/// The caller pays the balance of their deposit order `deposit_order` with their saved card
/// (one tap) or the card given; answers the balance's order. `key` is the caller's idempotency
/// key: a retry with it pays once.
pub async fn pay(
    state: &AppState,
    caller: &Caller,
    deposit_order: &str,
    input: &BalanceInput,
    key: Option<&str>,
) -> Result<OrderView, AppError> {
    let account = caller.verified()?.id;
    let id = Uuid::parse_str(deposit_order.trim()).map_err(|_| AppError::NotFound)?;
    // Only the buyer's own deposit (another's is not found).
    let deposit = shop_order::Entity::find_by_id(id)
        .filter(shop_order::Column::AccountId.eq(account))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign_id = deposit.presale_campaign_id.ok_or(AppError::NotFound)?;
    let line = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(deposit.id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (Some(price_minor), Some(credit_minor)) =
        (line.presale_price_minor, line.presale_credit_minor)
    else {
        // A balance's own order, not a deposit.
        return Err(AppError::NotFound);
    };
    // A settled deposit with a key may be a retry of the balance that settled it: the engine
    // answers a known key as it did the first time, and refuses (voiding the hold) any other.
    let retry = deposit.status == OrderStatus::BalancePaid && key.is_some();
    if deposit.status != OrderStatus::BalanceDue && !retry {
        return Err(AppError::Conflict {
            message: format!(
                "This deposit is {}: there is no balance to pay.",
                deposit.status.label().to_lowercase()
            ),
        });
    }
    let campaign = presale_campaign::Entity::find_by_id(campaign_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    match phase_at(campaign.status, windows(&campaign), state.clock.now()) {
        CampaignPhase::Balance => {}
        CampaignPhase::Upcoming | CampaignPhase::Deposits | CampaignPhase::Waiting => {
            return Err(AppError::Conflict {
                message: format!(
                    "The balance can be paid from {}.",
                    time::display(campaign.balance_starts_at, time::Style::DayYearTime)
                ),
            })
        }
        CampaignPhase::Closed => {
            return Err(AppError::Conflict {
                message: "The balance window has closed.".into(),
            })
        }
    }
    let payment = match &input.payment {
        Some(payment) => payment.clone(),
        None => match wallet::latest_card(&state.db, account).await? {
            Some(card) => PaymentInput {
                card: None,
                saved_method: Some(card.id.to_string()),
                save_card: false,
            },
            None => {
                return Err(AppError::field(
                    "payment",
                    "Enter a card, or save one for one-tap payments.",
                ))
            }
        },
    };
    let address: Option<AddressInput> = deposit
        .shipping_address
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok());
    let order = PlaceOrderInput {
        lines: vec![OrderLineInput {
            sku: line.sku_id.to_string(),
            quantity: line.quantity,
        }],
        email: None,
        shipping_address: address,
        delivery: DeliveryOption::Standard,
        payment,
        coupon: input.coupon.clone(),
        envelope: input.envelope.clone(),
    };
    let placing = Placing {
        channel: OrderChannel::Presale,
        pool: StockPool::Presale(campaign.id),
        key,
        presale: Some(PresaleStep::Balance {
            campaign: campaign.id,
            deposit_order: deposit.id,
            price_minor,
            credit_minor,
            allocations: orders::parse_allocations(&line.allocations),
        }),
    };
    crate::checkout::place(state, caller, placing, &order).await
}
