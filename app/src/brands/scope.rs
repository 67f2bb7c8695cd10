//! `BrandScope`: the only way to reach a brand's data.
//!
//! A scope is made by [`BrandScope::resolve`] from the request's [`Caller`] — a member of the
//! brand's team (with a sufficient role, checked by the one guard `auth::require_brand_role`),
//! a platform admin, a live API token of the brand, or the applicant while the application is
//! under review, as the action's [`Need`] allows. Background work done on someone's behalf
//! (an import) re-checks the membership with [`BrandScope::for_member`]. Tenant-scoped
//! services take a `&BrandScope` and read through it ([`BrandScope::find`],
//! [`BrandScope::narrow`]), so a query without a checked membership does not compile.
//! Outsiders get `NotFound` (a brand's team pages do not reveal that it exists), members with
//! too small a role `Forbidden`.

use entity::{brand, brand_api_token, brand_membership};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DeleteMany, EntityTrait, QueryFilter, Select,
    UpdateMany,
};
use uuid::Uuid;

use crate::auth::{require_brand_role, Account, BrandAccess, BrandRole, Caller};
use crate::core::AppError;

/// What an action on a brand asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    role: BrandRole,
    tokens: Tokens,
    applicant: bool,
}

/// Which of a brand's API tokens an action accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tokens {
    Refused,
    Read,
    Write,
}

impl Need {
    /// Reading: members with at least `role`, and any live token of the brand.
    pub const fn read(role: BrandRole) -> Need {
        Need {
            role,
            tokens: Tokens::Read,
            applicant: false,
        }
    }

    /// Changing data: members with at least `role`, and the brand's write tokens.
    pub const fn write(role: BrandRole) -> Need {
        Need {
            role,
            tokens: Tokens::Write,
            applicant: false,
        }
    }

    /// People only (the team, API tokens): members with at least `role`, never a token.
    pub const fn people(role: BrandRole) -> Need {
        Need {
            role,
            tokens: Tokens::Refused,
            applicant: false,
        }
    }

    /// Also lets in the person who applied for the brand while the application is under
    /// review (pending or changes requested), e.g. to add a logo to it.
    pub const fn or_applicant(self) -> Need {
        Need {
            applicant: true,
            ..self
        }
    }
}

/// Proof that the caller may act on one brand, with how.
#[derive(Debug, Clone)]
pub struct BrandScope {
    brand_id: Uuid,
    slug: String,
    account_id: Uuid,
    access: BrandAccess,
}

/// A table whose rows each belong to one brand (a `brand_id` column).
pub trait BrandOwned: EntityTrait {
    /// The column naming the owning brand.
    fn brand_column() -> Self::Column;
}

macro_rules! brand_owned {
    ($($table:ident),+ $(,)?) => {
        $(impl BrandOwned for entity::$table::Entity {
            fn brand_column() -> Self::Column {
                entity::$table::Column::BrandId
            }
        })+
    };
}

brand_owned!(
    brand_api_token,
    brand_invite,
    brand_membership,
    brand_order,
    catalog_import,
    listing,
    presale_campaign,
    presale_line,
    promotion,
    sku,
    stock_level,
    stock_location,
    stock_movement,
);

impl BrandScope {
    /// Checks that `caller` may act on the brand `slug` as `need` says, and returns the scope
    /// together with the brand row. A bearer token is checked as the brand's own system (it
    /// must belong to this brand; another brand's token gets `NotFound`); otherwise the
    /// signed-in account's membership (or platform-admin role, or application) decides.
    pub async fn resolve(
        db: &impl ConnectionTrait,
        caller: &Caller,
        slug: &str,
        need: Need,
    ) -> Result<(BrandScope, brand::Model), AppError> {
        if let Some(token) = caller.bearer() {
            let found =
                Self::from_token(db, token, Some(slug), need.tokens == Tokens::Write).await?;
            // A live token of this brand, but for work only people may do.
            if need.tokens == Tokens::Refused {
                return Err(AppError::Forbidden);
            }
            return Ok(found);
        }
        let account = crate::auth::require_signed_in(caller.account())?;
        if need.applicant {
            if let Some(scope) = Self::applicant(db, account, slug).await? {
                return Ok(scope);
            }
        }
        let brand = brand::Entity::find()
            .filter(brand::Column::Slug.eq(slug))
            .one(db)
            .await?;
        Self::member(db, account, brand, need.role).await
    }

    /// The scope of the brand whose write token the caller presented, if they presented one:
    /// a brand's own system placing an order names no brand, and may sell only its own SKUs.
    pub async fn of_bearer(
        db: &impl ConnectionTrait,
        caller: &Caller,
    ) -> Result<Option<BrandScope>, AppError> {
        match caller.bearer() {
            Some(token) => Ok(Some(Self::from_token(db, token, None, true).await?.0)),
            None => Ok(None),
        }
    }

    /// The scope of work done later on someone's behalf (a background import): the account
    /// must still be a member of the brand with at least `min` (or a platform admin).
    pub async fn for_member(
        db: &impl ConnectionTrait,
        brand_id: Uuid,
        account_id: Uuid,
        min: BrandRole,
    ) -> Result<BrandScope, AppError> {
        let brand = brand::Entity::find_by_id(brand_id).one(db).await?;
        let account = entity::account::Entity::find_by_id(account_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Self::member(db, &Account::from(&account), brand, min)
            .await?
            .0)
    }

    /// `account`'s scope in `brand` through its membership there (or the admin role).
    async fn member(
        db: &impl ConnectionTrait,
        account: &Account,
        brand: Option<brand::Model>,
        min: BrandRole,
    ) -> Result<(BrandScope, brand::Model), AppError> {
        let membership = match &brand {
            Some(brand) => brand_membership::Entity::find_by_id((brand.id, account.id))
                .one(db)
                .await?
                .map(|m| m.role),
            None => None,
        };
        let access = require_brand_role(Some(account), membership, min)?;
        // An admin asking for a brand that does not exist still gets a 404.
        let brand = brand.ok_or(AppError::NotFound)?;
        Ok((
            BrandScope {
                brand_id: brand.id,
                slug: brand.slug.clone(),
                account_id: account.id,
                access,
            },
            brand,
        ))
    }

    /// The applicant's scope in their own application under review, if `slug` is one.
    async fn applicant(
        db: &impl ConnectionTrait,
        account: &Account,
        slug: &str,
    ) -> Result<Option<(BrandScope, brand::Model)>, AppError> {
        if !account.email_verified {
            return Ok(None);
        }
        let under_review = [
            super::BrandStatus::Pending.as_str(),
            super::BrandStatus::ChangesRequested.as_str(),
        ];
        let own_application = brand::Entity::find()
            .filter(brand::Column::Slug.eq(slug))
            .filter(brand::Column::ApplicantAccountId.eq(account.id))
            .filter(brand::Column::Status.is_in(under_review))
            .one(db)
            .await?;
        Ok(own_application.map(|brand| {
            let scope = BrandScope {
                brand_id: brand.id,
                slug: brand.slug.clone(),
                account_id: account.id,
                access: BrandAccess::Applicant,
            };
            (scope, brand)
        }))
    }

    /// The scope of a brand's own system calling with a bearer token: the token must be live,
    /// its creator still an owner, the brand live, and, when `slug` is given, belong to that brand; `write` asks for a token that may
    /// change data.
    async fn from_token(
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
        // A token acts with its creator's authority: it stops when they are no longer an
        // owner of the brand, and while the brand is not live (suspended) it does nothing.
        let creator = brand_membership::Entity::find_by_id((brand.id, row.created_by))
            .one(db)
            .await?;
        if creator.is_none_or(|m| m.role != BrandRole::Owner) {
            return Err(AppError::Unauthorized);
        }
        if brand.status != entity::values::BrandStatus::Approved {
            return Err(AppError::Forbidden);
        }
        let may_write = row.scope == super::TokenScope::Write;
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

    /// Rows of `E` that belong to this brand.
    pub fn find<E: BrandOwned>(&self) -> Select<E> {
        self.narrow(E::find())
    }

    /// Narrows `query` to this brand's rows.
    pub fn narrow<E: BrandOwned>(&self, query: Select<E>) -> Select<E> {
        query.filter(E::brand_column().eq(self.brand_id))
    }

    /// An update of this brand's rows of `E` (add further filters to pick which).
    pub fn update_many<E: BrandOwned>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::brand_column().eq(self.brand_id))
    }

    /// A deletion of this brand's rows of `E` (add further filters to pick which).
    pub fn delete_many<E: BrandOwned>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::brand_column().eq(self.brand_id))
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

    /// The brand this scope reaches (for rows being created; reads go through
    /// [`BrandScope::find`]).
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
