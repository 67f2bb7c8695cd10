//! Promotions as their owners manage them: a brand's team (through its [`BrandScope`]) or the
//! platform's admins draft, edit and submit them. An approved version is frozen: editing it
//! makes the next version, which once the promotion is live may change only in the buyer's
//! favour ([`terms::not_in_buyers_favour`]).

use std::collections::HashMap;

use entity::{brand, listing, promotion, promotion_budget};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde_json::json;
use uuid::Uuid;

use super::terms::{self, Terms};
use super::{PromotionInput, PromotionStatus, PromotionView};
use crate::auth::{audit, Caller};
use crate::brands::BrandScope;
use crate::core::{time, txn::begin_write, AppError};
use crate::state::AppState;

/// Most versions one listing call answers.
const LIST_LIMIT: u64 = 200;

/// Who owns the promotions a call manages: one brand, or the platform.
pub enum Owner<'a> {
    Brand(&'a BrandScope),
    /// A platform admin acting for the platform.
    Platform {
        admin: Uuid,
    },
}

impl Owner<'_> {
    /// The platform's owner, for a platform admin.
    pub fn platform(caller: &Caller) -> Result<Owner<'static>, AppError> {
        Ok(Owner::Platform {
            admin: caller.platform_admin()?.id,
        })
    }

    /// The brand; none for the platform.
    pub(super) fn brand_id(&self) -> Option<Uuid> {
        match self {
            Owner::Brand(scope) => Some(scope.brand_id()),
            Owner::Platform { .. } => None,
        }
    }

    /// Who acts for the owner.
    pub(super) fn actor(&self) -> Uuid {
        match self {
            Owner::Brand(scope) => scope.account_id(),
            Owner::Platform { admin } => *admin,
        }
    }

    /// `query` narrowed to this owner's promotions.
    fn narrow(&self, query: Select<promotion::Entity>) -> Select<promotion::Entity> {
        match self {
            Owner::Brand(scope) => scope.narrow(query),
            Owner::Platform { .. } => query.filter(promotion::Column::BrandId.is_null()),
        }
    }
}

/// Slugs of brands by id.
pub async fn slugs(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, AppError> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::Slug)
        .filter(brand::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Rows as pages and the API show them, with their promotions' counters.
pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<promotion::Model>,
) -> Result<Vec<PromotionView>, AppError> {
    let lineages: Vec<Uuid> = rows.iter().map(|r| r.lineage_id).collect();
    let budgets: HashMap<Uuid, promotion_budget::Model> = if lineages.is_empty() {
        HashMap::new()
    } else {
        promotion_budget::Entity::find()
            .filter(promotion_budget::Column::LineageId.is_in(lineages))
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.lineage_id, b))
            .collect()
    };
    let slugs = slugs(
        db,
        rows.iter().flat_map(|r| {
            r.brand_id
                .into_iter()
                .chain(terms::read_list::<Uuid>(&r.brand_ids))
        }),
    )
    .await?;
    let now = time::now();
    Ok(rows
        .into_iter()
        .map(|row| {
            let budget = budgets.get(&row.lineage_id);
            let brands = terms::read_list::<Uuid>(&row.brand_ids)
                .iter()
                .filter_map(|id| slugs.get(id).cloned())
                .collect();
            PromotionView {
                id: row.id.to_string(),
                promotion_id: row.lineage_id.to_string(),
                version: row.version,
                brand: row.brand_id.and_then(|id| slugs.get(&id).cloned()),
                kind: row.kind,
                status: row.status,
                name: row.name.clone(),
                summary: terms::summary(&row),
                terms: terms::as_input(&row, brands),
                live: row.status == PromotionStatus::Approved
                    && row.starts_at <= now
                    && now < row.ends_at,
                uses: budget.map_or(0, |b| b.uses),
                spent_minor: budget.map_or(0, |b| b.spent_minor),
                claimed: budget.map_or(0, |b| b.claimed),
                review_note: row.review_note.clone(),
                submitted_at: row.submitted_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

/// Checks `input` for `owner`: the terms, and that its listings and brands exist (a brand's
/// promotion only its own listings) and its code is free.
async fn checked(
    db: &impl ConnectionTrait,
    owner: &Owner<'_>,
    input: &PromotionInput,
    lineage: Option<Uuid>,
) -> Result<Terms, AppError> {
    let platform = owner.brand_id().is_none();
    let mut brand_ids = Vec::new();
    if !input.brands.is_empty() {
        if !platform {
            return Err(AppError::field(
                "brands",
                "A brand's promotion applies to its own store only.",
            ));
        }
        for (i, slug) in input.brands.iter().enumerate() {
            let found: Option<Uuid> = brand::Entity::find()
                .select_only()
                .column(brand::Column::Id)
                .filter(brand::Column::Slug.eq(slug.trim().to_lowercase()))
                .into_tuple()
                .one(db)
                .await?;
            match found {
                Some(id) => brand_ids.push(id),
                None => return Err(AppError::field(&format!("brands.{i}"), "No such brand.")),
            }
        }
        brand_ids.sort_unstable();
        brand_ids.dedup();
    }
    let terms = terms::check(input, platform, brand_ids)?;
    if !terms.listing_ids.is_empty() {
        let mut query =
            listing::Entity::find().filter(listing::Column::Id.is_in(terms.listing_ids.clone()));
        if let Owner::Brand(scope) = owner {
            query = scope.narrow(query);
        }
        if query.count(db).await? != terms.listing_ids.len() as u64 {
            return Err(AppError::field(
                "listing_ids",
                "Choose listings of this store.",
            ));
        }
    }
    if let Some(code) = &terms.code {
        let mut clash = promotion::Entity::find()
            .filter(promotion::Column::Code.eq(code.clone()))
            .filter(promotion::Column::EndsAt.gt(time::now()))
            .filter(
                promotion::Column::Status
                    .is_not_in([PromotionStatus::Rejected, PromotionStatus::Superseded]),
            );
        if let Some(lineage) = lineage {
            clash = clash.filter(promotion::Column::LineageId.ne(lineage));
        }
        if clash.count(db).await? > 0 {
            return Err(AppError::field("code", "Another coupon uses this code."));
        }
    }
    Ok(terms)
}

/// A new promotion (a draft, version 1) and its counters.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    owner: &Owner<'_>,
    input: &PromotionInput,
) -> Result<PromotionView, AppError> {
    let terms = checked(&state.db, owner, input, None).await?;
    let now = time::now();
    let id = Uuid::now_v7();
    let mut row = promotion::Model {
        id,
        lineage_id: id,
        version: 1,
        brand_id: owner.brand_id(),
        kind: terms.kind,
        status: PromotionStatus::Draft,
        name: String::new(),
        percent_off: None,
        amount_off_minor: None,
        threshold_minor: None,
        cap_minor: None,
        currency: String::new(),
        listing_ids: String::new(),
        categories: String::new(),
        brand_ids: String::new(),
        channels: String::new(),
        starts_at: now,
        ends_at: now,
        per_buyer_limit: None,
        usage_limit: None,
        budget_minor: None,
        combinable: false,
        code: None,
        coupon_stock: None,
        claim_limit: None,
        review_note: None,
        reviewed_by: None,
        reviewed_at: None,
        submitted_at: None,
        created_by: owner.actor(),
        created_at: now,
        updated_at: now,
    };
    terms::fill(&mut row, &terms);
    let txn = begin_write(&state.db).await?;
    let row = row.into_active_model().reset_all().insert(&txn).await?;
    promotion_budget::Model {
        lineage_id: id,
        brand_id: owner.brand_id(),
        uses: 0,
        spent_minor: 0,
        claimed: 0,
    }
    .into_active_model()
    .reset_all()
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        caller.client(),
        Some(owner.actor()),
        "promotion.created",
        Some(&id.to_string()),
        Some(json!({ "kind": terms.kind.as_str(), "name": terms.name })),
    )
    .await?;
    txn.commit().await?;
    one_view(&state.db, row).await
}

async fn one_view(
    db: &impl ConnectionTrait,
    row: promotion::Model,
) -> Result<PromotionView, AppError> {
    views(db, vec![row]).await?.pop().ok_or(AppError::NotFound)
}

/// The owner's version `id`.
async fn find(
    db: &impl ConnectionTrait,
    owner: &Owner<'_>,
    id: &str,
) -> Result<promotion::Model, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    owner
        .narrow(promotion::Entity::find_by_id(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// One of the owner's versions.
pub async fn get(
    db: &impl ConnectionTrait,
    owner: &Owner<'_>,
    id: &str,
) -> Result<PromotionView, AppError> {
    let row = find(db, owner, id).await?;
    one_view(db, row).await
}

/// The owner's promotions, every version, most recently changed first.
pub async fn list(
    db: &impl ConnectionTrait,
    owner: &Owner<'_>,
) -> Result<Vec<PromotionView>, AppError> {
    let rows = owner
        .narrow(promotion::Entity::find())
        .order_by_desc(promotion::Column::UpdatedAt)
        .order_by_desc(promotion::Column::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?;
    views(db, rows).await
}

/// Changes version `id`: in place while it is a draft or sent back; an approved version stays
/// as approved and the change becomes the next version (a draft), in the buyer's favour only
/// once the promotion is live.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    owner: &Owner<'_>,
    id: &str,
    input: &PromotionInput,
) -> Result<PromotionView, AppError> {
    let row = find(&state.db, owner, id).await?;
    let terms = checked(&state.db, owner, input, Some(row.lineage_id)).await?;
    let now = time::now();
    match row.status {
        status if status.editable() => {
            let mut next = row.clone();
            terms::fill(&mut next, &terms);
            next.updated_at = now;
            let mut active = next.into_active_model().reset_all();
            active.id = sea_orm::ActiveValue::Unchanged(row.id);
            let txn = begin_write(&state.db).await?;
            // Only if nobody submitted or decided it meanwhile.
            let updated = promotion::Entity::update_many()
                .set(active)
                .filter(promotion::Column::Id.eq(row.id))
                .filter(promotion::Column::Status.eq(status))
                .exec(&txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(AppError::Conflict {
                    message: "The promotion changed meanwhile; reload it.".into(),
                });
            }
            txn.commit().await?;
            let row = find(&state.db, owner, id).await?;
            one_view(&state.db, row).await
        }
        PromotionStatus::Approved => {
            let pending = promotion::Entity::find()
                .filter(promotion::Column::LineageId.eq(row.lineage_id))
                .filter(promotion::Column::Version.gt(row.version))
                .filter(promotion::Column::Status.is_in([
                    PromotionStatus::Draft,
                    PromotionStatus::Submitted,
                    PromotionStatus::ChangesRequested,
                ]))
                .one(&state.db)
                .await?;
            if let Some(pending) = pending {
                return Err(AppError::Conflict {
                    message: format!(
                        "Version {} of this promotion is waiting already: change that one.",
                        pending.version
                    ),
                });
            }
            if row.starts_at <= now {
                let fields = terms::not_in_buyers_favour(&terms::of_row(&row), &terms);
                if !fields.is_empty() {
                    return Err(AppError::Validation { fields });
                }
            }
            let last: i32 = promotion::Entity::find()
                .select_only()
                .column_as(Expr::col(promotion::Column::Version).max(), "v")
                .filter(promotion::Column::LineageId.eq(row.lineage_id))
                .into_tuple::<Option<i32>>()
                .one(&state.db)
                .await?
                .flatten()
                .unwrap_or(row.version);
            let mut next = row.clone();
            terms::fill(&mut next, &terms);
            next.id = Uuid::now_v7();
            next.version = last + 1;
            next.status = PromotionStatus::Draft;
            next.review_note = None;
            next.reviewed_by = None;
            next.reviewed_at = None;
            next.submitted_at = None;
            next.created_by = owner.actor();
            next.created_at = now;
            next.updated_at = now;
            let txn = begin_write(&state.db).await?;
            // The unique (lineage, version) index refuses a second edit racing this one.
            let next = next
                .into_active_model()
                .reset_all()
                .insert(&txn)
                .await
                .map_err(|err| {
                    if crate::core::error::is_taken(&err) {
                        AppError::Conflict {
                            message: "Someone else changed this promotion meanwhile; reload it."
                                .into(),
                        }
                    } else {
                        err.into()
                    }
                })?;
            audit::record(
                &txn,
                caller.client(),
                Some(owner.actor()),
                "promotion.new_version",
                Some(&row.lineage_id.to_string()),
                Some(json!({ "version": next.version })),
            )
            .await?;
            txn.commit().await?;
            one_view(&state.db, next).await
        }
        PromotionStatus::Submitted => Err(AppError::Conflict {
            message: "This version is in review: wait for the decision before changing it.".into(),
        }),
        _ => Err(AppError::Conflict {
            message: "This version can no longer be changed.".into(),
        }),
    }
}

/// Sends version `id` (a draft, or one sent back) to the platform's admins.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    owner: &Owner<'_>,
    id: &str,
) -> Result<PromotionView, AppError> {
    let row = find(&state.db, owner, id).await?;
    let now = time::now();
    if row.ends_at <= now {
        return Err(AppError::field(
            "ends_at",
            "This promotion has ended: change its dates first.",
        ));
    }
    let txn = begin_write(&state.db).await?;
    let updated = promotion::Entity::update_many()
        .col_expr(
            promotion::Column::Status,
            Expr::value(PromotionStatus::Submitted.as_str()),
        )
        .col_expr(promotion::Column::SubmittedAt, Expr::value(now))
        .col_expr(promotion::Column::UpdatedAt, Expr::value(now))
        .filter(promotion::Column::Id.eq(row.id))
        .filter(
            promotion::Column::Status
                .is_in([PromotionStatus::Draft, PromotionStatus::ChangesRequested]),
        )
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict {
            message: format!(
                "This version is {}: only drafts are submitted.",
                row.status.label().to_lowercase()
            ),
        });
    }
    audit::record(
        &txn,
        caller.client(),
        Some(owner.actor()),
        "promotion.submitted",
        Some(&row.lineage_id.to_string()),
        Some(json!({ "version": row.version })),
    )
    .await?;
    txn.commit().await?;
    let row = find(&state.db, owner, id).await?;
    one_view(&state.db, row).await
}
