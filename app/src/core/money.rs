//! Money: integer minor units with an ISO 4217 currency (every amount in Gala is an `i64` of
//! minor units next to its currency's code), parsed from and shown as people write it
//! ("129.90", "¥1,299"). No floating point anywhere.

/// The currencies Gala sells in, with their number of decimal places and symbol.
pub const CURRENCIES: &[(&str, u32, &str)] = &[
    ("CNY", 2, "¥"),
    ("USD", 2, "$"),
    ("EUR", 2, "€"),
    ("GBP", 2, "£"),
    ("HKD", 2, "HK$"),
    ("JPY", 0, "¥"),
    ("KRW", 0, "₩"),
];

/// The largest amount Gala accepts in one price (10 billion minor units; far above any
/// product, far below `i64` overflow when multiplied by a quantity).
pub const MAX_AMOUNT_MINOR: i64 = 10_000_000_000;

fn currency(code: &str) -> Option<(u32, &'static str)> {
    CURRENCIES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, exp, symbol)| (*exp, *symbol))
}

/// Decimal places of `code` (2 for CNY, 0 for JPY); `None` when Gala doesn't sell in it.
pub fn exponent(code: &str) -> Option<u32> {
    currency(code).map(|(exp, _)| exp)
}

/// Whether Gala sells in `code`.
pub fn is_supported(code: &str) -> bool {
    currency(code).is_some()
}

/// Parses what a person typed ("129.9", "1,299.00", "88") into minor units of `code`.
/// `None` for anything else (negative, too many decimals, unsupported currency, too large).
pub fn parse_amount(text: &str, code: &str) -> Option<i64> {
    let (exponent, _) = currency(code)?;
    let text: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > exponent as usize
        || whole.len() > 12
    {
        return None;
    }
    let scale = 10i64.pow(exponent);
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = exponent as usize)
            .parse()
            .ok()?
    };
    let amount = whole.checked_mul(scale)?.checked_add(fraction)?;
    (amount <= MAX_AMOUNT_MINOR).then_some(amount)
}

/// Shows `amount_minor` of `code` with its symbol and grouping: "¥1,299.00", "€12.50".
pub fn format_amount(amount_minor: i64, code: &str) -> String {
    let (exponent, symbol) = currency(code).unwrap_or((2, ""));
    let sign = if amount_minor < 0 { "-" } else { "" };
    let amount = amount_minor.unsigned_abs();
    let scale = 10u64.pow(exponent);
    let whole = group_thousands(amount / scale);
    let prefix = if symbol.is_empty() {
        format!("{code} ")
    } else {
        symbol.to_owned()
    };
    if exponent == 0 {
        format!("{sign}{prefix}{whole}")
    } else {
        let fraction = amount % scale;
        format!(
            "{sign}{prefix}{whole}.{fraction:0width$}",
            width = exponent as usize
        )
    }
}

/// The amount as typed in a form ("129.90"): no symbol, no grouping.
pub fn amount_input(amount_minor: i64, code: &str) -> String {
    let (exponent, _) = currency(code).unwrap_or((2, ""));
    let scale = 10i64.pow(exponent);
    if exponent == 0 {
        amount_minor.to_string()
    } else {
        format!(
            "{}.{:0width$}",
            amount_minor / scale,
            amount_minor % scale,
            width = exponent as usize
        )
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_into_minor_units() {
        assert_eq!(parse_amount("129.9", "CNY"), Some(12_990));
        assert_eq!(parse_amount("1,299.00", "USD"), Some(129_900));
        assert_eq!(parse_amount("88", "EUR"), Some(8_800));
        assert_eq!(parse_amount(".5", "EUR"), Some(50));
        assert_eq!(parse_amount("1299", "JPY"), Some(1_299));
    }

    #[test]
    fn bad_amounts_are_refused() {
        for bad in ["", "-1", "1.999", "abc", "1.2.3", "1e5", "99999999999999"] {
            assert_eq!(parse_amount(bad, "CNY"), None, "{bad}");
        }
        assert_eq!(parse_amount("1.5", "JPY"), None, "yen has no decimals");
        assert_eq!(parse_amount("1", "XXX"), None, "unsupported currency");
    }

    #[test]
    fn amounts_are_shown_with_symbol_and_grouping() {
        assert_eq!(format_amount(129_900, "CNY"), "¥1,299.00");
        assert_eq!(format_amount(1_250, "EUR"), "€12.50");
        assert_eq!(format_amount(1_000_000, "JPY"), "¥1,000,000");
        assert_eq!(format_amount(5, "USD"), "$0.05");
        assert_eq!(amount_input(12_990, "CNY"), "129.90");
    }
}
