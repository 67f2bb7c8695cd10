//! Orders keep what was actually charged, where their units came from, and refunds get their
//! own table.
//!
//! - `order_line.adjustments` (JSON) and `order_line.total_minor`: the price quote's
//!   adjustments on the line (discounts, credits: each with its kind, source and funder) and
//!   what the line cost after them, which refunds are computed from. Existing lines had none:
//!   their total is quantity × unit price.
//! - `brand_order.adjustments_minor`, `shop_order.adjustments_minor`: the sum of the lines'
//!   adjustments (negative for discounts), so `total = subtotal + adjustments + shipping`.
//! - `shop_order.pool`: the stock pool the order drew on — `open`, or `show:<id>` for a show's
//!   buyers. Orders made before it are `open`, except those bought through a show (the show
//!   channel, one of its looks' SKUs, while it was on air), which get that show's pool so the
//!   show's figures keep counting them. `idx_shop_order_pool` indexes the orders of pools
//!   other than `open` (a show's figures read its orders every second); open-stock orders,
//!   nearly all of them, stay out of it, so checkout writes no extra index entry for them.
//! - `refund`: refunds move out of `payment` into their own table, written only by
//!   fulfilment, with the brand order each refunds. `payment` keeps the charges the checkout
//!   makes, so its `kind` column goes.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{
        prelude::{DateTimeUtc, Uuid},
        ConnectionTrait,
    },
    SchemaManagerConnection,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = |table: TableRef, column: ColumnDef| {
            Table::alter().table(table).add_column(column).to_owned()
        };
        manager
            .alter_table(add(
                OrderLine::Table.into_table_ref(),
                text(OrderLine::Adjustments).default("[]").to_owned(),
            ))
            .await?;
        manager
            .alter_table(add(
                OrderLine::Table.into_table_ref(),
                big_integer(OrderLine::TotalMinor).default(0).to_owned(),
            ))
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE order_line SET total_minor = quantity * unit_price_minor")
            .await?;
        for table in [
            BrandOrder::Table.into_table_ref(),
            ShopOrder::Table.into_table_ref(),
        ] {
            manager
                .alter_table(add(
                    table,
                    big_integer(Alias::new("adjustments_minor"))
                        .default(0)
                        .to_owned(),
                ))
                .await?;
        }
        manager
            .alter_table(add(
                ShopOrder::Table.into_table_ref(),
                string_len(ShopOrder::Pool, 48).default("open").to_owned(),
            ))
            .await?;
        backfill_show_pools(db).await?;
        db.execute_unprepared(
            "CREATE INDEX idx_shop_order_pool ON shop_order (pool) WHERE pool <> 'open'",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Refund::Table)
                    .col(uuid(Refund::Id).primary_key())
                    .col(uuid(Refund::OrderId))
                    .col(uuid_null(Refund::BrandOrderId))
                    .col(string_len(Refund::Provider, 32))
                    .col(string_len(Refund::Status, 16))
                    .col(string_len_null(Refund::Reference, 128))
                    .col(big_integer(Refund::AmountMinor))
                    .col(string_len(Refund::Currency, 3))
                    .col(timestamp_with_time_zone(Refund::CreatedAt))
                    .col(timestamp_with_time_zone(Refund::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Refund::Table, Refund::OrderId)
                            .to(ShopOrder::Table, ShopOrder::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refund_order")
                    .table(Refund::Table)
                    .col(Refund::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refund_status")
                    .table(Refund::Table)
                    .col(Refund::Status)
                    .col(Refund::CreatedAt)
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO refund (id, order_id, brand_order_id, provider, status, reference, \
             amount_minor, currency, created_at, updated_at) \
             SELECT id, order_id, NULL, provider, status, reference, amount_minor, currency, \
             created_at, updated_at FROM payment WHERE kind = 'refund'",
        )
        .await?;
        db.execute_unprepared("DELETE FROM payment WHERE kind = 'refund'")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .drop_column(Payment::Kind)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .add_column(string_len(Payment::Kind, 16).default("charge"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO payment (id, order_id, provider, kind, status, reference, amount_minor, \
             currency, card_brand, card_last4, failure_code, created_at, updated_at) \
             SELECT id, order_id, provider, 'refund', status, reference, amount_minor, \
             currency, NULL, NULL, NULL, created_at, updated_at FROM refund",
        )
        .await?;
        manager
            .drop_table(Table::drop().table(Refund::Table).to_owned())
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_shop_order_pool")
            .await?;
        let drop = |table: TableRef, column: DynIden| {
            Table::alter().table(table).drop_column(column).to_owned()
        };
        manager
            .alter_table(drop(
                ShopOrder::Table.into_table_ref(),
                ShopOrder::Pool.into_iden(),
            ))
            .await?;
        for table in [
            ShopOrder::Table.into_table_ref(),
            BrandOrder::Table.into_table_ref(),
        ] {
            manager
                .alter_table(drop(table, Alias::new("adjustments_minor").into_iden()))
                .await?;
        }
        for column in [OrderLine::TotalMinor, OrderLine::Adjustments] {
            manager
                .alter_table(drop(OrderLine::Table.into_table_ref(), column.into_iden()))
                .await?;
        }
        Ok(())
    }
}

/// Gives the orders bought through each show that went on air that show's pool (see the
/// module's notes).
async fn backfill_show_pools(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let shows = db
        .query_all(
            &Query::select()
                .columns([Show::Id, Show::LiveAt, Show::EndedAt])
                .from(Show::Table)
                .and_where(Expr::col(Show::LiveAt).is_not_null())
                .to_owned(),
        )
        .await?;
    for show in shows {
        let id: Uuid = show.try_get("", "id")?;
        let live_at: DateTimeUtc = show.try_get("", "live_at")?;
        let ended_at: Option<DateTimeUtc> = show.try_get("", "ended_at")?;
        let skus = Query::select()
            .column((ShowLookItem::Table, ShowLookItem::SkuId))
            .from(ShowLookItem::Table)
            .inner_join(
                ShowLook::Table,
                Expr::col((ShowLook::Table, ShowLook::Id))
                    .equals((ShowLookItem::Table, ShowLookItem::LookId)),
            )
            .and_where(Expr::col((ShowLook::Table, ShowLook::ShowId)).eq(id))
            .to_owned();
        let bought = Query::select()
            .column(OrderLine::OrderId)
            .from(OrderLine::Table)
            .and_where(Expr::col(OrderLine::SkuId).in_subquery(skus))
            .to_owned();
        let mut on_air = Condition::all()
            .add(Expr::col(ShopOrder::Channel).eq("show"))
            .add(Expr::col(ShopOrder::Pool).eq("open"))
            .add(Expr::col(ShopOrder::CreatedAt).gte(live_at))
            .add(Expr::col(ShopOrder::Id).in_subquery(bought));
        if let Some(ended_at) = ended_at {
            on_air = on_air.add(Expr::col(ShopOrder::CreatedAt).lte(ended_at));
        }
        db.execute(
            &Query::update()
                .table(ShopOrder::Table)
                .value(ShopOrder::Pool, format!("show:{id}"))
                .cond_where(on_air)
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum OrderLine {
    Table,
    OrderId,
    SkuId,
    Adjustments,
    TotalMinor,
}

#[derive(DeriveIden)]
enum Show {
    Table,
    Id,
    LiveAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum ShowLook {
    Table,
    Id,
    ShowId,
}

#[derive(DeriveIden)]
enum ShowLookItem {
    Table,
    LookId,
    SkuId,
}

#[derive(DeriveIden)]
enum BrandOrder {
    Table,
}

#[derive(DeriveIden)]
enum ShopOrder {
    Table,
    Id,
    Channel,
    Pool,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Kind,
}

#[derive(DeriveIden)]
enum Refund {
    Table,
    Id,
    OrderId,
    BrandOrderId,
    Provider,
    Status,
    Reference,
    AmountMinor,
    Currency,
    CreatedAt,
    UpdatedAt,
}
