//! Identity: accounts, server-side sessions, single-use email tokens, sign-in throttling, the
//! audit log and the durable mail outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(uuid(Account::Id).primary_key())
                    .col(string_len_uniq(Account::Email, 254))
                    .col(string_len(Account::DisplayName, 80))
                    .col(string_len(Account::PasswordHash, 255))
                    .col(timestamp_with_time_zone_null(Account::EmailVerifiedAt))
                    .col(boolean(Account::IsPlatformAdmin).default(false))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .col(timestamp_with_time_zone(Account::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthSession::Table)
                    .col(string_len(AuthSession::Id, 64).primary_key())
                    .col(uuid_null(AuthSession::AccountId))
                    .col(text(AuthSession::Data))
                    .col(timestamp_with_time_zone(AuthSession::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthSession::Table, AuthSession::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_auth_session_account")
                    .table(AuthSession::Table)
                    .col(AuthSession::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_auth_session_expires")
                    .table(AuthSession::Table)
                    .col(AuthSession::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthToken::Table)
                    .col(uuid(AuthToken::Id).primary_key())
                    .col(uuid(AuthToken::AccountId))
                    .col(string_len(AuthToken::Purpose, 16))
                    .col(string_len_uniq(AuthToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(AuthToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthToken::UsedAt))
                    .col(timestamp_with_time_zone(AuthToken::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthToken::Table, AuthToken::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    .col(string_len(LoginThrottle::Key, 320).primary_key())
                    .col(integer(LoginThrottle::Failures))
                    .col(timestamp_with_time_zone(LoginThrottle::LastFailureAt))
                    .col(timestamp_with_time_zone_null(LoginThrottle::BlockedUntil))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(uuid(AuditEvent::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                    .col(uuid_null(AuditEvent::ActorAccountId))
                    .col(string_len(AuditEvent::Action, 64))
                    .col(string_len_null(AuditEvent::Subject, 320))
                    .col(string_len_null(AuditEvent::ClientAddr, 64))
                    .col(text_null(AuditEvent::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_actor_time")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::ActorAccountId)
                    .col(AuditEvent::OccurredAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(uuid(MailOutbox::Id).primary_key())
                    .col(string_len(MailOutbox::ToAddress, 254))
                    .col(string_len(MailOutbox::Subject, 255))
                    .col(text(MailOutbox::TextBody))
                    .col(text(MailOutbox::HtmlBody))
                    .col(string_len(MailOutbox::Status, 16))
                    .col(integer(MailOutbox::Attempts))
                    .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::LeaseUntil))
                    .col(text_null(MailOutbox::LastError))
                    .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_outbox_due")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::Status)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MailOutbox::Table.into_iden(),
            AuditEvent::Table.into_iden(),
            LoginThrottle::Table.into_iden(),
            AuthToken::Table.into_iden(),
            AuthSession::Table.into_iden(),
            Account::Table.into_iden(),
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
    Email,
    DisplayName,
    PasswordHash,
    EmailVerifiedAt,
    IsPlatformAdmin,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuthSession {
    Table,
    Id,
    AccountId,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuthToken {
    Table,
    Id,
    AccountId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Key,
    Failures,
    LastFailureAt,
    BlockedUntil,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    OccurredAt,
    ActorAccountId,
    Action,
    Subject,
    ClientAddr,
    Detail,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    ToAddress,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastError,
    CreatedAt,
    SentAt,
}
