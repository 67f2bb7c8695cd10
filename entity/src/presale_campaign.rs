//! `presale_campaign`: a brand's pre-sale — a deposit window in the warm-up, a balance window on
//! the festival day, a per-buyer limit and the rules for forfeits and refunds — as its team
//! drafted it and platform admins decided on it. Frozen once approved. Its SKUs, prices and
//! caps are its `presale_line`s.
use sea_orm::entity::prelude::*;

use crate::values::PresaleStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "presale_campaign")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    pub name: String,
    /// Every line's prices are in this currency.
    pub currency: String,
    pub status: PresaleStatus,
    /// Deposits are taken inside `[deposit_starts_at, deposit_ends_at)`.
    pub deposit_starts_at: DateTimeUtc,
    pub deposit_ends_at: DateTimeUtc,
    /// Balances are paid inside `[balance_starts_at, balance_ends_at)`; an order unpaid at its
    /// end is forfeited.
    pub balance_starts_at: DateTimeUtc,
    pub balance_ends_at: DateTimeUtc,
    /// Most units one buyer may put a deposit on, over the whole campaign.
    pub per_buyer_limit: i32,
    /// What a cancelled deposit is refunded at, in percent of the deposit (200: double, as
    /// PRC Civil Code art. 587 asks of a seller that defaults).
    pub refund_multiplier_percent: i32,
    /// The forfeit and refund rules in plain words, shown to buyers from the start.
    pub rules: String,
    pub review_note: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
