//! Catalog types shared by the browser and the server.

use serde::{Deserialize, Serialize};

pub use entity::values::{ImportStatus, ListingStatus, LocationKind, MovementKind, OrderChannel};

/// A listing option such as "Size" with its values ("S", "M", "L").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingOption {
    pub name: String,
    pub values: Vec<String>,
}

/// A variant as a brand writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VariantInput {
    /// The brand's SKU code, unique within the brand.
    pub code: String,
    /// One value per option, in the options' order.
    #[serde(default)]
    pub option_values: Vec<String>,
    pub price_minor: i64,
    #[serde(default)]
    pub compare_at_minor: Option<i64>,
    #[serde(default)]
    pub weight_grams: i32,
    #[serde(default)]
    pub barcode: Option<String>,
    /// Most units one buyer may hold (drops often allow 1); absent: no limit.
    #[serde(default)]
    pub purchase_limit: Option<i32>,
}

/// A listing as a brand writes it (create and full update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    /// ISO 4217 code; every variant is priced in it.
    pub currency: String,
    #[serde(default)]
    pub options: Vec<ListingOption>,
    pub variants: Vec<VariantInput>,
}

/// A variant as read back, with its stock over all locations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Variant {
    pub id: String,
    pub code: String,
    pub option_values: Vec<String>,
    pub price_minor: i64,
    pub compare_at_minor: Option<i64>,
    pub currency: String,
    pub weight_grams: i32,
    pub barcode: Option<String>,
    /// Most units one buyer may hold; `None`: no limit.
    pub purchase_limit: Option<i32>,
    /// Units the storefront can sell now (on hand − reserved over the open locations: not
    /// units set aside for a show).
    pub available: i64,
}

/// A listing as its team sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingDetail {
    pub id: String,
    pub brand_slug: String,
    pub brand_name: String,
    pub title: String,
    /// The Markdown as written.
    pub description: String,
    /// The description rendered and sanitised (safe to insert as HTML).
    pub description_html: String,
    pub category: String,
    pub status: ListingStatus,
    pub currency: String,
    pub options: Vec<ListingOption>,
    pub variants: Vec<Variant>,
    pub images: Vec<ListingImage>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A listing photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingImage {
    /// The image's id (for removing it or making it the cover).
    pub id: String,
    pub url: String,
    pub thumb_url: String,
}

/// A listing in a list or a search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingCard {
    pub id: String,
    pub title: String,
    pub brand_name: String,
    pub category: String,
    pub status: ListingStatus,
    pub currency: String,
    pub price_min_minor: i64,
    pub price_max_minor: i64,
    pub available: i64,
    pub cover_url: Option<String>,
}

/// A page of listings; pass `next_cursor` back as `after` for the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingPage {
    pub items: Vec<ListingCard>,
    pub next_cursor: Option<String>,
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum SearchSort {
    /// Best match first (newest first without a query).
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl SearchSort {
    /// Stable name used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchSort::Relevance => "relevance",
            SearchSort::PriceAsc => "price_asc",
            SearchSort::PriceDesc => "price_desc",
            SearchSort::Newest => "newest",
        }
    }

    /// Parses [`SearchSort::as_str`]'s output.
    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Relevance,
            Self::PriceAsc,
            Self::PriceDesc,
            Self::Newest,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// A storefront search: every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SearchQuery {
    /// Words to find in title, brand and description (prefixes match: "silk" finds "silky").
    /// With words, the newest 500 matches are considered: ranked by relevance or sorted as
    /// asked, and paged.
    #[serde(default)]
    pub q: Option<String>,
    /// A category (`fashion`, `beauty`, …).
    #[serde(default)]
    pub category: Option<String>,
    /// A brand's slug.
    #[serde(default)]
    pub brand: Option<String>,
    /// Lowest price, in minor units of the listing's currency.
    #[serde(default)]
    pub min_price: Option<i64>,
    /// Highest price, in minor units.
    #[serde(default)]
    pub max_price: Option<i64>,
    /// Only listings with units available now.
    #[serde(default)]
    pub in_stock: Option<bool>,
    /// `relevance` (the default with words), `newest` (the default without), `price_asc`,
    /// `price_desc`.
    #[serde(default)]
    pub sort: Option<SearchSort>,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub after: Option<String>,
    /// Results per page, 1–100 (default 24).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A stock location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StockLocationInfo {
    pub id: String,
    pub name: String,
    pub kind: LocationKind,
}

/// A SKU's stock at one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StockLevelInfo {
    pub sku_code: String,
    pub location_id: String,
    pub location_name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

/// What a stock change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum StockChangeKind {
    /// Goods arrived: on hand goes up.
    Receive,
    /// A count correction, up or down (damage, loss, recount).
    Adjust,
    /// Moved to another location.
    Transfer,
}

/// A stock change requested by a brand's team or system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StockChange {
    pub kind: StockChangeKind,
    pub sku_code: String,
    pub location_id: String,
    /// For transfers: where the units go.
    #[serde(default)]
    pub to_location_id: Option<String>,
    /// Positive for receive and transfer; any non-zero value for adjust.
    pub quantity: i64,
    pub reason: String,
}

/// One row of the stock ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StockMovementInfo {
    pub kind: MovementKind,
    pub sku_code: String,
    pub location_name: String,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub reason: String,
    pub reference: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The storefront's categories (the brands' categories).
pub use crate::brands::CATEGORIES;

/// A bulk import as its brand's team follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportJob {
    pub id: String,
    pub file_name: String,
    pub status: ImportStatus,
    pub total_rows: i32,
    pub processed_rows: i32,
    pub created_listings: i32,
    pub updated_listings: i32,
    pub refused_rows: i32,
    /// Whether a report of refused rows can be downloaded.
    pub has_error_report: bool,
    /// Why the whole job failed, if it did.
    pub failure: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The columns of the catalog CSV (import and export), one row per variant (or per variant
/// and location, for stock in several places).
pub const CSV_COLUMNS: &[&str] = &[
    "listing_ref",
    "title",
    "description",
    "category",
    "currency",
    "status",
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "option3_name",
    "option3_value",
    "sku",
    "price",
    "compare_at_price",
    "weight_grams",
    "barcode",
    "purchase_limit",
    "location",
    "on_hand",
];

/// Why an import file was refused as a whole. Its code travels in the import form's redirect;
/// its message is what people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProblem {
    MissingFile,
    NotUtf8,
    NotCsv,
    MissingColumns,
    TooManyRows,
    NoRows,
}

impl ImportProblem {
    const ALL: [ImportProblem; 6] = [
        Self::MissingFile,
        Self::NotUtf8,
        Self::NotCsv,
        Self::MissingColumns,
        Self::TooManyRows,
        Self::NoRows,
    ];

    /// Stable short name.
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingFile => "missing_file",
            Self::NotUtf8 => "not_utf8",
            Self::NotCsv => "not_csv",
            Self::MissingColumns => "missing_columns",
            Self::TooManyRows => "too_many_rows",
            Self::NoRows => "no_rows",
        }
    }

    /// Parses [`ImportProblem::code`]'s output.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// What to tell the uploader.
    pub fn message(self) -> &'static str {
        match self {
            Self::MissingFile => "Choose a CSV file.",
            Self::NotUtf8 => "The file must be CSV text in UTF-8 (in a spreadsheet: Save as CSV UTF-8).",
            Self::NotCsv => "The file is not valid CSV.",
            Self::MissingColumns => "The header row must name at least: listing_ref, title, category, currency, sku, price.",
            Self::TooManyRows => "A file may hold at most 200,000 rows; split it.",
            Self::NoRows => "The file has a header row but no data rows.",
        }
    }

    /// The validation error on the `file` field.
    pub fn into_error(self) -> crate::core::AppError {
        crate::core::AppError::field("file", self.message())
    }
}
