//! The layout `docs/architecture.md` promises, checked on the source itself:
//! - `core` imports no capability;
//! - inside each capability — and each module split into a folder (`checkout/engine`,
//!   `catalog/stock`, ...) — the modules depend on each other without a circle (a module may
//!   use the modules below it, never one that uses it back);
//! - each table is written by the one capability `docs/architecture.md` names as its owner;
//! - only the catalog's stock ledger writes `stock_level` and `stock_movement`, and no show
//!   code writes a catalog table.
//!
//! Dependencies are read from paths in the code (comments left out): `super::x`, `self::x`,
//! `crate::<capability>::x`, including `use` groups, with names a folder's `mod.rs` re-exports
//! (`pub use model::*`) resolved to the module that defines them; `mod.rs` itself is the
//! folder's façade and not part of its graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules of the crate that are capabilities (or sit above them).
const CAPABILITIES: &[&str] = &[
    "auth",
    "brands",
    "catalog",
    "checkout",
    "festival",
    "fulfilment",
    "home",
    "layout",
    "mail",
    "media",
    "presale",
    "promotions",
    "show",
    "state",
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("read a source folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The file's text without comments (line comments and doc comments).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("read a source file")
        .lines()
        .map(|line| match line.find("//") {
            // Not inside a string literal (good enough for this code base: no `//` in strings
            // before a path we care about).
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module path of a file under `src`: `checkout/engine/plan.rs` → `[checkout, engine,
/// plan]`, `checkout/mod.rs` → `[checkout]`.
fn module_of(path: &Path) -> Vec<String> {
    let relative = path.strip_prefix(src()).expect("a file under src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path in `text` that starts with `crate::`, `super::` or `self::`, as the list of its
/// segments (a `use` group contributes one path per member, its first segment only).
fn paths(text: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|p| text_at(&chars, i, p) && (i == 0 || !is_ident(chars[i - 1])));
        let Some(start) = starts else {
            i += 1;
            continue;
        };
        let mut segments = vec![start.trim_end_matches("::").to_owned()];
        let mut j = i + start.len();
        loop {
            if chars.get(j) == Some(&'{') {
                // A group: each member's first segment.
                let mut depth = 0;
                let mut member = String::new();
                let mut members = Vec::new();
                let mut taking = true;
                while j < chars.len() {
                    let c = chars[j];
                    match c {
                        '{' => {
                            depth += 1;
                            if depth > 1 {
                                taking = false;
                            }
                        }
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => {
                            members.push(std::mem::take(&mut member));
                            taking = true;
                        }
                        ':' if depth == 1 => taking = false,
                        c if depth == 1 && taking && is_ident(c) => member.push(c),
                        c if depth == 1 && !c.is_whitespace() && !is_ident(c) => taking = false,
                        _ => {}
                    }
                    j += 1;
                }
                members.push(member);
                for member in members.into_iter().filter(|m| !m.is_empty()) {
                    let mut path = segments.clone();
                    path.push(member);
                    found.push(path);
                }
                break;
            }
            let ident: String = chars[j..].iter().take_while(|c| is_ident(**c)).collect();
            if ident.is_empty() {
                found.push(segments);
                break;
            }
            j += ident.chars().count();
            segments.push(ident);
            if text_at(&chars, j, "::") {
                j += 2;
            } else {
                found.push(segments);
                break;
            }
        }
        i = j.max(i + 1);
    }
    found
}

fn text_at(chars: &[char], at: usize, text: &str) -> bool {
    text.chars()
        .enumerate()
        .all(|(k, c)| chars.get(at + k) == Some(&c))
}

/// `path` (written in module `module`) made absolute from the crate root.
fn absolute(module: &[String], path: &[String]) -> Vec<String> {
    let mut here: Vec<String> = module.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            here.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        _ => {
            while rest.first().is_some_and(|s| s == "super") {
                here.pop();
                rest = &rest[1..];
            }
        }
    }
    here.extend(rest.iter().cloned());
    here
}

/// The folder of module `path` under `src`.
fn folder_of(path: &[String]) -> PathBuf {
    path.iter().fold(src(), |dir, part| dir.join(part))
}

/// Names a folder's `mod.rs` re-exports, by the child modules that define them (a page
/// component and a model type may share a name: a function and a type live apart).
fn reexports(folder: &[String], children: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let root = folder_of(folder).join("mod.rs");
    let mut names = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(&root) else {
        return names;
    };
    for child in children {
        let globbed = text.contains(&format!("pub use {child}::*;"));
        for path in paths(&code(&root)) {
            if path.len() == 3 && path[0] == "self" && path[1] == *child {
                names
                    .entry(path[2].clone())
                    .or_default()
                    .insert(child.clone());
            }
        }
        for line in text.lines() {
            let Some(list) = line.trim().strip_prefix(&format!("pub use {child}::")) else {
                continue;
            };
            for name in list
                .trim_matches(|c| c == '{' || c == '}' || c == ';')
                .split(',')
            {
                let name = name.split_whitespace().last().unwrap_or_default();
                if !name.is_empty() && name != "*" {
                    names
                        .entry(name.to_owned())
                        .or_default()
                        .insert(child.clone());
                }
            }
        }
        if globbed {
            let dir = folder_of(folder);
            let child_files = match dir.join(format!("{child}.rs")) {
                file if file.exists() => vec![file],
                _ => files(&dir.join(child)),
            };
            for file in child_files {
                for line in code(&file).lines() {
                    let line = line.trim_start();
                    for kind in [
                        "pub fn ",
                        "pub async fn ",
                        "pub struct ",
                        "pub enum ",
                        "pub const ",
                        "pub type ",
                        "pub trait ",
                    ] {
                        if let Some(rest) = line.strip_prefix(kind) {
                            let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
                            names.entry(name).or_default().insert(child.clone());
                        }
                    }
                }
            }
        }
    }
    names
}

/// Every module folder under `src` (a capability, or a module split into files), as a path.
fn folders(dir: &Path) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("read a source folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            found.push(module_of(&path.join("mod.rs")));
            found.extend(folders(&path));
        }
    }
    found
}

/// The dependency graph between the child modules of the module `folder`.
fn graph(folder: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let dir = folder_of(folder);
    let depth = folder.len();
    let children: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("a module folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let names = reexports(folder, &children);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files(&dir) {
        let module = module_of(&file);
        let Some(from) = module.get(depth).cloned() else {
            continue; // the folder's own mod.rs: its façade
        };
        for path in paths(&code(&file)) {
            let target = absolute(&module, &path);
            if !target.starts_with(folder) {
                continue;
            }
            let Some(name) = target.get(depth) else {
                continue;
            };
            let to = if children.contains(name) {
                name.clone()
            } else {
                match names
                    .get(name)
                    .map(|defined| defined.iter().collect::<Vec<_>>())
                {
                    Some(defined) if defined.len() == 1 => defined[0].clone(),
                    // A component and a type of one name: paths name types far more often.
                    Some(defined) if defined.iter().any(|m| *m == "model") => "model".to_owned(),
                    _ => continue,
                }
            };
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// A circle in `edges`, if there is one.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn core_imports_no_capability() {
    for file in files(&src().join("core")) {
        let module = module_of(&file);
        for path in paths(&code(&file)) {
            let target = absolute(&module, &path);
            let first = target.first().map(String::as_str).unwrap_or_default();
            assert!(
                !CAPABILITIES.contains(&first),
                "{} uses {}",
                file.display(),
                target.join("::")
            );
        }
    }
}

#[test]
fn no_module_folder_has_a_circle_between_its_modules() {
    let all = folders(&src());
    assert!(all.contains(&vec!["checkout".to_owned(), "engine".to_owned()]));
    let circles: Vec<String> = all
        .iter()
        .filter_map(|folder| {
            circle(&graph(folder))
                .map(|found| format!("{}: {}", folder.join("::"), found.join(" → ")))
        })
        .collect();
    assert!(circles.is_empty(), "{circles:#?}");
}

#[test]
fn the_checker_sees_a_circle() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    edges.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert!(circle(&edges).is_some());
    let parsed = paths("use super::{engine::Engine, orders, Quote};\nlet x = crate::catalog::stock::ledger::try_record;");
    assert!(parsed.contains(&vec!["super".to_owned(), "engine".to_owned()]));
    assert!(parsed.contains(&vec!["super".to_owned(), "Quote".to_owned()]));
    assert!(parsed.contains(&vec![
        "crate".to_owned(),
        "catalog".to_owned(),
        "stock".to_owned(),
        "ledger".to_owned(),
        "try_record".to_owned()
    ]));
}

/// Files that mention `table` as an entity and write it (`insert`, `update_many`,
/// `delete_many`, `delete_by_id`, or a row built to be written), outside their tests (which sit
/// at the end of a file, after `#[cfg(test)]`).
fn writers_of(table: &str) -> Vec<String> {
    let mut writers = Vec::new();
    for file in files(&src()) {
        let text = code(&file);
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let writes = [
            format!("{table}::Entity::insert"),
            format!("{table}::Entity::update_many"),
            format!("{table}::Entity::delete_many"),
            format!("{table}::Entity::delete_by_id"),
            format!("{table}::Model {{"),
            format!("{table}::ActiveModel {{"),
        ];
        // `media::Model {` must not match `listing_media::Model {`.
        let names_it = |write: &String| {
            text.match_indices(write.as_str()).any(|(at, _)| {
                !text[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        };
        if writes.iter().any(names_it) {
            writers.push(
                file.strip_prefix(src())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    writers
}

/// The tables of the `entity` crate (one file each).
fn tables() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../entity/src");
    let mut tables: Vec<String> = files(&dir)
        .iter()
        .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|name| !["lib", "mod", "prelude", "values"].contains(&name.as_str()))
        .collect();
    tables.sort();
    tables
}

/// The owner of each table, as `docs/architecture.md`'s "Who writes which table" says
/// (rows `| `table` | owner | … |`).
fn documented_owners() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/architecture.md"),
    )
    .expect("docs/architecture.md");
    let section = doc
        .split("## Who writes which table")
        .nth(1)
        .expect("a \"Who writes which table\" section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let table = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((table.to_owned(), cells.get(2)?.to_string()))
        })
        .collect()
}

#[test]
fn each_table_is_written_by_the_capability_this_file_names() {
    let owners = documented_owners();
    for table in tables() {
        let owner = owners
            .get(&table)
            .unwrap_or_else(|| panic!("docs/architecture.md names no owner for `{table}`"));
        let writers = writers_of(&table);
        assert!(!writers.is_empty(), "nothing in app writes `{table}`");
        let strangers: Vec<&String> = writers
            .iter()
            .filter(|file| !file.starts_with(&format!("{owner}/")))
            .collect();
        assert!(
            strangers.is_empty(),
            "`{table}` belongs to {owner} but is written by {strangers:?}"
        );
    }
    for table in owners.keys() {
        assert!(
            tables().contains(table),
            "docs/architecture.md names `{table}`, which no entity is"
        );
    }
}

#[test]
fn only_the_ledger_writes_stock_levels_and_movements() {
    for table in ["stock_level", "stock_movement"] {
        assert_eq!(writers_of(table), ["catalog/stock/ledger.rs"], "{table}");
    }
}

#[test]
fn the_show_writes_no_catalog_table() {
    for table in [
        "listing",
        "sku",
        "stock_level",
        "stock_location",
        "stock_movement",
        "sale_gate",
    ] {
        let from_show: Vec<String> = writers_of(table)
            .into_iter()
            .filter(|f| f.starts_with("show"))
            .collect();
        assert!(from_show.is_empty(), "{table} written by {from_show:?}");
    }
}

/// Whether `line` multiplies something by a price (`…price_minor * n`, `n * x.price_minor`).
fn multiplies_a_price(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    (0..chars.len()).filter(|&i| chars[i] == '*').any(|i| {
        let left: String = chars[..i]
            .iter()
            .rev()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| is_ident(**c) || **c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let right: String = chars[i + 1..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| is_ident(**c) || **c == '.')
            .collect();
        left.ends_with("price_minor") || right.ends_with("price_minor")
    })
}

#[test]
fn prices_are_computed_only_in_the_pricing_module() {
    assert!(multiplies_a_price(
        "let x = line.unit_price_minor * line.quantity;"
    ));
    assert!(multiplies_a_price("units * l.unit_price_minor"));
    assert!(!multiplies_a_price(
        "let shares = allocate(amount, &weights) * 2;"
    ));
    for file in files(&src()) {
        if file.ends_with("checkout/pricing.rs") || file.ends_with("architecture_tests.rs") {
            continue;
        }
        for line in code(&file).lines() {
            assert!(
                !multiplies_a_price(line),
                "{} computes a price: {line}",
                file.display()
            );
        }
    }
}
