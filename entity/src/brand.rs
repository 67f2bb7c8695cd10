//! `brand`: a tenant. Created by an application, reviewed by platform admins.

use sea_orm::entity::prelude::*;

use crate::values::BrandStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// URL name, unique: `/b/<slug>`, `/brand/<slug>/...`.
    #[sea_orm(unique)]
    pub slug: String,
    pub legal_name: String,
    pub display_name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub category: String,
    pub contact_email: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub licence_number: String,
    pub logo_path: Option<String>,
    /// `pending`, `changes_requested`, `approved`, `rejected` or `suspended`.
    pub status: BrandStatus,
    /// The admin's reason for the last decision (rejection, requested changes, suspension).
    #[sea_orm(column_type = "Text", nullable)]
    pub review_note: Option<String>,
    pub applicant_account_id: Uuid,
    pub submitted_at: DateTimeUtc,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
