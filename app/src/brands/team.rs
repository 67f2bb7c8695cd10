//! A brand's team: invitations by email, roles, and the rule that a brand always keeps at
//! least one owner. Every function takes a [`BrandScope`], so it only ever touches that brand.

use crate::core::txn::begin_write;
use crate::state::AppState;
use chrono::Duration;
use entity::{account, brand, brand_invite, brand_membership};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{BrandScope, MyBrand, PendingInvite, Team, TeamMember};
use crate::auth::{
    audit::{self, ClientContext},
    service::normalize_email,
    tokens, BrandRole, Caller,
};
use crate::core::{time, AppError};
use crate::mail::templates;

/// How long an invitation link stays valid.
pub const INVITE_LIFETIME: Duration = Duration::days(7);

/// Members and open invitations.
pub async fn team(db: &impl ConnectionTrait, scope: &BrandScope) -> Result<Team, AppError> {
    let memberships = scope
        .find::<brand_membership::Entity>()
        .order_by_asc(brand_membership::Column::CreatedAt)
        .all(db)
        .await?;
    let accounts = account::Entity::find()
        .filter(
            account::Column::Id.is_in(memberships.iter().map(|m| m.account_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?;
    let members = memberships
        .iter()
        .filter_map(|m| {
            let account = accounts.iter().find(|a| a.id == m.account_id)?;
            Some(TeamMember {
                account_id: account.id.to_string(),
                display_name: account.display_name.clone(),
                email: account.email.clone(),
                role: m.role,
            })
        })
        .collect();
    let invites = scope
        .find::<brand_invite::Entity>()
        .filter(brand_invite::Column::AcceptedAt.is_null())
        .filter(brand_invite::Column::RevokedAt.is_null())
        .filter(brand_invite::Column::ExpiresAt.gt(time::now()))
        .order_by_asc(brand_invite::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|i| PendingInvite {
            id: i.id.to_string(),
            email: i.email,
            role: i.role,
            expires_at: i.expires_at,
        })
        .collect();
    Ok(Team { members, invites })
}

/// Invites `email` to the team as manager or staff; the link is mailed.
pub async fn invite(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    email: &str,
    role: BrandRole,
) -> Result<PendingInvite, AppError> {
    let email = normalize_email(email).map_err(|m| AppError::field("email", m))?;
    if role == BrandRole::Owner {
        return Err(AppError::field(
            "role",
            "Invite as manager or staff; promote to owner once they have joined.",
        ));
    }
    let brand = brand::Entity::find_by_id(scope.brand_id())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let existing = account::Entity::find()
        .filter(account::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?;
    let already = match existing {
        Some(account) => brand_membership::Entity::find_by_id((scope.brand_id(), account.id))
            .one(&state.db)
            .await?
            .is_some(),
        None => false,
    };
    if already {
        return Err(AppError::field(
            "email",
            "This person is already on the team.",
        ));
    }
    let secret = tokens::new_secret();
    let now = time::now();
    let row = brand_invite::Model {
        id: Uuid::now_v7(),
        brand_id: scope.brand_id(),
        email: email.clone(),
        role,
        token_hash: tokens::digest(&secret),
        invited_by: scope.account_id(),
        expires_at: now + INVITE_LIFETIME,
        accepted_at: None,
        revoked_at: None,
        created_at: now,
    };
    let txn = begin_write(&state.db).await?;
    brand_invite::Entity::insert(
        sea_orm::IntoActiveModel::into_active_model(row.clone()).reset_all(),
    )
    .exec_without_returning(&txn)
    .await?;
    let link = format!("{}/invites/accept?token={secret}", state.public_url);
    crate::mail::enqueue(
        &txn,
        templates::team_invite(&email, &brand.display_name, role.as_str(), &link),
    )
    .await?;
    scope
        .audit(
            &txn,
            client,
            "brand.member_invited",
            &email,
            json!({ "role": role.as_str() }),
        )
        .await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(PendingInvite {
        id: row.id.to_string(),
        email,
        role,
        expires_at: row.expires_at,
    })
}

/// Withdraws an open invitation.
pub async fn revoke_invite(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    invite_id: Uuid,
) -> Result<(), AppError> {
    let updated = scope
        .update_many::<brand_invite::Entity>()
        .col_expr(brand_invite::Column::RevokedAt, Expr::value(time::now()))
        .filter(brand_invite::Column::Id.eq(invite_id))
        .filter(brand_invite::Column::AcceptedAt.is_null())
        .filter(brand_invite::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    scope
        .audit(
            &state.db,
            client,
            "brand.invite_revoked",
            &invite_id.to_string(),
            json!({}),
        )
        .await
}

/// The signed-in person accepts an invitation sent to their email address. The mailed link
/// proves they read that inbox, so an unverified address becomes verified.
pub async fn accept_invite(
    state: &AppState,
    caller: &Caller,
    token: &str,
) -> Result<MyBrand, AppError> {
    let user = caller.signed_in()?;
    let account_id = user.id;
    let client = caller.client();
    let now = time::now();
    let invite = brand_invite::Entity::find()
        .filter(brand_invite::Column::TokenHash.eq(tokens::digest(token)))
        .filter(brand_invite::Column::AcceptedAt.is_null())
        .filter(brand_invite::Column::RevokedAt.is_null())
        .filter(brand_invite::Column::ExpiresAt.gt(now))
        .one(&state.db)
        .await?
        .ok_or(AppError::InvalidToken)?;
    if invite.email != user.email {
        return Err(AppError::Conflict {
            message: format!(
                "This invitation was sent to {}. Sign in with that address to accept it.",
                invite.email
            ),
        });
    }
    let role = invite.role;
    let txn = begin_write(&state.db).await?;
    let spent = brand_invite::Entity::update_many()
        .col_expr(brand_invite::Column::AcceptedAt, Expr::value(now))
        .filter(brand_invite::Column::Id.eq(invite.id))
        .filter(brand_invite::Column::AcceptedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(AppError::InvalidToken);
    }
    brand_membership::Entity::insert(brand_membership::ActiveModel {
        brand_id: Set(invite.brand_id),
        account_id: Set(account_id),
        role: Set(role),
        created_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    // The invite reached this address, so it is verified.
    crate::auth::service::mark_email_verified(&txn, account_id).await?;
    let brand = brand::Entity::find_by_id(invite.brand_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        &txn,
        client,
        Some(account_id),
        "brand.member_joined",
        Some(&brand.slug),
        Some(json!({ "role": role.as_str() })),
    )
    .await?;
    txn.commit().await?;
    Ok(MyBrand {
        slug: brand.slug,
        display_name: brand.display_name,
        status: brand.status,
        role: Some(role),
        logo_url: brand.logo_path,
    })
}

/// Locks the brand's row for the rest of `txn`, so concurrent team changes of one brand run one
/// after another (PostgreSQL `FOR UPDATE`; SQLite serialises writers anyway), then checks that
/// `account_id` may stop being an owner.
async fn keep_an_owner(
    txn: &DatabaseTransaction,
    scope: &BrandScope,
    account_id: Uuid,
) -> Result<brand_membership::Model, AppError> {
    brand::Entity::find_by_id(scope.brand_id())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let member = brand_membership::Entity::find_by_id((scope.brand_id(), account_id))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if member.role == BrandRole::Owner {
        let owners = scope
            .find::<brand_membership::Entity>()
            .filter(brand_membership::Column::Role.eq(BrandRole::Owner))
            .count(txn)
            .await?;
        if owners <= 1 {
            return Err(AppError::Conflict {
                message: "A brand must keep at least one owner. Make someone else owner first."
                    .into(),
            });
        }
    }
    Ok(member)
}

/// Gives a member another role (the last owner cannot be demoted).
pub async fn change_role(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    account_id: Uuid,
    role: BrandRole,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let member = if role == BrandRole::Owner {
        brand_membership::Entity::find_by_id((scope.brand_id(), account_id))
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?
    } else {
        keep_an_owner(&txn, scope, account_id).await?
    };
    scope
        .update_many::<brand_membership::Entity>()
        .col_expr(brand_membership::Column::Role, Expr::value(role.as_str()))
        .filter(brand_membership::Column::AccountId.eq(account_id))
        .exec(&txn)
        .await?;
    if role != BrandRole::Owner {
        revoke_tokens_of(&txn, scope, account_id).await?;
    }
    scope
        .audit(
            &txn,
            client,
            "brand.role_changed",
            &account_id.to_string(),
            json!({ "from": member.role, "to": role.as_str() }),
        )
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a member from the team (never the last owner).
pub async fn remove_member(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    account_id: Uuid,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let member = keep_an_owner(&txn, scope, account_id).await?;
    brand_membership::Entity::delete_by_id((scope.brand_id(), account_id))
        .exec(&txn)
        .await?;
    revoke_tokens_of(&txn, scope, account_id).await?;
    scope
        .audit(
            &txn,
            client,
            "brand.member_removed",
            &account_id.to_string(),
            json!({ "role": member.role }),
        )
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Revokes the API tokens `account_id` created for the brand (they left the team or are no
/// longer an owner): a token never outlives its creator's authority. (Using one checks this
/// too; revoking shows it in the token list.)
async fn revoke_tokens_of(
    db: &impl sea_orm::ConnectionTrait,
    scope: &BrandScope,
    account_id: Uuid,
) -> Result<(), AppError> {
    scope
        .update_many::<entity::brand_api_token::Entity>()
        .col_expr(
            entity::brand_api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(crate::core::time::now()),
        )
        .filter(entity::brand_api_token::Column::CreatedBy.eq(account_id))
        .filter(entity::brand_api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
