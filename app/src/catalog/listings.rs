//! Listings and their variants, as a brand's team manages them: validate, create, update,
//! publish and archive — always inside the caller's [`BrandScope`].

use crate::core::txn::begin_write;
use crate::state::AppState;
use std::collections::{BTreeMap, HashSet};

use entity::{brand, listing, listing_media, sku, stock_movement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    index, markdown, ListingCard, ListingDetail, ListingImage, ListingInput, ListingOption,
    ListingPage, ListingStatus, Variant, VariantInput, CATEGORIES,
};
use crate::auth::audit::ClientContext;
use crate::brands::{BrandScope, BrandStatus};
use crate::core::{cursor, money, time, AppError, FieldErrors, FieldErrorsExt};

/// Listings per page in the dashboard and the API.
pub const PAGE_SIZE: u64 = 24;
const MAX_OPTIONS: usize = 3;
const MAX_OPTION_VALUES: usize = 50;
const MAX_VARIANTS: usize = 100;
/// Largest per-buyer purchase limit a variant may set.
const MAX_PURCHASE_LIMIT: i32 = 1_000;
const MAX_DESCRIPTION_CHARS: usize = 10_000;

fn is_sku_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Checks a listing field by field (keys like `variants.0.price_minor`); returns it trimmed.
pub fn validate(input: &ListingInput) -> Result<ListingInput, AppError> {
    let mut fields = FieldErrors::new();
    let mut problem = |field: String, message: &str| {
        fields.add(field, message);
    };
    let title = input.title.trim().to_owned();
    if title.is_empty() {
        problem("title".into(), "Give the listing a title.");
    } else if title.chars().count() > 200 {
        problem("title".into(), "Keep the title under 200 characters.");
    }
    let description = input.description.trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        problem(
            "description".into(),
            "Keep the description under 10,000 characters.",
        );
    }
    let category = input.category.trim().to_lowercase();
    if !CATEGORIES.contains(&category.as_str()) {
        problem("category".into(), "Choose one of Gala's categories.");
    }
    let currency = input.currency.trim().to_uppercase();
    if !money::is_supported(&currency) {
        problem("currency".into(), "Choose a supported currency.");
    }
    let mut options = Vec::new();
    if input.options.len() > MAX_OPTIONS {
        problem(
            "options".into(),
            "Use at most 3 options (e.g. size, colour, material).",
        );
    }
    let mut option_names = HashSet::new();
    for (i, option) in input.options.iter().enumerate() {
        let name = option.name.trim().to_owned();
        let values: Vec<String> = option
            .values
            .iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        if name.is_empty() || name.chars().count() > 40 {
            problem(
                format!("options.{i}.name"),
                "Name the option (up to 40 characters).",
            );
        } else if !option_names.insert(name.to_lowercase()) {
            problem(
                format!("options.{i}.name"),
                "Each option needs a different name.",
            );
        }
        let distinct: HashSet<&String> = values.iter().collect();
        if values.is_empty() || values.len() > MAX_OPTION_VALUES {
            problem(
                format!("options.{i}.values"),
                "Give between 1 and 50 values.",
            );
        } else if distinct.len() != values.len() || values.iter().any(|v| v.chars().count() > 40) {
            problem(
                format!("options.{i}.values"),
                "Values must be different and up to 40 characters.",
            );
        }
        options.push(ListingOption { name, values });
    }
    if input.variants.is_empty() || input.variants.len() > MAX_VARIANTS {
        problem(
            "variants".into(),
            "A listing needs between 1 and 100 variants.",
        );
    }
    let mut codes = HashSet::new();
    let mut combinations = HashSet::new();
    let mut variants = Vec::new();
    for (i, v) in input.variants.iter().enumerate() {
        let code = v.code.trim().to_owned();
        if !is_sku_code(&code) {
            problem(
                format!("variants.{i}.code"),
                "Use 1–64 letters, digits, dots, dashes or underscores.",
            );
        } else if !codes.insert(code.to_lowercase()) {
            problem(
                format!("variants.{i}.code"),
                "Each variant needs its own SKU code.",
            );
        }
        let values: Vec<String> = v
            .option_values
            .iter()
            .map(|s| s.trim().to_owned())
            .collect();
        if values.len() != options.len()
            || values
                .iter()
                .zip(&options)
                .any(|(value, option)| !option.values.contains(value))
        {
            problem(
                format!("variants.{i}.option_values"),
                "Pick one value of each option.",
            );
        } else if !options.is_empty() && !combinations.insert(values.clone()) {
            problem(
                format!("variants.{i}.option_values"),
                "Another variant already has these options.",
            );
        }
        if v.price_minor <= 0 || v.price_minor > money::MAX_AMOUNT_MINOR {
            problem(
                format!("variants.{i}.price_minor"),
                "Enter a price above zero.",
            );
        }
        if let Some(compare) = v.compare_at_minor {
            if compare <= v.price_minor || compare > money::MAX_AMOUNT_MINOR {
                problem(
                    format!("variants.{i}.compare_at_minor"),
                    "The was-price must be higher than the price.",
                );
            }
        }
        if !(0..=1_000_000).contains(&v.weight_grams) {
            problem(
                format!("variants.{i}.weight_grams"),
                "Enter a weight between 0 and 1,000 kg, in grams.",
            );
        }
        let barcode = v
            .barcode
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_owned);
        if let Some(b) = &barcode {
            if !(8..=14).contains(&b.len()) || !b.chars().all(|c| c.is_ascii_digit()) {
                problem(
                    format!("variants.{i}.barcode"),
                    "A barcode is 8 to 14 digits (EAN, UPC, GTIN).",
                );
            }
        }
        if v.purchase_limit
            .is_some_and(|l| !(1..=MAX_PURCHASE_LIMIT).contains(&l))
        {
            problem(
                format!("variants.{i}.purchase_limit"),
                "A limit per buyer is between 1 and 1,000 units (or leave it empty).",
            );
        }
        variants.push(VariantInput {
            code,
            option_values: values,
            price_minor: v.price_minor,
            compare_at_minor: v.compare_at_minor,
            weight_grams: v.weight_grams,
            barcode,
            purchase_limit: v.purchase_limit,
        });
    }
    if fields.is_empty() {
        Ok(ListingInput {
            title,
            description,
            category,
            currency,
            options,
            variants,
        })
    } else {
        Err(AppError::Validation { fields })
    }
}

fn status_of(row: &listing::Model) -> ListingStatus {
    row.status
}

/// The card of a listing row (lists and search).
pub fn card(row: &listing::Model) -> ListingCard {
    ListingCard {
        id: row.id.to_string(),
        title: row.title.clone(),
        brand_name: row.brand_name.clone(),
        category: row.category.clone(),
        status: status_of(row),
        currency: row.currency.clone(),
        price_min_minor: row.price_min_minor,
        price_max_minor: row.price_max_minor,
        available: row.available,
        cover_url: row.cover_url.clone(),
    }
}

/// Reads a listing with its variants (and their availability) and images.
pub async fn detail(
    db: &impl ConnectionTrait,
    row: listing::Model,
    brand_slug: &str,
) -> Result<ListingDetail, AppError> {
    let skus = sku::Entity::find()
        .filter(sku::Column::ListingId.eq(row.id))
        .order_by_asc(sku::Column::Position)
        .all(db)
        .await?;
    let available = super::stock::available_by_sku(db, skus.iter().map(|s| s.id).collect()).await?;
    let images = listing_media::Entity::find()
        .filter(listing_media::Column::ListingId.eq(row.id))
        .order_by_asc(listing_media::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|m| ListingImage {
            id: m.media_id.to_string(),
            url: m.url,
            thumb_url: m.thumb_url,
        })
        .collect();
    Ok(ListingDetail {
        id: row.id.to_string(),
        brand_slug: brand_slug.to_owned(),
        brand_name: row.brand_name.clone(),
        title: row.title.clone(),
        description: row.description_md.clone(),
        description_html: row.description_html.clone(),
        category: row.category.clone(),
        status: status_of(&row),
        currency: row.currency.clone(),
        options: serde_json::from_str(&row.options).unwrap_or_default(),
        variants: skus
            .into_iter()
            .map(|s| Variant {
                id: s.id.to_string(),
                available: available.get(&s.id).copied().unwrap_or(0),
                code: s.code,
                option_values: serde_json::from_str(&s.option_values).unwrap_or_default(),
                price_minor: s.price_minor,
                compare_at_minor: s.compare_at_minor,
                currency: s.currency,
                weight_grams: s.weight_grams,
                barcode: s.barcode,
                purchase_limit: s.purchase_limit,
            })
            .collect(),
        images,
        updated_at: row.updated_at,
        published_at: row.published_at,
    })
}

/// The listing `id` of the scope's brand, or `NotFound` (also for another brand's listing).
pub async fn find_in_scope(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<listing::Model, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    scope
        .narrow(listing::Entity::find_by_id(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A listing of the scope's brand, for its team.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<ListingDetail, AppError> {
    let row = find_in_scope(db, scope, id).await?;
    detail(db, row, scope.slug()).await
}

/// The brand's listings, most recently changed first, optionally of one status.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    status: Option<ListingStatus>,
    after: Option<&str>,
) -> Result<ListingPage, AppError> {
    let mut query = scope
        .find::<listing::Entity>()
        .order_by_desc(listing::Column::UpdatedAt)
        .order_by_desc(listing::Column::Id)
        .limit(PAGE_SIZE + 1);
    if let Some(status) = status {
        query = query.filter(listing::Column::Status.eq(status.as_str()));
    }
    if let Some(after) = after {
        let (at, id) = cursor::decode_time(after)?;
        query = query.filter(
            sea_orm::Condition::any()
                .add(listing::Column::UpdatedAt.lt(at))
                .add(
                    sea_orm::Condition::all()
                        .add(listing::Column::UpdatedAt.eq(at))
                        .add(listing::Column::Id.lt(id)),
                ),
        );
    }
    let mut rows = query.all(db).await?;
    let next_cursor = (rows.len() as u64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        let last = rows.last().expect("a full page");
        cursor::encode_time(last.updated_at, last.id)
    });
    Ok(ListingPage {
        items: rows.iter().map(card).collect(),
        next_cursor,
    })
}

/// SKU codes of `input` already used by *other* listings of the brand, as field errors.
async fn codes_taken_elsewhere(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    listing_id: Uuid,
    input: &ListingInput,
) -> Result<(), AppError> {
    let codes: Vec<String> = input.variants.iter().map(|v| v.code.clone()).collect();
    let taken: HashSet<String> = scope
        .find::<sku::Entity>()
        .filter(sku::Column::Code.is_in(codes))
        .filter(sku::Column::ListingId.ne(listing_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let mut fields = FieldErrors::new();
    for (i, v) in input.variants.iter().enumerate() {
        if taken.contains(&v.code) {
            fields.insert(
                format!("variants.{i}.code"),
                vec!["Another listing of your brand already uses this SKU code.".into()],
            );
        }
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation { fields })
    }
}

/// The lowest and highest variant price.
pub(super) fn price_range(input: &ListingInput) -> (i64, i64) {
    let prices = input.variants.iter().map(|v| v.price_minor);
    (prices.clone().min().unwrap_or(0), prices.max().unwrap_or(0))
}

/// Stock levels of every variant of one of the scope's brand's listings.
pub async fn levels(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    listing_id: &str,
) -> Result<Vec<super::StockLevelInfo>, AppError> {
    let row = find_in_scope(db, scope, listing_id).await?;
    let skus = sku::Entity::find()
        .filter(sku::Column::ListingId.eq(row.id))
        .all(db)
        .await?;
    super::stock::changes::levels_of(db, scope, &skus).await
}

/// Creates a draft listing with its variants.
pub async fn create(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    input: &ListingInput,
) -> Result<ListingDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let row = create_in(&txn, client, scope, input).await?;
    txn.commit().await?;
    detail(&state.db, row, scope.slug()).await
}

/// [`create`] inside the caller's transaction; returns the new row.
pub(super) async fn create_in(
    txn: &impl ConnectionTrait,
    client: &ClientContext,
    scope: &BrandScope,
    input: &ListingInput,
) -> Result<listing::Model, AppError> {
    let input = validate(input)?;
    let brand = brand::Entity::find_by_id(scope.brand_id())
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = Uuid::now_v7();
    codes_taken_elsewhere(txn, scope, id, &input).await?;
    let now = time::now();
    let (min, max) = price_range(&input);
    let row = listing::Model {
        id,
        brand_id: scope.brand_id(),
        brand_name: brand.display_name,
        title: input.title.clone(),
        description_html: markdown::render(&input.description),
        description_md: input.description.clone(),
        category: input.category.clone(),
        status: ListingStatus::Draft,
        visible: false,
        options: serde_json::to_string(&input.options).map_err(AppError::internal)?,
        currency: input.currency.clone(),
        price_min_minor: min,
        price_max_minor: max,
        available: 0,
        cover_url: None,
        created_at: now,
        updated_at: now,
        published_at: None,
        search_key: None,
    };
    row.clone()
        .into_active_model()
        .reset_all()
        .insert(txn)
        .await?;
    write_variants(txn, scope, &row, &input, &BTreeMap::new()).await?;
    scope
        .audit(
            txn,
            client,
            "listing.created",
            &id.to_string(),
            json!({ "title": row.title }),
        )
        .await?;
    Ok(row)
}

/// Inserts new variants and updates the ones in `existing` (by code), in the input's order.
async fn write_variants(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    row: &listing::Model,
    input: &ListingInput,
    existing: &BTreeMap<String, sku::Model>,
) -> Result<(), AppError> {
    let now = time::now();
    for (position, v) in input.variants.iter().enumerate() {
        let option_values = serde_json::to_string(&v.option_values).map_err(AppError::internal)?;
        match existing.get(&v.code) {
            Some(current) => {
                let mut active = current.clone().into_active_model();
                active.option_values = Set(option_values);
                active.price_minor = Set(v.price_minor);
                active.compare_at_minor = Set(v.compare_at_minor);
                active.currency = Set(row.currency.clone());
                active.weight_grams = Set(v.weight_grams);
                active.barcode = Set(v.barcode.clone());
                active.purchase_limit = Set(v.purchase_limit);
                active.position = Set(position as i32);
                active.updated_at = Set(now);
                active.update(db).await?;
            }
            None => {
                new_sku(
                    scope.brand_id(),
                    row.id,
                    &row.currency,
                    position,
                    v,
                    option_values,
                    now,
                )
                .into_active_model()
                .reset_all()
                .insert(db)
                .await?;
            }
        }
    }
    Ok(())
}

/// A new variant row (for `write_variants` and the import's bulk path).
pub(super) fn new_sku(
    brand_id: Uuid,
    listing_id: Uuid,
    currency: &str,
    position: usize,
    v: &VariantInput,
    option_values: String,
    now: chrono::DateTime<chrono::Utc>,
) -> sku::Model {
    sku::Model {
        id: Uuid::now_v7(),
        brand_id,
        listing_id,
        code: v.code.clone(),
        option_values,
        price_minor: v.price_minor,
        compare_at_minor: v.compare_at_minor,
        currency: currency.to_owned(),
        weight_grams: v.weight_grams,
        barcode: v.barcode.clone(),
        position: position as i32,
        purchase_limit: v.purchase_limit,
        created_at: now,
        updated_at: now,
    }
}

/// Replaces a listing's content and variants. Variants keep their identity (and stock) by SKU
/// code; a variant with stock history cannot be removed (archive the listing instead).
pub async fn update(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    input: &ListingInput,
) -> Result<ListingDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let row = update_in(&txn, client, scope, id, input).await?;
    txn.commit().await?;
    detail(&state.db, row, scope.slug()).await
}

/// [`update`] inside the caller's transaction; returns the updated row.
pub(super) async fn update_in(
    txn: &impl ConnectionTrait,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    input: &ListingInput,
) -> Result<listing::Model, AppError> {
    let input = validate(input)?;
    let row = find_in_scope(txn, scope, id).await?;
    codes_taken_elsewhere(txn, scope, row.id, &input).await?;
    let existing: BTreeMap<String, sku::Model> = sku::Entity::find()
        .filter(sku::Column::ListingId.eq(row.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let kept: HashSet<&str> = input.variants.iter().map(|v| v.code.as_str()).collect();
    for (code, removed) in existing
        .iter()
        .filter(|(code, _)| !kept.contains(code.as_str()))
    {
        let history = stock_movement::Entity::find()
            .filter(stock_movement::Column::SkuId.eq(removed.id))
            .count(txn)
            .await?;
        if history > 0 {
            return Err(AppError::field(
                "variants",
                format!("SKU {code} has stock history and can't be removed. Archive the listing instead."),
            ));
        }
        sku::Entity::delete_by_id(removed.id).exec(txn).await?;
    }
    let (min, max) = price_range(&input);
    let mut active = row.clone().into_active_model();
    active.title = Set(input.title.clone());
    active.description_html = Set(markdown::render(&input.description));
    active.description_md = Set(input.description.clone());
    active.category = Set(input.category.clone());
    active.options = Set(serde_json::to_string(&input.options).map_err(AppError::internal)?);
    active.currency = Set(input.currency.clone());
    active.price_min_minor = Set(min);
    active.price_max_minor = Set(max);
    active.updated_at = Set(time::now());
    let row = active.update(txn).await?;
    write_variants(txn, scope, &row, &input, &existing).await?;
    let row = super::stock::refresh_available(txn, row.id).await?;
    index::sync_index(txn, &row).await?;
    scope
        .audit(
            txn,
            client,
            "listing.updated",
            &row.id.to_string(),
            json!({ "title": row.title }),
        )
        .await?;
    Ok(row)
}

/// Publishes, unpublishes (back to draft) or archives a listing. Publishing needs a live
/// (approved, not suspended) brand.
pub async fn set_status(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    status: ListingStatus,
) -> Result<ListingDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let row = set_status_in(&txn, client, scope, id, status).await?;
    txn.commit().await?;
    detail(&state.db, row, scope.slug()).await
}

/// [`set_status`] inside the caller's transaction; returns the updated row.
pub(super) async fn set_status_in(
    txn: &impl ConnectionTrait,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    status: ListingStatus,
) -> Result<listing::Model, AppError> {
    let row = find_in_scope(txn, scope, id).await?;
    let brand = brand::Entity::find_by_id(scope.brand_id())
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let brand_live = Some(brand.status).is_some_and(BrandStatus::is_live);
    if status == ListingStatus::Published && !brand_live {
        return Err(AppError::Conflict {
            message: "Your brand must be approved (and not suspended) before you can publish."
                .into(),
        });
    }
    let now = time::now();
    let mut active = row.clone().into_active_model();
    active.status = Set(status);
    active.visible = Set(status == ListingStatus::Published && brand_live);
    active.updated_at = Set(now);
    if status == ListingStatus::Published && row.published_at.is_none() {
        active.published_at = Set(Some(now));
    }
    let row = active.update(txn).await?;
    index::sync_index(txn, &row).await?;
    scope
        .audit(
            txn,
            client,
            "listing.status_changed",
            &row.id.to_string(),
            json!({ "status": status.as_str() }),
        )
        .await?;
    Ok(row)
}

/// A brand was suspended or reinstated: its published listings leave or return to the
/// storefront. Called by the brands capability inside its own transaction.
pub async fn brand_visibility_changed(
    db: &impl ConnectionTrait,
    brand_id: Uuid,
    live: bool,
) -> Result<(), AppError> {
    listing::Entity::update_many()
        .col_expr(
            listing::Column::Visible,
            sea_orm::sea_query::Expr::value(live),
        )
        .filter(listing::Column::BrandId.eq(brand_id))
        .filter(listing::Column::Status.eq(ListingStatus::Published))
        .exec(db)
        .await?;
    let published = listing::Entity::find()
        .filter(listing::Column::BrandId.eq(brand_id))
        .filter(listing::Column::Status.eq(ListingStatus::Published))
        .all(db)
        .await?;
    for row in &published {
        index::sync_index(db, row).await?;
    }
    Ok(())
}
