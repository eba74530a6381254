//! The `cakap` command: serve the portal, migrate, seed the demo department, create users.

use std::process::ExitCode;

use anyhow::bail;
use cakap::{Config, app::db, seed};
use clap::{Parser, Subcommand};

mod commands;

use commands::{create_user, floor, print_logins, serve, siasn_sim};

#[derive(Parser)]
#[command(name = "cakap", version, about = "Cakap: competency development portal for ASN")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, seed the demo department once if CAKAP_SEED_DEMO=1, and serve.
    Serve {
        /// Seed the demo department (once) before serving; same as CAKAP_SEED_DEMO=1.
        #[arg(long)]
        demo: bool,
        /// Start the SIASN simulator and send to it (when no CAKAP_SIASN_* settings are given).
        #[arg(long)]
        siasn_sim: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Seed the demo department (only what is not seeded yet) and print the demo logins.
    SeedDemo,
    /// Write the whole database (records, audit log, evidence files) to one pg_dump archive.
    Backup {
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Restore a backup into an empty database (DATABASE_URL; created if missing), all or nothing.
    Restore {
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Add a synthetic organisation of N employees (units, positions, standards, assessment
    /// histories) on top of the demo, for measuring; deterministic for a given seed.
    SeedSynthetic {
        #[arg(long)]
        employees: i64,
        #[arg(long, default_value_t = 1)]
        seed: i64,
    },
    /// Compute one unit's plan as the worker does and check every figure it would show: each
    /// frontier point within budget, seats, classes and caps, the points never falling, the
    /// mentors against an independent minimum-cost flow; prints sizes and timings (benchmark).
    PlanCheck {
        /// Unit code (e.g. DKIS, SYN-1).
        #[arg(long)]
        unit: String,
        /// The plan's year (default: next year).
        #[arg(long)]
        year: Option<i32>,
        /// Budget in rupiah (default: what remains of the unit's budgets that year).
        #[arg(long)]
        budget: Option<i64>,
    },
    /// The stack's bare floor for the benchmark: axum and sqlx answering `GET /ping` with
    /// `select 1` through a pool like the portal's, with no session, middleware or templates.
    #[command(hide = true)]
    Floor {
        #[arg(long, default_value = "127.0.0.1:18081")]
        bind: String,
    },
    /// The benchmark's writers: writes through the portal's own routes as browsers send them
    /// (`rate`: N a second for SECS; `writers`: N writers as fast as they can), one line of JSON.
    #[command(hide = true)]
    BenchWrites {
        #[arg(long)]
        base: String,
        #[arg(long, value_enum)]
        mode: commands::bench_writes::Mode,
        #[arg(long)]
        n: f64,
        #[arg(long)]
        secs: f64,
        /// A file written once signed in, before the first write.
        #[arg(long)]
        ready: Option<std::path::PathBuf>,
    },
    /// Solve one plan run (what the portal's plan worker starts as a child process) and print
    /// its result as JSON.
    #[command(hide = true)]
    PlanSolve {
        #[arg(long)]
        unit_id: i64,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        budget: i64,
    },
    /// Run the SIASN simulator (for the demo and manual tests): prints the settings that point the
    /// portal at it. Not BKN's service: confirm the real one's details with BKN.
    SiasnSim {
        #[arg(long, default_value = "127.0.0.1:8091")]
        bind: String,
    },
    /// Create an account (e.g. the first admin). Prints a one-time password unless
    /// --password-stdin is given.
    CreateUser {
        #[arg(long)]
        username: String,
        /// Roles: admin, hr, head, employee (repeat or comma-separate).
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
        /// NIP of the employee this account belongs to (needed for head and employee).
        #[arg(long)]
        nip: Option<String>,
        /// Code of the unit led, for the head role (e.g. APT).
        #[arg(long)]
        head_unit: Option<String>,
        /// Read the password from standard input instead of generating a one-time password.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cakap: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cakap: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::SiasnSim { bind } = &cli.command {
        return siasn_sim(bind).await;
    }
    let mut config = Config::from_env()?;
    match cli.command {
        Command::Serve { demo, siasn_sim } => {
            config.seed_demo |= demo;
            serve(config, siasn_sim).await
        }
        Command::Migrate => {
            let pool = db::connect(&config).await?;
            db::migrate(&pool).await?;
            println!("Migrations applied to {}", db::redact(&config.database_url));
            Ok(())
        }
        Command::SeedDemo => {
            let pool = db::connect(&config).await?;
            db::migrate(&pool).await?;
            let applied = seed::demo(&pool).await?;
            println!("{}", if applied { "Demo department seeded." } else { "Demo department was already seeded." });
            print_logins();
            Ok(())
        }
        Command::Backup { file } => {
            cakap::app::backup::backup(&config.database_url, &file)?;
            println!("Backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let pool = db::connect(&config).await?;
            cakap::app::backup::restore(&pool, &config.database_url, &file).await?;
            db::migrate(&pool).await?;
            println!("Restored {} into {}", file.display(), db::redact(&config.database_url));
            Ok(())
        }
        Command::SeedSynthetic { employees, seed } => {
            let pool = db::connect(&config).await?;
            db::migrate(&pool).await?;
            let r = seed::synthetic::seed(&pool, employees, seed).await?;
            println!(
                "Synthetic organisation seeded in {:.1} s: {} units, {} positions, {} employees, {} assessments.",
                r.took.as_secs_f64(),
                r.units,
                r.positions,
                r.employees,
                r.assessments
            );
            print_logins();
            Ok(())
        }
        Command::PlanCheck { unit, year, budget } => {
            let pool = db::connect(&config).await?;
            db::migrate(&pool).await?;
            let ok = cakap::gaps::plan_run::check(&pool, &unit, year, budget).await?;
            if !ok {
                bail!("the plan broke a check (see above)");
            }
            Ok(())
        }
        Command::Floor { bind } => floor(&config, &bind).await,
        Command::BenchWrites { base, mode, n, secs, ready } => {
            let pool = db::connect(&config).await?;
            commands::bench_writes::run(&pool, commands::bench_writes::Args { base, mode, n, secs, ready }).await
        }
        Command::PlanSolve { unit_id, year, budget } => {
            config.db_max_connections = 2;
            let pool = db::connect(&config).await?;
            let state = cakap::AppState::new(pool, config);
            cakap::gaps::plan_run::solve_to_stdout(&state, unit_id, year, budget)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
        Command::SiasnSim { .. } => Ok(()),
        Command::CreateUser { username, role, nip, head_unit, password_stdin } => {
            create_user(&config, username, role, nip, head_unit, password_stdin).await
        }
    }
}
