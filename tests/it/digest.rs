//! The daily e-mail digest, through a real SMTP conversation with a sink this test starts itself.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use cakap::notifications::digest::{LEASE, Mailer, Round, claim, send_due};
use chrono::{DateTime, Duration, Timelike, Utc};
use sqlx::PgPool;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

use crate::helpers::TestApp;

/// One message the sink received.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

/// A minimal SMTP server on loopback that accepts every message and keeps it.
pub struct Sink {
    pub addr: SocketAddr,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl Sink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let addr = listener.local_addr().expect("addr");
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut to = vec![];
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.get(..4).unwrap_or(&line).to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
                            "RCPT" => {
                                to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                                b"250 OK\r\n"
                            }
                            "DATA" => {
                                let _ = write.write_all(b"354 go on\r\n").await;
                                let mut data = String::new();
                                while let Ok(Some(l)) = lines.next_line().await {
                                    if l == "." {
                                        break;
                                    }
                                    data.push_str(&l);
                                    data.push('\n');
                                }
                                if let Ok(mut m) = kept.lock() {
                                    m.push(Mail { to: std::mem::take(&mut to), data });
                                }
                                b"250 kept\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"502 not here\r\n",
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Self { addr, mails }
    }

    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails.lock().expect("mails").iter().filter(|m| m.to.iter().any(|t| t == address)).cloned().collect()
    }

    pub fn count(&self) -> usize {
        self.mails.lock().expect("mails").len()
    }
}

fn mailer(app: &TestApp, url: &str) -> Mailer {
    let mut config = (*app.state.config).clone();
    config.smtp_url = Some(url.to_string());
    Mailer::from_config(&config).expect("valid").expect("configured")
}

async fn email_of(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar("select e.email from accounts a join employees e on e.id = a.employee_id where a.username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .expect("email")
}

/// Shortly after now, at or after 06:00 WIB (the digest hour).
fn morning() -> DateTime<Utc> {
    let now = Utc::now() + Duration::minutes(1);
    let local_hour = (now.hour() + 7) % 24;
    if local_hour < 6 { now + Duration::hours(i64::from(6 - local_hour)) } else { now }
}

#[sqlx::test]
async fn the_digest_goes_out_once_a_day_in_one_message_to_those_who_want_it(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let sink = Sink::start().await;
    let mailer = mailer(&app, &format!("smtp://{}", sink.addr));
    let head = email_of(&app, "kabid.aptika").await;
    let employee = email_of(&app, "pegawai").await;

    // The employee turns the digest off on the notifications page.
    let mut c = app.as_user("pegawai").await;
    let page = c.get("/notifications").await;
    assert!(page.body.contains(&employee), "the page names the address the digest goes to");
    assert!(page.body.contains("belum disiapkan untuk mengirim e-mail"), "and says this portal sends none yet");
    let r = c.post("/notifications/digest", &[]).await;
    assert_eq!(r.location(), "/notifications");
    let off: bool = sqlx::query_scalar("select not email_digest from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("pref");
    assert!(off);

    // Before the digest hour (05:00 WIB) nothing goes.
    let day1 = morning();
    let early = day1 - Duration::hours(i64::from((day1.hour() + 7) % 24) - 5);
    assert_eq!(send_due(&app.state, &mailer, early).await.expect("round"), Round::default());
    assert_eq!(sink.count(), 0);

    let first = send_due(&app.state, &mailer, day1).await.expect("round");
    assert!(first.sent >= 1 && first.failed == 0, "{first:?}");
    let to_head = sink.to(&head);
    assert_eq!(to_head.len(), 1, "one message, not one per event");
    let mail = &to_head[0].data;
    assert!(mail.contains("Subject: Cakap:"), "{mail}");
    assert!(mail.contains("hal menunggu keputusan Anda"), "the waiting approvals, in words: {mail}");
    assert!(mail.contains("http://localhost/approvals"), "with where to act: {mail}");
    assert!(mail.contains("http://localhost/notifications"), "and where to turn it off: {mail}");
    assert!(sink.to(&employee).is_empty(), "the employee turned it off");

    // The same day again: nothing more.
    let again = send_due(&app.state, &mailer, day1 + Duration::hours(3)).await.expect("round");
    assert_eq!((again.sent, again.failed), (0, 0));
    assert_eq!(sink.to(&head).len(), 1);

    // The next day, with nothing new for the head: no message.
    let day2 = day1 + Duration::days(1);
    send_due(&app.state, &mailer, day2).await.expect("round");
    assert_eq!(sink.to(&head).len(), 1, "nothing new, no digest: {:?}", sink.to(&head).last());

    // Something new waits for the head; the day after, it is in the digest, in English now.
    sqlx::query(
        "update assessments set created_at = $1 where id = (
           select a.id from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
           where a.status = 'pending' and u.code = 'APT-PA' order by a.id limit 1)",
    )
    .bind(day2 + Duration::hours(1))
    .execute(&app.pool)
    .await
    .expect("new item");
    let mut h = app.as_user("kabid.aptika").await;
    h.get("/lang/en?next=/").await;
    send_due(&app.state, &mailer, day2 + Duration::days(1)).await.expect("round");
    let to_head = sink.to(&head);
    assert_eq!(to_head.len(), 2);
    assert!(to_head[1].data.contains("items wait for your decision"), "{}", to_head[1].data);
}

#[sqlx::test]
async fn a_failed_send_is_tried_again_and_no_setting_means_no_mail(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // Without CAKAP_SMTP_URL there is no mailer and the job sends nothing.
    assert!(Mailer::from_config(&app.state.config).expect("fine").is_none());
    let mut bad = (*app.state.config).clone();
    bad.smtp_url = Some("not a url".into());
    let err = Mailer::from_config(&bad).err().expect("a malformed URL is refused at start").to_string();
    assert!(err.contains("CAKAP_SMTP_URL"), "{err}");

    // Nothing listens on this port: every send fails and every claim is given back.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port");
    let down = mailer(&app, &format!("smtp://{closed}"));
    let round = send_due(&app.state, &down, morning()).await.expect("round");
    assert!(round.failed >= 1 && round.sent == 0, "{round:?}");
    let head = email_of(&app, "kabid.aptika").await;
    let claimed: Option<DateTime<Utc>> =
        sqlx::query_scalar("select digest_sent_at from accounts where username = 'kabid.aptika'")
            .fetch_one(&app.pool)
            .await
            .expect("claim");
    assert_eq!(claimed, None, "the head's digest is still owed");

    // The server is back: the owed digest goes out.
    let sink = Sink::start().await;
    let up = mailer(&app, &format!("smtp://{}", sink.addr));
    let round = send_due(&app.state, &up, morning()).await.expect("round");
    assert!(round.sent >= 1, "{round:?}");
    assert_eq!(sink.to(&head).len(), 1);
}

/// A node that leased an account's digest and stopped before sending it (a crash, a restart) does
/// not lose that day's digest: no round sends it while the lease holds, nothing marks it sent, and
/// the first round after the lease sends it, once.
#[sqlx::test]
async fn a_digest_whose_node_stopped_goes_out_after_the_lease(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let sink = Sink::start().await;
    let up = mailer(&app, &format!("smtp://{}", sink.addr));
    let head = email_of(&app, "kabid.aptika").await;
    let account = app.scalar("select id from accounts where username = 'kabid.aptika'").await;
    let sent_at = || async {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>("select digest_sent_at from accounts where id = $1")
            .bind(account)
            .fetch_one(&app.pool)
            .await
            .expect("sent at")
    };
    // 07:00 WIB tomorrow: every step below falls on the same day, after the digest hour.
    let tomorrow = (Utc::now() + Duration::hours(7)).date_naive().succ_opt().expect("tomorrow");
    let day = tomorrow.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    // Another node leases the head's digest, then stops before sending.
    let lease = claim(&app.pool, account, None, day).await.expect("claim").expect("leased");
    assert!((lease - (day + LEASE)).num_milliseconds().abs() < 1, "{lease} {day}");
    assert_eq!(claim(&app.pool, account, None, day).await.expect("claim"), None, "one node holds it");
    assert_eq!(sent_at().await, None, "leased is not sent");
    // While the lease holds, the other nodes leave it alone.
    let round = send_due(&app.state, &up, day + Duration::minutes(5)).await.expect("round");
    assert!(round.sent >= 1, "the others' digests go: {round:?}");
    assert!(sink.to(&head).is_empty(), "the leased one waits");
    assert_eq!(sent_at().await, None);
    // The lease has run out: the owed digest goes out, once, and is marked sent.
    let after = day + LEASE + Duration::minutes(1);
    let round = send_due(&app.state, &up, after).await.expect("round");
    assert_eq!((round.sent, round.failed), (1, 0), "{round:?}");
    assert_eq!(sink.to(&head).len(), 1);
    assert!(sink.to(&head)[0].data.contains("hal menunggu keputusan Anda"));
    assert_eq!(sent_at().await.map(|t| t.timestamp()), Some(after.timestamp()));
    send_due(&app.state, &up, after + Duration::minutes(30)).await.expect("round");
    assert_eq!(sink.to(&head).len(), 1, "not twice");
}
