//! The checkout engine: every purchase — storefront, live show, API, later pre-sale and
//! in-store — is placed through [`Engine::place`].
//!
//! Why it is fast on one hot SKU: requests are not each a transaction with a row lock.
//! They queue in a lane (requests are routed by SKU, so every buyer of one SKU meets in the
//! same lane); a lane worker takes everything queued as one batch and runs it as one group
//! commit, in three stages: [`plan`] (decide every request in memory against one read),
//! [`pay`] (ask the payment provider for every planned order, outside any transaction) and
//! [`commit`] (one transaction takes the stock of the whole batch with one conditional update
//! per stock row and writes its orders). Then every request in the batch is answered. How a
//! lane overlaps its batches is [`Overlap`]: the server runs them one at a time unless told
//! otherwise (`GALA_CHECKOUT_OVERLAP`).
//!
//! What it guarantees (on SQLite and PostgreSQL, one node or many): stock never goes below
//! zero (conditional updates under the stock rows' lock, and the database's CHECK); an answer
//! is given only after its transaction committed; one idempotency key yields at most one
//! order; full lanes answer 429 at once; a SKU seen sold out is refused without a database
//! round trip for [`EngineConfig::sold_out_ttl`] (per stock pool: a show's set-aside units sell
//! out apart from the open stock). If the process dies before a commit, nothing of the batch
//! exists: no request was acknowledged, and an authorisation already made is never captured
//! (card processors let it lapse).

mod commit;
mod core;
mod pay;
mod plan;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use sea_orm::DatabaseConnection;
use tokio::sync::{broadcast, mpsc, oneshot, Semaphore};
use uuid::Uuid;

use self::core::{Core, Job};
pub use self::core::{EngineConfig, Overlap, DEFAULT_MAX_BATCH};
use self::pay::Paid;
use self::plan::{Decision, Planned};
use super::idempotency::{self, IdempotencyKey};
use super::orders::Placement;
use super::payments::PaymentProvider;
use super::request::OrderRequest;
use crate::core::{time::Clock, AppError};

/// A request being processed under an idempotency key on this node; later arrivals with the
/// same key wait for its answer instead of placing a second order.
struct InFlight {
    fingerprint: String,
    answer: broadcast::Sender<Placement>,
}

/// The first request under a key on this node. [`Leader::finish`] removes the key from the
/// in-flight map and hands the answer to the requests that waited; dropped unfinished (the
/// client went away), it removes the key and they get `Unavailable` and may retry.
struct Leader<'a> {
    in_flight: &'a Mutex<HashMap<IdempotencyKey, InFlight>>,
    /// `None` once it left: a later request under the same key may lead by then.
    key: Option<IdempotencyKey>,
}

impl Leader<'_> {
    /// Takes the key out of the in-flight map: from here on, a retry reads the stored answer.
    fn leave(&mut self) -> Option<InFlight> {
        let key = self.key.take()?;
        self.in_flight
            .lock()
            .map(|mut map| map.remove(&key))
            .ok()
            .flatten()
    }

    /// Hands `answer` to the requests that waited for it. It is copied only when one did:
    /// almost every key is used once.
    fn finish(mut self, answer: &Placement) {
        if let Some(running) = self.leave() {
            if running.answer.receiver_count() > 0 {
                let _ = running.answer.send(answer.clone());
            }
        }
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        self.leave();
    }
}

/// A batch between its stages: planned and paid, waiting for its commit.
struct ReadyBatch {
    jobs: Vec<Job>,
    planned: Vec<(usize, Planned)>,
    outcomes: Vec<Paid>,
    saved_cards: Vec<entity::payment_method::ActiveModel>,
}

/// Plans and pays `jobs`, answering refusals and replays at once; `None` when nothing is left
/// to commit.
async fn plan_and_pay(core: &Core, mut jobs: Vec<Job>) -> Option<ReadyBatch> {
    let decisions = match plan::plan_all(core, &jobs).await {
        Ok(decisions) => decisions,
        Err(err) => {
            for job in &mut jobs {
                job.answer(Err(err.clone()));
            }
            return None;
        }
    };
    let mut planned = Vec::new();
    for (index, decision) in decisions.into_iter().enumerate() {
        match decision {
            Decision::Answer(placement) => jobs[index].answer(*placement),
            Decision::Planned(p) => planned.push((index, *p)),
        }
    }
    if planned.is_empty() {
        return None;
    }
    let mut outcomes = pay::pay(core, &jobs, &planned).await;
    pay::cap_unpaid_holds(core, &mut jobs, &mut planned, &mut outcomes).await;
    if planned.is_empty() {
        return None;
    }
    let saved_cards = pay::save_cards(core, &jobs, &planned, &outcomes).await;
    Some(ReadyBatch {
        jobs,
        planned,
        outcomes,
        saved_cards,
    })
}

/// Commits a paid batch and answers its requests. If the transaction failed as a whole (a
/// database error), nothing was written: every hold is released and the requests run again
/// one by one, so only a culprit fails. (A key another node recorded meanwhile fails only its
/// own order: see [`commit::commit`].)
async fn commit_batch(core: &Core, batch: ReadyBatch) {
    let ReadyBatch {
        mut jobs,
        mut planned,
        mut outcomes,
        saved_cards,
    } = batch;
    match commit::commit(core, &jobs, &mut planned, &mut outcomes, saved_cards).await {
        Ok(answers) => {
            for (index, placement) in answers {
                jobs[index].answer(placement);
            }
        }
        Err(err) => {
            pay::void_all(core, &outcomes).await;
            let waiting: Vec<Job> = jobs.into_iter().filter(|j| j.reply.is_some()).collect();
            if waiting.len() > 1 {
                for job in waiting {
                    Box::pin(run(core, vec![job])).await;
                }
            } else {
                for mut job in waiting {
                    job.answer(Err(err.clone()));
                }
            }
        }
    }
}

/// Runs one batch through its three stages and answers each request.
async fn run(core: &Core, jobs: Vec<Job>) {
    if let Some(batch) = plan_and_pay(core, jobs).await {
        commit_batch(core, batch).await;
    }
}

/// Drains one lane as `overlap` says, until every sender is gone.
async fn drain(core: Arc<Core>, mut queue: mpsc::Receiver<Job>) {
    let max_batch = core.config.max_batch.max(1);
    let mut jobs = Vec::with_capacity(max_batch);
    match core.config.overlap {
        Overlap::Serial => {
            while queue.recv_many(&mut jobs, max_batch).await > 0 {
                run(&core, std::mem::take(&mut jobs)).await;
            }
        }
        Overlap::Concurrent(at_once) => {
            // Back-pressure: up to `at_once` batches; each takes its stock under the stock
            // rows' lock, so overlapping plans never oversell.
            let in_flight = Arc::new(Semaphore::new(at_once.max(1)));
            while queue.recv_many(&mut jobs, max_batch).await > 0 {
                let Ok(permit) = in_flight.clone().acquire_owned().await else {
                    break;
                };
                let batch = std::mem::take(&mut jobs);
                let core = core.clone();
                tokio::spawn(async move {
                    run(&core, batch).await;
                    drop(permit);
                });
            }
        }
        Overlap::Pipelined => {
            // The committer takes one paid batch at a time and says when it starts committing
            // it; only then does the lane gather its next batch — everything that queued
            // meanwhile — and plan and pay it while the first commits. Gathering later keeps
            // batches (and so commits) as few as serial draining would.
            let (hand_over, mut taken) = mpsc::channel::<(ReadyBatch, oneshot::Sender<()>)>(1);
            let committer = {
                let core = core.clone();
                tokio::spawn(async move {
                    while let Some((batch, started)) = taken.recv().await {
                        let _ = started.send(());
                        commit_batch(&core, batch).await;
                    }
                })
            };
            while queue.recv_many(&mut jobs, max_batch).await > 0 {
                let Some(batch) = plan_and_pay(&core, std::mem::take(&mut jobs)).await else {
                    continue;
                };
                let (started, committing) = oneshot::channel();
                if hand_over.send((batch, started)).await.is_err() {
                    break;
                }
                let _ = committing.await;
            }
            drop(hand_over);
            let _ = committer.await;
        }
    }
}

/// The checkout engine. Cheap to clone; lanes stop when the last clone is dropped.
#[derive(Clone)]
pub struct Engine {
    core: Arc<Core>,
    lanes: Arc<Vec<mpsc::Sender<Job>>>,
    in_flight: Arc<Mutex<HashMap<IdempotencyKey, InFlight>>>,
}

impl Engine {
    /// Starts the lane workers (inside a Tokio runtime), judging time by `clock`.
    pub fn start(
        db: DatabaseConnection,
        provider: Arc<dyn PaymentProvider>,
        config: EngineConfig,
        clock: Clock,
    ) -> Self {
        let lanes = config.lanes.max(1);
        let capacity = config.queue_capacity.max(1);
        let core = Arc::new(Core::new(db, provider, config, clock));
        let senders = (0..lanes)
            .map(|_| {
                let (tx, rx) = mpsc::channel::<Job>(capacity);
                tokio::spawn(drain(core.clone(), rx));
                tx
            })
            .collect();
        Engine {
            core,
            lanes: Arc::new(senders),
            in_flight: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The database orders are written to.
    pub fn db(&self) -> &DatabaseConnection {
        &self.core.db
    }

    /// The payment provider orders are paid through.
    pub fn provider(&self) -> &Arc<dyn PaymentProvider> {
        &self.core.provider
    }

    /// Tells this node's engine that `skus` got stock back outside an order (a reservation
    /// lapsed, a show's drop stock returned), so they are no longer refused as sold out.
    /// (Other nodes forget within [`EngineConfig::sold_out_ttl`].)
    pub fn restocked(&self, skus: impl IntoIterator<Item = Uuid>) {
        self.core.restocked(skus);
    }

    /// The clock reservations and sale windows are judged by.
    pub fn clock(&self) -> &Clock {
        &self.core.clock
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.core.config
    }

    /// Places an order: reserves stock, takes payment, confirms — or says why not
    /// (`SoldOut`, `LimitReached`, `PaymentDeclined`, `Validation`, `RateLimited`...).
    /// With a key, a retry of the same request gets the first answer; the same key with a
    /// different request is refused with `IdempotencyKeyReused`.
    pub async fn place(&self, request: OrderRequest, key: Option<IdempotencyKey>) -> Placement {
        let Some(key) = key else {
            if self.sold_out(&request) {
                return Err(AppError::SoldOut);
            }
            return self.enqueue(request, None).await;
        };
        // A retry while the first request still runs on this node waits for its answer.
        let joined = {
            let mut in_flight = self.in_flight.lock().expect("in-flight map poisoned");
            match in_flight.get(&key) {
                Some(running) if running.fingerprint != request.fingerprint => {
                    return Err(AppError::IdempotencyKeyReused);
                }
                Some(running) => Some(running.answer.subscribe()),
                None => {
                    let (answer, _) = broadcast::channel(1);
                    in_flight.insert(
                        key.clone(),
                        InFlight {
                            fingerprint: request.fingerprint.clone(),
                            answer,
                        },
                    );
                    None
                }
            }
        };
        if let Some(mut answer) = joined {
            return answer.recv().await.unwrap_or(Err(AppError::Unavailable));
        }
        let leader = Leader {
            in_flight: &self.in_flight,
            key: Some(key.clone()),
        };
        let answer = if self.sold_out(&request) {
            // A retry of an order that was placed still gets its answer, so a keyed request
            // pays for one look-up before it is refused.
            match idempotency::stored_answer(&self.core.db, &key, &request.fingerprint).await {
                Ok(Some(answer)) => answer,
                Ok(None) => Err(AppError::SoldOut),
                Err(err) => Err(err),
            }
        } else {
            self.enqueue(request, Some(key)).await
        };
        leader.finish(&answer);
        answer
    }

    /// Whether a line's SKU is known to be sold out.
    fn sold_out(&self, request: &OrderRequest) -> bool {
        request
            .lines
            .iter()
            .any(|l| self.core.is_sold_out(l.sku_id, request.pool))
    }

    async fn enqueue(&self, request: OrderRequest, key: Option<IdempotencyKey>) -> Placement {
        let lane = &self.lanes[self.lane_of(&request)];
        let (reply, answer) = oneshot::channel();
        lane.try_send(Job {
            request,
            key,
            reply: Some(reply),
        })
        .map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => AppError::RateLimited {
                retry_after_secs: 1,
            },
            mpsc::error::TrySendError::Closed(_) => AppError::Unavailable,
        })?;
        answer.await.unwrap_or_else(|_| {
            Err(AppError::internal(
                "checkout lane dropped a request unanswered",
            ))
        })
    }

    /// Buyers of one SKU always meet in one lane (so they batch together): the lane is chosen
    /// by the order's smallest SKU id.
    fn lane_of(&self, request: &OrderRequest) -> usize {
        let sku = request.lines.iter().map(|l| l.sku_id).min();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        sku.hash(&mut hasher);
        (hasher.finish() % self.lanes.len() as u64) as usize
    }
}
