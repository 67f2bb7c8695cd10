//! Claim links: a brand (or the platform) prints one as a QR code at a store's door or
//! counter — a place's name, a coupon to claim and/or a red envelope to find, until it expires.
//! A buyer who scans it lands on `/claim/<token>` and claims through the one claim path
//! ([`super::coupons::claim`], [`super::envelopes::play`]), so stock, limits and the pool hold
//! exactly as everywhere else.
//!
//! The token is 256 random bits the server issued and keeps: a link cannot be forged, pointed
//! at another coupon or stretched past its expiry (those live on the server, not in the
//! address), and unlike a signature it needs no key shared by every node. An expired link
//! still opens, to say so, and claims nothing.

use chrono::{DateTime, TimeDelta, Utc};
use entity::claim_link;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::service::Owner;
use super::{ClaimLinkInput, ClaimLinkView};
use crate::core::{AppError, FieldErrors, FieldErrorsExt};
use crate::state::AppState;

/// Most links one owner's list shows (newest first).
const LIST_LIMIT: u64 = 100;
/// The longest a link works: a month, a pop-up's run.
const MAX_VALID_HOURS: i32 = 24 * 31;

/// A new claim link of `owner`.
pub async fn create(
    state: &AppState,
    owner: &Owner<'_>,
    input: &ClaimLinkInput,
) -> Result<ClaimLinkView, AppError> {
    let now = state.clock.now();
    let mut fields = FieldErrors::new();
    let place = input.place.trim().to_owned();
    if place.is_empty() || place.chars().count() > 80 {
        fields.add("place", "Say where the code hangs, up to 80 characters.");
    }
    if !(1..=MAX_VALID_HOURS).contains(&input.valid_hours) {
        fields.add("valid_hours", "Between an hour and a month (744 hours).");
    }
    let chosen = input
        .coupon_promotion_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let lineage = match chosen {
        Some(chosen) => {
            let choices = super::offers::attachable(&state.db, now, owner.brand_id()).await?;
            let found = choices
                .iter()
                .find(|c| c.promotion_id == chosen)
                .and_then(|c| Uuid::parse_str(&c.promotion_id).ok());
            if found.is_none() {
                fields.add(
                    "coupon_promotion_id",
                    "Choose one of your approved coupons that has not ended.",
                );
            }
            found
        }
        None => None,
    };
    if chosen.is_none() && !input.envelope {
        fields.add(
            "coupon_promotion_id",
            "Choose a coupon, a red envelope, or both.",
        );
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let row = claim_link::Model {
        id: Uuid::now_v7(),
        token: crate::auth::tokens::new_secret(),
        brand_id: owner.brand_id(),
        place,
        lineage_id: lineage,
        envelope: input.envelope,
        expires_at: now + TimeDelta::hours(i64::from(input.valid_hours)),
        created_by: owner.actor(),
        created_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(&state.db)
    .await?;
    Ok(views(state, vec![row], true).await?.remove(0))
}

/// `owner`'s links, newest first, with their QR codes.
pub async fn list(state: &AppState, owner: &Owner<'_>) -> Result<Vec<ClaimLinkView>, AppError> {
    let rows = claim_link::Entity::find()
        .filter(match owner.brand_id() {
            Some(brand) => claim_link::Column::BrandId.eq(brand),
            None => claim_link::Column::BrandId.is_null(),
        })
        .order_by_desc(claim_link::Column::CreatedAt)
        .limit(LIST_LIMIT)
        .all(&state.db)
        .await?;
    views(state, rows, true).await
}

/// The link `token`, as a buyer who scanned it sees it (expired or not).
pub async fn open(state: &AppState, token: &str) -> Result<ClaimLinkView, AppError> {
    let row = by_token(&state.db, token).await?;
    Ok(views(state, vec![row], false).await?.remove(0))
}

/// The link `token` if it still works at `now`.
pub async fn live(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    token: &str,
) -> Result<claim_link::Model, AppError> {
    let row = by_token(db, token).await?;
    if row.expires_at <= now {
        return Err(AppError::OfferUnavailable {
            message: "This code has expired: ask at the store for today's.".into(),
        });
    }
    Ok(row)
}

async fn by_token(db: &impl ConnectionTrait, token: &str) -> Result<claim_link::Model, AppError> {
    let token = token.trim();
    // Tokens are 43 URL-safe characters; anything else is not one (and needs no query).
    if token.len() != 43
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::NotFound);
    }
    claim_link::Entity::find()
        .filter(claim_link::Column::Token.eq(token))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Rows as pages show them; `with_qr`: with the QR code of each link's address.
async fn views(
    state: &AppState,
    rows: Vec<claim_link::Model>,
    with_qr: bool,
) -> Result<Vec<ClaimLinkView>, AppError> {
    let now = state.clock.now();
    let coupons =
        super::offers::moments(&state.db, rows.iter().filter_map(|r| r.lineage_id)).await?;
    let names = brand_names(&state.db, rows.iter().filter_map(|r| r.brand_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let path = format!("/claim/{}", row.token);
            let url = format!("{}{path}", state.public_url.trim_end_matches('/'));
            ClaimLinkView {
                id: row.id.to_string(),
                qr_svg: if with_qr { qr_svg(&url) } else { String::new() },
                path,
                url,
                host: row
                    .brand_id
                    .and_then(|b| names.get(&b).cloned())
                    .unwrap_or_else(|| "Gala".to_owned()),
                place: row.place,
                coupon: row.lineage_id.and_then(|l| coupons.get(&l).cloned()),
                envelope: row.envelope,
                expired: row.expires_at <= now,
                expires_at: row.expires_at,
            }
        })
        .collect())
}

async fn brand_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>, AppError> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(entity::brand::Entity::find()
        .select_only()
        .column(entity::brand::Column::Id)
        .column(entity::brand::Column::DisplayName)
        .filter(entity::brand::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// `url` as a QR code, in SVG (medium error correction: it survives a smudged print).
fn qr_svg(url: &str) -> String {
    use qrcode::{render::svg, EcLevel, QrCode};
    match QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) {
        Ok(code) => {
            let svg = code
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .dark_color(svg::Color("#1b1b1f"))
                .light_color(svg::Color("#ffffff"))
                .build();
            // The XML declaration has no place inside an HTML page.
            svg.find("<svg")
                .map_or(svg.clone(), |at| svg[at..].to_owned())
        }
        Err(_) => String::new(),
    }
}
