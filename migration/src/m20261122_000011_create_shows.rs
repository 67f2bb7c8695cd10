//! Live shows ("See Now, Buy Now"): shows and their run-sheet of looks, the per-show event log
//! the real-time hub replays, chat bans, per-node viewer counts; a SKU's sale channel and
//! window (how show-exclusive SKUs are kept off every other channel); a shopper's saved
//! address for one-tap buying.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Show::Table)
                    .col(uuid(Show::Id).primary_key())
                    .col(uuid(Show::BrandId))
                    .col(string_len(Show::Title, 120))
                    .col(text(Show::Description).default(""))
                    .col(string_len(Show::StreamUrl, 500))
                    .col(string_len_null(Show::CoverUrl, 500))
                    .col(timestamp_with_time_zone(Show::StartsAt))
                    .col(timestamp_with_time_zone(Show::EndsAt))
                    // draft, submitted, approved, rejected, live, ended
                    .col(string_len(Show::Status, 16))
                    .col(text_null(Show::ReviewNote))
                    .col(integer(Show::SlowModeSecs).default(0))
                    .col(text(Show::BlockedWords).default(""))
                    .col(uuid_null(Show::PinnedSkuId))
                    // The last event's sequence number; bumped with every event in its
                    // transaction, so events are totally ordered per show across nodes.
                    .col(big_integer(Show::EventSeq).default(0))
                    .col(big_integer(Show::Reactions).default(0))
                    .col(timestamp_with_time_zone_null(Show::LiveAt))
                    .col(timestamp_with_time_zone_null(Show::EndedAt))
                    .col(timestamp_with_time_zone(Show::CreatedAt))
                    .col(timestamp_with_time_zone(Show::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Show::Table, Show::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_show_brand")
                    .table(Show::Table)
                    .col(Show::BrandId)
                    .col(Show::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_show_status")
                    .table(Show::Table)
                    .col(Show::Status)
                    .col(Show::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShowLook::Table)
                    .col(uuid(ShowLook::Id).primary_key())
                    .col(uuid(ShowLook::ShowId))
                    .col(integer(ShowLook::Position))
                    .col(string_len(ShowLook::Title, 120))
                    .col(text(ShowLook::Note).default(""))
                    .col(integer_null(ShowLook::FlashSecs))
                    .col(timestamp_with_time_zone_null(ShowLook::RevealedAt))
                    .col(timestamp_with_time_zone_null(ShowLook::WindowOpensAt))
                    .col(timestamp_with_time_zone_null(ShowLook::WindowClosesAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ShowLook::Table, ShowLook::ShowId)
                            .to(Show::Table, Show::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_show_look_position")
                    .table(ShowLook::Table)
                    .col(ShowLook::ShowId)
                    .col(ShowLook::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShowLookItem::Table)
                    .col(uuid(ShowLookItem::LookId))
                    .col(uuid(ShowLookItem::SkuId))
                    .col(boolean(ShowLookItem::Exclusive).default(false))
                    .col(integer(ShowLookItem::Position))
                    .primary_key(
                        Index::create()
                            .col(ShowLookItem::LookId)
                            .col(ShowLookItem::SkuId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ShowLookItem::Table, ShowLookItem::LookId)
                            .to(ShowLook::Table, ShowLook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ShowLookItem::Table, ShowLookItem::SkuId)
                            .to(Sku::Table, Sku::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShowEvent::Table)
                    .col(uuid(ShowEvent::ShowId))
                    .col(big_integer(ShowEvent::Seq))
                    .col(string_len(ShowEvent::Kind, 24))
                    .col(text(ShowEvent::Payload))
                    .col(uuid_null(ShowEvent::AuthorId))
                    .col(timestamp_with_time_zone(ShowEvent::CreatedAt))
                    .primary_key(Index::create().col(ShowEvent::ShowId).col(ShowEvent::Seq))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ShowEvent::Table, ShowEvent::ShowId)
                            .to(Show::Table, Show::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Chat slow mode and rate limits look up an author's last message.
        manager
            .create_index(
                Index::create()
                    .name("idx_show_event_author")
                    .table(ShowEvent::Table)
                    .col(ShowEvent::ShowId)
                    .col(ShowEvent::AuthorId)
                    .col(ShowEvent::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShowChatBan::Table)
                    .col(uuid(ShowChatBan::ShowId))
                    .col(uuid(ShowChatBan::AccountId))
                    // Muted until then; none: banned from this show's chat.
                    .col(timestamp_with_time_zone_null(ShowChatBan::Until))
                    .col(timestamp_with_time_zone(ShowChatBan::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ShowChatBan::ShowId)
                            .col(ShowChatBan::AccountId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ShowChatBan::Table, ShowChatBan::ShowId)
                            .to(Show::Table, Show::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShowPresence::Table)
                    .col(uuid(ShowPresence::ShowId))
                    .col(string_len(ShowPresence::NodeId, 64))
                    .col(integer(ShowPresence::Viewers))
                    .col(timestamp_with_time_zone(ShowPresence::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ShowPresence::ShowId)
                            .col(ShowPresence::NodeId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ShowPresence::Table, ShowPresence::ShowId)
                            .to(Show::Table, Show::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SavedAddress::Table)
                    .col(uuid(SavedAddress::AccountId).primary_key())
                    .col(text(SavedAddress::Address))
                    .col(timestamp_with_time_zone(SavedAddress::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SavedAddress::Table, SavedAddress::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sku::Table)
                    .add_column(string_len_null(Sku::SaleChannel, 16))
                    .to_owned(),
            )
            .await?;
        for column in [Sku::SaleOpensAt, Sku::SaleClosesAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sku::Table)
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Sku::SaleClosesAt, Sku::SaleOpensAt, Sku::SaleChannel] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sku::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            SavedAddress::Table.into_iden(),
            ShowPresence::Table.into_iden(),
            ShowChatBan::Table.into_iden(),
            ShowEvent::Table.into_iden(),
            ShowLookItem::Table.into_iden(),
            ShowLook::Table.into_iden(),
            Show::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sku {
    Table,
    Id,
    SaleChannel,
    SaleOpensAt,
    SaleClosesAt,
}

#[derive(DeriveIden)]
enum Show {
    Table,
    Id,
    BrandId,
    Title,
    Description,
    StreamUrl,
    CoverUrl,
    StartsAt,
    EndsAt,
    Status,
    ReviewNote,
    SlowModeSecs,
    BlockedWords,
    PinnedSkuId,
    EventSeq,
    Reactions,
    LiveAt,
    EndedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShowLook {
    Table,
    Id,
    ShowId,
    Position,
    Title,
    Note,
    FlashSecs,
    RevealedAt,
    WindowOpensAt,
    WindowClosesAt,
}

#[derive(DeriveIden)]
enum ShowLookItem {
    Table,
    LookId,
    SkuId,
    Exclusive,
    Position,
}

#[derive(DeriveIden)]
enum ShowEvent {
    Table,
    ShowId,
    Seq,
    Kind,
    Payload,
    AuthorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ShowChatBan {
    Table,
    ShowId,
    AccountId,
    Until,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ShowPresence {
    Table,
    ShowId,
    NodeId,
    Viewers,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SavedAddress {
    Table,
    AccountId,
    Address,
    UpdatedAt,
}
