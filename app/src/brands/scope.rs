//! `BrandScope`: the only way to reach a brand's data.
//!
//! A scope can be made only by [`BrandScope::resolve`], which looks up the caller's membership
//! and applies the one guard (`auth::require_brand_role`). Tenant-scoped services take a
//! `&BrandScope` and filter by [`BrandScope::brand_id`], so a query without a checked
//! membership does not compile. Outsiders get `NotFound` (a brand's team pages do not reveal
//! that it exists), members with too small a role `Forbidden`.

use entity::{brand, brand_api_token, brand_membership};
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::{require_brand_role, BrandAccess, BrandRole, CurrentUser};
use crate::core::AppError;

/// Proof that the caller may act on one brand, with how.
#[derive(Debug, Clone)]
pub struct BrandScope {
    brand_id: Uuid,
    slug: String,
    account_id: Uuid,
    access: BrandAccess,
}

impl BrandScope {
    /// Checks `user`'s access to the brand `slug` with at least `min` and returns the scope
    /// together with the brand row.
    pub async fn resolve(
        db: &impl ConnectionTrait,
        user: Option<CurrentUser>,
        slug: &str,
        min: BrandRole,
    ) -> Result<(BrandScope, brand::Model), AppError> {
        let user = crate::auth::require_signed_in(user)?;
        let account_id = Uuid::parse_str(&user.id).map_err(AppError::internal)?;
        let brand = brand::Entity::find()
            .filter(brand::Column::Slug.eq(slug))
            .one(db)
            .await?;
        let membership = match &brand {
            Some(brand) => brand_membership::Entity::find_by_id((brand.id, account_id))
                .one(db)
                .await?
                .and_then(|m| BrandRole::parse(&m.role)),
            None => None,
        };
        let (_, access) = require_brand_role(Some(user), membership, min)?;
        // An admin asking for a brand that does not exist still gets a 404.
        let brand = brand.ok_or(AppError::NotFound)?;
        Ok((
            BrandScope {
                brand_id: brand.id,
                slug: brand.slug.clone(),
                account_id,
                access,
            },
            brand,
        ))
    }

    /// Like [`BrandScope::resolve`], but also lets the applicant of a brand that is still under
    /// review (pending or changes requested) act on it, e.g. add a logo to the application.
    pub async fn resolve_or_applicant(
        db: &impl ConnectionTrait,
        user: Option<CurrentUser>,
        slug: &str,
        min: BrandRole,
    ) -> Result<(BrandScope, brand::Model), AppError> {
        let applicant = user
            .as_ref()
            .and_then(|u| Uuid::parse_str(&u.id).ok())
            .filter(|_| user.as_ref().is_some_and(|u| u.email_verified));
        if let Some(account_id) = applicant {
            let under_review = [
                super::BrandStatus::Pending.as_str(),
                super::BrandStatus::ChangesRequested.as_str(),
            ];
            let own_application = brand::Entity::find()
                .filter(brand::Column::Slug.eq(slug))
                .filter(brand::Column::ApplicantAccountId.eq(account_id))
                .filter(brand::Column::Status.is_in(under_review))
                .one(db)
                .await?;
            if let Some(brand) = own_application {
                let scope = BrandScope {
                    brand_id: brand.id,
                    slug: brand.slug.clone(),
                    account_id,
                    access: BrandAccess::Applicant,
                };
                return Ok((scope, brand));
            }
        }
        Self::resolve(db, user, slug, min).await
    }

    /// The scope of work done later on someone's behalf (a background import): the account
    /// must still be a member of the brand with at least `min` (or a platform admin).
    pub async fn for_member(
        db: &impl ConnectionTrait,
        brand_id: Uuid,
        account_id: Uuid,
        min: BrandRole,
    ) -> Result<BrandScope, AppError> {
        let brand = brand::Entity::find_by_id(brand_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        let user = entity::account::Entity::find_by_id(account_id)
            .one(db)
            .await?
            .map(|account| crate::auth::session::to_current_user(&account));
        Ok(Self::resolve(db, user, &brand.slug, min).await?.0)
    }

    /// The scope of a brand's own system calling with a bearer token. The token must be live
    /// and belong to the brand `slug` (another brand's token gets `NotFound`); `write` asks for
    /// a token that may change data.
    pub async fn from_api_token(
        db: &impl ConnectionTrait,
        token: &str,
        slug: &str,
        write: bool,
    ) -> Result<(BrandScope, brand::Model), AppError> {
        Self::from_api_token_for(db, token, Some(slug), write).await
    }

    /// The scope of whichever brand the bearer token belongs to (for calls that name no brand,
    /// such as a brand's till placing an order).
    pub async fn from_any_api_token(
        db: &impl ConnectionTrait,
        token: &str,
        write: bool,
    ) -> Result<(BrandScope, brand::Model), AppError> {
        Self::from_api_token_for(db, token, None, write).await
    }

    async fn from_api_token_for(
        db: &impl ConnectionTrait,
        token: &str,
        slug: Option<&str>,
        write: bool,
    ) -> Result<(BrandScope, brand::Model), AppError> {
        let row = brand_api_token::Entity::find()
            .filter(brand_api_token::Column::TokenHash.eq(crate::auth::tokens::digest(token)))
            .filter(brand_api_token::Column::RevokedAt.is_null())
            .one(db)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let brand = brand::Entity::find_by_id(row.brand_id)
            .one(db)
            .await?
            .filter(|brand| slug.is_none_or(|slug| brand.slug == slug))
            .ok_or(AppError::NotFound)?;
        let may_write = row.scope == super::TokenScope::Write.as_str();
        if write && !may_write {
            return Err(AppError::Forbidden);
        }
        brand_api_token::Entity::update_many()
            .col_expr(
                brand_api_token::Column::LastUsedAt,
                Expr::value(crate::core::time::now()),
            )
            .filter(brand_api_token::Column::Id.eq(row.id))
            .exec(db)
            .await?;
        let scope = BrandScope {
            brand_id: brand.id,
            slug: brand.slug.clone(),
            account_id: row.created_by,
            access: BrandAccess::ApiToken { write: may_write },
        };
        Ok((scope, brand))
    }

    /// Records `action` on this brand in the audit log, as this scope's actor; `detail` gets
    /// the brand's slug added under `"brand"`.
    pub async fn audit(
        &self,
        db: &impl ConnectionTrait,
        client: &crate::auth::audit::ClientContext,
        action: &str,
        subject: &str,
        mut detail: serde_json::Value,
    ) -> Result<(), AppError> {
        if let Some(map) = detail.as_object_mut() {
            map.insert("brand".into(), self.slug.clone().into());
        }
        crate::auth::audit::record(
            db,
            client,
            Some(self.account_id),
            action,
            Some(subject),
            Some(detail),
        )
        .await
    }

    /// The brand every query of this scope must be filtered by.
    pub fn brand_id(&self) -> Uuid {
        self.brand_id
    }

    /// The brand's slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// Who is acting (for a token: the owner who created it).
    pub fn account_id(&self) -> Uuid {
        self.account_id
    }

    /// How the caller reached the brand.
    pub fn access(&self) -> BrandAccess {
        self.access
    }
}
