//! A promotion's terms: checked into a row, read back as input, said in a sentence, and the
//! rule that a live promotion's next version may change only in the buyer's favour.

use chrono::{DateTime, Utc};
use entity::promotion;
use uuid::Uuid;

use super::{OrderChannel, PromotionInput, PromotionKind};
use crate::brands::CATEGORIES;
use crate::core::{money, time, AppError, FieldErrors, FieldErrorsExt};

/// Largest amount a promotion may name, in minor units (a billion in a two-decimal currency).
const MAX_AMOUNT: i64 = 100_000_000_000;

/// Checked terms, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub kind: PromotionKind,
    pub name: String,
    pub percent_off: Option<i32>,
    pub amount_off_minor: Option<i64>,
    pub threshold_minor: Option<i64>,
    pub cap_minor: Option<i64>,
    pub currency: String,
    pub listing_ids: Vec<Uuid>,
    pub categories: Vec<String>,
    pub brand_ids: Vec<Uuid>,
    pub channels: Vec<OrderChannel>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub per_buyer_limit: Option<i32>,
    pub usage_limit: Option<i32>,
    pub budget_minor: Option<i64>,
    pub combinable: bool,
    pub code: Option<String>,
    pub coupon_stock: Option<i32>,
    pub claim_limit: Option<i32>,
}

/// Checks `input` for a promotion funded by a brand (`platform` false) or the platform.
/// Listing ids and brand slugs are checked against the database by the caller; here they only
/// need to be well formed (`brand_ids` are resolved by the caller too).
pub fn check(
    input: &PromotionInput,
    platform: bool,
    brand_ids: Vec<Uuid>,
) -> Result<Terms, AppError> {
    let mut fields = FieldErrors::new();
    let kind = match input.kind {
        None => {
            fields.add("kind", "Choose what the promotion does.");
            PromotionKind::PriceCut
        }
        Some(PromotionKind::PlatformAllowance) if !platform => {
            fields.add("kind", "Only the platform funds allowances across brands.");
            PromotionKind::PlatformAllowance
        }
        Some(kind @ (PromotionKind::PriceCut | PromotionKind::StoreThreshold)) if platform => {
            fields.add(
                "kind",
                "Price cuts and spend thresholds belong to a brand's store.",
            );
            kind
        }
        Some(kind) => kind,
    };
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        fields.add(
            "name",
            "Give it a name buyers will read, up to 80 characters.",
        );
    }
    let currency = input.currency.trim().to_uppercase();
    if !money::is_supported(&currency) {
        fields.add("currency", "Use a supported currency code, such as CNY.");
    }
    let positive = |fields: &mut FieldErrors, field: &str, value: Option<i64>| {
        if value.is_some_and(|v| v <= 0 || v > MAX_AMOUNT) {
            fields.add(field, "Enter an amount above zero.");
        }
    };
    positive(&mut fields, "amount_off_minor", input.amount_off_minor);
    positive(&mut fields, "threshold_minor", input.threshold_minor);
    positive(&mut fields, "cap_minor", input.cap_minor);
    positive(&mut fields, "budget_minor", input.budget_minor);
    if input.percent_off.is_some_and(|p| !(1..=90).contains(&p)) {
        fields.add("percent_off", "Use a percentage from 1 to 90.");
    }
    let percent_or_amount = input.percent_off.is_some() != input.amount_off_minor.is_some();
    match kind {
        PromotionKind::PriceCut | PromotionKind::Coupon if !percent_or_amount => {
            fields.add(
                "amount_off_minor",
                "Give either a percentage or an amount off.",
            );
        }
        PromotionKind::StoreThreshold | PromotionKind::PlatformAllowance => {
            if input.threshold_minor.is_none() {
                fields.add(
                    "threshold_minor",
                    "Say how much buyers spend for each step.",
                );
            }
            if input.amount_off_minor.is_none() || input.percent_off.is_some() {
                fields.add("amount_off_minor", "Say how much each step takes off.");
            }
            if let (Some(step), Some(off)) = (input.threshold_minor, input.amount_off_minor) {
                if off >= step {
                    fields.add(
                        "amount_off_minor",
                        "Take off less than the step buyers spend.",
                    );
                }
            }
        }
        _ => {}
    }
    let starts_at = time::parse_input(&input.starts_at);
    let ends_at = time::parse_input(&input.ends_at);
    if starts_at.is_none() {
        fields.add("starts_at", "Enter when it starts.");
    }
    match (starts_at, ends_at) {
        (_, None) => fields.add("ends_at", "Enter when it ends."),
        (Some(start), Some(end)) if end <= start => {
            fields.add("ends_at", "It must end after it starts.")
        }
        _ => {}
    }
    let count = |fields: &mut FieldErrors, field: &str, value: Option<i32>| {
        if value.is_some_and(|v| v <= 0) {
            fields.add(field, "Enter a number above zero.");
        }
    };
    count(&mut fields, "per_buyer_limit", input.per_buyer_limit);
    count(&mut fields, "usage_limit", input.usage_limit);
    count(&mut fields, "coupon_stock", input.coupon_stock);
    count(&mut fields, "claim_limit", input.claim_limit);
    let mut listing_ids = Vec::new();
    for (i, id) in input.listing_ids.iter().enumerate() {
        match Uuid::parse_str(id.trim()) {
            Ok(id) => listing_ids.push(id),
            Err(_) => fields.add(format!("listing_ids.{i}"), "Not a listing of this store."),
        }
    }
    listing_ids.sort_unstable();
    listing_ids.dedup();
    let mut categories: Vec<String> = input
        .categories
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    for (i, category) in categories.iter().enumerate() {
        if !CATEGORIES.contains(&category.as_str()) {
            fields.add(format!("categories.{i}"), "Unknown category.");
        }
    }
    categories.sort();
    categories.dedup();
    let mut channels = input.channels.clone();
    channels.sort_by_key(|c| c.as_str());
    channels.dedup();
    let (code, coupon_stock, claim_limit) = if kind == PromotionKind::Coupon {
        let code = input
            .code
            .as_deref()
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty());
        if code.as_ref().is_some_and(|c| {
            !(4..=32).contains(&c.len())
                || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        }) {
            fields.add("code", "Use 4–32 letters, digits and dashes.");
        }
        if input.coupon_stock.is_none() {
            fields.add("coupon_stock", "Say how many coupons buyers may claim.");
        }
        (
            code,
            input.coupon_stock,
            Some(input.claim_limit.unwrap_or(1)),
        )
    } else {
        (None, None, None)
    };
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    Ok(Terms {
        kind,
        name,
        percent_off: input.percent_off,
        amount_off_minor: input.amount_off_minor,
        threshold_minor: input.threshold_minor,
        cap_minor: input.cap_minor,
        currency,
        listing_ids,
        categories,
        brand_ids,
        channels,
        starts_at: starts_at.expect("checked"),
        ends_at: ends_at.expect("checked"),
        per_buyer_limit: input.per_buyer_limit,
        usage_limit: input.usage_limit,
        budget_minor: input.budget_minor,
        combinable: input.combinable,
        code,
        coupon_stock,
        claim_limit,
    })
}

/// A JSON array column.
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// A JSON array column read back (an unreadable one reads as empty: "applies to all" is
/// never the result, because rows are only written by [`fill`]).
pub fn read_list<T: serde::de::DeserializeOwned>(column: &str) -> Vec<T> {
    serde_json::from_str(column).unwrap_or_default()
}

/// Writes `terms` onto `row`.
pub fn fill(row: &mut promotion::Model, terms: &Terms) {
    row.kind = terms.kind;
    row.name = terms.name.clone();
    row.percent_off = terms.percent_off;
    row.amount_off_minor = terms.amount_off_minor;
    row.threshold_minor = terms.threshold_minor;
    row.cap_minor = terms.cap_minor;
    row.currency = terms.currency.clone();
    row.listing_ids = json_list(&terms.listing_ids);
    row.categories = json_list(&terms.categories);
    row.brand_ids = json_list(&terms.brand_ids);
    row.channels = json_list(&terms.channels);
    row.starts_at = terms.starts_at;
    row.ends_at = terms.ends_at;
    row.per_buyer_limit = terms.per_buyer_limit;
    row.usage_limit = terms.usage_limit;
    row.budget_minor = terms.budget_minor;
    row.combinable = terms.combinable;
    row.code = terms.code.clone();
    row.coupon_stock = terms.coupon_stock;
    row.claim_limit = terms.claim_limit;
}

/// The terms stored on `row`.
pub fn of_row(row: &promotion::Model) -> Terms {
    Terms {
        kind: row.kind,
        name: row.name.clone(),
        percent_off: row.percent_off,
        amount_off_minor: row.amount_off_minor,
        threshold_minor: row.threshold_minor,
        cap_minor: row.cap_minor,
        currency: row.currency.clone(),
        listing_ids: read_list(&row.listing_ids),
        categories: read_list(&row.categories),
        brand_ids: read_list(&row.brand_ids),
        channels: read_list(&row.channels),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        per_buyer_limit: row.per_buyer_limit,
        usage_limit: row.usage_limit,
        budget_minor: row.budget_minor,
        combinable: row.combinable,
        code: row.code.clone(),
        coupon_stock: row.coupon_stock,
        claim_limit: row.claim_limit,
    }
}

/// `row`'s terms as input (what an edit form starts from); `brands` are the slugs of its
/// `brand_ids`.
pub fn as_input(row: &promotion::Model, brands: Vec<String>) -> PromotionInput {
    let terms = of_row(row);
    PromotionInput {
        kind: Some(terms.kind),
        name: terms.name,
        percent_off: terms.percent_off,
        amount_off_minor: terms.amount_off_minor,
        threshold_minor: terms.threshold_minor,
        cap_minor: terms.cap_minor,
        currency: terms.currency,
        listing_ids: terms.listing_ids.iter().map(Uuid::to_string).collect(),
        categories: terms.categories,
        brands,
        channels: terms.channels,
        starts_at: terms.starts_at.to_rfc3339(),
        ends_at: terms.ends_at.to_rfc3339(),
        per_buyer_limit: terms.per_buyer_limit,
        usage_limit: terms.usage_limit,
        budget_minor: terms.budget_minor,
        combinable: terms.combinable,
        code: terms.code,
        coupon_stock: terms.coupon_stock,
        claim_limit: terms.claim_limit,
    }
}

/// The terms in a sentence, as buyers read them: "40.00 off every 300.00, at most 120.00".
pub fn summary(row: &promotion::Model) -> String {
    let amount = |minor: i64| money::format_amount(minor, &row.currency);
    let off = match (row.percent_off, row.amount_off_minor) {
        (Some(percent), _) => format!("{percent}% off"),
        (None, Some(minor)) => format!("{} off", amount(minor)),
        (None, None) => String::new(),
    };
    let mut text = match row.kind {
        PromotionKind::PriceCut if row.percent_off.is_some() => off,
        PromotionKind::PriceCut => format!("{off} each"),
        PromotionKind::StoreThreshold | PromotionKind::PlatformAllowance => format!(
            "{off} every {}",
            amount(row.threshold_minor.unwrap_or_default())
        ),
        PromotionKind::Coupon => match row.threshold_minor {
            Some(min) => format!("{off} orders of {} or more", amount(min)),
            None => off,
        },
    };
    if let Some(cap) = row.cap_minor {
        text.push_str(&format!(", at most {}", amount(cap)));
    }
    text
}

/// `Some(limit)` is at least `old`'s (none is no limit, the most generous).
fn no_tighter<T: PartialOrd + Copy>(old: Option<T>, new: Option<T>) -> bool {
    match (old, new) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(old), Some(new)) => new >= old,
    }
}

/// A list "applies to" rule: empty is all, so the new list must be empty or include the old.
fn no_narrower<T: PartialEq>(old: &[T], new: &[T]) -> bool {
    new.is_empty() || (!old.is_empty() && old.iter().all(|item| new.contains(item)))
}

/// Why `next` is not in the buyer's favour compared with the live `live`, field by field:
/// as much off or more, a lower or equal threshold or minimum spend, no tighter cap or limit,
/// no smaller budget or stock, no narrower scope, a window that only grows, and it may become
/// combinable but not stop being so. The kind and currency never change.
pub fn not_in_buyers_favour(live: &Terms, next: &Terms) -> FieldErrors {
    let mut fields = FieldErrors::new();
    let mut refuse = |field: &str, ok: bool| {
        if !ok {
            fields.add(
                field,
                "A live promotion can change only in the buyer's favour.",
            );
        }
    };
    refuse("kind", live.kind == next.kind);
    refuse("currency", live.currency == next.currency);
    refuse(
        "percent_off",
        live.percent_off.is_none() == next.percent_off.is_none()
            && next.percent_off >= live.percent_off,
    );
    refuse(
        "amount_off_minor",
        live.amount_off_minor.is_none() == next.amount_off_minor.is_none()
            && next.amount_off_minor >= live.amount_off_minor,
    );
    refuse(
        "threshold_minor",
        match (live.threshold_minor, next.threshold_minor) {
            (_, None) => live.kind == PromotionKind::Coupon,
            (None, Some(_)) => false,
            (Some(old), Some(new)) => new <= old,
        },
    );
    refuse("cap_minor", no_tighter(live.cap_minor, next.cap_minor));
    refuse(
        "per_buyer_limit",
        no_tighter(live.per_buyer_limit, next.per_buyer_limit),
    );
    refuse(
        "usage_limit",
        no_tighter(live.usage_limit, next.usage_limit),
    );
    refuse(
        "budget_minor",
        no_tighter(live.budget_minor, next.budget_minor),
    );
    refuse(
        "coupon_stock",
        no_tighter(live.coupon_stock, next.coupon_stock),
    );
    refuse(
        "claim_limit",
        no_tighter(live.claim_limit, next.claim_limit),
    );
    refuse(
        "listing_ids",
        no_narrower(&live.listing_ids, &next.listing_ids),
    );
    refuse(
        "categories",
        no_narrower(&live.categories, &next.categories),
    );
    refuse("brands", no_narrower(&live.brand_ids, &next.brand_ids));
    refuse("channels", no_narrower(&live.channels, &next.channels));
    refuse("starts_at", next.starts_at <= live.starts_at);
    refuse("ends_at", next.ends_at >= live.ends_at);
    refuse("combinable", next.combinable || !live.combinable);
    refuse("code", live.code == next.code);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threshold() -> PromotionInput {
        PromotionInput {
            kind: Some(PromotionKind::StoreThreshold),
            name: "40 off every 300".into(),
            amount_off_minor: Some(4_000),
            threshold_minor: Some(30_000),
            currency: "cny".into(),
            starts_at: "2026-11-11T00:00".into(),
            ends_at: "2026-11-12T00:00".into(),
            usage_limit: Some(50),
            ..PromotionInput::default()
        }
    }

    #[test]
    fn a_threshold_is_checked_and_normalised() {
        let terms = check(&threshold(), false, vec![]).unwrap();
        assert_eq!(terms.currency, "CNY");
        assert_eq!(terms.code, None);
        let mut bad = threshold();
        bad.amount_off_minor = Some(30_000);
        bad.ends_at = "2026-11-10T00:00".into();
        bad.kind = Some(PromotionKind::PlatformAllowance);
        let AppError::Validation { fields } = check(&bad, false, vec![]).unwrap_err() else {
            panic!("a validation error");
        };
        for field in ["amount_off_minor", "ends_at", "kind"] {
            assert!(fields.contains_key(field), "{field}: {fields:?}");
        }
    }

    #[test]
    fn a_coupon_needs_a_stock_and_a_good_code() {
        let mut coupon = threshold();
        coupon.kind = Some(PromotionKind::Coupon);
        coupon.code = Some("no spaces!".into());
        let AppError::Validation { fields } = check(&coupon, false, vec![]).unwrap_err() else {
            panic!("a validation error");
        };
        assert!(fields.contains_key("code") && fields.contains_key("coupon_stock"));
        coupon.code = Some("gala-40".into());
        coupon.coupon_stock = Some(100);
        let terms = check(&coupon, false, vec![]).unwrap();
        assert_eq!(terms.code.as_deref(), Some("GALA-40"));
        assert_eq!(terms.claim_limit, Some(1));
    }

    #[test]
    fn a_live_promotion_changes_only_in_the_buyers_favour() {
        let live = check(&threshold(), false, vec![]).unwrap();
        let mut better = threshold();
        better.amount_off_minor = Some(5_000);
        better.usage_limit = None;
        better.ends_at = "2026-11-13T00:00".into();
        better.combinable = true;
        let better = check(&better, false, vec![]).unwrap();
        assert!(not_in_buyers_favour(&live, &better).is_empty());
        let mut worse = threshold();
        worse.amount_off_minor = Some(3_000);
        worse.threshold_minor = Some(40_000);
        worse.usage_limit = Some(10);
        worse.categories = vec!["fashion".into()];
        let worse = check(&worse, false, vec![]).unwrap();
        let fields = not_in_buyers_favour(&live, &worse);
        for field in [
            "amount_off_minor",
            "threshold_minor",
            "usage_limit",
            "categories",
        ] {
            assert!(fields.contains_key(field), "{field}: {fields:?}");
        }
    }
}
