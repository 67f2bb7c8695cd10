//! SeaORM entities for Gala, one module per table.
//!
//! Entities describe rows only; the rules that read and write them live in the `app` crate's
//! capability services.

pub mod account;
pub mod audit_event;
pub mod auth_session;
pub mod auth_token;
pub mod brand;
pub mod brand_api_token;
pub mod brand_invite;
pub mod brand_membership;
pub mod catalog_import;
pub mod listing;
pub mod listing_media;
pub mod login_throttle;
pub mod mail_outbox;
pub mod media;
pub mod platform_setting;
pub mod sku;
pub mod stock_level;
pub mod stock_location;
pub mod stock_movement;
