//! The `msp-registry` binary as scripts and operators use it: run as a subprocess against a
//! fresh SQLite file and a fresh PostgreSQL database, reading exactly what it writes to
//! standard output and standard error. Each test runs on both (`NAME::sqlite`,
//! `NAME::postgres`; the latter needs `MSP_TEST_POSTGRES_URL`, as the API tests do).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    net::TcpListener,
    process::{Command, Output, Stdio},
    sync::mpsc,
    time::Duration,
};

use msp_api::{config::Config, startup::Application};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

const SECRET: &str = "cli-test-secret-cli-test-secret-0123456789";
const PASSWORD: &str = "correct horse battery staple";

/// A fresh database for one test.
struct Db {
    url: String,
    dir: tempfile::TempDir,
    /// The server URL and database name to drop afterwards (PostgreSQL).
    drop: Option<(String, String)>,
}

impl Db {
    async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/cli.sqlite?mode=rwc", dir.path().display());
        Db {
            url,
            dir,
            drop: None,
        }
    }

    async fn postgres() -> Option<Db> {
        let server = match std::env::var("MSP_TEST_POSTGRES_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                assert!(
                    std::env::var("CI").map(|v| v != "true").unwrap_or(true),
                    "MSP_TEST_POSTGRES_URL must be set under CI"
                );
                eprintln!("notice: MSP_TEST_POSTGRES_URL is unset: PostgreSQL test skipped");
                return None;
            }
        };
        let prefix = std::env::var("MSP_TEST_DATABASE")
            .ok()
            .filter(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
            .unwrap_or_else(|| "msp_test".into());
        let name = format!(
            "{prefix}_cli_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let admin = Database::connect(&server).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let _ = admin.close().await;
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&format!("/{name}"));
        Some(Db {
            url: url.to_string(),
            dir: tempfile::tempdir().unwrap(),
            drop: Some((server, name)),
        })
    }

    async fn teardown(self) {
        if let Some((server, name)) = &self.drop
            && let Ok(admin) = Database::connect(server).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            let _ = admin.close().await;
        }
    }

    /// The binary with this database and nothing else from the caller's `MSP_*` variables.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_msp-registry"));
        for (name, _) in std::env::vars() {
            if name.starts_with("MSP_") {
                cmd.env_remove(name);
            }
        }
        cmd.args(args)
            .env("MSP_DATABASE_URL", &self.url)
            .env("MSP_JWT_SECRET", SECRET)
            .env("MSP_DATA_DIR", self.dir.path())
            .env("MSP_DEMO", "false")
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed and returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A tenant `slug` with an owner; returns the owner's email.
    fn tenant_with_owner(&self, slug: &str) -> String {
        let email = format!("owner@{slug}.example.org");
        self.ok(&[
            "user",
            "create",
            "--email",
            &email,
            "--name",
            "Owner",
            "--password",
            PASSWORD,
        ]);
        self.ok(&[
            "tenant",
            "create",
            "--slug",
            slug,
            "--name",
            "A registry",
            "--owner-email",
            &email,
        ]);
        email
    }

    /// The API on this database, in this process (its search index in this test's directory).
    async fn api(&self) -> String {
        let data_dir = self.dir.path().to_string_lossy().into_owned();
        let vars: HashMap<String, String> = [
            ("MSP_DATABASE_URL", self.url.as_str()),
            ("MSP_DATA_DIR", data_dir.as_str()),
            ("MSP_JWT_SECRET", SECRET),
            ("MSP_BIND", "127.0.0.1:0"),
            ("MSP_WORKERS", "1"),
            ("MSP_DEMO", "false"),
            ("MSP_WEBHOOK_WORKER", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let config = Config::from_vars(&vars).unwrap();
        let registry = msp_api::startup::registry(&config).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let app = Application::from_listener(&config, registry, listener).unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        base
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    let db = super::Db::sqlite().await;
                    super::$name(&db).await;
                    db.teardown().await;
                }

                #[actix_web::test]
                async fn postgres() {
                    let Some(db) = super::Db::postgres().await else { return };
                    super::$name(&db).await;
                    db.teardown().await;
                }
            }
        )*
    };
}

both!(
    token_prints_the_token_alone_and_the_api_accepts_it,
    import_writes_a_json_report_to_stdout_and_a_summary_to_stderr,
    a_failed_import_prints_a_readable_capped_report,
    export_writes_the_api_formats_to_stdout_or_a_file,
    tenants_users_and_clients_are_listed_revoked_and_removed,
    the_server_logs_json_from_the_first_line_and_never_the_demo_secrets,
);

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn token_prints_the_token_alone_and_the_api_accepts_it(db: &Db) {
    let email = db.tenant_with_owner("cli-token");
    let out = db.run(&["token", "--email", &email]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    let token = stdout.trim_end_matches('\n');
    assert_eq!(token.split('.').count(), 3, "a JWT alone: {token:?}");
    assert!(
        !stdout.contains('\x1b') && !text(&out.stderr).contains('\x1b'),
        "no colour"
    );

    // TOKEN=$(msp-registry token ...) then a call with it.
    let base = db.api().await;
    let me = reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["role"], "owner");
}

const GOOD_CSV: &str = "title,summary,kind,countries,action_lines,stage\n\
    Village phone training,Training for operators,msp,UG,C4,implementing\n\
    School connectivity,Schools online,ppp,MK,C2,implementing\n";

async fn import_writes_a_json_report_to_stdout_and_a_summary_to_stderr(db: &Db) {
    db.tenant_with_owner("cli-import");
    let file = db.dir.path().join("rows.csv");
    std::fs::write(&file, GOOD_CSV).unwrap();
    let report_file = db.dir.path().join("report.json");
    let out = db.run(&[
        "import",
        "--file",
        file.to_str().unwrap(),
        "--tenant",
        "cli-import",
        "--report",
        report_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // `import ... > report.json` is JSON, and the same as --report's.
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(report["rows"], 2);
    assert_eq!(report["created"], 2);
    let from_file: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
    assert_eq!(from_file, report);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("2 rows (2 created, 0 updated, 0 unchanged"),
        "summary: {stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "no progress bar or colour off a terminal"
    );
}

async fn a_failed_import_prints_a_readable_capped_report(db: &Db) {
    db.tenant_with_owner("cli-bad");
    let mut csv = String::from("title,kind,countries\n");
    for n in 0..30 {
        csv.push_str(&format!("Row {n},nope,ML\n"));
    }
    let file = db.dir.path().join("bad.csv");
    std::fs::write(&file, csv).unwrap();
    let report_file = db.dir.path().join("bad-report.json");
    let out = db.run(&[
        "import",
        "--file",
        file.to_str().unwrap(),
        "--tenant",
        "cli-bad",
        "--report",
        report_file.to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "a refused import fails");
    let stdout: Value = serde_json::from_slice(&out.stdout).expect("stdout is still JSON");
    assert_eq!(stdout["ok"], false);
    assert_eq!(stdout["error_count"], 30);
    let full: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
    assert_eq!(full["errors"].as_array().unwrap().len(), 30);
    assert_eq!(full["errors"][0]["field"], "rows[2].kind");

    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[0], "import failed: 30 errors in 30 rows; nothing was written",
        "{stderr}"
    );
    let rows: Vec<usize> = lines
        .iter()
        .filter_map(|l| l.trim().strip_prefix("row "))
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(rows, (2..22).collect::<Vec<_>>(), "20 lines, sorted by row");
    assert!(lines.iter().any(|l| l.trim() == "…and 10 more"), "{stderr}");
    assert!(lines.iter().all(|l| l.len() < 300), "no giant line");

    // Nothing was written.
    let again = db.ok(&["export", "--tenant", "cli-bad", "--format", "ndjson"]);
    assert_eq!(again, "");
}

async fn export_writes_the_api_formats_to_stdout_or_a_file(db: &Db) {
    db.tenant_with_owner("cli-export");
    let file = db.dir.path().join("rows.csv");
    std::fs::write(&file, GOOD_CSV).unwrap();
    db.ok(&[
        "import",
        "--file",
        file.to_str().unwrap(),
        "--tenant",
        "cli-export",
    ]);

    let out = db.run(&["export", "--tenant", "cli-export", "--format", "ndjson"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    let mut titles: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["title"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    titles.sort();
    assert_eq!(titles, ["School connectivity", "Village phone training"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("exported 2 initiatives of cli-export as ndjson"),
        "{stderr}"
    );

    let json = db.ok(&["export", "--tenant", "cli-export"]);
    let array: Value = serde_json::from_str(&json).expect("a JSON array by default");
    assert_eq!(array.as_array().unwrap().len(), 2);

    let csv_file = db.dir.path().join("out.csv");
    let out = db.run(&[
        "export",
        "--tenant",
        "cli-export",
        "--format",
        "csv",
        "--output",
        csv_file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "nothing on stdout with --output");
    let csv = std::fs::read_to_string(&csv_file).unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two rows: {csv}");
    assert!(csv.starts_with("id,"), "{csv}");
}

async fn tenants_users_and_clients_are_listed_revoked_and_removed(db: &Db) {
    let owner = db.tenant_with_owner("cli-admin");
    db.tenant_with_owner("cli-other");
    let tenants = db.ok(&["tenant", "list"]);
    let slugs: Vec<&str> = tenants
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(slugs, ["cli-admin", "cli-other"]);

    let editor = "editor@cli-admin.example.org";
    let created = db.ok(&[
        "user",
        "create",
        "--email",
        editor,
        "--name",
        "Editor",
        "--tenant",
        "cli-admin",
        "--role",
        "editor",
    ]);
    let lines: Vec<&str> = created.lines().collect();
    assert_eq!(lines.len(), 2, "the id, then the generated password");
    uuid::Uuid::parse_str(lines[0]).expect("a user id");
    assert!(lines[1].len() >= 12, "a password");

    let members: Value =
        serde_json::from_str(&db.ok(&["user", "list", "--tenant", "cli-admin", "--json"])).unwrap();
    let emails: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, [owner.as_str(), editor]);
    let accounts = db.ok(&["user", "list"]);
    assert_eq!(accounts.lines().count(), 3, "every account: {accounts}");

    db.ok(&["user", "remove", "--email", editor, "--tenant", "cli-admin"]);
    let members = db.ok(&["user", "list", "--tenant", "cli-admin"]);
    assert!(!members.contains(editor), "{members}");
    let last_owner = db.run(&["user", "remove", "--email", &owner, "--tenant", "cli-admin"]);
    assert!(!last_owner.status.success(), "a tenant keeps one owner");

    let client = db.ok(&[
        "client",
        "create",
        "--tenant",
        "cli-admin",
        "--name",
        "Portal",
    ]);
    let (client_id, secret) = {
        let mut l = client.lines();
        (l.next().unwrap().to_owned(), l.next().unwrap().to_owned())
    };
    assert!(client_id.starts_with("msp_"));
    let base = db.api().await;
    let grant = |secret: String| {
        let base = base.clone();
        let client_id = client_id.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/auth/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", secret.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(grant(secret.clone()).await, 200);
    let listed = db.ok(&["client", "list", "--tenant", "cli-admin"]);
    assert!(
        listed.starts_with(&format!("{client_id}\tPortal\tviewer\tactive")),
        "{listed}"
    );
    db.ok(&[
        "client",
        "revoke",
        "--tenant",
        "cli-admin",
        "--client-id",
        &client_id,
    ]);
    let listed = db.ok(&["client", "list", "--tenant", "cli-admin"]);
    assert!(listed.contains("\trevoked\t"), "{listed}");
    assert_eq!(grant(secret).await, 401, "a revoked secret stops working");
    let again = db.run(&[
        "client",
        "revoke",
        "--tenant",
        "cli-other",
        "--client-id",
        &client_id,
    ]);
    assert!(
        !again.status.success(),
        "another tenant's client is not found"
    );
}

async fn the_server_logs_json_from_the_first_line_and_never_the_demo_secrets(db: &Db) {
    let mut child = db
        .command(&["serve"])
        .env("MSP_LOG_FORMAT", "json")
        .env("MSP_BIND", "127.0.0.1:0")
        .env("MSP_WORKERS", "1")
        .env("MSP_DEMO", "true")
        .env("MSP_WEBHOOK_WORKER", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let bind = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server starts");
        let event: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        lines.push(line);
        if event["message"] == "server started" {
            break event["bind"].as_str().unwrap().to_owned();
        }
    };
    // The demo is loaded after the banner; wait for its line.
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the demo loads");
        let done = line.contains("loaded the demo tenant");
        lines.push(line);
        if done {
            break;
        }
    }
    let http = reqwest::Client::new();
    let missing = http
        .get(format!(
            "http://{bind}/api/v1/organizations/00000000-0000-4000-8000-000000000000"
        ))
        .header("X-Request-Id", "lb-req-42")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["x-request-id"], "lb-req-42");
    let replaced = http
        .get(format!("http://{bind}/health"))
        .header("X-Request-Id", "not ok <script>")
        .send()
        .await
        .unwrap();
    let new_id = replaced.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    uuid::Uuid::parse_str(&new_id).expect("a malformed id is replaced by a UUID");
    // Let the log lines of both requests arrive, then stop the server.
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        lines.push(line);
    }

    assert!(
        output.stdout.is_empty(),
        "the server writes nothing to stdout"
    );
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();

    let credentials = db.dir.path().join("demo-credentials.txt");
    let written = std::fs::read_to_string(&credentials).expect("the credentials file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }
    let password = written
        .lines()
        .find_map(|l| l.strip_prefix("password="))
        .unwrap();
    let all = lines.join("\n");
    assert!(!all.contains(password), "the demo password is not logged");
    assert!(!all.contains("eyJ"), "no token is logged");
    let demo = events
        .iter()
        .find(|e| e["message"] == "loaded the demo tenant (an empty database was found)")
        .unwrap();
    assert_eq!(demo["credentials_file"], credentials.display().to_string());

    let of = |id: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["span"]["request_id"] == id)
            .collect()
    };
    let logged = of("lb-req-42");
    assert_eq!(logged.len(), 1, "a 4xx is logged once: {logged:?}");
    assert_eq!(logged[0]["level"], "INFO");
    assert_eq!(logged[0]["status"], 404);
    assert_eq!(
        logged[0]["span"]["trace_id"],
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(
        logged[0]["span"]["http.route"],
        "/api/v1/organizations/{id}"
    );
    assert_eq!(of(&new_id).len(), 1);
}
