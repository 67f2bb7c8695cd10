//! `claim_link`: a claim link a brand (or the platform) prints as a QR code at a store — a
//! coupon to claim and/or a red-envelope moment, until it expires. Written only by
//! `promotions::links`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "claim_link")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The link's address (`/claim/<token>`): 256 random bits, URL-safe base64.
    #[sea_orm(unique)]
    pub token: String,
    /// The brand whose link it is; none: the platform's.
    pub brand_id: Option<Uuid>,
    /// Where it hangs ("Shanghai pop-up, door"), for buyers and the brand.
    pub place: String,
    /// The coupon promotion (its lineage) it hands out.
    pub lineage_id: Option<Uuid>,
    /// It hides a red-envelope moment, played once per buyer per link.
    pub envelope: bool,
    pub expires_at: DateTimeUtc,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
