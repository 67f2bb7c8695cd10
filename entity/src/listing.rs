//! `listing`: a product a brand sells, with one or more variants (`sku`).

use sea_orm::entity::prelude::*;

use crate::values::ListingStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "listing")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    /// The brand's display name, copied here so search and cards need no join.
    pub brand_name: String,
    pub title: String,
    /// The description as the brand wrote it (a subset of Markdown).
    #[sea_orm(column_type = "Text")]
    pub description_md: String,
    /// The description rendered and sanitised once, at save time.
    #[sea_orm(column_type = "Text")]
    pub description_html: String,
    pub category: String,
    /// `draft`, `published` or `archived`.
    pub status: ListingStatus,
    /// Published and its brand live: what shoppers may see.
    pub visible: bool,
    /// JSON: `[{"name":"Size","values":["S","M"]}]`.
    #[sea_orm(column_type = "Text")]
    pub options: String,
    pub currency: String,
    pub price_min_minor: i64,
    pub price_max_minor: i64,
    /// Units available over all variants and locations (for "in stock" filters).
    pub available: i64,
    pub cover_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// SQLite only: the listing's row id in the `listing_fts` index, assigned in the order
    /// listings are indexed (newest highest) so search can take the newest matches first.
    /// `None` when not indexed, and always on PostgreSQL (its index follows the row).
    pub search_key: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
