//! The `cakap` command: serve the portal, migrate, seed the demo department, create users.

use std::{
    io::{BufRead as _, IsTerminal as _},
    process::ExitCode,
};

use anyhow::{Context as _, bail};
use cakap::{
    AppState, Config,
    app::{db, router, server},
    audit::Actor,
    auth::{Role, check_new_password, hash_password},
    seed,
};
use clap::{Parser, Subcommand};

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

fn print_logins() {
    println!("Demo logins (password for all: {}):", seed::DEMO_PASSWORD);
    for (user, what) in seed::DEMO_LOGINS {
        println!("  {user:<14} {what}");
    }
}

async fn serve(config: Config, siasn_sim: bool) -> anyhow::Result<()> {
    let pool = db::connect(&config).await?;
    db::migrate(&pool).await?;
    if config.seed_demo {
        seed::demo(&pool).await?;
    }
    let listener = server::bind(&config.bind).await?;
    let addr = listener.local_addr().context("listener address")?;
    let mailer = cakap::notifications::digest::Mailer::from_config(&config)?;
    let mut siasn = cakap::siasn::Settings::from_env()?;
    if siasn.is_none() && siasn_sim {
        let sim = cakap::siasn::sim::start("127.0.0.1:0", Default::default()).await?;
        println!("SIASN simulator at {} (not BKN's service): the sync sends there.", sim.url);
        let mut s = sim.settings();
        s.retry_base = std::time::Duration::from_secs(5);
        siasn = Some(s);
    }
    let state = AppState::new(pool, config.clone());
    if siasn.is_some() {
        tracing::info!("SIASN sync configured");
    }
    state.siasn.configure(siasn);
    let jobs = tokio::spawn(cakap::app::jobs::run(state.clone(), mailer));
    // Plans are computed by this worker (and every other node's), never by a request.
    let planner = tokio::spawn(cakap::gaps::plan_run::worker(state.clone()));
    // SIASN pushes run here (and on every other node), never in a request.
    let pusher = tokio::spawn(cakap::siasn::push::worker(state.clone()));
    let app = router::build(state);
    println!("Cakap is running at http://{addr}/  (Ctrl-C to stop)");
    if config.seed_demo {
        print_logins();
    }
    server::serve(listener, app, server::shutdown_signal()).await?;
    jobs.abort();
    planner.abort();
    pusher.abort();
    println!("Cakap stopped.");
    Ok(())
}

/// The SIASN simulator in the foreground, until Ctrl-C.
async fn siasn_sim(bind: &str) -> anyhow::Result<()> {
    let sim = cakap::siasn::sim::start(bind, Default::default()).await?;
    let c = &sim.creds;
    println!("SIASN simulator at {} (not BKN's service). Point the portal at it with:", sim.url);
    println!("  CAKAP_SIASN_GATEWAY_URL={}", sim.url);
    println!("  CAKAP_SIASN_SSO_URL={}{}", sim.url, cakap::siasn::sim::SSO_PATH);
    println!("  CAKAP_SIASN_CONSUMER_KEY={}", c.consumer_key);
    println!("  CAKAP_SIASN_CONSUMER_SECRET={}", c.consumer_secret);
    println!("  CAKAP_SIASN_SSO_CLIENT={}", c.sso_client);
    println!("  CAKAP_SIASN_USERNAME={}", c.username);
    println!("  CAKAP_SIASN_PASSWORD={}", c.password);
    println!("  CAKAP_SIASN_INSTANSI_ID=A5EB03E23C4AF6A0E040640A040252AD");
    println!(
        "Make it fail: curl -X POST {}/_sim/fail -H 'content-type: application/json' -d '{{\"mode\":\"5xx\"}}'",
        sim.url
    );
    server::shutdown_signal().await;
    Ok(())
}

async fn create_user(
    config: &Config,
    username: String,
    roles: Vec<String>,
    nip: Option<String>,
    head_unit: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let username = username.trim().to_lowercase();
    let roles: Vec<Role> = roles
        .iter()
        .map(|r| Role::parse(r.trim()).with_context(|| format!("unknown role {r:?}: use admin, hr, head or employee")))
        .collect::<anyhow::Result<_>>()?;
    let pool = db::connect(config).await?;
    db::migrate(&pool).await?;
    let employee_id: Option<i64> = match &nip {
        Some(n) => Some(
            sqlx::query_scalar("select id from employees where nip = $1")
                .bind(n.trim())
                .fetch_optional(&pool)
                .await?
                .with_context(|| format!("no employee with NIP {n}"))?,
        ),
        None => None,
    };
    if employee_id.is_none() && roles.iter().any(|r| matches!(r, Role::Head | Role::Employee)) {
        bail!("the head and employee roles need --nip of the employee");
    }
    let unit_id: Option<i64> = match (&head_unit, roles.contains(&Role::Head)) {
        (Some(code), true) => Some(
            sqlx::query_scalar("select id from units where code = $1 and closed_on is null")
                .bind(code.trim())
                .fetch_optional(&pool)
                .await?
                .with_context(|| format!("no open unit with code {code}"))?,
        ),
        (None, true) => bail!("the head role needs --head-unit CODE"),
        (_, false) => None,
    };
    let (password, must_change) = if password_stdin {
        let mut line = String::new();
        if std::io::stdin().is_terminal() {
            eprint!("Password: ");
        }
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        let nip_given = nip.as_deref();
        let person: Option<String> = match employee_id {
            Some(id) => {
                sqlx::query_scalar("select name from employees where id = $1").bind(id).fetch_optional(&pool).await?
            }
            None => None,
        };
        let agency: Option<String> = sqlx::query_scalar("select value from settings where key = 'department_name'")
            .fetch_optional(&pool)
            .await?;
        let who = cakap::auth::PasswordContext {
            username: &username,
            nip: nip_given,
            name: person.as_deref(),
            agency: agency.as_deref(),
            demo: config.seed_demo,
        };
        if let Err(e) = check_new_password(&pw, &who) {
            bail!("password refused: {}", cakap::i18n::t(cakap::i18n::Lang::En, e.key()));
        }
        (pw, false)
    } else {
        (cakap::accounts::generate_one_time_password(), true)
    };
    let hash = hash_password(password.clone()).await?;
    let mut tx = pool.begin().await?;
    let taken: bool = sqlx::query_scalar("select exists(select 1 from accounts where username = $1)")
        .bind(&username)
        .fetch_one(&mut *tx)
        .await?;
    if taken {
        bail!("an account named {username} already exists");
    }
    let id = cakap::accounts::create_account(
        &mut tx,
        &Actor::system("cakap create-user"),
        &username,
        employee_id,
        &hash,
        must_change,
        &roles,
        unit_id,
    )
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.constraint() == Some("accounts_username_check") => {
            anyhow::anyhow!("username must be 3–40 characters: a–z, 0–9, '.', '_' or '-'")
        }
        sqlx::Error::Database(d) if d.constraint() == Some("accounts_employee_id_key") => {
            anyhow::anyhow!("that employee already has an account")
        }
        other => other.into(),
    })?;
    tx.commit().await?;
    println!("Account {username} created (id {id}).");
    if must_change {
        println!("One-time password: {password}  (it must be changed at first login)");
    }
    Ok(())
}

/// `cakap floor`: what the stack itself answers (see `Command::Floor`).
async fn floor(config: &Config, bind: &str) -> anyhow::Result<()> {
    use axum::{extract::State, http::StatusCode, routing::get};
    let pool = db::pool_options(config).connect(&config.database_url).await?;
    async fn ping(State(pool): State<sqlx::PgPool>) -> Result<&'static str, StatusCode> {
        sqlx::query_scalar::<_, i32>("select 1")
            .fetch_one(&pool)
            .await
            .map(|_| "ok")
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)
    }
    let app = axum::Router::new().route("/ping", get(ping)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    println!("floor on http://{bind}/ping");
    axum::serve(listener, app).await?;
    Ok(())
}
