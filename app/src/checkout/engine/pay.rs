//! Stage 2 of a batch, **pay**: the payment provider is asked for every planned order,
//! concurrently and outside any transaction (a provider's latency never holds a lock). Cards
//! a buyer asked to keep are saved with the provider here too, before the commit that records
//! them.

use entity::payment_method;
use sea_orm::IntoActiveModel;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::core::{Core, Job};
use super::plan::Planned;
use crate::auth::throttle::{self, ThrottleKey};
use crate::checkout::payments::{AuthOutcome, Authorization, CardSummary, PaymentSource};
use crate::core::AppError;

/// What the provider said for one planned order.
pub enum Paid {
    Authorized {
        reference: String,
        card: CardSummary,
    },
    Pending {
        reference: String,
        card: CardSummary,
    },
    Declined {
        code: String,
        card: Option<CardSummary>,
    },
    /// The provider could not be asked; nothing was charged.
    Unreachable,
}

impl Paid {
    /// The provider's reference of a hold on the card, if one was made.
    pub fn hold(&self) -> Option<&str> {
        match self {
            Paid::Authorized { reference, .. } | Paid::Pending { reference, .. } => Some(reference),
            Paid::Declined { .. } | Paid::Unreachable => None,
        }
    }
}

/// Asks the provider for every planned order, concurrently; outcomes in `planned`'s order.
pub async fn pay(core: &Core, jobs: &[Job], planned: &[(usize, Planned)]) -> Vec<Paid> {
    let mut asks = JoinSet::new();
    for (slot, (index, p)) in planned.iter().enumerate() {
        let provider = core.provider.clone();
        let ask = Authorization {
            amount_minor: p.order.total_minor,
            currency: p.order.currency.clone(),
            source: jobs[*index].request.payment.clone(),
            order_number: p.order.number.clone(),
        };
        asks.spawn(async move { (slot, provider.authorize(&ask).await) });
    }
    let mut outcomes: Vec<Option<Paid>> = (0..planned.len()).map(|_| None).collect();
    while let Some(done) = asks.join_next().await {
        let Ok((slot, outcome)) = done else { continue };
        outcomes[slot] = Some(match outcome {
            Ok(AuthOutcome::Authorized { reference, card }) => Paid::Authorized { reference, card },
            Ok(AuthOutcome::Pending { reference, card }) => Paid::Pending { reference, card },
            Ok(AuthOutcome::Declined { code, card }) => Paid::Declined {
                code,
                card: Some(card),
            },
            Err(err) => {
                tracing::warn!(error = %err, "payment provider unreachable");
                Paid::Unreachable
            }
        });
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Paid::Unreachable))
        .collect()
}

/// Orders the provider left waiting for payment hold their stock for the reservation time
/// without paying, so each buyer and each client address may start only a few in any 15
/// minutes ([`ThrottleKey::unpaid_holds_of`], [`ThrottleKey::unpaid_holds_from`]; counted by a
/// compare-and-set, so parallel requests count one by one). Past that, the hold is released
/// and the order refused with `too_many_unpaid_orders` before anything is reserved.
pub async fn cap_unpaid_holds(
    core: &Core,
    jobs: &mut [Job],
    planned: &mut Vec<(usize, Planned)>,
    outcomes: &mut Vec<Paid>,
) {
    let now = core.clock.now();
    let mut kept = Vec::with_capacity(planned.len());
    let mut kept_outcomes = Vec::with_capacity(outcomes.len());
    for ((index, p), outcome) in planned.drain(..).zip(outcomes.drain(..)) {
        if let Paid::Pending { reference, .. } = &outcome {
            let request = &jobs[index].request;
            let mut keys = vec![ThrottleKey::unpaid_holds_of(&request.buyer_key())];
            keys.extend(
                request
                    .client_addr
                    .as_deref()
                    .map(ThrottleKey::unpaid_holds_from),
            );
            if let Err(refused) = throttle::attempt(&core.db, &keys, now).await {
                if let Err(err) = core.provider.void(reference).await {
                    tracing::warn!(error = %err, "voiding a refused unpaid hold failed");
                }
                jobs[index].answer(Err(match refused {
                    AppError::RateLimited { retry_after_secs } => {
                        AppError::TooManyUnpaidOrders { retry_after_secs }
                    }
                    other => other,
                }));
                continue;
            }
        }
        kept.push((index, p));
        kept_outcomes.push(outcome);
    }
    *planned = kept;
    *outcomes = kept_outcomes;
}

/// Cards to keep for one-tap buying, saved with the provider before the commit.
pub async fn save_cards(
    core: &Core,
    jobs: &[Job],
    planned: &[(usize, Planned)],
    outcomes: &[Paid],
) -> Vec<payment_method::ActiveModel> {
    let mut saved_cards = Vec::new();
    for ((index, p), outcome) in planned.iter().zip(outcomes) {
        let request = &jobs[*index].request;
        let (true, Some(account_id), Paid::Authorized { .. }, PaymentSource::Card(card)) = (
            request.save_card,
            request.account_id,
            outcome,
            &request.payment,
        ) else {
            continue;
        };
        match core.provider.save_card(card).await {
            Ok(saved) => saved_cards.push(
                payment_method::Model {
                    id: Uuid::now_v7(),
                    account_id,
                    provider: core.provider.name().to_owned(),
                    token: saved.token,
                    card_brand: saved.card.brand,
                    card_last4: saved.card.last4,
                    exp_month: saved.exp_month as i32,
                    exp_year: saved.exp_year as i32,
                    created_at: p.order.created_at,
                }
                .into_active_model(),
            ),
            Err(err) => tracing::warn!(error = %err, "saving a card failed"),
        }
    }
    saved_cards
}

/// Releases the holds of `outcomes` (their orders will not be captured).
pub async fn void_all(core: &Core, outcomes: &[Paid]) {
    for reference in outcomes.iter().filter_map(Paid::hold) {
        if let Err(err) = core.provider.void(reference).await {
            tracing::warn!(error = %err, "voiding an authorisation failed");
        }
    }
}
