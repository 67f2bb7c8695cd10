//! Shows as their hosts plan them: details, the run-sheet of looks (each holding its items'
//! sale gates and drop stock), submission for review, and deletion before air.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{brand, show, show_look, show_look_item, sku};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::public::{detail, detail_of, status_of, summaries};
use super::{
    LookInput, LookItemInput, ShowDetail, ShowHost, ShowInput, ShowStatus, ShowSummary, FLASH_SECS,
    MAX_DROP_STOCK, MAX_LOOKS, MAX_LOOK_ITEMS,
};
use crate::catalog::gates::{self, Gate, GateOwner};
use crate::catalog::stock::pools::{self, AsideFor};
use crate::catalog::stock::StockPool;
use crate::catalog::OrderChannel;
use crate::core::{
    time::{self, now},
    txn::begin_write,
    AppError, FieldErrors, FieldErrorsExt,
};
use crate::state::AppState;

/// A stream or image address: `http(s)://...` or a path on this site.
fn valid_url(value: &str) -> bool {
    value.len() <= 500
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && (value.starts_with("https://")
            || value.starts_with("http://")
            || (value.starts_with('/') && !value.starts_with("//")))
}

struct CheckedShow {
    title: String,
    description: String,
    stream_url: String,
    cover_url: Option<String>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    blocked_words: String,
}

fn check_show(input: &ShowInput) -> Result<CheckedShow, AppError> {
    let mut fields = FieldErrors::new();
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 120 {
        fields.add("title", "Give the show a title of 1 to 120 characters.");
    }
    let description = input.description.trim().to_owned();
    if description.chars().count() > 2_000 {
        fields.add("description", "Use at most 2,000 characters.");
    }
    let stream_url = input.stream_url.trim().to_owned();
    if !valid_url(&stream_url) {
        fields.add(
            "stream_url",
            "Enter the stream's https:// address (HLS .m3u8 or MP4).",
        );
    }
    let cover_url = input
        .cover_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    if cover_url.as_deref().is_some_and(|u| !valid_url(u)) {
        fields.add("cover_url", "Enter the cover image's https:// address.");
    }
    let starts_at = time::parse_input(&input.starts_at);
    if starts_at.is_none() {
        fields.add("starts_at", "Enter the start as a date and time (UTC).");
    }
    let ends_at = time::parse_input(&input.ends_at);
    if ends_at.is_none() {
        fields.add("ends_at", "Enter the end as a date and time (UTC).");
    }
    if let (Some(start), Some(end)) = (starts_at, ends_at) {
        if end <= start || end - start > TimeDelta::hours(12) {
            fields.add(
                "ends_at",
                "A show ends after it starts and lasts at most 12 hours.",
            );
        }
    }
    let blocked_words: Vec<&str> = input
        .blocked_words
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    if blocked_words.len() > 200 || blocked_words.iter().any(|w| w.chars().count() > 40) {
        fields.add(
            "blocked_words",
            "Use at most 200 words of up to 40 characters, one per line.",
        );
    }
    match (starts_at, ends_at) {
        (Some(starts_at), Some(ends_at)) if fields.is_empty() => Ok(CheckedShow {
            title,
            description,
            stream_url,
            cover_url,
            starts_at,
            ends_at,
            blocked_words: blocked_words.join("\n"),
        }),
        _ => Err(AppError::Validation { fields }),
    }
}

/// The host's shows (a brand's, or the platform's galas), newest first.
pub async fn list_for_host(
    db: &impl ConnectionTrait,
    host: &ShowHost,
) -> Result<Vec<ShowSummary>, AppError> {
    let shows = host
        .filter(show::Entity::find())
        .order_by_desc(show::Column::StartsAt)
        .limit(200)
        .all(db)
        .await?;
    summaries(db, shows).await
}

/// Plans a new show (a draft) for the host.
pub async fn create(
    db: &impl ConnectionTrait,
    host: &ShowHost,
    input: &ShowInput,
) -> Result<ShowDetail, AppError> {
    let checked = check_show(input)?;
    let now = now();
    let row = show::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(host.brand_id()),
        title: Set(checked.title),
        description: Set(checked.description),
        stream_url: Set(checked.stream_url),
        cover_url: Set(checked.cover_url),
        starts_at: Set(checked.starts_at),
        ends_at: Set(checked.ends_at),
        status: Set(ShowStatus::Draft),
        review_note: Set(None),
        slow_mode_secs: Set(0),
        blocked_words: Set(checked.blocked_words),
        pinned_sku_id: Set(None),
        event_seq: Set(0),
        reactions: Set(0),
        live_at: Set(None),
        ended_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    detail_of(db, row).await
}

fn editable(show: &show::Model) -> Result<(), AppError> {
    if status_of(show).editable() {
        Ok(())
    } else {
        Err(AppError::Conflict {
            message: "This show is in review, approved or on air: it can no longer be changed."
                .into(),
        })
    }
}

/// Changes a draft's (or a rejected show's) details.
pub async fn update(
    db: &impl ConnectionTrait,
    host: &ShowHost,
    id: &str,
    input: &ShowInput,
) -> Result<ShowDetail, AppError> {
    let show = host.show(db, id).await?;
    editable(&show)?;
    let checked = check_show(input)?;
    let mut active = show.into_active_model();
    active.title = Set(checked.title);
    active.description = Set(checked.description);
    active.stream_url = Set(checked.stream_url);
    active.cover_url = Set(checked.cover_url);
    active.starts_at = Set(checked.starts_at);
    active.ends_at = Set(checked.ends_at);
    active.blocked_words = Set(checked.blocked_words);
    active.updated_at = Set(now());
    let row = active.update(db).await?;
    detail_of(db, row).await
}

/// The SKU a look's item names: the host brand's own, or in a gala, that of the approved
/// brand the item names.
async fn item_sku(
    db: &impl ConnectionTrait,
    host: &ShowHost,
    item: &LookItemInput,
    fields: &mut FieldErrors,
    i: usize,
) -> Result<Option<sku::Model>, AppError> {
    let brand_id = match host.brand_id() {
        Some(brand_id) => brand_id,
        None => {
            let slug = item.brand.as_deref().map(str::trim).unwrap_or_default();
            let brand = brand::Entity::find()
                .filter(brand::Column::Slug.eq(slug))
                .filter(brand::Column::Status.eq(crate::brands::BrandStatus::Approved))
                .one(db)
                .await?;
            match brand {
                Some(brand) => brand.id,
                None => {
                    fields.add(
                        format!("items.{i}.brand"),
                        "Enter the slug of an approved brand.",
                    );
                    return Ok(None);
                }
            }
        }
    };
    let found = sku::Entity::find()
        .filter(sku::Column::BrandId.eq(brand_id))
        .filter(sku::Column::Code.eq(item.sku_code.trim()))
        .one(db)
        .await?;
    if found.is_none() {
        let message = match host {
            ShowHost::Brand(_) => "No SKU with this code in your catalog.",
            ShowHost::Platform { .. } => "No SKU with this code in that brand's catalog.",
        };
        fields.add(format!("items.{i}.sku_code"), message);
    }
    Ok(found)
}

/// Adds a look at the end of the run-sheet. Its SKUs are the brand's own (in a gala, any
/// approved brand's); an exclusive SKU is from now on sold only through the show, and only
/// while its look's window is open, and an item's per-person limit applies (both through a
/// sale gate the look holds); an item's drop stock is set aside for the show now.
pub async fn add_look(
    db: &DatabaseConnection,
    host: &ShowHost,
    id: &str,
    input: &LookInput,
) -> Result<ShowDetail, AppError> {
    let txn = begin_write(db).await?;
    let show = host.show(&txn, id).await?;
    editable(&show)?;
    let mut fields = FieldErrors::new();
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 120 {
        fields.add("title", "Give the look a title of 1 to 120 characters.");
    }
    let note = input.note.trim().to_owned();
    if note.chars().count() > 500 {
        fields.add("note", "Use at most 500 characters.");
    }
    if input.flash_secs.is_some_and(|s| !FLASH_SECS.contains(&s)) {
        fields.add(
            "flash_secs",
            "A flash window lasts 10 to 300 seconds (or leave it empty).",
        );
    }
    if input.items.is_empty() || input.items.len() > MAX_LOOK_ITEMS {
        fields.add(
            "items",
            format!("A look reveals 1 to {MAX_LOOK_ITEMS} products."),
        );
    }
    let mut skus: Vec<(sku::Model, &LookItemInput)> = Vec::new();
    for (i, item) in input.items.iter().enumerate().take(MAX_LOOK_ITEMS) {
        match item_sku(&txn, host, item, &mut fields, i).await? {
            Some(sku) if skus.iter().any(|(s, _)| s.id == sku.id) => fields.add(
                format!("items.{i}.sku_code"),
                "This SKU is already in the look.",
            ),
            Some(sku) => skus.push((sku, item)),
            None => {}
        }
        if item.purchase_limit.is_some_and(|l| !(1..=100).contains(&l)) {
            fields.add(
                format!("items.{i}.purchase_limit"),
                "Allow 1 to 100 units per person (or leave it empty).",
            );
        }
        if item
            .drop_stock
            .is_some_and(|n| !(1..=MAX_DROP_STOCK).contains(&n))
        {
            fields.add(
                format!("items.{i}.drop_stock"),
                "Set aside 1 to 1,000,000 units (or leave it empty to sell the open stock).",
            );
        }
    }
    let looks = show_look::Entity::find()
        .filter(show_look::Column::ShowId.eq(show.id))
        .all(&txn)
        .await?;
    if looks.len() >= MAX_LOOKS {
        fields.add("title", format!("A show has at most {MAX_LOOKS} looks."));
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let look_id = Uuid::new_v4();
    show_look::ActiveModel {
        id: Set(look_id),
        show_id: Set(show.id),
        position: Set(looks.iter().map(|l| l.position).max().unwrap_or(0) + 1),
        title: Set(title),
        note: Set(note),
        flash_secs: Set(input.flash_secs),
        revealed_at: Set(None),
        window_opens_at: Set(None),
        window_closes_at: Set(None),
        coupon_lineage_id: Set(None),
        envelope_moment: Set(false),
    }
    .insert(&txn)
    .await?;
    let pool = AsideFor::Show {
        id: show.id,
        title: &show.title,
    };
    for (position, (sku, item)) in skus.into_iter().enumerate() {
        show_look_item::ActiveModel {
            look_id: Set(look_id),
            sku_id: Set(sku.id),
            exclusive: Set(item.exclusive),
            position: Set(position as i32),
            drop_stock: Set(item.drop_stock),
        }
        .insert(&txn)
        .await?;
        if let Some(units) = item.drop_stock {
            let field = format!("items.{position}.drop_stock");
            pools::set_aside(&txn, pool, &sku, units, host.account_id(), &field).await?;
        }
        if item.exclusive || item.purchase_limit.is_some() {
            // An exclusive is off sale everywhere until the look's window opens on air.
            let gate = Gate {
                pool: StockPool::Show(show.id),
                channel: item.exclusive.then_some(OrderChannel::Show),
                opens_at: None,
                closes_at: None,
                purchase_limit: item.purchase_limit,
            };
            gates::hold(&txn, GateOwner::ShowLook(look_id), sku.id, &gate).await?;
        }
    }
    touch(&txn, show).await?;
    let detail = detail(&txn, host, id).await?;
    txn.commit().await?;
    Ok(detail)
}

async fn touch(db: &impl ConnectionTrait, show: show::Model) -> Result<(), AppError> {
    let mut active = show.into_active_model();
    active.updated_at = Set(now());
    active.update(db).await?;
    Ok(())
}

/// Takes a look off the run-sheet (before review): its drop stock goes back to the open stock
/// and its SKUs are back to their own sale rules.
pub async fn remove_look(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    look_id: &str,
) -> Result<ShowDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    editable(&show)?;
    let look_id = Uuid::parse_str(look_id.trim()).map_err(|_| AppError::NotFound)?;
    let look = show_look::Entity::find_by_id(look_id)
        .filter(show_look::Column::ShowId.eq(show.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let restocked = let_go(&txn, &show, vec![look.id], host.account_id()).await?;
    touch(&txn, show).await?;
    let detail = detail(&txn, host, id).await?;
    txn.commit().await?;
    state.checkout.restocked(restocked);
    Ok(detail)
}

/// Deletes a show that has not gone on air (a draft, one in review or sent back, or an
/// approved one called off): its drop stock goes back to the open stock and its SKUs are back
/// to their own sale rules. Shows that went live keep their history.
pub async fn delete(state: &AppState, host: &ShowHost, id: &str) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    if matches!(status_of(&show), ShowStatus::Live | ShowStatus::Ended) {
        return Err(AppError::Conflict {
            message: "A show that went on air cannot be deleted: it keeps its replay and sales."
                .into(),
        });
    }
    let looks: Vec<Uuid> = show_look::Entity::find()
        .select_only()
        .column(show_look::Column::Id)
        .filter(show_look::Column::ShowId.eq(show.id))
        .into_tuple()
        .all(&txn)
        .await?;
    let restocked = let_go(&txn, &show, looks, host.account_id()).await?;
    // The pool's (now empty) locations stay in the ledger's history as ordinary locations.
    pools::release(&txn, show.id).await?;
    show::Entity::delete_by_id(show.id).exec(&txn).await?;
    txn.commit().await?;
    state.checkout.restocked(restocked);
    Ok(())
}

/// Deletes `looks` of `show`: puts their drop stock back and releases their sale gates.
/// Answers the SKUs whose stock came back.
async fn let_go(
    db: &impl ConnectionTrait,
    show: &show::Model,
    looks: Vec<Uuid>,
    actor: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    let set_aside: Vec<(Uuid, i64)> = show_look_item::Entity::find()
        .select_only()
        .column(show_look_item::Column::SkuId)
        .column(show_look_item::Column::DropStock)
        .filter(show_look_item::Column::LookId.is_in(looks.clone()))
        .filter(show_look_item::Column::DropStock.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let owners: Vec<GateOwner> = looks.iter().copied().map(GateOwner::ShowLook).collect();
    gates::release(db, &owners).await?;
    show_look::Entity::delete_many()
        .filter(show_look::Column::Id.is_in(looks))
        .exec(db)
        .await?;
    let pool = AsideFor::Show {
        id: show.id,
        title: &show.title,
    };
    for &(sku_id, units) in &set_aside {
        if let Some(sku) = sku::Entity::find_by_id(sku_id).one(db).await? {
            pools::put_back(db, pool, &sku, units, actor).await?;
        }
    }
    Ok(set_aside.into_iter().map(|(sku, _)| sku).collect())
}

/// Sends a show to the platform's review: it needs at least one look, and a brand's show an
/// approved brand.
pub async fn submit(
    db: &impl ConnectionTrait,
    host: &ShowHost,
    id: &str,
) -> Result<ShowDetail, AppError> {
    let show = host.show(db, id).await?;
    if !matches!(status_of(&show), ShowStatus::Draft | ShowStatus::Rejected) {
        return Err(AppError::Conflict {
            message: "Only drafts and shows with requested changes can be submitted.".into(),
        });
    }
    if let Some(brand_id) = show.brand_id {
        let brand_approved = brand::Entity::find_by_id(brand_id)
            .one(db)
            .await?
            .is_some_and(|b| b.status == crate::brands::BrandStatus::Approved);
        if !brand_approved {
            return Err(AppError::Conflict {
                message: "Your brand must be approved before its shows can be reviewed.".into(),
            });
        }
    }
    let looks = show_look::Entity::find()
        .filter(show_look::Column::ShowId.eq(show.id))
        .count(db)
        .await?;
    if looks == 0 {
        return Err(AppError::field(
            "looks",
            "Add at least one look to the run-sheet.",
        ));
    }
    let mut active = show.into_active_model();
    active.status = Set(ShowStatus::Submitted);
    active.updated_at = Set(now());
    let row = active.update(db).await?;
    detail_of(db, row).await
}
