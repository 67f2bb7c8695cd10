//! From what a buyer sent ([`PlaceOrderInput`]) to what the engine runs ([`OrderRequest`]):
//! every field checked, with a message per field, before anything is reserved.

use entity::payment_method;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::payments::{PaymentProvider, PaymentSource};
use super::{AddressInput, DeliveryOption, OrderChannel, OrderLineInput, PlaceOrderInput};
use crate::auth::{service::normalize_email, Caller};
use crate::brands::BrandScope;
use crate::catalog::stock::StockPool;
use crate::core::{AppError, FieldErrors, FieldErrorsExt};

/// Lines one order may have.
pub const MAX_LINES: usize = 50;
/// Units of one SKU one order may buy.
pub const MAX_QUANTITY: i64 = 100;

/// Who an order is for, as the caller's credentials say: a signed-in account, a brand's own
/// system (bearer token), or a guest.
#[derive(Debug, Clone, Default)]
pub struct Buyer {
    /// The signed-in account and its email address.
    pub account: Option<(Uuid, String)>,
    /// Whether the signed-in account's email is verified (needed for limited SKUs).
    pub verified: bool,
    /// A brand's own system: it may sell and read only that brand's SKUs and orders.
    pub brand: Option<Uuid>,
    /// A guest's own id, kept in their session (see [`guest_id`]): their idempotency keys are
    /// theirs alone.
    pub guest: Option<String>,
    /// Where the request came from (open unpaid orders are capped per address too).
    pub client_addr: Option<String>,
    /// The guest orders this guest's session placed (it may see them without their link).
    pub placed: Vec<Uuid>,
}

/// The session key of the guest orders a session placed.
const PLACED_ORDERS: &str = "placed_orders";

/// How many of its latest orders a guest session remembers.
const PLACED_REMEMBERED: usize = 20;

/// Remembers, in a guest's session, that it placed order `id` (a client without a session
/// keeps the order's link instead).
pub async fn remember_placed(session: &tower_sessions::Session, id: Uuid) -> Result<(), AppError> {
    if session.id().is_none() {
        return Ok(());
    }
    let mut placed = placed_orders(session).await?;
    placed.retain(|known| *known != id);
    placed.push(id);
    let excess = placed.len().saturating_sub(PLACED_REMEMBERED);
    placed.drain(..excess);
    session
        .insert(PLACED_ORDERS, &placed)
        .await
        .map_err(AppError::internal)
}

async fn placed_orders(session: &tower_sessions::Session) -> Result<Vec<Uuid>, AppError> {
    Ok(session
        .get::<Vec<Uuid>>(PLACED_ORDERS)
        .await
        .map_err(AppError::internal)?
        .unwrap_or_default())
}

/// The session key of a guest's id.
const GUEST_ID: &str = "guest_id";

/// The guest's id, kept in their session: made on first use when the request came with a
/// session (a browser), `None` for a client that keeps no cookies (each of its requests would
/// otherwise be a new guest, and its retries never recognised).
async fn guest_id(session: &tower_sessions::Session) -> Result<Option<String>, AppError> {
    if let Some(id) = session
        .get::<String>(GUEST_ID)
        .await
        .map_err(AppError::internal)?
    {
        return Ok(Some(id));
    }
    if session.id().is_none() {
        return Ok(None);
    }
    let id = Uuid::new_v4().simple().to_string();
    session
        .insert(GUEST_ID, &id)
        .await
        .map_err(AppError::internal)?;
    Ok(Some(id))
}

impl Buyer {
    /// The buyer `caller` is (a bearer token is checked: it must be a live write token).
    pub async fn of(db: &impl ConnectionTrait, caller: &Caller) -> Result<Buyer, AppError> {
        let brand = BrandScope::of_bearer(db, caller)
            .await?
            .map(|scope| scope.brand_id());
        let (guest, placed) = match (caller.account(), brand) {
            (None, None) => (
                guest_id(caller.session()).await?,
                placed_orders(caller.session()).await?,
            ),
            _ => (None, Vec::new()),
        };
        Ok(Buyer {
            account: caller.account().map(|a| (a.id, a.email.clone())),
            verified: caller.account().is_some_and(|a| a.email_verified),
            brand,
            guest,
            client_addr: caller.client().addr.clone(),
            placed,
        })
    }

    /// Whose idempotency keys these are: the brand's system, the account, this guest's
    /// session — or, for a guest that keeps no cookies, its address and receipt email (so
    /// one client cannot pre-claim the keys of another, however predictable they are).
    pub fn idempotency_scope(&self, email: &str) -> String {
        match (&self.account, self.brand, &self.guest) {
            (_, Some(brand), _) => format!("brand:{brand}"),
            (Some((account, _)), None, _) => format!("account:{account}"),
            (None, None, Some(guest)) => format!("guest:{guest}"),
            (None, None, None) => {
                let client = format!(
                    "{}|{email}",
                    self.client_addr.as_deref().unwrap_or("unknown")
                );
                format!("guest:{}", &sha_hex(client.as_bytes())[..32])
            }
        }
    }
}

/// One line the engine will buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRequest {
    pub sku_id: Uuid,
    pub quantity: i64,
}

/// How an order's units reach its buyer. Which ways a channel offers is the channel's rule
/// ([`Delivery::check`]): the storefront, the API and a show ship to an address; picking up in
/// a store and carrying out at a till arrive with stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Shipped to `address`, at `speed` (one parcel per brand).
    Ship {
        address: AddressInput,
        speed: DeliveryOption,
    },
}

impl Delivery {
    /// The delivery `input` asks for through `channel`, checked (field errors into `fields`).
    fn check(
        channel: OrderChannel,
        input: &PlaceOrderInput,
        fields: &mut FieldErrors,
    ) -> Option<Delivery> {
        match channel {
            OrderChannel::Storefront
            | OrderChannel::Api
            | OrderChannel::Show
            | OrderChannel::Presale => match &input.shipping_address {
                Some(address) => Some(Delivery::Ship {
                    address: check_address(address, fields),
                    speed: input.delivery,
                }),
                None => {
                    fields.add("shipping_address", "Enter where to deliver the order.");
                    None
                }
            },
        }
    }

    /// How fast it ships (what each parcel costs).
    pub fn speed(&self) -> DeliveryOption {
        match self {
            Delivery::Ship { speed, .. } => *speed,
        }
    }

    /// Where it ships to.
    pub fn address(&self) -> Option<&AddressInput> {
        match self {
            Delivery::Ship { address, .. } => Some(address),
        }
    }
}

/// A checked order request: what [`super::Engine::place`] runs.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    pub channel: OrderChannel,
    /// The stock the order draws on ([`StockPool::Open`] unless a channel says otherwise).
    pub pool: StockPool,
    pub account_id: Option<Uuid>,
    /// Whether the account's email is verified: limited and show-exclusive SKUs need it.
    pub verified: bool,
    /// The receipt address, normalised.
    pub email: String,
    pub lines: Vec<LineRequest>,
    pub delivery: Delivery,
    pub payment: PaymentSource,
    /// Save the typed card for one-tap buying (signed-in buyers).
    pub save_card: bool,
    /// Only this brand's SKUs may be bought (a brand's own system).
    pub only_brand: Option<Uuid>,
    /// Where the request came from (orders left waiting for payment are capped per address).
    pub client_addr: Option<String>,
    /// SHA-256 of the request as sent (card number reduced to its last four digits), to tell
    /// a retry from a different request under the same idempotency key.
    pub fingerprint: String,
    /// The buyer's coupon to use, from their wallet.
    pub coupon_id: Option<Uuid>,
    /// The buyer's red envelope to use.
    pub envelope_id: Option<Uuid>,
    /// A pre-sale order's terms (set by the `presale` capability, never from a buyer's input).
    pub presale: Option<PresaleStep>,
}

/// What a pre-sale order is, as the `presale` capability places it: never read from what a
/// buyer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresaleStep {
    /// A deposit of `deposit_minor` a unit on campaign `campaign`'s SKU, whose pre-sale price is
    /// `price_minor` and whose deposit is worth `credit_minor` at balance time: priced at the
    /// deposit, without delivery or promotions (both belong to the balance); its units are
    /// reserved, not sold, and the paid order waits for its balance.
    Deposit {
        campaign: Uuid,
        price_minor: i64,
        deposit_minor: i64,
        credit_minor: i64,
    },
    /// The balance of deposit order `deposit_order` (campaign `campaign`): its one line priced
    /// at `price_minor` a unit less the deposit's credit of `credit_minor` a unit, then the
    /// promotions the quote picks; it takes no stock — its units are the deposit's, reserved
    /// at `allocations` (location, units), which it sells — and, paid, settles the deposit
    /// order (`balance_due` → `balance_paid`) in the same commit, once.
    Balance {
        campaign: Uuid,
        deposit_order: Uuid,
        price_minor: i64,
        credit_minor: i64,
        allocations: Vec<(Uuid, i64)>,
    },
}

impl PresaleStep {
    /// The deposit order a balance settles.
    pub fn settles(&self) -> Option<Uuid> {
        match self {
            PresaleStep::Balance { deposit_order, .. } => Some(*deposit_order),
            PresaleStep::Deposit { .. } => None,
        }
    }

    /// The campaign the order belongs to.
    pub fn campaign(&self) -> Uuid {
        match self {
            PresaleStep::Deposit { campaign, .. } | PresaleStep::Balance { campaign, .. } => {
                *campaign
            }
        }
    }
}

impl OrderRequest {
    /// The key purchase limits are counted under: the account (see [`super::limits::buyer_key`]).
    pub fn buyer_key(&self) -> String {
        super::limits::buyer_key(self.account_id, &self.email)
    }
}

fn text_field(
    fields: &mut FieldErrors,
    name: &str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let value = value.trim().to_owned();
    if required && value.is_empty() {
        fields.add(format!("shipping_address.{name}"), "Required.");
    } else if value.chars().count() > max || value.chars().any(char::is_control) {
        fields.add(
            format!("shipping_address.{name}"),
            format!("Use at most {max} characters, on one line."),
        );
    }
    value
}

/// Checks an address; the trimmed copy on success.
pub fn check_address(address: &AddressInput, fields: &mut FieldErrors) -> AddressInput {
    let optional = |fields: &mut FieldErrors, name: &str, value: &Option<String>, max| {
        value
            .as_deref()
            .map(|v| text_field(fields, name, v, max, false))
            .filter(|v| !v.is_empty())
    };
    let checked = AddressInput {
        name: text_field(fields, "name", &address.name, 100, true),
        line1: text_field(fields, "line1", &address.line1, 200, true),
        line2: optional(fields, "line2", &address.line2, 200),
        city: text_field(fields, "city", &address.city, 100, true),
        region: optional(fields, "region", &address.region, 100),
        postal_code: text_field(fields, "postal_code", &address.postal_code, 20, true),
        country: address.country.trim().to_uppercase(),
        phone: optional(fields, "phone", &address.phone, 30),
    };
    if !checked.postal_code.is_empty()
        && !checked
            .postal_code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        fields.add(
            "shipping_address.postal_code",
            "Use letters, digits, spaces or dashes.",
        );
    }
    if checked.country.len() != 2 || !checked.country.chars().all(|c| c.is_ascii_uppercase()) {
        fields.add(
            "shipping_address.country",
            "Use the two-letter country code (CN, US, FR...).",
        );
    }
    if let Some(phone) = &checked.phone {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(6..=20).contains(&digits)
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            fields.add(
                "shipping_address.phone",
                "Enter a phone number with 6 to 20 digits.",
            );
        }
    }
    checked
}

/// The `(sku, quantity)` pairs of `lines`, checked as an order's lines are (1 to
/// [`MAX_LINES`] lines, each SKU once, 1 to [`MAX_QUANTITY`] units): what a quote prices.
pub fn quote_items(lines: &[OrderLineInput]) -> Result<Vec<(Uuid, i64)>, AppError> {
    let mut fields = FieldErrors::new();
    let checked = check_lines(lines, &mut fields);
    if fields.is_empty() {
        Ok(checked
            .into_iter()
            .map(|l| (l.sku_id, l.quantity))
            .collect())
    } else {
        Err(AppError::Validation { fields })
    }
}

/// Checks an order's lines, with a message per field.
fn check_lines(input: &[OrderLineInput], fields: &mut FieldErrors) -> Vec<LineRequest> {
    if input.is_empty() || input.len() > MAX_LINES {
        fields.add("lines", format!("An order has 1 to {MAX_LINES} lines."));
    }
    let mut lines: Vec<LineRequest> = Vec::new();
    for (i, line) in input.iter().enumerate().take(MAX_LINES) {
        let sku = Uuid::parse_str(line.sku.trim());
        if sku.is_err() {
            fields.add(format!("lines.{i}.sku"), "Unknown SKU.");
        }
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            fields.add(
                format!("lines.{i}.quantity"),
                format!("Choose between 1 and {MAX_QUANTITY} units."),
            );
        }
        if let Ok(sku_id) = sku {
            if lines.iter().any(|l| l.sku_id == sku_id) {
                fields.add(
                    format!("lines.{i}.sku"),
                    "This item is already in the order: change its quantity instead.",
                );
            }
            lines.push(LineRequest {
                sku_id,
                quantity: line.quantity,
            });
        }
    }
    lines
}

/// Checks `input` from `buyer` on `channel`, drawing on `pool`; saved payment methods are
/// looked up in `db`.
pub async fn prepare(
    db: &impl ConnectionTrait,
    provider: &dyn PaymentProvider,
    buyer: &Buyer,
    channel: OrderChannel,
    pool: StockPool,
    input: &PlaceOrderInput,
) -> Result<OrderRequest, AppError> {
    let mut fields = FieldErrors::new();
    let lines = check_lines(&input.lines, &mut fields);
    let email = match (&input.email, &buyer.account) {
        (Some(email), _) if !email.trim().is_empty() => {
            normalize_email(email).unwrap_or_else(|message| {
                fields.add("email", message);
                String::new()
            })
        }
        (_, Some((_, account_email))) => account_email.clone(),
        _ => {
            fields.add("email", "Enter the email address for your receipt.");
            String::new()
        }
    };
    let delivery = Delivery::check(channel, input, &mut fields);
    let account_id = buyer.account.as_ref().map(|(id, _)| *id);
    let payment = match (&input.payment.card, &input.payment.saved_method) {
        (Some(card), None) => {
            for (field, message) in provider.card_problems(card) {
                fields.add(format!("payment.card.{field}"), message);
            }
            Some(PaymentSource::Card(card.clone()))
        }
        (None, Some(id)) => {
            let method = match (Uuid::parse_str(id.trim()), account_id) {
                (Ok(id), Some(account_id)) => {
                    payment_method::Entity::find_by_id(id)
                        .filter(payment_method::Column::AccountId.eq(account_id))
                        .one(db)
                        .await?
                }
                _ => None,
            };
            match method {
                Some(method) => Some(PaymentSource::Saved {
                    token: method.token,
                }),
                None => {
                    fields.add(
                        "payment.saved_method",
                        "This saved card isn't available. Enter a card instead.",
                    );
                    None
                }
            }
        }
        _ => {
            fields.add(
                "payment",
                "Enter a card, or choose one of your saved cards.",
            );
            None
        }
    };
    if input.payment.save_card && account_id.is_none() {
        fields.add("payment.save_card", "Sign in to save a card.");
    }
    // A coupon or an envelope is one of the signed-in buyer's own (the engine checks whose).
    let mut own = |field: &str, value: &Option<String>, what: &str| match value
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(_) if account_id.is_none() => {
            fields.add(field, format!("Sign in to use a {what}."));
            None
        }
        Some(id) => match Uuid::parse_str(id) {
            Ok(id) => Some(id),
            Err(_) => {
                fields.add(field, format!("This {what} isn't in your wallet."));
                None
            }
        },
    };
    let coupon_id = own("coupon", &input.coupon, "coupon");
    let envelope_id = own("envelope", &input.envelope, "red envelope");
    match (payment, delivery) {
        (Some(payment), Some(delivery)) if fields.is_empty() => Ok(OrderRequest {
            channel,
            pool,
            account_id,
            verified: buyer.verified,
            email,
            lines,
            delivery,
            payment,
            save_card: input.payment.save_card,
            only_brand: buyer.brand,
            client_addr: buyer.client_addr.clone(),
            fingerprint: fingerprint(channel, input),
            coupon_id,
            envelope_id,
            presale: None,
        }),
        _ => Err(AppError::Validation { fields }),
    }
}

/// SHA-256 of the request as sent, with the card reduced to its last four digits and no
/// security code (so no card data is stored, even hashed).
fn fingerprint(channel: OrderChannel, input: &PlaceOrderInput) -> String {
    let mut reduced = input.clone();
    if let Some(card) = &mut reduced.payment.card {
        let digits: String = card.number.chars().filter(char::is_ascii_digit).collect();
        card.number = digits[digits.len().saturating_sub(4)..].to_owned();
        card.cvc.clear();
    }
    let body = serde_json::to_string(&(channel, &reduced)).unwrap_or_default();
    sha_hex(body.as_bytes())
}

/// SHA-256 of `bytes`, in hex.
fn sha_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(2 * digest.len());
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> AddressInput {
        AddressInput {
            name: " Mei Lin ".into(),
            line1: "88 Century Avenue".into(),
            line2: Some("  ".into()),
            city: "Shanghai".into(),
            region: None,
            postal_code: "200120".into(),
            country: " cn ".into(),
            phone: Some("+86 (21) 5555-0100".into()),
        }
    }

    fn problems(change: impl FnOnce(&mut AddressInput)) -> Vec<String> {
        let mut input = address();
        change(&mut input);
        let mut fields = FieldErrors::new();
        check_address(&input, &mut fields);
        fields.into_keys().collect()
    }

    #[test]
    fn a_good_address_comes_back_trimmed_with_its_country_in_capitals() {
        let mut fields = FieldErrors::new();
        let checked = check_address(&address(), &mut fields);
        assert!(fields.is_empty(), "{fields:?}");
        assert_eq!(checked.name, "Mei Lin");
        assert_eq!(checked.line2, None, "a blank optional line is dropped");
        assert_eq!(checked.country, "CN");
    }

    #[test]
    fn each_bad_address_field_is_named() {
        let field = |name: &str| vec![format!("shipping_address.{name}")];
        assert_eq!(problems(|a| a.name = "  ".into()), field("name"));
        assert_eq!(problems(|a| a.line1 = String::new()), field("line1"));
        assert_eq!(problems(|a| a.city = "x".repeat(101)), field("city"));
        assert_eq!(
            problems(|a| a.line2 = Some("a\nb".into())),
            field("line2"),
            "one line"
        );
        assert_eq!(
            problems(|a| a.postal_code = "2001<20".into()),
            field("postal_code")
        );
        assert_eq!(
            problems(|a| a.postal_code = "SW1A 1AA".into()),
            Vec::<String>::new()
        );
        assert_eq!(problems(|a| a.country = "CHN".into()), field("country"));
        assert_eq!(problems(|a| a.country = "c1".into()), field("country"));
        assert_eq!(
            problems(|a| a.phone = Some("12345".into())),
            field("phone"),
            "too few digits"
        );
        assert_eq!(
            problems(|a| a.phone = Some("call 5555 0100".into())),
            field("phone")
        );
        assert_eq!(
            problems(|a| a.phone = None),
            Vec::<String>::new(),
            "a phone is optional"
        );
    }

    fn line(sku: &str, quantity: i64) -> OrderLineInput {
        OrderLineInput {
            sku: sku.into(),
            quantity,
        }
    }

    #[test]
    fn lines_are_checked_one_by_one() {
        let sku = Uuid::now_v7().to_string();
        let other = Uuid::now_v7().to_string();
        assert_eq!(
            quote_items(&[line(&sku, 2), line(&other, MAX_QUANTITY)])
                .unwrap()
                .len(),
            2
        );
        let refused = |lines: &[OrderLineInput]| match quote_items(lines) {
            Err(AppError::Validation { fields }) => fields.into_keys().collect::<Vec<_>>(),
            other => panic!("not refused: {other:?}"),
        };
        assert_eq!(refused(&[]), ["lines"]);
        assert_eq!(refused(&[line("nope", 1)]), ["lines.0.sku"]);
        assert_eq!(refused(&[line(&sku, 0)]), ["lines.0.quantity"]);
        assert_eq!(
            refused(&[line(&sku, MAX_QUANTITY + 1)]),
            ["lines.0.quantity"]
        );
        assert_eq!(
            refused(&[line(&sku, 1), line(&sku, 1)]),
            ["lines.1.sku"],
            "a SKU once"
        );
        let too_many: Vec<OrderLineInput> = (0..=MAX_LINES)
            .map(|_| line(&Uuid::now_v7().to_string(), 1))
            .collect();
        assert_eq!(refused(&too_many), ["lines"]);
    }
}
