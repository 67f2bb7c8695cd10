//! Payments: the provider interface the checkout engine talks to, and the one provider Gala
//! ships, [`SandboxProvider`] — a card processor's *test mode*, not a real processor. It
//! moves no money; documented test card numbers succeed, decline, run out of funds, wait
//! for an asynchronous confirmation or answer slowly and lose answers, so every path of
//! checkout can be exercised.
//!
//! Captures and refunds carry an idempotency key derived from the row they settle, and are
//! made only by the node holding a lease (a refund's own claim, taken by a conditional
//! update; for captures, the one capture round's), so neither two nodes nor a retry after a
//! lost answer moves money twice.

use async_trait::async_trait;
use chrono::Datelike;
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::CardInput;
use crate::core::{lease, time, AppError};
use entity::{payment, sandbox_operation, values::PaymentStatus};

/// What to charge: an amount from a card typed in or a token saved earlier.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub amount_minor: i64,
    pub currency: String,
    pub source: PaymentSource,
    /// The order's number, shown on the buyer's statement.
    pub order_number: String,
}

/// A card, or a provider token for a saved one.
#[derive(Debug, Clone)]
pub enum PaymentSource {
    Card(CardInput),
    Saved { token: String },
}

/// The provider's answer to an authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// The amount is held on the card; capture it to take it.
    Authorized {
        reference: String,
        card: CardSummary,
    },
    /// Refused; `code` is the provider's reason (`card_declined`, `insufficient_funds`).
    Declined { code: String, card: CardSummary },
    /// The provider answers later (3-D Secure, bank transfer...); until then the order waits.
    Pending {
        reference: String,
        card: CardSummary,
    },
}

/// What a person needs to recognise a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSummary {
    pub brand: String,
    pub last4: String,
}

/// A card saved with the provider.
#[derive(Debug, Clone)]
pub struct SavedCard {
    pub token: String,
    pub card: CardSummary,
    pub exp_month: u32,
    pub exp_year: u32,
}

/// The provider could not be reached or refused the call itself (not a decline).
#[derive(Debug, Clone, thiserror::Error)]
#[error("payment provider error: {0}")]
pub struct ProviderError(pub String);

/// A payment provider. Calls are made outside database transactions; the engine records
/// what they answered.
#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// Stored with each payment (`sandbox`).
    fn name(&self) -> &'static str;
    /// Problems with a typed card, as `(field, message)` under `payment.card`, found before
    /// anything is reserved.
    fn card_problems(&self, card: &CardInput) -> Vec<(&'static str, String)>;
    /// Holds `amount` on the card.
    async fn authorize(&self, request: &Authorization) -> Result<AuthOutcome, ProviderError>;
    /// Takes an authorised amount. A second call with the same `idempotency_key` answers what
    /// the first did and takes nothing again.
    async fn capture(
        &self,
        reference: &str,
        amount_minor: i64,
        idempotency_key: &str,
    ) -> Result<(), ProviderError>;
    /// Captures several authorisations, `(reference, amount, idempotency key)` each; answers
    /// each one's outcome in order. By default one [`capture`](Self::capture) after another;
    /// a provider with a batch call overrides it.
    async fn capture_many(
        &self,
        captures: &[(String, i64, String)],
    ) -> Vec<Result<(), ProviderError>> {
        let mut outcomes = Vec::with_capacity(captures.len());
        for (reference, amount_minor, key) in captures {
            outcomes.push(self.capture(reference, *amount_minor, key).await);
        }
        outcomes
    }
    /// Releases an authorisation that will not be captured.
    async fn void(&self, reference: &str) -> Result<(), ProviderError>;
    /// Returns part or all of a captured amount; answers the refund's reference. A second
    /// call with the same `idempotency_key` answers the first refund's reference and returns
    /// nothing again.
    async fn refund(
        &self,
        reference: &str,
        amount_minor: i64,
        idempotency_key: &str,
    ) -> Result<String, ProviderError>;
    /// Saves a card for later one-tap payments.
    async fn save_card(&self, card: &CardInput) -> Result<SavedCard, ProviderError>;
}

/// How a sandbox test card behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCardBehaviour {
    Succeeds,
    Declines,
    InsufficientFunds,
    /// Authorisation stays pending (an asynchronous confirmation that never comes in the
    /// sandbox): the order waits and its reservation expires.
    StaysPending,
    /// Authorises; every capture and refund then takes [`SLOW_ANSWER`], and the first call
    /// for each idempotency key does the work but its answer is lost on the way (it fails
    /// as a timeout would). Shows that retries and several nodes move the money once.
    SlowAndLosesAnswers,
}

/// How long the sandbox takes over a capture or refund of a
/// [`TestCardBehaviour::SlowAndLosesAnswers`] card.
pub const SLOW_ANSWER: std::time::Duration = std::time::Duration::from_millis(1500);

/// The sandbox's test cards: number, brand, behaviour. Any expiry in the future and any
/// three-digit CVC work.
pub const TEST_CARDS: &[(&str, &str, TestCardBehaviour)] = &[
    ("4242424242424242", "visa", TestCardBehaviour::Succeeds),
    (
        "5555555555554444",
        "mastercard",
        TestCardBehaviour::Succeeds,
    ),
    ("4000000000000002", "visa", TestCardBehaviour::Declines),
    (
        "4000000000009995",
        "visa",
        TestCardBehaviour::InsufficientFunds,
    ),
    ("4000000000003220", "visa", TestCardBehaviour::StaysPending),
    (
        "4000000000000119",
        "visa",
        TestCardBehaviour::SlowAndLosesAnswers,
    ),
];

/// The test-mode provider. A saved card's token and an authorisation's reference carry which
/// test card they are; captures and refunds are kept in its own book (`sandbox_operation`,
/// shared by every node like a real processor's) by idempotency key.
#[derive(Debug, Clone)]
pub struct SandboxProvider {
    book: DatabaseConnection,
}

fn digits(number: &str) -> String {
    number.chars().filter(|c| !matches!(c, ' ' | '-')).collect()
}

fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn test_card(number: &str) -> Option<(&'static str, &'static str, TestCardBehaviour)> {
    TEST_CARDS.iter().copied().find(|(n, ..)| *n == number)
}

impl SandboxProvider {
    /// The sandbox, keeping its book of captures and refunds in `book`.
    pub fn new(book: DatabaseConnection) -> Self {
        SandboxProvider { book }
    }

    /// How the card behind an authorisation behaves (references are
    /// `sandbox_auth_<last4>_<random>`; older ones, without the last four, succeed).
    fn behaviour_of(reference: &str) -> Result<TestCardBehaviour, ProviderError> {
        let rest = reference
            .strip_prefix("sandbox_auth_")
            .ok_or_else(|| ProviderError(format!("not a sandbox payment: {reference}")))?;
        Ok(rest
            .split_once('_')
            .and_then(|(last4, _)| TEST_CARDS.iter().find(|(n, ..)| n.ends_with(last4)))
            .map_or(TestCardBehaviour::Succeeds, |(.., behaviour)| *behaviour))
    }

    /// Records `kind` on `reference` under `key` in the book, or finds the first call's
    /// record. Answers the recorded result and whether this call made it.
    async fn book_once(
        &self,
        key: &str,
        kind: &str,
        reference: &str,
        amount_minor: i64,
        result: String,
    ) -> Result<(String, bool), ProviderError> {
        let lost = |err: sea_orm::DbErr| ProviderError(format!("sandbox book: {err}"));
        let inserted = sandbox_operation::Entity::insert(sandbox_operation::ActiveModel {
            idempotency_key: sea_orm::Set(key.to_owned()),
            kind: sea_orm::Set(kind.to_owned()),
            reference: sea_orm::Set(reference.to_owned()),
            amount_minor: sea_orm::Set(amount_minor),
            result: sea_orm::Set(result.clone()),
            calls: sea_orm::Set(1),
            created_at: sea_orm::Set(time::now()),
        })
        .on_conflict(
            OnConflict::column(sandbox_operation::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.book)
        .await
        .map_err(lost)?;
        if inserted == 1 {
            return Ok((result, true));
        }
        sandbox_operation::Entity::update_many()
            .col_expr(
                sandbox_operation::Column::Calls,
                Expr::col(sandbox_operation::Column::Calls).add(1),
            )
            .filter(sandbox_operation::Column::IdempotencyKey.eq(key))
            .exec(&self.book)
            .await
            .map_err(lost)?;
        let first = sandbox_operation::Entity::find_by_id(key.to_owned())
            .one(&self.book)
            .await
            .map_err(lost)?
            .ok_or_else(|| ProviderError("sandbox book: record vanished".into()))?;
        if (
            first.kind.as_str(),
            first.reference.as_str(),
            first.amount_minor,
        ) != (kind, reference, amount_minor)
        {
            // Stripe answers such a reuse with an error rather than guessing.
            return Err(ProviderError(format!(
                "idempotency key {key} was used for a different request"
            )));
        }
        Ok((first.result, false))
    }

    /// Books the captures `captures[i]` for each `i` in `which` in one statement; a key booked
    /// before answers as [`book_once`](Self::book_once) would.
    async fn book_many(
        &self,
        captures: &[(String, i64, String)],
        which: &[usize],
    ) -> Vec<Result<(), ProviderError>> {
        if which.is_empty() {
            return Vec::new();
        }
        let now = time::now();
        let rows = which.iter().map(|&i| {
            let (reference, amount_minor, key) = &captures[i];
            sandbox_operation::ActiveModel {
                idempotency_key: sea_orm::Set(key.clone()),
                kind: sea_orm::Set("capture".into()),
                reference: sea_orm::Set(reference.clone()),
                amount_minor: sea_orm::Set(*amount_minor),
                result: sea_orm::Set("captured".into()),
                calls: sea_orm::Set(1),
                created_at: sea_orm::Set(now),
            }
        });
        let inserted = sandbox_operation::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([sandbox_operation::Column::IdempotencyKey])
            .exec_with_returning_keys(&self.book)
            .await;
        let fresh: std::collections::HashSet<String> = match inserted {
            Ok(sea_orm::TryInsertResult::Inserted(keys)) => keys.into_iter().collect(),
            Ok(_) => Default::default(),
            Err(err) => {
                let err = ProviderError(format!("sandbox book: {err}"));
                return which.iter().map(|_| Err(err.clone())).collect();
            }
        };
        let mut outcomes = Vec::with_capacity(which.len());
        for &i in which {
            let (reference, amount_minor, key) = &captures[i];
            outcomes.push(if fresh.contains(key) {
                Ok(())
            } else {
                self.book_once(key, "capture", reference, *amount_minor, "captured".into())
                    .await
                    .map(drop)
            });
        }
        outcomes
    }

    /// Performs `kind` once per key, as the test card behind `reference` says.
    async fn settle(
        &self,
        key: &str,
        kind: &str,
        reference: &str,
        amount_minor: i64,
        result: String,
    ) -> Result<String, ProviderError> {
        let behaviour = Self::behaviour_of(reference)?;
        if behaviour == TestCardBehaviour::SlowAndLosesAnswers {
            tokio::time::sleep(SLOW_ANSWER).await;
        }
        let (result, first) = self
            .book_once(key, kind, reference, amount_minor, result)
            .await?;
        if first && behaviour == TestCardBehaviour::SlowAndLosesAnswers {
            return Err(ProviderError(format!(
                "sandbox: the answer to {kind} {key} was lost on the way (test card ending 0119)"
            )));
        }
        Ok(result)
    }

    /// The test card a source stands for (tokens are `sandbox_pm_<last4>_<random>`).
    fn resolve(source: &PaymentSource) -> Option<(&'static str, &'static str, TestCardBehaviour)> {
        match source {
            PaymentSource::Card(card) => test_card(&digits(&card.number)),
            PaymentSource::Saved { token } => {
                let last4 = token.strip_prefix("sandbox_pm_")?.get(..4)?;
                TEST_CARDS
                    .iter()
                    .copied()
                    .find(|(n, ..)| n.ends_with(last4))
            }
        }
    }
}

#[async_trait]
impl PaymentProvider for SandboxProvider {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn card_problems(&self, card: &CardInput) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let number = digits(&card.number);
        if !(12..=19).contains(&number.len()) || !luhn_valid(&number) {
            problems.push(("number", "This card number is not valid.".to_owned()));
        } else if test_card(&number).is_none() {
            problems.push((
                "number",
                "This is the sandbox payment provider: use a test card such as 4242 4242 4242 4242."
                    .to_owned(),
            ));
        }
        let today = time::now();
        let (year, month) = (today.year() as u32, today.month());
        if !(1..=12).contains(&card.exp_month) {
            problems.push(("exp_month", "Enter the month as 1 to 12.".to_owned()));
        } else if card.exp_year < year
            || card.exp_year > year + 20
            || (card.exp_year == year && card.exp_month < month)
        {
            problems.push(("exp_year", "This card has expired.".to_owned()));
        }
        let cvc = card.cvc.trim();
        if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()) {
            problems.push(("cvc", "The security code is 3 or 4 digits.".to_owned()));
        }
        problems
    }

    async fn authorize(&self, request: &Authorization) -> Result<AuthOutcome, ProviderError> {
        let (number, brand, behaviour) = Self::resolve(&request.source)
            .ok_or_else(|| ProviderError("unknown sandbox card".into()))?;
        let card = CardSummary {
            brand: brand.to_owned(),
            last4: number[number.len() - 4..].to_owned(),
        };
        let reference = format!("sandbox_auth_{}_{}", card.last4, Uuid::new_v4().simple());
        Ok(match behaviour {
            TestCardBehaviour::Succeeds | TestCardBehaviour::SlowAndLosesAnswers => {
                AuthOutcome::Authorized { reference, card }
            }
            TestCardBehaviour::Declines => AuthOutcome::Declined {
                code: "card_declined".into(),
                card,
            },
            TestCardBehaviour::InsufficientFunds => AuthOutcome::Declined {
                code: "insufficient_funds".into(),
                card,
            },
            TestCardBehaviour::StaysPending => AuthOutcome::Pending { reference, card },
        })
    }

    async fn capture(
        &self,
        reference: &str,
        amount_minor: i64,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        self.settle(
            idempotency_key,
            "capture",
            reference,
            amount_minor,
            "captured".into(),
        )
        .await
        .map(drop)
    }

    /// The book takes a round's captures in one statement (one write, not one per payment,
    /// which on SQLite would queue each behind the checkout's commits); cards that answer
    /// slowly and lose answers are taken one by one, as they behave.
    async fn capture_many(
        &self,
        captures: &[(String, i64, String)],
    ) -> Vec<Result<(), ProviderError>> {
        let mut outcomes: Vec<Option<Result<(), ProviderError>>> = vec![None; captures.len()];
        let mut batch = Vec::new();
        for (i, (reference, amount_minor, key)) in captures.iter().enumerate() {
            match Self::behaviour_of(reference) {
                Err(err) => outcomes[i] = Some(Err(err)),
                Ok(TestCardBehaviour::SlowAndLosesAnswers) => {
                    outcomes[i] = Some(self.capture(reference, *amount_minor, key).await)
                }
                Ok(_) => batch.push(i),
            }
        }
        let booked = self.book_many(captures, &batch).await;
        for (i, outcome) in batch.into_iter().zip(booked) {
            outcomes[i] = Some(outcome);
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(ProviderError("not captured".into()))))
            .collect()
    }

    async fn void(&self, reference: &str) -> Result<(), ProviderError> {
        Self::behaviour_of(reference).map(drop)
    }

    async fn refund(
        &self,
        reference: &str,
        amount_minor: i64,
        idempotency_key: &str,
    ) -> Result<String, ProviderError> {
        let fresh = format!("sandbox_refund_{}", Uuid::new_v4().simple());
        self.settle(idempotency_key, "refund", reference, amount_minor, fresh)
            .await
    }

    async fn save_card(&self, card: &CardInput) -> Result<SavedCard, ProviderError> {
        let number = digits(&card.number);
        let (_, brand, _) =
            test_card(&number).ok_or_else(|| ProviderError("unknown sandbox card".into()))?;
        let last4 = number[number.len() - 4..].to_owned();
        Ok(SavedCard {
            token: format!("sandbox_pm_{last4}_{}", Uuid::new_v4().simple()),
            card: CardSummary {
                brand: brand.to_owned(),
                last4,
            },
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        })
    }
}

/// How long a node owns a row whose provider call it is making. Longer than any provider
/// call should take; if one takes longer (or the node dies), another node takes the row over
/// and repeats the call with the same idempotency key, which the provider answers once.
pub const PROVIDER_LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// The idempotency key of the capture of charge `payment_id`.
pub fn capture_key(payment_id: Uuid) -> String {
    format!("gala-capture-{payment_id}")
}

/// The idempotency key of refund `refund_id`.
pub fn refund_key(refund_id: Uuid) -> String {
    format!("gala-refund-{refund_id}")
}

/// What [`capture`] did with the charges it was given.
#[derive(Debug, Default)]
pub struct Captures {
    /// Captured now (recorded as such).
    pub captured: Vec<Uuid>,
    /// The provider refused or could not be reached, with its reason; released, to be tried
    /// again.
    pub refused: Vec<(Uuid, String)>,
}

/// The lease a capture round holds (see [`capture`]).
const CAPTURE_ROUND: &str = "capture_round";

/// Which authorised charges a capture round takes.
pub enum ToCapture {
    /// Up to this many (the chores' round).
    Due(u64),
    /// This one (a refund of a charge not captured yet).
    One(Uuid),
}

/// Takes the authorised amount of charges (`payment` rows) from the provider, with their
/// [`capture_key`]s, and records them as captured in one statement. Captures are made by one
/// node at a time: the round holds the `capture_round` lease ([`lease`], for
/// [`PROVIDER_LEASE`]) while it calls the provider, so two nodes, or the chores and a refund,
/// never capture a charge at once. While another node holds it nothing is captured (the
/// answer is empty) and the caller tries again later.
pub async fn capture(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    which: ToCapture,
) -> Result<Captures, AppError> {
    let Some(round) = lease::take(db, CAPTURE_ROUND, time::now(), PROVIDER_LEASE).await? else {
        return Ok(Captures::default());
    };
    let done = capture_under_lease(db, provider, which).await;
    round.release(db, time::now()).await?;
    done
}

/// The body of [`capture`], run while its lease is held.
async fn capture_under_lease(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    which: ToCapture,
) -> Result<Captures, AppError> {
    let authorized = payment::Entity::find().filter(capturable());
    let charges = match which {
        ToCapture::One(id) => {
            authorized
                .filter(payment::Column::Id.eq(id))
                .all(db)
                .await?
        }
        ToCapture::Due(limit) => authorized.limit(limit).all(db).await?,
    };
    let mut done = Captures::default();
    let mut asks = Vec::with_capacity(charges.len());
    let mut asked = Vec::with_capacity(charges.len());
    for charge in charges {
        match charge.reference {
            Some(reference) => {
                asks.push((reference, charge.amount_minor, capture_key(charge.id)));
                asked.push(charge.id);
            }
            None => done
                .refused
                .push((charge.id, "a charge without a reference".to_owned())),
        }
    }
    for (id, outcome) in asked.into_iter().zip(provider.capture_many(&asks).await) {
        match outcome {
            Ok(()) => done.captured.push(id),
            Err(err) => done.refused.push((id, err.to_string())),
        }
    }
    // Refused charges stay authorised: the next round (on any node) tries them again.
    if !done.captured.is_empty() {
        payment::Entity::update_many()
            .col_expr(
                payment::Column::Status,
                Expr::value(PaymentStatus::Captured),
            )
            .col_expr(payment::Column::UpdatedAt, Expr::value(time::now()))
            .filter(payment::Column::Id.is_in(done.captured.clone()))
            .filter(capturable())
            .exec(db)
            .await?;
    }
    Ok(done)
}

/// Payments waiting to be captured.
pub fn capturable() -> sea_orm::Condition {
    sea_orm::Condition::all().add(payment::Column::Status.eq(PaymentStatus::Authorized))
}

/// Human words for a decline code.
pub fn decline_message(code: &str) -> &'static str {
    match code {
        "insufficient_funds" => "Your card has insufficient funds. Try another card.",
        _ => "Your card was declined. Try another card.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str) -> CardInput {
        CardInput {
            number: number.into(),
            exp_month: 12,
            exp_year: time::now().year() as u32 + 2,
            cvc: "123".into(),
        }
    }

    #[test]
    fn test_cards_pass_the_checks_and_other_numbers_do_not() {
        // No book: these calls never reach it.
        let sandbox = SandboxProvider::new(Default::default());
        for (number, ..) in TEST_CARDS {
            assert!(sandbox.card_problems(&card(number)).is_empty(), "{number}");
        }
        assert_eq!(
            sandbox.card_problems(&card("4242 4242 4242 4241"))[0].0,
            "number"
        );
        // A real-looking (Luhn-valid) number is refused: nothing real goes through a sandbox.
        assert_eq!(
            sandbox.card_problems(&card("4111111111111111"))[0].0,
            "number"
        );
        let mut expired = card("4242424242424242");
        expired.exp_year = 2020;
        assert_eq!(sandbox.card_problems(&expired)[0].0, "exp_year");
    }

    #[tokio::test]
    async fn each_test_card_behaves_as_documented_also_when_saved() {
        // No book: these calls never reach it.
        let sandbox = SandboxProvider::new(Default::default());
        let outcome = |source| {
            let sandbox = sandbox.clone();
            async move {
                sandbox
                    .authorize(&Authorization {
                        amount_minor: 100,
                        currency: "CNY".into(),
                        source,
                        order_number: "T".into(),
                    })
                    .await
                    .unwrap()
            }
        };
        assert!(matches!(
            outcome(PaymentSource::Card(card("4242424242424242"))).await,
            AuthOutcome::Authorized { .. }
        ));
        assert!(matches!(
            outcome(PaymentSource::Card(card("4000000000009995"))).await,
            AuthOutcome::Declined { code, .. } if code == "insufficient_funds"
        ));
        let saved = sandbox.save_card(&card("4000000000000002")).await.unwrap();
        assert_eq!(saved.card.last4, "0002");
        assert!(matches!(
            outcome(PaymentSource::Saved { token: saved.token }).await,
            AuthOutcome::Declined { code, .. } if code == "card_declined"
        ));
        assert!(matches!(
            outcome(PaymentSource::Card(card("4000000000003220"))).await,
            AuthOutcome::Pending { .. }
        ));
    }

    #[test]
    fn card_numbers_never_show_in_debug_output() {
        let shown = format!("{:?}", card("4242424242424242"));
        assert!(!shown.contains("42424242"), "{shown}");
        assert!(shown.contains("4242"));
    }
}
