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
pub mod brand_order;
pub mod cart;
pub mod cart_line;
pub mod catalog_import;
pub mod idempotency_record;
pub mod listing;
pub mod listing_media;
pub mod login_throttle;
pub mod mail_outbox;
pub mod media;
pub mod order_line;
pub mod payment;
pub mod payment_method;
pub mod platform_setting;
pub mod refund;
pub mod sale_gate;
pub mod saved_address;
pub mod shop_order;
pub mod show;
pub mod show_chat_ban;
pub mod show_event;
pub mod show_look;
pub mod show_look_item;
pub mod show_presence;
pub mod sku;
pub mod sku_purchase;
pub mod stock_level;
pub mod stock_location;
pub mod stock_movement;
