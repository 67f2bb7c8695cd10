//! The `gala` command line: `serve` (the default), `migrate`, `seed`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use migration::MigratorTrait;

use crate::{
    config::{DatabaseConfig, ServeConfig},
    db,
    startup::{shutdown_signal, Application},
    telemetry,
};

/// Gala: the festival platform for brands and shoppers.
#[derive(Debug, Parser)]
#[command(name = "gala", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given (so `cargo leptos serve` works).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve HTTP until SIGTERM or Ctrl-C.
    Serve(ServeConfig),
    /// Apply pending migrations (or `--status` to list them, `--down N` to roll back N).
    Migrate {
        /// List applied and pending migrations instead of applying them.
        #[arg(long)]
        status: bool,
        /// Roll back this many migrations.
        #[arg(long, value_name = "N", conflicts_with = "status")]
        down: Option<u32>,
    },
    /// Migrate, then write the demo data (idempotent): the festival and a catalog, by default
    /// 24 brands and 480 listings; `--brands 140000 --listings 15000000` for the festival's scale.
    Seed {
        /// Synthetic brands to create.
        #[arg(long, default_value_t = crate::seed::DEMO_CATALOG.brands)]
        brands: u64,
        /// Synthetic listings to create (spread over the brands).
        #[arg(long, default_value_t = crate::seed::DEMO_CATALOG.listings)]
        listings: u64,
        /// Where the demo sign-ins (random passwords) are written.
        #[arg(
            long,
            env = "GALA_DEMO_SIGN_INS",
            default_value = "data/demo-sign-ins.txt"
        )]
        sign_ins: std::path::PathBuf,
    },
    /// Platform administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// A progress bar on standard error: `[#####-----]  50%  7,500,000/15,000,000  61k/s  ETA 2m03s`.
fn progress_bar(started: std::time::Instant) -> impl Fn(u64, u64) {
    move |done, total| {
        let share = done as f64 / total.max(1) as f64;
        let filled = (share * 30.0).round() as usize;
        let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
        let eta = ((total - done) as f64 / rate.max(1e-3)) as u64;
        eprint!(
            "\r  listings [{}{}] {:>3.0}%  {done}/{total}  {:.0}k/s  ETA {}m{:02}s ",
            "#".repeat(filled),
            "-".repeat(30 - filled),
            share * 100.0,
            rate / 1000.0,
            eta / 60,
            eta % 60
        );
    }
}

/// `gala admin ...`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a verified platform admin (or promote an existing account). The password is
    /// prompted for on a terminal, or read from the first line of standard input — never
    /// from the command line, where it would land in shell history and `ps`.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Platform admin")]
        name: String,
    },
}

/// Runs the command line and maps failures to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Server-side rendering walks a page's whole view tree in one task; a debug build's
        // frames for a large page (the live show) outgrow tokio's 2 MiB default.
        .thread_stack_size(8 * 1024 * 1024)
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("gala: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("gala: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        Some(command) => command,
        None => Command::Serve(ServeConfig::parse_from_env()),
    };
    let db = db::connect(&cli.database).await?;
    match command {
        Command::Serve(config) => {
            db::migrate(&db).await?;
            let app = Application::build(&config, db).await?;
            tracing::info!(
                addr = %app.addr(),
                database = %cli.database.redacted_url(),
                "Gala is serving on http://{}",
                app.addr()
            );
            app.run_until(shutdown_signal()).await
        }
        Command::Migrate { status: true, .. } => {
            migration::Migrator::status(&db).await?;
            Ok(())
        }
        Command::Migrate {
            down: Some(steps), ..
        } => {
            migration::Migrator::down(&db, Some(steps)).await?;
            tracing::info!(steps, "rolled back migrations");
            Ok(())
        }
        Command::Migrate { .. } => {
            db::migrate(&db).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Seed {
            brands,
            listings,
            sign_ins,
        } => {
            db::migrate(&db).await?;
            let size = crate::seed::catalog::CatalogSize { brands, listings };
            crate::seed::demo(&db, size, progress_bar(std::time::Instant::now())).await?;
            eprintln!();
            let people = crate::seed::people::demo_sign_ins(&db, &sign_ins).await?;
            let base = std::env::var("GALA_PUBLIC_URL")
                .unwrap_or_else(|_| "http://127.0.0.1:3000".to_owned());
            println!("Demo sign-ins (also in {}):", sign_ins.display());
            for person in people {
                println!(
                    "  {:<15} {:<24} {}   {}{}",
                    person.role,
                    person.email,
                    person.password,
                    base.trim_end_matches('/'),
                    person.start_at
                );
            }
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => {
            db::migrate(&db).await?;
            let password = read_password()?;
            let id = app::auth::service::create_platform_admin(&db, &email, &name, &password)
                .await
                .map_err(|err| match err {
                    app::core::AppError::Validation { fields } => anyhow::anyhow!(
                        "{}",
                        fields
                            .into_iter()
                            .map(|(f, m)| format!("{f}: {}", m.join(" ")))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    other => anyhow::anyhow!("{other}"),
                })?;
            println!(
                "Platform admin {} is ready (account {id}).",
                email.trim().to_lowercase()
            );
            Ok(())
        }
    }
}

/// The admin's password: prompted without echo on a terminal, else the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password for the new admin: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    anyhow::ensure!(!password.is_empty(), "no password given on standard input");
    Ok(password)
}

impl ServeConfig {
    /// The serve settings from `GALA_*` variables and defaults alone (no subcommand given).
    fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeConfig,
        }
        Only::parse_from(["gala"]).serve
    }
}
