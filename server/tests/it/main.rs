//! Gala's integration tests, one binary: each module starts real servers (port 0) over fresh
//! databases and speaks HTTP to them. Every test written with [`db_test!`] runs once on SQLite
//! and once on PostgreSQL. One binary links the whole application once (fifteen used to link
//! it fifteen times), and `support` clones each test database from a migrated template.

#[macro_use]
mod support;

mod abuse;
mod api_fuzz;
mod brand_isolation;
mod brands;
mod cart;
mod catalog;
mod catalog_import;
mod checkout;
mod checkout_crash;
mod cli;
mod database;
mod fulfilment;
mod identity;
mod mail;
mod openapi;
mod platform;
mod presale;
mod promotions;
mod shows;
mod stock_and_gates;
