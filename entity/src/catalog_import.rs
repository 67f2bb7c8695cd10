//! `catalog_import`: one CSV upload of listings, variants and stock, processed in the
//! background (and resumed after a restart).

use sea_orm::entity::prelude::*;

use crate::values::ImportStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_import")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    /// The member who uploaded it; the job acts with their role.
    pub created_by: Uuid,
    pub file_name: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: ImportStatus,
    /// The uploaded CSV.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub total_rows: i32,
    pub processed_rows: i32,
    pub created_listings: i32,
    pub updated_listings: i32,
    pub refused_rows: i32,
    /// CSV of the refused rows: line, SKU, reason.
    #[sea_orm(column_type = "Text", nullable)]
    pub error_report: Option<String>,
    /// Why the whole job failed (not a row), if it did.
    #[sea_orm(column_type = "Text", nullable)]
    pub failure: Option<String>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// Last sign of life of the worker running it; a stale one lets another worker take over.
    pub heartbeat_at: Option<DateTimeUtc>,
    /// The token of the worker that owns the running job; only it writes progress.
    pub worker: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
