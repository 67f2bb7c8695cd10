//! `kill -9` in the middle of a checkout rush: after a restart every acknowledged order is
//! there and paid, and the stock ledger reconciles (initial = available + reserved + sold) —
//! on SQLite and PostgreSQL, with the real `gala` binary.

use crate::support;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use entity::{order_line, shop_order, stock_level, stock_movement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use support::{
    brands::live_brand,
    checkout::{order, sku_on_sale, SUCCESS},
    client,
    node::serve,
    smtp::free_port,
};

const INITIAL: i64 = 100_000;

db_test!(async fn every_acknowledged_order_survives_a_kill_9_during_a_rush(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "RUSH-1", INITIAL, None).await;
    let port = free_port();
    let mut gala = serve(&app.database_url, port).await;

    // 40 buyers buy as fast as they can; every 201 is an acknowledged order.
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let url = format!("http://127.0.0.1:{port}/api/v1/orders");
    let buyers: Vec<_> = (0..40)
        .map(|b| {
            let (url, sku, acknowledged) = (url.clone(), sku.clone(), acknowledged.clone());
            tokio::spawn(async move {
                let http = client();
                for i in 0.. {
                    let body = order(&sku, 1, &format!("b{b}-{i}@example.com"), SUCCESS);
                    let Ok(response) = http.post(&url).json(&body).send().await else {
                        break; // the server is gone
                    };
                    if response.status() == reqwest::StatusCode::CREATED {
                        let Ok(order) = response.json::<Value>().await else { break };
                        acknowledged.lock().unwrap().push(format!("{}?key={}", order["id"].as_str().unwrap(), order["access_key"].as_str().unwrap()));
                    }
                }
            })
        })
        .collect();
    // Kill it mid-rush, once a good number of orders were acknowledged.
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.lock().unwrap().len() < 300 {
        assert!(Instant::now() < deadline, "the rush never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    gala.kill().unwrap(); // SIGKILL
    gala.wait().unwrap();
    for buyer in buyers {
        buyer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    // Restart: every acknowledged order exists and is paid.
    let mut gala = serve(&app.database_url, port).await;
    for id in &acknowledged {
        let read = client()
            .get(format!("http://127.0.0.1:{port}/api/v1/orders/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), reqwest::StatusCode::OK, "acknowledged order {id} lost");
        assert_eq!(read.json::<Value>().await.unwrap()["status"], "paid");
    }
    gala.kill().unwrap();
    gala.wait().unwrap();

    // The ledger sums to the levels, and initial = available + reserved + sold.
    let sku_id = uuid::Uuid::parse_str(&sku).unwrap();
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::SkuId.eq(sku_id))
        .all(&app.db)
        .await
        .unwrap();
    let mut ledger: HashMap<uuid::Uuid, (i64, i64)> = HashMap::new();
    let mut sold_by_ledger = 0;
    for m in stock_movement::Entity::find()
        .filter(stock_movement::Column::SkuId.eq(sku_id))
        .all(&app.db)
        .await
        .unwrap()
    {
        let sum = ledger.entry(m.location_id).or_default();
        sum.0 += m.on_hand_delta;
        sum.1 += m.reserved_delta;
        if m.kind == entity::values::MovementKind::Sell {
            sold_by_ledger -= m.on_hand_delta;
        }
    }
    for level in &levels {
        assert_eq!(ledger[&level.location_id], (level.on_hand, level.reserved));
    }
    let on_hand: i64 = levels.iter().map(|l| l.on_hand).sum();
    let reserved: i64 = levels.iter().map(|l| l.reserved).sum();
    let mut by_status: HashMap<String, i64> = HashMap::new();
    let orders = shop_order::Entity::find().all(&app.db).await.unwrap();
    let lines = order_line::Entity::find().all(&app.db).await.unwrap();
    for o in &orders {
        let units: i64 = lines.iter().filter(|l| l.order_id == o.id).map(|l| l.quantity).sum();
        *by_status.entry(o.status.as_str().to_owned()).or_default() += units;
    }
    let sold = by_status.get("paid").copied().unwrap_or(0);
    assert_eq!(sold, sold_by_ledger, "paid orders = units the ledger sold");
    assert!(sold >= acknowledged.len() as i64);
    assert_eq!(reserved, by_status.get("pending_payment").copied().unwrap_or(0), "reserved = unpaid orders in flight at the kill");
    assert_eq!(INITIAL, (on_hand - reserved) + reserved + sold, "initial = available + reserved + sold");
});
