//! Shows as brands plan them (details, run-sheet, submission), as admins review them, and as
//! shoppers read them (the public state and its live figures).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use entity::{
    brand, listing, order_line, shop_order, show, show_look, show_look_item, show_presence, sku,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{drop_stock, ShowHost};
use super::{
    events, LookInput, LookItemInput, LookView, ProductCard, ShowDetail, ShowInput, ShowState,
    ShowStats, ShowStatus, ShowSummary, CHAT_BACKLOG, FLASH_SECS, MAX_DROP_STOCK, MAX_LOOKS,
    MAX_LOOK_ITEMS,
};
use crate::catalog::stock::StockPool;
use crate::core::{state::AppState, txn::begin_write};
use crate::core::{time::now, AppError, FieldErrors, FieldErrorsExt};

/// Parses a show time: RFC 3339, or `YYYY-MM-DDTHH:MM` read as UTC.
fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
                .ok()
                .map(|t| t.and_utc())
        })
}

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
    let starts_at = parse_time(&input.starts_at);
    if starts_at.is_none() {
        fields.add("starts_at", "Enter the start as a date and time (UTC).");
    }
    let ends_at = parse_time(&input.ends_at);
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

pub(super) fn status_of(show: &show::Model) -> ShowStatus {
    ShowStatus::parse(&show.status).unwrap_or(ShowStatus::Draft)
}

async fn summaries(
    db: &impl ConnectionTrait,
    shows: Vec<show::Model>,
) -> Result<Vec<ShowSummary>, AppError> {
    let ids: Vec<Uuid> = shows.iter().map(|s| s.id).collect();
    let mut looks: HashMap<Uuid, usize> = HashMap::new();
    for show_id in show_look::Entity::find()
        .select_only()
        .column(show_look::Column::ShowId)
        .filter(show_look::Column::ShowId.is_in(ids))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
    {
        *looks.entry(show_id).or_default() += 1;
    }
    let galas: Vec<Uuid> = shows
        .iter()
        .filter(|s| s.brand_id.is_none())
        .map(|s| s.id)
        .collect();
    let gala_brands = gala_brands(db, galas).await?;
    let mut brand_ids: Vec<Uuid> = shows.iter().filter_map(|s| s.brand_id).collect();
    brand_ids.extend(gala_brands.values().flatten());
    let brands: HashMap<Uuid, (String, String)> = brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::DisplayName)
        .column(brand::Column::Slug)
        .filter(brand::Column::Id.is_in(brand_ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, slug)| (id, (name, slug)))
        .collect();
    Ok(shows
        .into_iter()
        .map(|s| {
            let (brand_name, brand_slug) = match s.brand_id {
                Some(brand_id) => brands.get(&brand_id).cloned().unwrap_or_default(),
                None => {
                    let names: Vec<String> = gala_brands
                        .get(&s.id)
                        .into_iter()
                        .flatten()
                        .filter_map(|id| brands.get(id).map(|(name, _)| name.clone()))
                        .collect();
                    (gala_billing(&names), String::new())
                }
            };
            ShowSummary {
                id: s.id.to_string(),
                title: s.title.clone(),
                status: status_of(&s),
                brand_name,
                brand_slug,
                cover_url: s.cover_url.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                looks: looks.get(&s.id).copied().unwrap_or(0),
            }
        })
        .collect())
}

/// How a gala is billed: "Gala", or its brands ("Gala · Lune, Ardent + 2 more").
fn gala_billing(brands: &[String]) -> String {
    match brands {
        [] => "Gala".to_owned(),
        [a] => format!("Gala · {a}"),
        [a, b] => format!("Gala · {a}, {b}"),
        [a, b, rest @ ..] => format!("Gala · {a}, {b} + {} more", rest.len()),
    }
}

/// The brands taking part in each of `galas`, in run-sheet order.
async fn gala_brands(
    db: &impl ConnectionTrait,
    galas: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<Uuid>>, AppError> {
    if galas.is_empty() {
        return Ok(HashMap::new());
    }
    let items: Vec<(Uuid, Uuid)> = show_look_item::Entity::find()
        .select_only()
        .column(show_look::Column::ShowId)
        .column(sku::Column::BrandId)
        .join(
            sea_orm::JoinType::InnerJoin,
            show_look_item::Entity::belongs_to(show_look::Entity)
                .from(show_look_item::Column::LookId)
                .to(show_look::Column::Id)
                .into(),
        )
        .join(
            sea_orm::JoinType::InnerJoin,
            show_look_item::Entity::belongs_to(sku::Entity)
                .from(show_look_item::Column::SkuId)
                .to(sku::Column::Id)
                .into(),
        )
        .filter(show_look::Column::ShowId.is_in(galas))
        .order_by_asc(show_look::Column::Position)
        .order_by_asc(show_look_item::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    let mut brands: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (show_id, brand_id) in items {
        let of_show = brands.entry(show_id).or_default();
        if !of_show.contains(&brand_id) {
            of_show.push(brand_id);
        }
    }
    Ok(brands)
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

/// Shows shoppers may see: live first, then upcoming, then replays.
pub async fn public_list(db: &impl ConnectionTrait) -> Result<Vec<ShowSummary>, AppError> {
    let mut shows = show::Entity::find()
        .filter(show::Column::Status.is_in([
            ShowStatus::Live.as_str(),
            ShowStatus::Approved.as_str(),
            ShowStatus::Ended.as_str(),
        ]))
        .order_by_desc(show::Column::StartsAt)
        .limit(60)
        .all(db)
        .await?;
    let rank = |s: &show::Model| match status_of(s) {
        ShowStatus::Live => 0,
        ShowStatus::Approved => 1,
        _ => 2,
    };
    shows.sort_by_key(|s| rank(s));
    summaries(db, shows).await
}

/// Shows waiting for an admin's review, oldest first.
pub async fn review_queue(db: &impl ConnectionTrait) -> Result<Vec<ShowSummary>, AppError> {
    let shows = show::Entity::find()
        .filter(show::Column::Status.eq(ShowStatus::Submitted.as_str()))
        .order_by_asc(show::Column::UpdatedAt)
        .all(db)
        .await?;
    summaries(db, shows).await
}

/// Product cards of `show_id`'s `items` by look, in order, with live units left.
async fn cards(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    items: &[show_look_item::Model],
) -> Result<HashMap<Uuid, Vec<ProductCard>>, AppError> {
    let sku_ids: Vec<Uuid> = items.iter().map(|i| i.sku_id).collect();
    let skus: HashMap<Uuid, sku::Model> = sku::Entity::find()
        .filter(sku::Column::Id.is_in(sku_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let listing_ids: Vec<Uuid> = skus.values().map(|s| s.listing_id).collect();
    let listings: HashMap<Uuid, (String, Option<String>)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::Title)
        .column(listing::Column::CoverUrl)
        .filter(listing::Column::Id.is_in(listing_ids))
        .into_tuple::<(Uuid, String, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, cover)| (id, (title, cover)))
        .collect();
    let left = units_left(db, show_id, &sku_ids).await?;
    let mut cards: HashMap<Uuid, Vec<ProductCard>> = HashMap::new();
    let mut items = items.to_vec();
    items.sort_by_key(|i| i.position);
    for item in items {
        let Some(sku) = skus.get(&item.sku_id) else {
            continue;
        };
        let (title, image_url) = listings.get(&sku.listing_id).cloned().unwrap_or_default();
        let variant = serde_json::from_str::<Vec<String>>(&sku.option_values)
            .unwrap_or_default()
            .join(" / ");
        cards.entry(item.look_id).or_default().push(ProductCard {
            sku_id: sku.id.to_string(),
            sku_code: sku.code.clone(),
            listing_id: sku.listing_id.to_string(),
            title,
            variant,
            price_minor: sku.price_minor,
            currency: sku.currency.clone(),
            image_url,
            units_left: left.get(&sku.id).copied().unwrap_or(0),
            drop_stock: item.drop_stock,
            exclusive: item.exclusive,
            purchase_limit: sku.purchase_limit,
        });
    }
    Ok(cards)
}

/// Units `show_id`'s buyers can still buy of `skus`: a drop's own stock where it has some,
/// the open stock otherwise.
async fn units_left(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    skus: &[Uuid],
) -> Result<HashMap<Uuid, i64>, AppError> {
    crate::catalog::stock::available_in_pool(db, skus, StockPool::Show(show_id)).await
}

/// Views of `looks` (in run-sheet order) with their products.
pub(super) async fn look_views(
    db: &impl ConnectionTrait,
    looks: Vec<show_look::Model>,
) -> Result<Vec<LookView>, AppError> {
    let Some(show_id) = looks.first().map(|l| l.show_id) else {
        return Ok(Vec::new());
    };
    let ids: Vec<Uuid> = looks.iter().map(|l| l.id).collect();
    let items = show_look_item::Entity::find()
        .filter(show_look_item::Column::LookId.is_in(ids))
        .all(db)
        .await?;
    let mut cards = cards(db, show_id, &items).await?;
    Ok(looks
        .into_iter()
        .map(|look| LookView {
            id: look.id.to_string(),
            position: look.position,
            title: look.title,
            note: look.note,
            flash_secs: look.flash_secs,
            revealed_at: look.revealed_at,
            window_opens_at: look.window_opens_at,
            window_closes_at: look.window_closes_at,
            items: cards.remove(&look.id).unwrap_or_default(),
        })
        .collect())
}

async fn looks_of(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    revealed_only: bool,
) -> Result<Vec<show_look::Model>, AppError> {
    let mut query = show_look::Entity::find().filter(show_look::Column::ShowId.eq(show_id));
    if revealed_only {
        query = query
            .filter(show_look::Column::RevealedAt.is_not_null())
            .order_by_asc(show_look::Column::RevealedAt);
    }
    Ok(query
        .order_by_asc(show_look::Column::Position)
        .all(db)
        .await?)
}

/// The show as its host sees it.
pub async fn detail(
    db: &impl ConnectionTrait,
    host: &ShowHost,
    id: &str,
) -> Result<ShowDetail, AppError> {
    let show = host.show(db, id).await?;
    detail_of(db, show).await
}

pub(super) async fn detail_of(
    db: &impl ConnectionTrait,
    show: show::Model,
) -> Result<ShowDetail, AppError> {
    let looks = look_views(db, looks_of(db, show.id, false).await?).await?;
    let summary = summaries(db, vec![show.clone()])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(ShowDetail {
        summary,
        description: show.description,
        stream_url: show.stream_url,
        blocked_words: show.blocked_words,
        review_note: show.review_note,
        slow_mode_secs: show.slow_mode_secs,
        pinned_sku_id: show.pinned_sku_id.map(|id| id.to_string()),
        live_at: show.live_at,
        ended_at: show.ended_at,
        looks,
    })
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
        status: Set(ShowStatus::Draft.as_str().to_owned()),
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
                .filter(brand::Column::Status.eq(crate::brands::BrandStatus::Approved.as_str()))
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
/// while its look's window is open; an item's drop stock is set aside for the show now.
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
    }
    .insert(&txn)
    .await?;
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
            drop_stock::set_aside(&txn, &show, &sku, units, host.account_id(), &field).await?;
        }
        let mut active = sku.into_active_model();
        if let Some(limit) = item.purchase_limit {
            active.purchase_limit = Set(Some(limit));
        }
        if item.exclusive {
            // Off sale everywhere until the look's window opens on air.
            active.sale_channel = Set(Some(crate::checkout::OrderChannel::Show.as_str().into()));
            active.sale_opens_at = Set(None);
            active.sale_closes_at = Set(None);
        }
        active.updated_at = Set(now());
        active.update(&txn).await?;
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

/// Takes a look off the run-sheet (before review); its drop stock goes back to the open stock.
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
    let set_aside: Vec<(Uuid, i64)> = show_look_item::Entity::find()
        .select_only()
        .column(show_look_item::Column::SkuId)
        .column(show_look_item::Column::DropStock)
        .filter(show_look_item::Column::LookId.eq(look_id))
        .filter(show_look_item::Column::DropStock.is_not_null())
        .into_tuple()
        .all(&txn)
        .await?;
    let removed = show_look::Entity::delete_many()
        .filter(show_look::Column::Id.eq(look_id))
        .filter(show_look::Column::ShowId.eq(show.id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    for &(sku_id, units) in &set_aside {
        if let Some(sku) = sku::Entity::find_by_id(sku_id).one(&txn).await? {
            drop_stock::put_back(&txn, &show, &sku, units, host.account_id()).await?;
        }
    }
    touch(&txn, show).await?;
    let detail = detail(&txn, host, id).await?;
    txn.commit().await?;
    state
        .checkout
        .restocked(set_aside.into_iter().map(|(sku, _)| sku));
    Ok(detail)
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
            .is_some_and(|b| b.status == crate::brands::BrandStatus::Approved.as_str());
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
    active.status = Set(ShowStatus::Submitted.as_str().to_owned());
    active.updated_at = Set(now());
    let row = active.update(db).await?;
    detail_of(db, row).await
}

/// An admin approves a submitted show, or sends it back with a note.
pub async fn decide(
    db: &impl ConnectionTrait,
    id: &str,
    approve: bool,
    note: Option<String>,
) -> Result<ShowSummary, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let show = show::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if status_of(&show) != ShowStatus::Submitted {
        return Err(AppError::Conflict {
            message: "This show is not waiting for a review.".into(),
        });
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if !approve && note.is_none() {
        return Err(AppError::field("note", "Tell the brand what to change."));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 1_000) {
        return Err(AppError::field("note", "Use at most 1,000 characters."));
    }
    let mut active = show.into_active_model();
    active.status = Set(if approve {
        ShowStatus::Approved
    } else {
        ShowStatus::Rejected
    }
    .as_str()
    .to_owned());
    active.review_note = Set(note);
    active.updated_at = Set(now());
    let row = active.update(db).await?;
    summaries(db, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// A public show (approved, live or ended).
pub(super) async fn public_show(
    db: &impl ConnectionTrait,
    show_id: Uuid,
) -> Result<show::Model, AppError> {
    show::Entity::find_by_id(show_id)
        .one(db)
        .await?
        .filter(|s| status_of(s).public())
        .ok_or(AppError::NotFound)
}

/// The number of `show_id`'s last event.
pub async fn event_seq(db: &impl ConnectionTrait, show_id: Uuid) -> Result<i64, AppError> {
    Ok(public_show(db, show_id).await?.event_seq)
}

/// What a viewer arriving now sees (live figures are the hub's to add).
pub async fn public_state(db: &impl ConnectionTrait, show_id: Uuid) -> Result<ShowState, AppError> {
    let show = public_show(db, show_id).await?;
    let looks = look_views(db, looks_of(db, show.id, true).await?).await?;
    let chat = events::recent_chat(db, show.id, CHAT_BACKLOG as u64).await?;
    let summary = summaries(db, vec![show.clone()])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(ShowState {
        id: show.id.to_string(),
        title: show.title,
        description: show.description,
        brand_name: summary.brand_name,
        brand_slug: summary.brand_slug,
        status: summary.status,
        stream_url: show.stream_url,
        cover_url: show.cover_url,
        starts_at: show.starts_at,
        ends_at: show.ends_at,
        live_at: show.live_at,
        ended_at: show.ended_at,
        looks,
        pinned_sku_id: show.pinned_sku_id.map(|id| id.to_string()),
        chat,
        slow_mode_secs: show.slow_mode_secs,
        stats: ShowStats {
            reactions: show.reactions,
            ..ShowStats::default()
        },
        seq: show.event_seq,
        server_now: now(),
    })
}

/// Records this node's viewers of `show_id` and adds its reactions.
pub async fn heartbeat(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    node_id: &str,
    viewers: i64,
    reactions: i64,
) -> Result<(), AppError> {
    show_presence::Entity::insert(show_presence::ActiveModel {
        show_id: Set(show_id),
        node_id: Set(node_id.to_owned()),
        viewers: Set(i32::try_from(viewers).unwrap_or(i32::MAX)),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([show_presence::Column::ShowId, show_presence::Column::NodeId])
            .update_columns([
                show_presence::Column::Viewers,
                show_presence::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if reactions > 0 {
        show::Entity::update_many()
            .col_expr(
                show::Column::Reactions,
                Expr::col(show::Column::Reactions).add(reactions),
            )
            .filter(show::Column::Id.eq(show_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Forgets this node's viewers of `show_id` (nobody watches here any more).
pub async fn leave(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    node_id: &str,
) -> Result<(), AppError> {
    show_presence::Entity::delete_many()
        .filter(show_presence::Column::ShowId.eq(show_id))
        .filter(show_presence::Column::NodeId.eq(node_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The SKUs `show_id`'s revealed looks offer.
pub(super) async fn revealed_skus(
    db: &impl ConnectionTrait,
    show_id: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    let looks: Vec<Uuid> = show_look::Entity::find()
        .select_only()
        .column(show_look::Column::Id)
        .filter(show_look::Column::ShowId.eq(show_id))
        .filter(show_look::Column::RevealedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(show_look_item::Entity::find()
        .select_only()
        .column(show_look_item::Column::SkuId)
        .filter(show_look_item::Column::LookId.is_in(looks))
        .into_tuple()
        .all(db)
        .await?)
}

/// Paid or payment-pending lines bought through the show since it went live:
/// `(order id, title, quantity, line total, currency, bought at)`, newest first.
pub(super) async fn show_sales(
    db: &impl ConnectionTrait,
    show: &show::Model,
    skus: &[Uuid],
) -> Result<Vec<(Uuid, String, i64, i64, String)>, AppError> {
    let Some(live_at) = show.live_at else {
        return Ok(Vec::new());
    };
    let mut query = order_line::Entity::find()
        .select_only()
        .column(order_line::Column::OrderId)
        .column(order_line::Column::Title)
        .column(order_line::Column::Quantity)
        .column(order_line::Column::UnitPriceMinor)
        .column(shop_order::Column::Currency)
        .join(
            sea_orm::JoinType::InnerJoin,
            order_line::Entity::belongs_to(shop_order::Entity)
                .from(order_line::Column::OrderId)
                .to(shop_order::Column::Id)
                .into(),
        )
        .filter(order_line::Column::SkuId.is_in(skus.to_vec()))
        .filter(shop_order::Column::Channel.eq(crate::checkout::OrderChannel::Show.as_str()))
        .filter(shop_order::Column::CreatedAt.gte(live_at))
        .filter(shop_order::Column::Status.is_in([
            crate::checkout::OrderStatus::Paid.as_str(),
            crate::checkout::OrderStatus::PendingPayment.as_str(),
        ]))
        .order_by_desc(shop_order::Column::CreatedAt);
    if let Some(ended_at) = show.ended_at {
        query = query.filter(shop_order::Column::CreatedAt.lte(ended_at));
    }
    let rows: Vec<(Uuid, String, i64, i64, String)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(order, title, quantity, unit, currency)| {
            (order, title, quantity, unit * quantity, currency)
        })
        .collect())
}

/// A viewer count as shown: exact up to 1,000, then to three significant figures (51,234 →
/// 51,200), so a big audience's comings and goings don't change the figures every second.
fn shown_viewers(viewers: i64) -> i64 {
    let mut unit = 1;
    while viewers / unit >= 1_000 {
        unit *= 10;
    }
    viewers / unit * unit
}

/// The show's live figures (viewers over all nodes seen in the last five seconds).
pub async fn stats(db: &impl ConnectionTrait, show_id: Uuid) -> Result<ShowStats, AppError> {
    let show = public_show(db, show_id).await?;
    let viewers: i64 = show_presence::Entity::find()
        .select_only()
        .column(show_presence::Column::Viewers)
        .filter(show_presence::Column::ShowId.eq(show_id))
        .filter(show_presence::Column::UpdatedAt.gt(now() - TimeDelta::seconds(5)))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .map(i64::from)
        .sum();
    let skus = revealed_skus(db, show_id).await?;
    let left = units_left(db, show_id, &skus).await?;
    let sales = show_sales(db, &show, &skus).await?;
    let mut orders: Vec<Uuid> = sales.iter().map(|s| s.0).collect();
    orders.sort_unstable();
    orders.dedup();
    Ok(ShowStats {
        viewers: shown_viewers(viewers),
        orders: orders.len() as i64,
        units_sold: sales.iter().map(|s| s.2).sum(),
        units_left: skus
            .iter()
            .map(|sku| (sku.to_string(), left.get(sku).copied().unwrap_or(0)))
            .collect(),
        reactions: show.reactions,
        latest: sales.iter().take(5).map(|s| s.1.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::shown_viewers;

    #[test]
    fn viewer_counts_are_exact_to_a_thousand_then_three_significant_figures() {
        assert_eq!(shown_viewers(0), 0);
        assert_eq!(shown_viewers(999), 999);
        assert_eq!(shown_viewers(1_234), 1_230);
        assert_eq!(shown_viewers(51_234), 51_200);
        assert_eq!(shown_viewers(1_234_567), 1_230_000);
    }
}
