//! Planning one listing from its rows: the listing, variants and stock they describe, checked
//! as a whole (a listing lands completely or not at all), or each row's problem for the
//! report.

use std::collections::{HashMap, HashSet};

use crate::catalog::{listings, stock, ListingInput, ListingOption, ListingStatus, VariantInput};
use crate::core::{money, AppError};

use super::csv::Row;

/// Rows grouped by `listing_ref`, in the order listings first appear.
pub(super) fn group_by_listing(rows: &[Row]) -> Vec<Vec<&Row>> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&Row>> = HashMap::new();
    for row in rows {
        let key = row.get("listing_ref");
        groups.entry(key).or_insert_with(|| {
            order.push(key);
            Vec::new()
        });
        groups.get_mut(key).expect("inserted").push(row);
    }
    order.into_iter().filter_map(|k| groups.remove(k)).collect()
}

/// A listing's rows turned into what the services take, or the problems per row.
pub(super) struct Plan {
    pub(super) input: ListingInput,
    pub(super) status: Option<ListingStatus>,
    /// (SKU code, location name, on hand)
    pub(super) stock: Vec<(String, String, i64)>,
}

pub(super) type Problems = Vec<(u64, String, String)>;

pub(super) fn plan(group: &[&Row]) -> Result<Plan, Problems> {
    let first = group[0];
    let mut problems: Problems = Vec::new();
    let mut problem = |row: &Row, message: &str| {
        problems.push((row.line, row.get("sku").to_owned(), message.to_owned()))
    };
    if first.get("listing_ref").is_empty() {
        for row in group {
            problem(
                row,
                "listing_ref is required: rows with the same listing_ref make one listing.",
            );
        }
        return Err(problems);
    }
    let currency = first.get("currency").to_uppercase();
    let option_names: Vec<String> = (1..=3)
        .map(|i| first.get(&format!("option{i}_name")).to_owned())
        .take_while(|name| !name.is_empty())
        .collect();
    let mut options: Vec<ListingOption> = option_names
        .iter()
        .map(|name| ListingOption {
            name: name.clone(),
            values: Vec::new(),
        })
        .collect();
    let mut variants: Vec<VariantInput> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut seen = HashSet::new();
    let mut stock_rows = Vec::new();
    for row in group {
        let code = row.get("sku").to_owned();
        let location = row.get("location");
        let on_hand = row.get("on_hand");
        if !location.is_empty() || !on_hand.is_empty() {
            match on_hand.parse::<i64>() {
                Ok(n)
                    if (0..=stock::changes::MAX_QUANTITY).contains(&n) && !location.is_empty() =>
                {
                    stock_rows.push((code.clone(), location.to_owned(), n))
                }
                _ => problem(
                    row,
                    "on_hand must be a whole number of zero or more, with its location.",
                ),
            }
        }
        if !seen.insert(code.clone()) {
            continue; // another location's stock for a variant already described
        }
        let values: Vec<String> = (1..=option_names.len())
            .map(|i| row.get(&format!("option{i}_value")).to_owned())
            .collect();
        for (option, value) in options.iter_mut().zip(&values) {
            if !value.is_empty() && !option.values.contains(value) {
                option.values.push(value.clone());
            }
        }
        let price = money::parse_amount(row.get("price"), &currency);
        if price.is_none() {
            problem(
                row,
                "price must be an amount like 129.90 in the listing's currency.",
            );
        }
        let compare_at = match row.get("compare_at_price") {
            "" => None,
            text => match money::parse_amount(text, &currency) {
                Some(amount) => Some(amount),
                None => {
                    problem(
                        row,
                        "compare_at_price must be an amount like 159.00, or empty.",
                    );
                    None
                }
            },
        };
        let weight = match row.get("weight_grams") {
            "" => 0,
            text => text.parse().unwrap_or_else(|_| {
                problem(row, "weight_grams must be a whole number.");
                0
            }),
        };
        let purchase_limit = match row.get("purchase_limit") {
            "" => None,
            text => text.parse().map(Some).unwrap_or_else(|_| {
                problem(row, "purchase_limit must be a whole number, or empty.");
                None
            }),
        };
        variants.push(VariantInput {
            code,
            option_values: values,
            price_minor: price.unwrap_or(0),
            compare_at_minor: compare_at,
            weight_grams: weight,
            barcode: Some(row.get("barcode").to_owned()).filter(|b| !b.is_empty()),
            purchase_limit,
        });
        lines.push(row.line);
    }
    let status = match first.get("status") {
        "" => None,
        text => match ListingStatus::parse(&text.to_lowercase()) {
            Some(status) => Some(status),
            None => {
                problem(first, "status must be draft, published or archived.");
                None
            }
        },
    };
    let input = ListingInput {
        title: first.get("title").to_owned(),
        description: first.get("description").to_owned(),
        category: first.get("category").to_owned(),
        currency,
        options,
        variants,
    };
    // The service's own checks, once the values could be read at all; it also normalises
    // (trims) what it accepts.
    let (input, checked) = if problems.is_empty() {
        match listings::validate(&input) {
            Ok(normalised) => (normalised, None),
            Err(error) => (input, Some(error)),
        }
    } else {
        (input, None)
    };
    if let Some(AppError::Validation { fields }) = checked {
        for (field, messages) in fields {
            // `variants.3.price_minor` belongs to the 4th variant's row; the rest to the first.
            let variant = field
                .strip_prefix("variants.")
                .and_then(|rest| rest.split('.').next())
                .and_then(|i| i.parse::<usize>().ok());
            let (line, sku) = match variant {
                Some(i) if i < lines.len() => (lines[i], input.variants[i].code.clone()),
                _ => (first.line, first.get("sku").to_owned()),
            };
            let column = field
                .rsplit('.')
                .next()
                .unwrap_or(&field)
                .replace("_minor", "");
            problems.push((line, sku, format!("{column}: {}", messages.join(" "))));
        }
    }
    if problems.is_empty() {
        Ok(Plan {
            input,
            status,
            stock: stock_rows,
        })
    } else {
        Err(problems)
    }
}

/// Refuses every row of a listing the file publishes while the brand may not publish.
pub(super) fn check_publishable(
    group: &[&Row],
    plan: &Plan,
    brand_live: bool,
) -> Result<(), Problems> {
    if plan.status == Some(ListingStatus::Published) && !brand_live {
        return Err(group
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.get("sku").to_owned(),
                    "status published: the brand must be approved (and not suspended) to publish."
                        .to_owned(),
                )
            })
            .collect());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::import::csv::{check, parse};
    use crate::catalog::ImportProblem;

    const FILE: &str = "listing_ref,title,category,currency,option1_name,option1_value,sku,price,location,on_hand\n\
        dress,Silk dress,fashion,CNY,Size,S,D-S,1299,Main warehouse,5\n\
        dress,Silk dress,fashion,CNY,Size,M,D-M,1399,Main warehouse,3\n\
        dress,Silk dress,fashion,CNY,Size,M,D-M,1399,Shanghai pop-up,2\n\
        mask,Eye mask,beauty,CNY,,,MASK,abc,,\n";

    #[test]
    fn rows_group_into_listings_with_variants_and_stock() {
        let rows = parse(FILE).unwrap();
        let groups = group_by_listing(&rows);
        assert_eq!(groups.len(), 2);
        let Ok(plan) = plan(&groups[0]) else {
            panic!("the dress is valid")
        };
        assert_eq!(plan.input.variants.len(), 2);
        assert_eq!(plan.input.options[0].values, ["S", "M"]);
        assert_eq!(plan.input.variants[1].price_minor, 139_900);
        assert_eq!(plan.stock.len(), 3);
        let problems = plan_problems(&groups[1]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 5, "reported on the file's line 5");
        assert!(problems[0].2.contains("price"));
    }

    fn plan_problems(group: &[&Row]) -> Problems {
        match plan(group) {
            Ok(_) => panic!("expected problems"),
            Err(problems) => problems,
        }
    }

    #[test]
    fn files_without_required_columns_or_rows_are_refused() {
        assert_eq!(
            parse("title,sku\nx,y\n").err(),
            Some(ImportProblem::MissingColumns)
        );
        let header_only = "listing_ref,title,category,currency,sku,price\n";
        assert_eq!(parse(header_only).err(), Some(ImportProblem::NoRows));
        assert_eq!(check(vec![0xff, 0xfe]).err(), Some(ImportProblem::NotUtf8));
        assert_eq!(check(Vec::new()).err(), Some(ImportProblem::MissingFile));
        let with_bom = format!("\u{feff}{FILE}");
        assert_eq!(check(with_bom.into_bytes()).unwrap().1, 4);
    }
}
