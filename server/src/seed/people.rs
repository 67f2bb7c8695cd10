//! Ready-made demo sign-ins, so a newcomer can open every part of Gala in the first minutes: a
//! shopper, the owner of the first demo brand (the one whose runway show is seeded), and a
//! platform admin. Their passwords are random, never fixed: written to a file only its owner
//! can read (`data/demo-sign-ins.txt` by default) and printed by the run command.
//!
//! Seeding again keeps the passwords in the file while they still open their accounts; an
//! account whose password is missing from the file (a new database, a deleted file) gets a
//! new one.

use std::{collections::HashMap, path::Path};

use anyhow::Context;
use app::auth::{password::verify_password, service::set_up_demo_account, BrandRole};
use entity::{account, brand, brand_membership};
use rand::Rng;
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};

/// One ready-made sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSignIn {
    /// Who it is, in the file's first column.
    pub role: &'static str,
    pub email: &'static str,
    pub password: String,
    /// Where to go first, as a path.
    pub start_at: String,
}

/// The demo people: (role, email, display name, platform admin).
const PEOPLE: [(&str, &str, &str, bool); 3] = [
    (
        "shopper",
        "shopper@demo.gala.test",
        "Mei Lin (demo shopper)",
        false,
    ),
    (
        "brand owner",
        "owner@demo.gala.test",
        "Olivia Chen (demo brand owner)",
        false,
    ),
    (
        "platform admin",
        "admin@demo.gala.test",
        "Rui Zhang (demo admin)",
        true,
    ),
];

/// Sets up the demo sign-ins on `db` and writes them to `file`; answers them.
pub async fn demo_sign_ins(
    db: &DatabaseConnection,
    file: &Path,
) -> anyhow::Result<Vec<DemoSignIn>> {
    let known = read(file);
    let first_brand = brand::Entity::find()
        .filter(brand::Column::Status.eq("approved"))
        .order_by_asc(brand::Column::Slug)
        .one(db)
        .await?;
    let mut sign_ins = Vec::new();
    for (role, email, name, platform_admin) in PEOPLE {
        let account = account::Entity::find()
            .filter(account::Column::Email.eq(email))
            .one(db)
            .await?;
        let kept = match (known.get(email), &account) {
            (Some(password), Some(account)) => {
                verify_password(password.clone(), Some(account.password_hash.clone()))
                    .await
                    .map_err(|e| anyhow::anyhow!("checking a demo password: {e}"))?
                    .then(|| password.clone())
            }
            _ => None,
        };
        let password = match kept {
            Some(password) => password,
            None => {
                let password = new_password();
                set_up_demo_account(db, email, name, &password, platform_admin)
                    .await
                    .map_err(|e| anyhow::anyhow!("setting up {email}: {e}"))?;
                password
            }
        };
        let start_at = match (role, &first_brand) {
            ("brand owner", Some(brand)) => format!("/brand/{}", brand.slug),
            ("platform admin", _) => "/admin/brands".to_owned(),
            _ => "/".to_owned(),
        };
        sign_ins.push(DemoSignIn {
            role,
            email,
            password,
            start_at,
        });
    }
    if let Some(brand) = first_brand {
        let owner = account::Entity::find()
            .filter(account::Column::Email.eq(PEOPLE[1].1))
            .one(db)
            .await?
            .context("the demo owner was just set up")?;
        brand_membership::Entity::insert(brand_membership::ActiveModel {
            brand_id: Set(brand.id),
            account_id: Set(owner.id),
            role: Set(BrandRole::Owner),
            created_at: Set(app::core::time::now()),
        })
        .on_conflict(
            OnConflict::columns([
                brand_membership::Column::BrandId,
                brand_membership::Column::AccountId,
            ])
            .update_column(brand_membership::Column::Role)
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    write(file, &sign_ins)?;
    Ok(sign_ins)
}

/// A password of four groups of four letters and digits (no look-alikes): about 80 bits.
fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The passwords in `file` by email (none when it is missing or unreadable).
fn read(file: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return HashMap::new();
    };
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields.len() >= 3).then(|| (fields[1].to_owned(), fields[2].to_owned()))
        })
        .collect()
}

/// Writes `sign_ins` to `file` (tab-separated), readable and writable by its owner only.
fn write(file: &Path, sign_ins: &[DemoSignIn]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("writing {}", file.display()))?;
    // An older file keeps its mode when truncated: narrow it too.
    std::fs::set_permissions(file, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    writeln!(
        out,
        "# Gala demo sign-ins (written by `gala seed`): role, email, password, where to start."
    )?;
    for s in sign_ins {
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            s.role, s.email, s.password, s.start_at
        )?;
    }
    Ok(())
}
