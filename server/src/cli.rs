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
    /// Migrate, then write the demo data (idempotent).
    Seed,
}

/// Runs the command line and maps failures to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
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
        Command::Migrate { down: Some(steps), .. } => {
            migration::Migrator::down(&db, Some(steps)).await?;
            tracing::info!(steps, "rolled back migrations");
            Ok(())
        }
        Command::Migrate { .. } => {
            db::migrate(&db).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Seed => {
            db::migrate(&db).await?;
            crate::seed::demo(&db).await
        }
    }
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
