//! SeaORM entities for Gala, one module per table.
//!
//! Entities describe rows only; the rules that read and write them live in the `app` crate's
//! capability services.

pub mod platform_setting;
