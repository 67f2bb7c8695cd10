//! Promotions: discounts a brand or the platform funds, approved by platform admins.
//!
//! - `promotion`: one row per *version* of a promotion — its terms, its review. Versions of one
//!   promotion share a `lineage_id` (the first version's id); an approved version is frozen,
//!   and editing it makes the next version, which needs approval again.
//! - `promotion_budget`: one row per promotion (lineage): how many times it was used, how much
//!   it gave away, how many coupons were claimed. Limits live on the versions, counters here, so
//!   a new version goes on counting where the last one stopped. Every counter moves by one
//!   conditional update inside a transaction.
//! - `promotion_buyer`: per buyer and promotion, coupons claimed and orders that used it (the
//!   per-buyer limits).
//! - `coupon`: a coupon a buyer claimed: claimed → held by an order → used, or back to claimed,
//!   or expired.
//! - `promotion_use`: what one order took from one promotion for one brand: the settlement's
//!   rows, and the record that lets a lapsed or cancelled order give its use back exactly once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Promotion::Table)
                    .col(uuid(Promotion::Id).primary_key())
                    .col(uuid(Promotion::LineageId))
                    .col(integer(Promotion::Version))
                    .col(uuid_null(Promotion::BrandId))
                    .col(string_len(Promotion::Kind, 24))
                    .col(string_len(Promotion::Status, 24))
                    .col(string_len(Promotion::Name, 80))
                    .col(integer_null(Promotion::PercentOff))
                    .col(big_integer_null(Promotion::AmountOffMinor))
                    .col(big_integer_null(Promotion::ThresholdMinor))
                    .col(big_integer_null(Promotion::CapMinor))
                    .col(string_len(Promotion::Currency, 3))
                    .col(text(Promotion::ListingIds))
                    .col(text(Promotion::Categories))
                    .col(text(Promotion::BrandIds))
                    .col(text(Promotion::Channels))
                    .col(timestamp_with_time_zone(Promotion::StartsAt))
                    .col(timestamp_with_time_zone(Promotion::EndsAt))
                    .col(integer_null(Promotion::PerBuyerLimit))
                    .col(integer_null(Promotion::UsageLimit))
                    .col(big_integer_null(Promotion::BudgetMinor))
                    .col(boolean(Promotion::Combinable))
                    .col(string_len_null(Promotion::Code, 32))
                    .col(integer_null(Promotion::CouponStock))
                    .col(integer_null(Promotion::ClaimLimit))
                    .col(text_null(Promotion::ReviewNote))
                    .col(uuid_null(Promotion::ReviewedBy))
                    .col(timestamp_with_time_zone_null(Promotion::ReviewedAt))
                    .col(timestamp_with_time_zone_null(Promotion::SubmittedAt))
                    .col(uuid(Promotion::CreatedBy))
                    .col(timestamp_with_time_zone(Promotion::CreatedAt))
                    .col(timestamp_with_time_zone(Promotion::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Promotion::Table, Promotion::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_promotion_lineage_version",
                vec![Promotion::LineageId, Promotion::Version],
            ),
            (
                "idx_promotion_status",
                vec![Promotion::Status, Promotion::EndsAt],
            ),
            (
                "idx_promotion_brand",
                vec![Promotion::BrandId, Promotion::UpdatedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Promotion::Table);
            if name == "idx_promotion_lineage_version" {
                index.unique();
            }
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PromotionBudget::Table)
                    .col(uuid(PromotionBudget::LineageId).primary_key())
                    .col(uuid_null(PromotionBudget::BrandId))
                    .col(big_integer(PromotionBudget::Uses).default(0))
                    .col(big_integer(PromotionBudget::SpentMinor).default(0))
                    .col(big_integer(PromotionBudget::Claimed).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PromotionBuyer::Table)
                    .col(uuid(PromotionBuyer::LineageId))
                    .col(uuid(PromotionBuyer::AccountId))
                    .col(big_integer(PromotionBuyer::Claimed).default(0))
                    .col(big_integer(PromotionBuyer::Used).default(0))
                    .primary_key(
                        Index::create()
                            .col(PromotionBuyer::LineageId)
                            .col(PromotionBuyer::AccountId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Coupon::Table)
                    .col(uuid(Coupon::Id).primary_key())
                    .col(uuid(Coupon::LineageId))
                    .col(uuid_null(Coupon::BrandId))
                    .col(uuid(Coupon::AccountId))
                    .col(string_len(Coupon::Status, 16))
                    .col(uuid_null(Coupon::OrderId))
                    .col(timestamp_with_time_zone(Coupon::ClaimedAt))
                    .col(timestamp_with_time_zone(Coupon::ExpiresAt))
                    .col(timestamp_with_time_zone(Coupon::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coupon_account")
                    .table(Coupon::Table)
                    .col(Coupon::AccountId)
                    .col(Coupon::ClaimedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PromotionUse::Table)
                    .col(uuid(PromotionUse::OrderId))
                    .col(uuid(PromotionUse::LineageId))
                    .col(uuid(PromotionUse::BrandId))
                    .col(uuid_null(PromotionUse::FunderBrandId))
                    .col(uuid_null(PromotionUse::AccountId))
                    .col(uuid_null(PromotionUse::CouponId))
                    .col(big_integer(PromotionUse::AmountMinor))
                    .col(string_len(PromotionUse::Currency, 3))
                    .col(timestamp_with_time_zone(PromotionUse::CreatedAt))
                    .col(timestamp_with_time_zone_null(PromotionUse::ReturnedAt))
                    .primary_key(
                        Index::create()
                            .col(PromotionUse::OrderId)
                            .col(PromotionUse::LineageId)
                            .col(PromotionUse::BrandId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_promotion_use_lineage")
                    .table(PromotionUse::Table)
                    .col(PromotionUse::LineageId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_promotion_use_brand")
                    .table(PromotionUse::Table)
                    .col(PromotionUse::BrandId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PromotionUse::Table.into_iden(),
            Coupon::Table.into_iden(),
            PromotionBuyer::Table.into_iden(),
            PromotionBudget::Table.into_iden(),
            Promotion::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Promotion {
    Table,
    Id,
    LineageId,
    Version,
    BrandId,
    Kind,
    Status,
    Name,
    PercentOff,
    AmountOffMinor,
    ThresholdMinor,
    CapMinor,
    Currency,
    ListingIds,
    Categories,
    BrandIds,
    Channels,
    StartsAt,
    EndsAt,
    PerBuyerLimit,
    UsageLimit,
    BudgetMinor,
    Combinable,
    Code,
    CouponStock,
    ClaimLimit,
    ReviewNote,
    ReviewedBy,
    ReviewedAt,
    SubmittedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PromotionBudget {
    Table,
    LineageId,
    BrandId,
    Uses,
    SpentMinor,
    Claimed,
}

#[derive(DeriveIden)]
enum PromotionBuyer {
    Table,
    LineageId,
    AccountId,
    Claimed,
    Used,
}

#[derive(DeriveIden)]
enum Coupon {
    Table,
    Id,
    LineageId,
    BrandId,
    AccountId,
    Status,
    OrderId,
    ClaimedAt,
    ExpiresAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PromotionUse {
    Table,
    OrderId,
    LineageId,
    BrandId,
    FunderBrandId,
    AccountId,
    CouponId,
    AmountMinor,
    Currency,
    CreatedAt,
    ReturnedAt,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
