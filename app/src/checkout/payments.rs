//! Payments: the provider interface the checkout engine talks to, and the one provider Gala
//! ships, [`SandboxProvider`] — a card processor's *test mode*, not a real processor. It
//! moves no money; documented test card numbers succeed, decline, run out of funds or wait
//! for an asynchronous confirmation, so every path of checkout can be exercised.

use async_trait::async_trait;
use chrono::Datelike;
use uuid::Uuid;

use super::CardInput;
use crate::core::time;
use entity::values::PaymentStatus;

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
    /// Takes an authorised amount.
    async fn capture(&self, reference: &str, amount_minor: i64) -> Result<(), ProviderError>;
    /// Releases an authorisation that will not be captured.
    async fn void(&self, reference: &str) -> Result<(), ProviderError>;
    /// Returns part or all of a captured amount; answers the refund's reference.
    async fn refund(&self, reference: &str, amount_minor: i64) -> Result<String, ProviderError>;
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
}

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
];

/// The test-mode provider. Stateless: a saved card's token carries which test card it is.
#[derive(Debug, Default, Clone)]
pub struct SandboxProvider;

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
        let reference = format!("sandbox_auth_{}", Uuid::new_v4().simple());
        Ok(match behaviour {
            TestCardBehaviour::Succeeds => AuthOutcome::Authorized { reference, card },
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

    async fn capture(&self, reference: &str, _amount_minor: i64) -> Result<(), ProviderError> {
        sandbox_reference(reference)
    }

    async fn void(&self, reference: &str) -> Result<(), ProviderError> {
        sandbox_reference(reference)
    }

    async fn refund(&self, reference: &str, _amount_minor: i64) -> Result<String, ProviderError> {
        sandbox_reference(reference)?;
        Ok(format!("sandbox_refund_{}", Uuid::new_v4().simple()))
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

fn sandbox_reference(reference: &str) -> Result<(), ProviderError> {
    if reference.starts_with("sandbox_auth_") {
        Ok(())
    } else {
        Err(ProviderError(format!("not a sandbox payment: {reference}")))
    }
}

/// Takes the authorised amount of each of `charges` (`payment` rows of kind `charge`) from the
/// provider, then records those it took as captured in one conditional update (a capture
/// recorded by another node meanwhile is not recorded twice; one statement, not one commit per
/// payment). Answers the charges the provider refused, with its reason, to be tried again.
pub async fn capture(
    db: &impl sea_orm::ConnectionTrait,
    provider: &dyn PaymentProvider,
    charges: &[entity::payment::Model],
) -> Result<Vec<(Uuid, String)>, crate::core::AppError> {
    use entity::payment;
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
    let mut captured = Vec::with_capacity(charges.len());
    let mut refused = Vec::new();
    for charge in charges {
        let Some(reference) = charge.reference.as_deref() else {
            refused.push((charge.id, "a charge without a reference".to_owned()));
            continue;
        };
        match provider.capture(reference, charge.amount_minor).await {
            Ok(()) => captured.push(charge.id),
            Err(err) => refused.push((charge.id, err.to_string())),
        }
    }
    if !captured.is_empty() {
        payment::Entity::update_many()
            .col_expr(
                payment::Column::Status,
                Expr::value(PaymentStatus::Captured),
            )
            .col_expr(payment::Column::UpdatedAt, Expr::value(time::now()))
            .filter(payment::Column::Id.is_in(captured))
            .filter(payment::Column::Status.eq(PaymentStatus::Authorized))
            .exec(db)
            .await?;
    }
    Ok(refused)
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
        let sandbox = SandboxProvider;
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
        let sandbox = SandboxProvider;
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
