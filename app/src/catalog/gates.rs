//! The sale gate: who may buy a SKU, through which channel, when, how many per buyer and from
//! which stock pool.
//!
//! A SKU's own rules are the brand's (its per-buyer limit, in the listing editor). Another
//! capability that needs more for a while — a show's look today; pre-sale campaigns and stores
//! next — *holds* a gate on the SKU through this module, and *releases* it when it lets go.
//! Gates live in their own table (`sale_gate`, written only here), one per SKU and owner, so
//! the SKU's row is never changed and a release gives it back exactly as it was.
//!
//! How gates combine into one [`SaleRule`]:
//! - **Channel**: when any gate restricts the SKU to a channel, it is sold only through a gate
//!   of that channel whose pool is the buyer's (a show's buyers, for that show's gate), and
//!   only inside that gate's window; a restricted gate with no window yet is closed.
//! - **Limit**: the tightest of the SKU's own limit and every gate's applies.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::sale_gate;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::stock::StockPool;
use super::OrderChannel;
use crate::core::{time, AppError};

/// Who holds a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GateOwner {
    /// A look of a show: its items' rules from the moment it is on the run-sheet until it is
    /// taken off or the show ends or is deleted.
    ShowLook(Uuid),
    /// A pre-sale campaign: its SKUs sell only as deposits, inside the deposit window, from its
    /// approval until it ends or is cancelled.
    Presale(Uuid),
}

impl GateOwner {
    fn kind(self) -> &'static str {
        match self {
            GateOwner::ShowLook(_) => "show_look",
            GateOwner::Presale(_) => "presale",
        }
    }

    fn id(self) -> Uuid {
        match self {
            GateOwner::ShowLook(id) | GateOwner::Presale(id) => id,
        }
    }
}

/// What a gate allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The stock the gate's buyers draw on.
    pub pool: StockPool,
    /// Sold only through this channel, inside [`Gate::opens_at`]..[`Gate::closes_at`]; none:
    /// any channel, any time.
    pub channel: Option<OrderChannel>,
    /// A restricted gate is closed until it has an opening time.
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    /// Most units one buyer may hold while the gate is in force.
    pub purchase_limit: Option<i32>,
}

impl Gate {
    fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.opens_at.is_some_and(|at| at <= now) && self.closes_at.is_none_or(|at| at > now)
    }
}

/// Why a SKU cannot be bought right now by a buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Sold only through another channel (a show's exclusive, on the storefront).
    OtherChannel(OrderChannel),
    /// Its channel is right but no window of the buyer's pool is open.
    WindowClosed,
}

/// Whether and how much of a SKU buyers may buy: its own limit and the gates on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleRule {
    /// The brand's own per-buyer limit.
    pub own_limit: Option<i32>,
    pub gates: Vec<Gate>,
}

impl SaleRule {
    /// The tightest per-buyer limit in force.
    pub fn purchase_limit(&self) -> Option<i32> {
        self.gates
            .iter()
            .filter_map(|g| g.purchase_limit)
            .chain(self.own_limit)
            .min()
    }

    /// Whether only a signed-in account with a verified email may buy the SKU: it has a
    /// per-buyer limit or is sold only through one channel (a show's exclusive). Such SKUs are
    /// what scalpers script, and their limits count per account.
    pub fn needs_verified_buyer(&self) -> bool {
        self.purchase_limit().is_some() || self.gates.iter().any(|g| g.channel.is_some())
    }

    /// Whether a buyer coming through `channel`, drawing on `pool`, may buy at `now`.
    pub fn check(
        &self,
        channel: OrderChannel,
        pool: StockPool,
        now: DateTime<Utc>,
    ) -> Result<(), Closed> {
        let mut restricted = self.gates.iter().filter(|g| g.channel.is_some()).peekable();
        let Some(first) = restricted.peek().and_then(|g| g.channel) else {
            return Ok(());
        };
        let mut ours = restricted
            .filter(|g| g.channel == Some(channel) && g.pool == pool)
            .peekable();
        if ours.peek().is_none() {
            return Err(Closed::OtherChannel(first));
        }
        if ours.any(|g| g.open_at(now)) {
            Ok(())
        } else {
            Err(Closed::WindowClosed)
        }
    }
}

fn gate_of(row: &sale_gate::Model) -> Gate {
    Gate {
        pool: StockPool::parse(&row.pool),
        channel: row.channel,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        purchase_limit: row.purchase_limit,
    }
}

/// Holds `gate` on `sku_id` for `owner` (replacing the owner's earlier gate on that SKU).
pub async fn hold(
    db: &impl ConnectionTrait,
    owner: GateOwner,
    sku_id: Uuid,
    gate: &Gate,
) -> Result<(), AppError> {
    let row = sale_gate::Model {
        sku_id,
        owner_kind: owner.kind().to_owned(),
        owner_id: owner.id(),
        pool: gate.pool.key(),
        channel: gate.channel,
        opens_at: gate.opens_at,
        closes_at: gate.closes_at,
        purchase_limit: gate.purchase_limit,
        created_at: time::now(),
    };
    sale_gate::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([
                sale_gate::Column::SkuId,
                sale_gate::Column::OwnerKind,
                sale_gate::Column::OwnerId,
            ])
            .update_columns([
                sale_gate::Column::Pool,
                sale_gate::Column::Channel,
                sale_gate::Column::OpensAt,
                sale_gate::Column::ClosesAt,
                sale_gate::Column::PurchaseLimit,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Sets the window of every channel-restricted gate `owner` holds (a look's buy window opening
/// or closing on air).
pub async fn set_window(
    db: &impl ConnectionTrait,
    owner: GateOwner,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    sale_gate::Entity::update_many()
        .col_expr(sale_gate::Column::OpensAt, Expr::value(opens_at))
        .col_expr(sale_gate::Column::ClosesAt, Expr::value(closes_at))
        .filter(sale_gate::Column::OwnerKind.eq(owner.kind()))
        .filter(sale_gate::Column::OwnerId.eq(owner.id()))
        .filter(sale_gate::Column::Channel.is_not_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Lets go of every gate `owners` hold; answers the SKUs they were on (they are back to their
/// own rules, unless another owner still holds a gate on them).
pub async fn release(
    db: &impl ConnectionTrait,
    owners: &[GateOwner],
) -> Result<Vec<Uuid>, AppError> {
    let mut skus = Vec::new();
    for owner in owners {
        let filter = Condition::all()
            .add(sale_gate::Column::OwnerKind.eq(owner.kind()))
            .add(sale_gate::Column::OwnerId.eq(owner.id()));
        skus.extend(
            sale_gate::Entity::find()
                .select_only()
                .column(sale_gate::Column::SkuId)
                .filter(filter.clone())
                .into_tuple::<Uuid>()
                .all(db)
                .await?,
        );
        sale_gate::Entity::delete_many()
            .filter(filter)
            .exec(db)
            .await?;
    }
    skus.sort_unstable();
    skus.dedup();
    Ok(skus)
}

/// The ids of the owners of pre-sale campaigns' gates still held (so the campaigns that have
/// ended can let go).
pub async fn presale_holders(db: &impl ConnectionTrait) -> Result<Vec<Uuid>, AppError> {
    let mut ids: Vec<Uuid> = sale_gate::Entity::find()
        .select_only()
        .column(sale_gate::Column::OwnerId)
        .filter(sale_gate::Column::OwnerKind.eq(GateOwner::Presale(Uuid::nil()).kind()))
        .into_tuple()
        .all(db)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The gates on each of `skus` (SKUs without any are absent).
pub async fn gates_on(
    db: &impl ConnectionTrait,
    skus: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Gate>>, AppError> {
    let mut gates: HashMap<Uuid, Vec<Gate>> = HashMap::new();
    if skus.is_empty() {
        return Ok(gates);
    }
    for row in sale_gate::Entity::find()
        .filter(sale_gate::Column::SkuId.is_in(skus.to_vec()))
        .all(db)
        .await?
    {
        gates.entry(row.sku_id).or_default().push(gate_of(&row));
    }
    Ok(gates)
}

/// The sale rules of `skus` (`(id, own limit)` pairs), one query for their gates.
pub async fn rules(
    db: &impl ConnectionTrait,
    skus: impl IntoIterator<Item = (Uuid, Option<i32>)>,
) -> Result<HashMap<Uuid, SaleRule>, AppError> {
    let skus: Vec<(Uuid, Option<i32>)> = skus.into_iter().collect();
    let ids: Vec<Uuid> = skus.iter().map(|(id, _)| *id).collect();
    let mut gates = gates_on(db, &ids).await?;
    Ok(skus
        .into_iter()
        .map(|(id, own_limit)| {
            let rule = SaleRule {
                own_limit,
                gates: gates.remove(&id).unwrap_or_default(),
            };
            (id, rule)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).unwrap()
    }

    fn exclusive(show: Uuid, opens: Option<i64>, closes: Option<i64>) -> Gate {
        Gate {
            pool: StockPool::Show(show),
            channel: Some(OrderChannel::Show),
            opens_at: opens.map(at),
            closes_at: closes.map(at),
            purchase_limit: None,
        }
    }

    #[test]
    fn a_sku_without_gates_sells_everywhere_with_its_own_limit() {
        let rule = SaleRule {
            own_limit: Some(3),
            gates: vec![],
        };
        assert_eq!(
            rule.check(OrderChannel::Storefront, StockPool::Open, at(0)),
            Ok(())
        );
        assert_eq!(rule.purchase_limit(), Some(3));
    }

    #[test]
    fn an_exclusive_sells_only_through_its_show_inside_the_window() {
        let show = Uuid::from_u128(1);
        let rule = SaleRule {
            own_limit: None,
            gates: vec![exclusive(show, Some(10), Some(20))],
        };
        assert_eq!(
            rule.check(OrderChannel::Storefront, StockPool::Open, at(15)),
            Err(Closed::OtherChannel(OrderChannel::Show))
        );
        assert_eq!(
            rule.check(OrderChannel::Show, StockPool::Show(show), at(15)),
            Ok(())
        );
        for minute in [5, 20, 25] {
            assert_eq!(
                rule.check(OrderChannel::Show, StockPool::Show(show), at(minute)),
                Err(Closed::WindowClosed)
            );
        }
        // Another show's buyers are not this gate's.
        assert_eq!(
            rule.check(
                OrderChannel::Show,
                StockPool::Show(Uuid::from_u128(2)),
                at(15)
            ),
            Err(Closed::OtherChannel(OrderChannel::Show))
        );
    }

    #[test]
    fn a_restricted_gate_without_a_window_is_closed_and_any_open_window_lets_buyers_in() {
        let show = Uuid::from_u128(1);
        let planned = SaleRule {
            own_limit: None,
            gates: vec![exclusive(show, None, None)],
        };
        assert_eq!(
            planned.check(OrderChannel::Show, StockPool::Show(show), at(0)),
            Err(Closed::WindowClosed)
        );
        let two_looks = SaleRule {
            own_limit: None,
            gates: vec![
                exclusive(show, Some(0), Some(5)),
                exclusive(show, Some(10), None),
            ],
        };
        assert!(two_looks
            .check(OrderChannel::Show, StockPool::Show(show), at(12))
            .is_ok());
        assert!(two_looks
            .check(OrderChannel::Show, StockPool::Show(show), at(7))
            .is_err());
    }

    #[test]
    fn the_tightest_limit_applies() {
        let limited = |limit| Gate {
            pool: StockPool::Open,
            channel: None,
            opens_at: None,
            closes_at: None,
            purchase_limit: Some(limit),
        };
        let rule = SaleRule {
            own_limit: Some(5),
            gates: vec![limited(2), limited(8)],
        };
        assert_eq!(rule.purchase_limit(), Some(2));
        let loosening = SaleRule {
            own_limit: Some(1),
            gates: vec![limited(4)],
        };
        assert_eq!(loosening.purchase_limit(), Some(1));
        assert!(loosening
            .check(OrderChannel::Api, StockPool::Open, at(0))
            .is_ok());
    }

    #[test]
    fn pools_round_trip_through_their_stored_names() {
        for pool in [StockPool::Open, StockPool::Show(Uuid::from_u128(7))] {
            assert_eq!(StockPool::parse(&pool.key()), pool);
        }
    }
}
