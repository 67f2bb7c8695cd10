//! Deposits: a verified buyer pays a campaign's deposit on one of its SKUs, through the one
//! checkout engine (`checkout::place`, channel `presale`). The engine takes the units from the
//! stock set aside for the campaign (its cap) and *reserves* them; the paid order waits as
//! "deposit paid, balance due". Never more deposits than the cap, the stock or the buyer's
//! limit: each is taken by the engine's conditional updates, on any number of nodes.

use entity::{presale_campaign, presale_line};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::campaigns::windows;
use super::{phase_at, CampaignPhase, DepositInput, PresaleStatus};
use crate::auth::Caller;
use crate::catalog::stock::StockPool;
use crate::checkout::request::PresaleStep;
use crate::checkout::{
    wallet, DeliveryOption, OrderChannel, OrderLineInput, OrderView, PaymentInput, PlaceOrderInput,
    Placing,
};
use crate::core::{time, AppError, FieldErrors, FieldErrorsExt};
use crate::state::AppState;

/// The caller pays a deposit on `input.sku` of campaign `campaign_id`; answers the order (its
/// status `balance_due` once paid). `key` is the caller's idempotency key: a retry with it
/// pays once.
pub async fn deposit(
    state: &AppState,
    caller: &Caller,
    campaign_id: &str,
    input: &DepositInput,
    key: Option<&str>,
) -> Result<OrderView, AppError> {
    let account = caller.verified()?.id;
    let id = Uuid::parse_str(campaign_id.trim()).map_err(|_| AppError::NotFound)?;
    let campaign = presale_campaign::Entity::find_by_id(id)
        .filter(presale_campaign::Column::Status.eq(PresaleStatus::Approved))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    match phase_at(campaign.status, windows(&campaign), now) {
        CampaignPhase::Deposits => {}
        CampaignPhase::Upcoming => {
            return Err(AppError::Conflict {
                message: format!(
                    "Deposits open on {}.",
                    time::display(campaign.deposit_starts_at, time::Style::DayYearTime)
                ),
            })
        }
        _ => {
            return Err(AppError::Conflict {
                message: "Deposits for this pre-sale have closed.".into(),
            })
        }
    }
    let mut fields = FieldErrors::new();
    let line = match Uuid::parse_str(input.sku.trim()) {
        Ok(sku) => {
            presale_line::Entity::find()
                .filter(presale_line::Column::CampaignId.eq(campaign.id))
                .filter(presale_line::Column::SkuId.eq(sku))
                .one(&state.db)
                .await?
        }
        Err(_) => None,
    };
    if line.is_none() {
        fields.add("sku", "This product is not part of the pre-sale.");
    }
    let limit = i64::from(campaign.per_buyer_limit);
    if !(1..=limit).contains(&input.quantity) {
        fields.add("quantity", format!("Put a deposit on 1 to {limit} units."));
    }
    let address = match &input.shipping_address {
        Some(address) => Some(address.clone()),
        None => wallet::address(&state.db, account).await?,
    };
    if address.is_none() {
        fields.add(
            "shipping_address",
            "Enter where to deliver, or save an address.",
        );
    }
    let payment = match &input.payment {
        Some(payment) => Some(payment.clone()),
        None => wallet::latest_card(&state.db, account)
            .await?
            .map(|card| PaymentInput {
                card: None,
                saved_method: Some(card.id.to_string()),
                save_card: false,
            }),
    };
    if payment.is_none() {
        fields.add("payment", "Enter a card, or save one for one-tap payments.");
    }
    let (Some(line), Some(address), Some(payment), true) =
        (line, address, payment, fields.is_empty())
    else {
        return Err(AppError::Validation { fields });
    };
    let order = PlaceOrderInput {
        lines: vec![OrderLineInput {
            sku: line.sku_id.to_string(),
            quantity: input.quantity,
        }],
        email: None,
        shipping_address: Some(address),
        delivery: DeliveryOption::Standard,
        payment,
        coupon: None,
        envelope: None,
    };
    let placing = Placing {
        channel: OrderChannel::Presale,
        pool: StockPool::Presale(campaign.id),
        key,
        presale: Some(PresaleStep::Deposit {
            campaign: campaign.id,
            price_minor: line.price_minor,
            deposit_minor: line.deposit_minor,
            credit_minor: line.credit_minor,
        }),
    };
    crate::checkout::place(state, caller, placing, &order).await
}
