//! A signed-in buyer's wallet: the cards they saved with the payment provider (at checkout or
//! for one-tap buying) and the address one tap ships to. Written only here and by the engine's
//! commit (a card saved while paying).

use entity::{payment_method, saved_address};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::payments::PaymentProvider;
use super::request::check_address;
use super::{AddressInput, CardInput};
use crate::checkout::cart::SavedCard;
use crate::core::{time::now, AppError, FieldErrors};

/// The account's saved cards, newest first.
pub async fn cards(db: &impl ConnectionTrait, account: Uuid) -> Result<Vec<SavedCard>, AppError> {
    Ok(payment_method::Entity::find()
        .filter(payment_method::Column::AccountId.eq(account))
        .order_by_desc(payment_method::Column::CreatedAt)
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
        .collect())
}

/// The card one tap pays with: the account's newest.
pub async fn latest_card(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Option<payment_method::Model>, AppError> {
    Ok(payment_method::Entity::find()
        .filter(payment_method::Column::AccountId.eq(account))
        .order_by_desc(payment_method::Column::CreatedAt)
        .one(db)
        .await?)
}

/// The address one tap ships to.
pub async fn address(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Option<AddressInput>, AppError> {
    Ok(saved_address::Entity::find_by_id(account)
        .one(db)
        .await?
        .and_then(|row| serde_json::from_str(&row.address).ok()))
}

/// Saves `account`'s address and `card` (with the payment provider) for one-tap buying.
pub async fn set_up_one_tap(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    account: Uuid,
    address: &AddressInput,
    card: &CardInput,
) -> Result<(), AppError> {
    let mut fields = FieldErrors::new();
    let address = check_address(address, &mut fields);
    for (field, message) in provider.card_problems(card) {
        fields
            .entry(format!("payment.card.{field}"))
            .or_default()
            .push(message);
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let saved_card = provider.save_card(card).await.map_err(|error| {
        tracing::warn!(%error, "saving a card for one-tap buying failed");
        AppError::Unavailable
    })?;
    let now = now();
    payment_method::Entity::insert(payment_method::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        provider: Set(provider.name().to_owned()),
        token: Set(saved_card.token),
        card_brand: Set(saved_card.card.brand),
        card_last4: Set(saved_card.card.last4),
        exp_month: Set(saved_card.exp_month as i32),
        exp_year: Set(saved_card.exp_year as i32),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    saved_address::Entity::insert(saved_address::ActiveModel {
        account_id: Set(account),
        address: Set(serde_json::to_string(&address).map_err(AppError::internal)?),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(saved_address::Column::AccountId)
            .update_columns([
                saved_address::Column::Address,
                saved_address::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
