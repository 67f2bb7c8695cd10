//! Campaigns as their brand manages them: drafted and edited by the brand's managers (through
//! its [`BrandScope`]), submitted for review, frozen once approved; and the approved campaigns
//! buyers see.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{listing, presale_campaign, presale_line, sku};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{phase_at, CampaignInput, CampaignLineView, CampaignView, PresaleStatus};
use crate::auth::Caller;
use crate::brands::BrandScope;
use crate::catalog::gates::{self, GateOwner};
use crate::catalog::stock::pools;
use crate::checkout::{chores, Engine};
use crate::core::{money, time, txn::begin_write, AppError, FieldErrors, FieldErrorsExt};
use crate::state::AppState;

/// Most SKUs one campaign pre-sells.
pub const MAX_LINES: usize = 20;
/// Most campaigns one listing call answers.
const LIST_LIMIT: u64 = 200;
/// The largest deposit, in percent of the price (PRC Civil Code art. 586 caps a deposit at
/// 20% of the contract's value).
pub const MAX_DEPOSIT_PERCENT: i64 = 20;

/// A campaign's input, checked: every field valid, every SKU the brand's.
struct Checked {
    name: String,
    currency: String,
    windows: [DateTime<Utc>; 4],
    per_buyer_limit: i32,
    refund_multiplier_percent: i32,
    rules: String,
    lines: Vec<presale_line::Model>,
}

/// Checks `input` for the brand of `scope` (field errors for everything wrong at once); the
/// lines come back as rows of campaign `campaign_id`.
async fn checked(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    campaign_id: Uuid,
    input: &CampaignInput,
) -> Result<Checked, AppError> {
    let mut fields = FieldErrors::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        fields.add("name", "Name the campaign in 1 to 80 characters.");
    }
    let currency = input.currency.trim().to_uppercase();
    if !money::is_supported(&currency) {
        fields.add("currency", "Choose a supported currency.");
    }
    let names = [
        "deposit_starts_at",
        "deposit_ends_at",
        "balance_starts_at",
        "balance_ends_at",
    ];
    let values = [
        &input.deposit_starts_at,
        &input.deposit_ends_at,
        &input.balance_starts_at,
        &input.balance_ends_at,
    ];
    let mut windows = [DateTime::<Utc>::MIN_UTC; 4];
    for (i, (field, value)) in names.iter().zip(values).enumerate() {
        match time::parse_input(value) {
            Some(at) => windows[i] = at,
            None => fields.add(*field, "Enter a date and time."),
        }
    }
    if !fields.contains_key(names[0]) && !fields.contains_key(names[1]) && windows[1] <= windows[0]
    {
        fields.add("deposit_ends_at", "Deposits must close after they open.");
    }
    if !fields.contains_key(names[1]) && !fields.contains_key(names[2]) && windows[2] < windows[1] {
        fields.add(
            "balance_starts_at",
            "Balances open when deposits close, or later.",
        );
    }
    if !fields.contains_key(names[2]) && !fields.contains_key(names[3]) && windows[3] <= windows[2]
    {
        fields.add(
            "balance_ends_at",
            "The balance window must close after it opens.",
        );
    }
    if !(1..=100).contains(&input.per_buyer_limit) {
        fields.add("per_buyer_limit", "Allow each buyer 1 to 100 units.");
    }
    if !(100..=300).contains(&input.refund_multiplier_percent) {
        fields.add(
            "refund_multiplier_percent",
            "Refund cancelled deposits at 100% to 300% (200% is double).",
        );
    }
    let rules = input.rules.trim().to_owned();
    if rules.chars().count() < 20 || rules.chars().count() > 2_000 {
        fields.add(
            "rules",
            "Explain in 20 to 2,000 characters what happens to a deposit whose balance is not paid, and to deposits if you cancel.",
        );
    }
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        fields.add("lines", format!("Pre-sell 1 to {MAX_LINES} products."));
    }
    let mut ids = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        match Uuid::parse_str(line.sku.trim()) {
            Ok(id) if ids.contains(&id) => {
                fields.add(format!("lines.{i}.sku"), "This product is listed twice.")
            }
            Ok(id) => ids.push(id),
            Err(_) => fields.add(format!("lines.{i}.sku"), "Choose one of your products."),
        }
    }
    let skus: HashMap<Uuid, sku::Model> = scope
        .find::<sku::Entity>()
        .filter(sku::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let titles: HashMap<Uuid, String> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::Title)
        .filter(listing::Column::Id.is_in(skus.values().map(|s| s.listing_id)))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines.{i}.{name}");
        let Some(sku) = Uuid::parse_str(line.sku.trim())
            .ok()
            .and_then(|id| skus.get(&id))
        else {
            if !fields.contains_key(&field("sku")) {
                fields.add(field("sku"), "Choose one of your products.");
            }
            continue;
        };
        if sku.currency != currency {
            fields.add(
                field("sku"),
                format!("This product is priced in {}.", sku.currency),
            );
        }
        if !(1..=1_000_000_000_000).contains(&line.price_minor) {
            fields.add(field("price_minor"), "Enter a price above zero.");
        }
        // deposit ≤ 20% of the price, without a fraction: 100 × deposit ≤ 20 × price.
        if line.deposit_minor < 1
            || i128::from(line.deposit_minor) * 100
                > i128::from(line.price_minor) * i128::from(MAX_DEPOSIT_PERCENT)
        {
            fields.add(
                field("deposit_minor"),
                format!("A deposit is above zero and at most {MAX_DEPOSIT_PERCENT}% of the price."),
            );
        }
        if line.credit_minor < line.deposit_minor || line.credit_minor >= line.price_minor {
            fields.add(
                field("credit_minor"),
                "The credit is at least the deposit and less than the price.",
            );
        }
        if !(1..=1_000_000).contains(&line.cap) {
            fields.add(field("cap"), "Reserve 1 to 1,000,000 units.");
        }
        let options: Vec<String> = serde_json::from_str(&sku.option_values).unwrap_or_default();
        let title = titles.get(&sku.listing_id).cloned().unwrap_or_default();
        let title = if options.is_empty() {
            title
        } else {
            format!("{title} ({})", options.join(", "))
        };
        lines.push(presale_line::Model {
            id: Uuid::now_v7(),
            campaign_id,
            brand_id: scope.brand_id(),
            sku_id: sku.id,
            listing_id: sku.listing_id,
            title: title.chars().take(400).collect(),
            price_minor: line.price_minor,
            deposit_minor: line.deposit_minor,
            credit_minor: line.credit_minor,
            cap: line.cap,
        });
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    Ok(Checked {
        name,
        currency,
        windows,
        per_buyer_limit: input.per_buyer_limit,
        refund_multiplier_percent: input.refund_multiplier_percent,
        rules,
        lines,
    })
}

/// Copies the checked terms onto `row`.
fn fill(row: &mut presale_campaign::Model, terms: &Checked) {
    row.name = terms.name.clone();
    row.currency = terms.currency.clone();
    [
        row.deposit_starts_at,
        row.deposit_ends_at,
        row.balance_starts_at,
        row.balance_ends_at,
    ] = terms.windows;
    row.per_buyer_limit = terms.per_buyer_limit;
    row.refund_multiplier_percent = terms.refund_multiplier_percent;
    row.rules = terms.rules.clone();
}

/// The campaign's four window edges, in order.
pub fn windows(row: &presale_campaign::Model) -> [DateTime<Utc>; 4] {
    [
        row.deposit_starts_at,
        row.deposit_ends_at,
        row.balance_starts_at,
        row.balance_ends_at,
    ]
}

/// The views of `rows` at `now`: their lines and brands read once for all.
pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<presale_campaign::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<CampaignView>, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut lines: HashMap<Uuid, Vec<presale_line::Model>> = HashMap::new();
    for line in presale_line::Entity::find()
        .filter(presale_line::Column::CampaignId.is_in(ids))
        .order_by_asc(presale_line::Column::Id)
        .all(db)
        .await?
    {
        lines.entry(line.campaign_id).or_default().push(line);
    }
    let brand_ids: HashSet<Uuid> = rows.iter().map(|r| r.brand_id).collect();
    let brands = crate::brands::service::labels(db, brand_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (brand, brand_name) = brands.get(&row.brand_id).cloned().unwrap_or_default();
            let lines = lines
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .map(|l| CampaignLineView {
                    sku: l.sku_id.to_string(),
                    listing_id: l.listing_id.to_string(),
                    title: l.title,
                    price_minor: l.price_minor,
                    deposit_minor: l.deposit_minor,
                    credit_minor: l.credit_minor,
                    balance_minor: l.price_minor - l.credit_minor,
                    cap: l.cap,
                })
                .collect();
            CampaignView {
                id: row.id.to_string(),
                brand,
                brand_name,
                phase: phase_at(row.status, windows(&row), now),
                name: row.name,
                currency: row.currency,
                status: row.status,
                deposit_starts_at: row.deposit_starts_at,
                deposit_ends_at: row.deposit_ends_at,
                balance_starts_at: row.balance_starts_at,
                balance_ends_at: row.balance_ends_at,
                per_buyer_limit: row.per_buyer_limit,
                refund_multiplier_percent: row.refund_multiplier_percent,
                rules: row.rules,
                lines,
                review_note: row.review_note,
                submitted_at: row.submitted_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

/// One campaign's view.
pub async fn view(
    db: &impl ConnectionTrait,
    row: presale_campaign::Model,
    now: DateTime<Utc>,
) -> Result<CampaignView, AppError> {
    views(db, vec![row], now)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// The brand's campaign `id`.
async fn find(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<presale_campaign::Model, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    scope
        .narrow(presale_campaign::Entity::find_by_id(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The brand's campaigns, most recently changed first.
pub async fn list(state: &AppState, scope: &BrandScope) -> Result<Vec<CampaignView>, AppError> {
    let rows = scope
        .find::<presale_campaign::Entity>()
        .order_by_desc(presale_campaign::Column::UpdatedAt)
        .limit(LIST_LIMIT)
        .all(&state.db)
        .await?;
    views(&state.db, rows, state.clock.now()).await
}

/// One of the brand's campaigns.
pub async fn get(state: &AppState, scope: &BrandScope, id: &str) -> Result<CampaignView, AppError> {
    let row = find(&state.db, scope, id).await?;
    view(&state.db, row, state.clock.now()).await
}

/// Drafts a campaign for the brand.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    scope: &BrandScope,
    input: &CampaignInput,
) -> Result<CampaignView, AppError> {
    let id = Uuid::now_v7();
    let terms = checked(&state.db, scope, id, input).await?;
    let now = time::now();
    let mut row = presale_campaign::Model {
        id,
        brand_id: scope.brand_id(),
        name: String::new(),
        currency: String::new(),
        status: PresaleStatus::Draft,
        deposit_starts_at: now,
        deposit_ends_at: now,
        balance_starts_at: now,
        balance_ends_at: now,
        per_buyer_limit: 0,
        refund_multiplier_percent: 0,
        rules: String::new(),
        review_note: None,
        reviewed_by: None,
        reviewed_at: None,
        submitted_at: None,
        cancelled_at: None,
        created_by: scope.account_id(),
        created_at: now,
        updated_at: now,
    };
    fill(&mut row, &terms);
    let txn = begin_write(&state.db).await?;
    let row = row.into_active_model().reset_all().insert(&txn).await?;
    insert_lines(&txn, terms.lines).await?;
    scope
        .audit(
            &txn,
            caller.client(),
            "presale.created",
            &id.to_string(),
            json!({ "name": row.name }),
        )
        .await?;
    txn.commit().await?;
    view(&state.db, row, state.clock.now()).await
}

async fn insert_lines(
    db: &impl ConnectionTrait,
    lines: Vec<presale_line::Model>,
) -> Result<(), AppError> {
    presale_line::Entity::insert_many(lines.into_iter().map(|l| l.into_active_model()))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Changes a draft (or a campaign sent back) in place: its terms and lines are replaced.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    scope: &BrandScope,
    id: &str,
    input: &CampaignInput,
) -> Result<CampaignView, AppError> {
    let row = find(&state.db, scope, id).await?;
    if !row.status.editable() {
        return Err(frozen(row.status));
    }
    let terms = checked(&state.db, scope, row.id, input).await?;
    let mut next = row.clone();
    fill(&mut next, &terms);
    next.updated_at = time::now();
    let txn = begin_write(&state.db).await?;
    // Written only while still editable: a submission racing this edit wins, or this does.
    let updated = presale_campaign::Entity::update_many()
        .set(next.clone().into_active_model().reset_all())
        .filter(presale_campaign::Column::Id.eq(row.id))
        .filter(
            presale_campaign::Column::Status
                .is_in([PresaleStatus::Draft, PresaleStatus::ChangesRequested]),
        )
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(frozen(PresaleStatus::Submitted));
    }
    presale_line::Entity::delete_many()
        .filter(presale_line::Column::CampaignId.eq(row.id))
        .exec(&txn)
        .await?;
    insert_lines(&txn, terms.lines).await?;
    scope
        .audit(
            &txn,
            caller.client(),
            "presale.updated",
            &row.id.to_string(),
            json!({ "name": next.name }),
        )
        .await?;
    txn.commit().await?;
    get(state, scope, id).await
}

fn frozen(status: PresaleStatus) -> AppError {
    AppError::Conflict {
        message: format!(
            "This campaign is {}: only drafts and campaigns sent back can be changed.",
            status.label().to_lowercase()
        ),
    }
}

/// Sends a draft (or a campaign sent back) to the platform's admins.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    scope: &BrandScope,
    id: &str,
) -> Result<CampaignView, AppError> {
    let row = find(&state.db, scope, id).await?;
    let now = state.clock.now();
    if row.deposit_ends_at <= now {
        return Err(AppError::field(
            "deposit_ends_at",
            "This campaign's deposit window has passed: change its dates first.",
        ));
    }
    let txn = begin_write(&state.db).await?;
    let updated = presale_campaign::Entity::update_many()
        .col_expr(
            presale_campaign::Column::Status,
            Expr::value(PresaleStatus::Submitted.as_str()),
        )
        .col_expr(presale_campaign::Column::SubmittedAt, Expr::value(now))
        .col_expr(presale_campaign::Column::UpdatedAt, Expr::value(now))
        .filter(presale_campaign::Column::Id.eq(row.id))
        .filter(
            presale_campaign::Column::Status
                .is_in([PresaleStatus::Draft, PresaleStatus::ChangesRequested]),
        )
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict {
            message: format!(
                "This campaign is {}: only drafts are submitted.",
                row.status.label().to_lowercase()
            ),
        });
    }
    scope
        .audit(
            &txn,
            caller.client(),
            "presale.submitted",
            &row.id.to_string(),
            json!({ "name": row.name }),
        )
        .await?;
    txn.commit().await?;
    get(state, scope, id).await
}

/// Approved campaigns not over yet at `now`, soonest deposit window first (the festival's
/// pre-sale page; at most 100).
pub async fn running(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<CampaignView>, AppError> {
    let rows = presale_campaign::Entity::find()
        .filter(presale_campaign::Column::Status.eq(PresaleStatus::Approved))
        .filter(presale_campaign::Column::BalanceEndsAt.gt(now))
        .order_by_asc(presale_campaign::Column::DepositStartsAt)
        .limit(100)
        .all(db)
        .await?;
    views(db, rows, now).await
}

/// An approved campaign (cancelled ones too: their buyers' orders name them), as buyers see it.
pub async fn public(
    db: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<CampaignView, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let row = presale_campaign::Entity::find_by_id(id)
        .filter(
            presale_campaign::Column::Status
                .is_in([PresaleStatus::Approved, PresaleStatus::Cancelled]),
        )
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    view(db, row, now).await
}

/// Closes the campaigns that are over at `now` (their balance window has closed): deposits
/// still waiting for their balance are forfeited (kept, their units released), the sale gates
/// let go of their SKUs, and what is left of their caps is open stock again. Answers how many
/// campaigns closed. Run every second by the server's chores, on every node: a campaign closes
/// once (the first node to take its gates away), and a balance paid at the last second either
/// settled its deposit first or is refused.
pub async fn close_ended(engine: &Engine, now: DateTime<Utc>) -> Result<usize, AppError> {
    let db = engine.db();
    let holders = gates::presale_holders(db).await?;
    if holders.is_empty() {
        return Ok(0);
    }
    let ended: Vec<Uuid> = presale_campaign::Entity::find()
        .select_only()
        .column(presale_campaign::Column::Id)
        .filter(presale_campaign::Column::Id.is_in(holders))
        .filter(presale_campaign::Column::BalanceEndsAt.lte(now))
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    let mut restocked = HashSet::new();
    for &campaign in &ended {
        let txn = begin_write(db).await?;
        let (forfeited, skus) = chores::forfeit_deposits(&txn, campaign).await?;
        let released = gates::release(&txn, &[GateOwner::Presale(campaign)]).await?;
        pools::release(&txn, campaign).await?;
        txn.commit().await?;
        if !forfeited.is_empty() {
            tracing::info!(%campaign, deposits = forfeited.len(), "pre-sale closed: unpaid deposits forfeited");
        }
        restocked.extend(skus);
        restocked.extend(released);
    }
    engine.restocked(restocked);
    Ok(ended.len())
}
