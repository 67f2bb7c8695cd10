//! Who runs a show: a brand's team runs the brand's own shows; the platform's admins run the
//! platform's multi-brand galas, whose looks mix several brands' products. Every planning and
//! producing action finds its show through [`ShowHost::show`], so neither can reach the
//! other's shows.

use entity::show;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::Caller;
use crate::brands::{BrandScope, Need};
use crate::core::AppError;

/// The caller, as host of a brand's shows or of the platform's galas.
#[derive(Debug, Clone)]
pub enum ShowHost {
    /// A member of the brand's team (or an admin acting on the brand).
    Brand(BrandScope),
    /// A platform admin, running the platform's galas.
    Platform { account_id: Uuid },
}

impl ShowHost {
    /// The caller as host of brand `slug`'s shows (as `need` asks), or with no slug, of the
    /// platform's galas (platform admins only).
    pub async fn resolve(
        db: &impl ConnectionTrait,
        caller: &Caller,
        slug: Option<&str>,
        need: Need,
    ) -> Result<ShowHost, AppError> {
        match slug.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => {
                let (scope, _) = BrandScope::resolve(db, caller, slug, need).await?;
                Ok(ShowHost::Brand(scope))
            }
            None => Ok(ShowHost::Platform {
                account_id: caller.platform_admin()?.id,
            }),
        }
    }

    /// The brand whose shows these are; none for the platform's galas.
    pub fn brand_id(&self) -> Option<Uuid> {
        match self {
            ShowHost::Brand(scope) => Some(scope.brand_id()),
            ShowHost::Platform { .. } => None,
        }
    }

    /// Who is acting.
    pub fn account_id(&self) -> Uuid {
        match self {
            ShowHost::Brand(scope) => scope.account_id(),
            ShowHost::Platform { account_id } => *account_id,
        }
    }

    /// Narrows `query` to this host's shows.
    pub fn filter(&self, query: sea_orm::Select<show::Entity>) -> sea_orm::Select<show::Entity> {
        match self.brand_id() {
            Some(brand_id) => query.filter(show::Column::BrandId.eq(brand_id)),
            None => query.filter(show::Column::BrandId.is_null()),
        }
    }

    /// This host's show `id`; `NotFound` for anyone else's.
    pub async fn show(&self, db: &impl ConnectionTrait, id: &str) -> Result<show::Model, AppError> {
        let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        self.filter(show::Entity::find_by_id(id))
            .one(db)
            .await?
            .ok_or(AppError::NotFound)
    }
}
