//! Places to claim coupons and red envelopes beyond the storefront: a show's drop, and a QR
//! code printed at a store.
//!
//! - `show_look.coupon_lineage_id`: the coupon promotion (its lineage, so a new approved
//!   version keeps the moment) the drop hands out; none: no coupon moment.
//! - `show_look.envelope_moment`: the drop hides a red-envelope ("find the cat") moment.
//! - `coupon.order_id` is indexed: an order that lapses or is cancelled finds its coupon by it.
//! - `claim_link`: a claim link a brand (or the platform) prints as a QR code — a place's
//!   name, the coupon it hands out and/or a red-envelope moment, until `expires_at`. Its
//!   `token` (256 random bits) is the address: unguessable, so links cannot be forged or
//!   stretched, and kept so the QR code can be printed again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for column in [
            uuid_null(ShowLook::CouponLineageId).to_owned(),
            boolean(ShowLook::EnvelopeMoment).default(false).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ShowLook::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ClaimLink::Table)
                    .col(uuid(ClaimLink::Id).primary_key())
                    .col(string_len(ClaimLink::Token, 64).unique_key())
                    .col(uuid_null(ClaimLink::BrandId))
                    .col(string_len(ClaimLink::Place, 80))
                    .col(uuid_null(ClaimLink::LineageId))
                    .col(boolean(ClaimLink::Envelope))
                    .col(timestamp_with_time_zone(ClaimLink::ExpiresAt))
                    .col(uuid(ClaimLink::CreatedBy))
                    .col(timestamp_with_time_zone(ClaimLink::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // What an order gives back when it lapses or is cancelled is found by the order.
        manager
            .create_index(
                Index::create()
                    .name("idx_coupon_order")
                    .table(Coupon::Table)
                    .col(Coupon::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_claim_link_brand")
                    .table(ClaimLink::Table)
                    .col(ClaimLink::BrandId)
                    .col(ClaimLink::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ClaimLink::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_coupon_order")
                    .table(Coupon::Table)
                    .to_owned(),
            )
            .await?;
        for column in [ShowLook::CouponLineageId, ShowLook::EnvelopeMoment] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ShowLook::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ShowLook {
    Table,
    CouponLineageId,
    EnvelopeMoment,
}

#[derive(DeriveIden)]
enum Coupon {
    Table,
    OrderId,
}

#[derive(DeriveIden)]
enum ClaimLink {
    Table,
    Id,
    Token,
    BrandId,
    Place,
    LineageId,
    Envelope,
    ExpiresAt,
    CreatedBy,
    CreatedAt,
}
