//! The brand rules: applying, the admin review queue and its decisions, suspension, and what
//! members and shoppers may read.

use std::collections::HashMap;

use crate::core::txn::begin_write;
use crate::state::AppState;
use entity::{brand, brand_membership};
use sea_orm::{
    sea_query::{Condition, Expr, ExprTrait, Func},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{
    ApplicationPage, BrandApplication, BrandDetail, BrandScope, BrandStatus, MyBrand, PublicBrand,
    ReviewDecision, CATEGORIES,
};
use crate::auth::{
    audit::{self, ClientContext},
    service::normalize_email,
    BrandRole, Caller,
};
use crate::core::{cursor, AppError, FieldErrors};
use crate::mail::templates;

/// Slugs that would clash with Gala's own pages.
const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "new", "apply", "gala", "help", "settings", "static", "pkg",
];
/// Applications per admin page.
pub const PAGE_SIZE: u64 = 20;

/// Checks an application field by field; returns it trimmed and normalised.
pub fn validate(input: &BrandApplication) -> Result<BrandApplication, AppError> {
    let mut fields = FieldErrors::new();
    let mut problem = |field: &str, message: &str| {
        fields
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned())
    };
    let text = |value: &str| value.trim().to_owned();
    let chars = |value: &str| value.trim().chars().count();

    if !(2..=160).contains(&chars(&input.legal_name)) {
        problem(
            "legal_name",
            "Enter the registered company name (2 to 160 characters).",
        );
    }
    if !(2..=80).contains(&chars(&input.display_name)) {
        problem(
            "display_name",
            "Enter the name shoppers will see (2 to 80 characters).",
        );
    }
    let slug = input.slug.trim().to_lowercase();
    let slug_shape = (3..=40).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if !slug_shape {
        problem(
            "slug",
            "Use 3 to 40 lower-case letters, digits and single hyphens, like maison-lune.",
        );
    } else if RESERVED_SLUGS.contains(&slug.as_str()) {
        problem("slug", "This address is reserved. Choose another.");
    }
    let country = input.country.trim().to_uppercase();
    if !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase())) {
        problem(
            "country",
            "Choose the country of registration (two-letter code, like CN or FR).",
        );
    }
    let category = input.category.trim().to_lowercase();
    if !CATEGORIES.contains(&category.as_str()) {
        problem("category", "Choose one of the listed categories.");
    }
    let contact_email = match normalize_email(&input.contact_email) {
        Ok(email) => email,
        Err(message) => {
            problem("contact_email", &message);
            String::new()
        }
    };
    if !(20..=500).contains(&chars(&input.description)) {
        problem("description", "Describe the brand in 20 to 500 characters.");
    }
    let licence = text(&input.licence_number);
    let licence_shape = (3..=64).contains(&licence.len())
        && licence
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | ' ' | '.'));
    if !licence_shape {
        problem(
            "licence_number",
            "Enter the business licence number (3 to 64 letters, digits, - / . or spaces).",
        );
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    Ok(BrandApplication {
        legal_name: text(&input.legal_name),
        display_name: text(&input.display_name),
        slug,
        country,
        category,
        contact_email,
        description: text(&input.description),
        licence_number: licence,
    })
}

fn detail(row: &brand::Model) -> BrandDetail {
    BrandDetail {
        id: row.id.to_string(),
        slug: row.slug.clone(),
        legal_name: row.legal_name.clone(),
        display_name: row.display_name.clone(),
        country: row.country.clone(),
        category: row.category.clone(),
        contact_email: row.contact_email.clone(),
        description: row.description.clone(),
        licence_number: row.licence_number.clone(),
        status: row.status,
        review_note: row.review_note.clone(),
        submitted_at: row.submitted_at,
        logo_url: row.logo_path.clone(),
    }
}

/// A verified person applies to open a brand; it waits for review.
pub async fn apply(
    state: &AppState,
    caller: &Caller,
    input: &BrandApplication,
) -> Result<BrandDetail, AppError> {
    let applicant = caller.verified()?.id;
    let input = validate(input)?;
    let now = crate::core::time::now();
    let row = brand::Model {
        id: Uuid::now_v7(),
        slug: input.slug.clone(),
        legal_name: input.legal_name,
        display_name: input.display_name,
        country: input.country,
        category: input.category,
        contact_email: input.contact_email,
        description: input.description,
        licence_number: input.licence_number,
        logo_path: None,
        status: BrandStatus::Pending,
        review_note: None,
        applicant_account_id: applicant,
        submitted_at: now,
        reviewed_at: None,
        reviewed_by: None,
        created_at: now,
        updated_at: now,
    };
    // Every column is written: `reset_all` marks the values of a plain model as set.
    let active = row.clone().into_active_model().reset_all();
    if let Err(err) = brand::Entity::insert(active)
        .exec_without_returning(&state.db)
        .await
    {
        return Err(AppError::taken(
            err,
            "slug",
            "This address is taken. Choose another.",
        ));
    }
    audit::record(
        &state.db,
        caller.client(),
        Some(applicant),
        "brand.applied",
        Some(&row.slug),
        None,
    )
    .await?;
    Ok(detail(&row))
}

/// The applicant edits an application the admins sent back, which returns it to the queue.
pub async fn resubmit(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    input: &BrandApplication,
) -> Result<BrandDetail, AppError> {
    let applicant = caller.verified()?.id;
    let input = validate(input)?;
    let row = brand::Entity::find()
        .filter(brand::Column::Slug.eq(slug))
        .filter(brand::Column::ApplicantAccountId.eq(applicant))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != BrandStatus::ChangesRequested {
        return Err(AppError::Conflict {
            message: "Only an application sent back for changes can be resubmitted.".into(),
        });
    }
    if input.slug != row.slug {
        return Err(AppError::field(
            "slug",
            "The address cannot change after applying.",
        ));
    }
    let now = crate::core::time::now();
    let updated = brand::Entity::update_many()
        .col_expr(brand::Column::LegalName, Expr::value(input.legal_name))
        .col_expr(brand::Column::DisplayName, Expr::value(input.display_name))
        .col_expr(brand::Column::Country, Expr::value(input.country))
        .col_expr(brand::Column::Category, Expr::value(input.category))
        .col_expr(
            brand::Column::ContactEmail,
            Expr::value(input.contact_email),
        )
        .col_expr(brand::Column::Description, Expr::value(input.description))
        .col_expr(
            brand::Column::LicenceNumber,
            Expr::value(input.licence_number),
        )
        .col_expr(
            brand::Column::Status,
            Expr::value(BrandStatus::Pending.as_str()),
        )
        .col_expr(brand::Column::SubmittedAt, Expr::value(now))
        .col_expr(brand::Column::UpdatedAt, Expr::value(now))
        .filter(brand::Column::Id.eq(row.id))
        .filter(brand::Column::Status.eq(BrandStatus::ChangesRequested))
        .exec(&state.db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict {
            message: "The application changed meanwhile; reload and try again.".into(),
        });
    }
    audit::record(
        &state.db,
        caller.client(),
        Some(applicant),
        "brand.resubmitted",
        Some(slug),
        None,
    )
    .await?;
    let row = brand::Entity::find_by_id(row.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(detail(&row))
}

/// The brands the person belongs to, and their own applications.
pub async fn my_brands(state: &AppState, caller: &Caller) -> Result<Vec<MyBrand>, AppError> {
    let me = caller.signed_in()?.id;
    let memberships = brand_membership::Entity::find()
        .filter(brand_membership::Column::AccountId.eq(me))
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = memberships.iter().map(|m| m.brand_id).collect();
    let brands = brand::Entity::find()
        .filter(
            Condition::any()
                .add(brand::Column::Id.is_in(ids))
                .add(brand::Column::ApplicantAccountId.eq(me)),
        )
        .order_by_asc(brand::Column::DisplayName)
        .all(&state.db)
        .await?;
    Ok(brands
        .into_iter()
        .map(|b| MyBrand {
            role: memberships
                .iter()
                .find(|m| m.brand_id == b.id)
                .map(|m| m.role),
            status: b.status,
            slug: b.slug,
            display_name: b.display_name,
            logo_url: b.logo_path,
        })
        .collect())
}

/// What the admin queue shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct QueueFilter {
    /// Status to list (default: pending).
    pub status: Option<String>,
    /// Matches slug, display or legal name.
    pub q: Option<String>,
    /// Category to list.
    pub category: Option<String>,
    /// Cursor from the previous page.
    pub after: Option<String>,
}

/// Applications for admins: oldest first, filterable, keyset-paginated.
pub async fn review_queue(
    state: &AppState,
    caller: &Caller,
    filter: &QueueFilter,
) -> Result<ApplicationPage, AppError> {
    caller.platform_admin()?;
    let status = match filter.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            BrandStatus::parse(s).ok_or_else(|| AppError::field("status", "Unknown status."))?
        }
        None => BrandStatus::Pending,
    };
    let mut query = brand::Entity::find().filter(brand::Column::Status.eq(status.as_str()));
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            Condition::any()
                .add(brand::Column::Slug.like(pattern.clone()))
                .add(
                    Expr::expr(Func::lower(Expr::col(brand::Column::DisplayName)))
                        .like(pattern.clone()),
                )
                .add(Expr::expr(Func::lower(Expr::col(brand::Column::LegalName))).like(pattern)),
        );
    }
    if let Some(category) = filter.category.as_deref().filter(|c| !c.is_empty()) {
        query = query.filter(brand::Column::Category.eq(category));
    }
    if let Some(after) = filter.after.as_deref().filter(|c| !c.is_empty()) {
        let (at, id) = cursor::decode_time(after)?;
        query = query.filter(
            Condition::any().add(brand::Column::SubmittedAt.gt(at)).add(
                Condition::all()
                    .add(brand::Column::SubmittedAt.eq(at))
                    .add(brand::Column::Id.gt(id)),
            ),
        );
    }
    let mut rows = query
        .order_by_asc(brand::Column::SubmittedAt)
        .order_by_asc(brand::Column::Id)
        .limit(PAGE_SIZE + 1)
        .all(&state.db)
        .await?;
    let next_cursor = if rows.len() as u64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last()
            .map(|row| cursor::encode_time(row.submitted_at, row.id))
    } else {
        None
    };
    Ok(ApplicationPage {
        items: rows.iter().map(detail).collect(),
        next_cursor,
    })
}

fn required_reason(reason: Option<&str>) -> Result<Option<String>, AppError> {
    review_reason(ReviewDecision::Reject, reason)
}

/// The reason an admin gave for `decision` (on a brand, a promotion, a pre-sale campaign),
/// checked: trimmed, at most 1,000 characters, and required unless approving — a brand told
/// no, or sent back, is told why.
pub fn review_reason(
    decision: ReviewDecision,
    reason: Option<&str>,
) -> Result<Option<String>, AppError> {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) if r.chars().count() <= 1000 => Ok(Some(r.to_owned())),
        Some(_) => Err(AppError::field(
            "reason",
            "Keep the reason under 1,000 characters.",
        )),
        None if decision == ReviewDecision::Approve => Ok(None),
        None => Err(AppError::field("reason", "Tell the brand why.")),
    }
}

/// Each of `ids`' slug and display name, in one query.
pub async fn labels(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, (String, String)>, AppError> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::Slug)
        .column(brand::Column::DisplayName)
        .filter(brand::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, slug, name)| (id, (slug, name)))
        .collect())
}

/// A status change an admin makes: the status the brand must have, the one it gets, the
/// audit action recorded and the headline of the mail to the applicant.
struct StatusChange {
    from: BrandStatus,
    to: BrandStatus,
    action: &'static str,
    headline: &'static str,
}

const APPROVE: StatusChange = StatusChange {
    from: BrandStatus::Pending,
    to: BrandStatus::Approved,
    action: "brand.approved",
    headline: "your brand is approved and live",
};
const REJECT: StatusChange = StatusChange {
    from: BrandStatus::Pending,
    to: BrandStatus::Rejected,
    action: "brand.rejected",
    headline: "your application was not approved",
};
const REQUEST_CHANGES: StatusChange = StatusChange {
    from: BrandStatus::Pending,
    to: BrandStatus::ChangesRequested,
    action: "brand.changes_requested",
    headline: "please update your application",
};
const SUSPEND: StatusChange = StatusChange {
    from: BrandStatus::Approved,
    to: BrandStatus::Suspended,
    action: "brand.suspended",
    headline: "your brand is suspended",
};
const REINSTATE: StatusChange = StatusChange {
    from: BrandStatus::Suspended,
    to: BrandStatus::Approved,
    action: "brand.reinstated",
    headline: "your brand is live again",
};

/// An admin moves a brand from one status to another (the single place status changes).
async fn transition(
    state: &AppState,
    client: &ClientContext,
    admin_id: Uuid,
    brand_id: Uuid,
    change: &StatusChange,
    reason: Option<String>,
) -> Result<BrandDetail, AppError> {
    let StatusChange {
        from,
        to,
        action,
        headline,
    } = *change;
    let row = brand::Entity::find_by_id(brand_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != from {
        return Err(AppError::Conflict {
            message: format!(
                "The brand is {}, not {}.",
                row.status.as_str().replace('_', " "),
                from.as_str().replace('_', " ")
            ),
        });
    }
    let now = crate::core::time::now();
    let txn = begin_write(&state.db).await?;
    let updated = brand::Entity::update_many()
        .col_expr(brand::Column::Status, Expr::value(to.as_str()))
        .col_expr(brand::Column::ReviewNote, Expr::value(reason.clone()))
        .col_expr(brand::Column::ReviewedAt, Expr::value(now))
        .col_expr(brand::Column::ReviewedBy, Expr::value(admin_id))
        .col_expr(brand::Column::UpdatedAt, Expr::value(now))
        .filter(brand::Column::Id.eq(brand_id))
        .filter(brand::Column::Status.eq(from.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict {
            message: "Another admin decided meanwhile; reload the queue.".into(),
        });
    }
    if to == BrandStatus::Approved && from == BrandStatus::Pending {
        // The applicant becomes the owner.
        let owner = brand_membership::ActiveModel {
            brand_id: Set(brand_id),
            account_id: Set(row.applicant_account_id),
            role: Set(BrandRole::Owner),
            created_at: Set(now),
        };
        brand_membership::Entity::insert(owner)
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?;
    }
    if from == BrandStatus::Suspended || to == BrandStatus::Suspended {
        // The brand's published listings leave (or return to) the storefront with it.
        crate::catalog::listings::brand_visibility_changed(&txn, brand_id, to.is_live()).await?;
    }
    let applicant = entity::account::Entity::find_by_id(row.applicant_account_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let link = format!("{}/brands", state.public_url);
    let mail = templates::brand_decision(
        &applicant.email,
        &row.display_name,
        headline,
        reason.as_deref(),
        &link,
    );
    crate::mail::enqueue(&txn, mail).await?;
    audit::record(
        &txn,
        client,
        Some(admin_id),
        action,
        Some(&row.slug),
        Some(json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    let row = brand::Entity::find_by_id(brand_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(detail(&row))
}

/// Approve, reject (with a reason) or send back for changes (with a reason).
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    brand_id: Uuid,
    decision: ReviewDecision,
    reason: Option<&str>,
) -> Result<BrandDetail, AppError> {
    let admin = caller.platform_admin()?.id;
    let (change, reason) = match decision {
        ReviewDecision::Approve => (&APPROVE, None),
        ReviewDecision::Reject => (&REJECT, required_reason(reason)?),
        ReviewDecision::RequestChanges => (&REQUEST_CHANGES, required_reason(reason)?),
    };
    transition(state, caller.client(), admin, brand_id, change, reason).await
}

/// Takes a live brand off the storefront.
pub async fn suspend(
    state: &AppState,
    caller: &Caller,
    brand_id: Uuid,
    reason: Option<&str>,
) -> Result<BrandDetail, AppError> {
    let admin = caller.platform_admin()?.id;
    let reason = required_reason(reason)?;
    transition(state, caller.client(), admin, brand_id, &SUSPEND, reason).await
}

/// Puts a suspended brand back on the storefront.
pub async fn reinstate(
    state: &AppState,
    caller: &Caller,
    brand_id: Uuid,
) -> Result<BrandDetail, AppError> {
    let admin = caller.platform_admin()?.id;
    transition(state, caller.client(), admin, brand_id, &REINSTATE, None).await
}

/// The brand as its team sees it.
pub async fn brand_for_team(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
) -> Result<BrandDetail, AppError> {
    let row = brand::Entity::find_by_id(scope.brand_id())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(detail(&row))
}

/// The public brand page's data: only approved (not suspended) brands exist for shoppers.
pub async fn public_brand(db: &impl ConnectionTrait, slug: &str) -> Result<PublicBrand, AppError> {
    let row = brand::Entity::find()
        .filter(brand::Column::Slug.eq(slug))
        .filter(brand::Column::Status.eq(BrandStatus::Approved))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PublicBrand {
        slug: row.slug,
        display_name: row.display_name,
        country: row.country,
        category: row.category,
        description: row.description,
        logo_url: row.logo_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn application() -> BrandApplication {
        BrandApplication {
            legal_name: "Maison Lune SARL".into(),
            display_name: "Maison Lune".into(),
            slug: "Maison-Lune".into(),
            country: "fr".into(),
            category: "Fashion".into(),
            contact_email: "Team@MaisonLune.fr".into(),
            description: "Parisian ready-to-wear, made to be worn on the runway and after.".into(),
            licence_number: "RCS 812 345 678".into(),
        }
    }

    #[test]
    fn a_good_application_is_normalised() {
        let ok = validate(&application()).unwrap();
        assert_eq!(
            (ok.slug.as_str(), ok.country.as_str(), ok.category.as_str()),
            ("maison-lune", "FR", "fashion")
        );
        assert_eq!(ok.contact_email, "team@maisonlune.fr");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = BrandApplication {
            legal_name: "x".into(),
            display_name: "".into(),
            slug: "-bad--slug".into(),
            country: "France".into(),
            category: "weapons".into(),
            contact_email: "nope".into(),
            description: "short".into(),
            licence_number: "<script>".into(),
        };
        let err = validate(&bad).unwrap_err();
        for field in [
            "legal_name",
            "display_name",
            "slug",
            "country",
            "category",
            "contact_email",
            "description",
            "licence_number",
        ] {
            assert!(
                !err.field_messages(field).is_empty(),
                "{field} not reported"
            );
        }
        let reserved = BrandApplication {
            slug: "admin".into(),
            ..application()
        };
        assert!(validate(&reserved).unwrap_err().field_messages("slug")[0].contains("reserved"));
    }
}
