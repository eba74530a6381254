//! The bodies of the `cakap` subcommands that are more than a call into the library: serving,
//! the SIASN simulator in the foreground, creating an account and the benchmark's floor.

pub mod bench_writes;

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::{Context as _, bail};
use cakap::{
    AppState, Config,
    app::{db, server},
    audit::Actor,
    auth::{Role, check_new_password, hash_password},
    seed,
};

pub fn print_logins() {
    println!("Demo logins (password for all: {}):", seed::DEMO_PASSWORD);
    for (user, what) in seed::DEMO_LOGINS {
        println!("  {user:<14} {what}");
    }
}

pub async fn serve(config: Config, siasn_sim: bool) -> anyhow::Result<()> {
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
    // Pages read the records' versions from this node's watch, not from the database.
    let watch = tokio::spawn(cakap::app::versioned::VersionWatch::run(
        std::sync::Arc::downgrade(&state.watch),
        state.pool.clone(),
    ));
    // Costly kept results read lately are kept current (confirmed while nothing they depend on
    // changes, refreshed after a write), so that their readers do not wait for them.
    let confirm = tokio::spawn(cakap::app::versioned::keep_current_loop(
        vec![state.versions.clone(), state.personal.clone()],
        std::sync::Arc::downgrade(&state.watch),
    ));
    // Plans are computed by this worker (and every other node's), never by a request.
    let planner = tokio::spawn(cakap::gaps::plan_run::worker(state.clone()));
    // SIASN pushes run here (and on every other node), never in a request.
    let pusher = tokio::spawn(cakap::siasn::push::worker(state.clone()));
    // HR's first pages, computed once at start rather than by the first HR to open each.
    let warm = tokio::spawn(cakap::app::warm::run(state.clone()));
    let app = cakap::app::router::build(state);
    println!("Cakap is running at http://{addr}/  (Ctrl-C to stop)");
    if config.seed_demo {
        print_logins();
    }
    server::serve(listener, app, server::shutdown_signal()).await?;
    jobs.abort();
    watch.abort();
    confirm.abort();
    planner.abort();
    pusher.abort();
    warm.abort();
    println!("Cakap stopped.");
    Ok(())
}

/// The SIASN simulator in the foreground, until Ctrl-C.
pub async fn siasn_sim(bind: &str) -> anyhow::Result<()> {
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

pub async fn create_user(
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
            sqlx::query_scalar!("select id from employees where nip = $1", n.trim())
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
            sqlx::query_scalar!("select id from units where code = $1 and closed_on is null", code.trim())
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
                sqlx::query_scalar!("select name from employees where id = $1", id).fetch_optional(&pool).await?
            }
            None => None,
        };
        let agency: Option<String> = sqlx::query_scalar!("select value from settings where key = 'department_name'")
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
    let taken =
        sqlx::query_scalar!(r#"select exists(select 1 from accounts where username = $1) as "taken!""#, &username)
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
pub async fn floor(config: &Config, bind: &str) -> anyhow::Result<()> {
    use axum::{extract::State, http::StatusCode, routing::get};
    let pool = db::pool_options(config).connect(&config.database_url).await?;
    async fn ping(State(pool): State<sqlx::PgPool>) -> Result<&'static str, StatusCode> {
        sqlx::query_scalar!("select 1")
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
