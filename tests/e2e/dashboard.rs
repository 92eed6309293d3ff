//! The dashboard in a real browser: `wenzheng run` on the real replies, `wenzheng serve` on a
//! free port, and Debian's chromium driven headless through chromedriver (WebDriver is plain
//! HTTP + JSON, so a few lines over a `TcpStream` drive it). A person's path through the page:
//! log in, see the ranking, open a unit, see its chart and a flagged reply with the evidence
//! marked, search in Chinese. A screenshot is saved to `$WENZHENG_ARTIFACTS` (default
//! target/artifacts) as dashboard.png.
//!
//! Needs `chromium` and `chromium-driver` (scripts/test.sh installs them).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tests::{shared_file, wenzheng, wenzheng_binary};

const SUPERVISOR: &str = "e2e-supervisor-token";

/// A child process killed when the test ends, passed or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request with a JSON body; the status and the JSON answer.
fn http(method: &str, url: &str, body: Option<&Value>, token: Option<&str>) -> (u16, Value) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("cannot connect to {host}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("request sent");
    let raw = read_response(&mut stream);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut payload = raw[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        payload = unchunk(&payload);
    }
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status");
    (status, serde_json::from_slice(&payload).unwrap_or(Value::Null))
}

/// The whole response: headers, then `Content-Length` bytes or chunks up to the last one.
/// Not read to the end of the stream: chromedriver answers `Connection: close` and keeps the
/// socket open.
fn read_response(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 16384];
    loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
            let body = &raw[split + 4..];
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:").and_then(|n| n.trim().parse::<usize>().ok()));
            match length {
                Some(length) if body.len() >= length => return raw,
                None if head.contains("transfer-encoding: chunked") && body.ends_with(b"0\r\n\r\n") => return raw,
                _ => {}
            }
        }
        let n = stream.read(&mut buffer).expect("response read");
        if n == 0 {
            return raw;
        }
        raw.extend_from_slice(&buffer[..n]);
    }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// A WebDriver session.
struct Browser {
    base: String,
    _driver: Killed,
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is missing: apt-get install chromium chromium-driver (scripts/test.sh does)");
        let driver = Killed(driver);
        let url = format!("http://127.0.0.1:{port}");
        wait_for("chromedriver", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
                && http("GET", &format!("{url}/status"), None, None).0 == 200
        });
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,1000", "--lang=zh-CN"]
            }
        } } });
        let (status, answer) = http("POST", &format!("{url}/session"), Some(&capabilities), None);
        assert_eq!(status, 200, "no browser session: {answer}");
        let id = answer["value"]["sessionId"].as_str().expect("a session id");
        Browser { base: format!("{url}/session/{id}"), _driver: driver }
    }

    fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = http(method, &format!("{}{path}", self.base), body.as_ref(), None);
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer["value"].clone()
    }

    fn go(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url }));
    }

    /// Runs a script in the page; `arguments[0]` is `arg`.
    fn script(&self, script: &str, arg: &str) -> Value {
        self.command("POST", "/execute/sync", json!({ "script": script, "args": [arg] }))
    }

    /// Waits until the script returns something truthy, and returns it.
    fn until(&self, what: &str, script: &str, arg: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.script(script, arg);
            if !matches!(value, Value::Null | Value::Bool(false)) && value != json!("") && value != json!(0) {
                return value;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&self) -> Vec<u8> {
        let encoded = self.command("GET", "/screenshot", Value::Null);
        base64_decode(encoded.as_str().expect("base64 PNG"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http("DELETE", &self.base, None, None);
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| acc | (value(c) as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// `text` as one part of a URL: every byte but ASCII letters and digits written `%XX`.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(30), "{what} did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `wenzheng serve` on a free port: the child and its URL (read from what it prints).
fn serve(data: &str) -> (Killed, String) {
    let mut child = Command::new(wenzheng_binary())
        .args(["serve", "--data", data, "--addr", "127.0.0.1:0"])
        .env("WENZHENG_TOKENS", format!("supervisor:{SUPERVISOR}"))
        .env("WENZHENG_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("wenzheng serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("a line");
    let url =
        line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("not an address: {line:?}")).to_string();
    assert!(!url.ends_with(":0"), "the real port is printed: {url}");
    (Killed(child), url)
}

fn artifacts() -> PathBuf {
    let dir = std::env::var_os("WENZHENG_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts"));
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

#[test]
fn a_supervisor_logs_in_reads_the_ranking_a_unit_and_searches() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data").display().to_string();
    wenzheng(["run", &shared_file("replies_dev.xlsx").display().to_string(), "--out", &data]).ok();
    let (_server, url) = serve(&data);

    // The unit with the newest flagged reply: its page must show it.
    // (Most real replies name no unit: take the newest one that does.)
    let (status, flagged) = http("GET", &format!("{url}/api/replies/flagged?limit=200"), None, Some(SUPERVISOR));
    assert_eq!(status, 200, "{flagged}");
    let items = flagged["items"].as_array().expect("items");
    // (未知单位 files the replies of no known unit: take one a unit gave)
    let unit = items
        .iter()
        .find_map(|item| item["unit"].as_str().filter(|unit| *unit != "未知单位"))
        .expect("a flagged reply with a unit")
        .to_string();

    let browser = Browser::start();
    browser.go(&url);
    browser.until("the login form", "return document.querySelector('#login:not([hidden]) #token') !== null", "");
    browser.script(
        "document.getElementById('token').value = arguments[0];
         document.getElementById('login-form').requestSubmit(); return true;",
        SUPERVISOR,
    );
    let rows = browser.until("the ranking", "return document.querySelectorAll('#rankings tbody tr').length", "");
    // The ranking opens on the latest year: of the real replies, only a January (2020).
    assert!(rows.as_u64().unwrap_or(0) >= 1, "{rows}");
    let who = browser.script("return document.getElementById('who').textContent", "");
    assert_eq!(who, "角色：督查员");
    // No part the page left out shows as a word of JavaScript.
    let view = browser.script("return document.getElementById('view').innerText", "");
    assert!(!view.as_str().unwrap_or("").lines().any(|l| ["null", "undefined"].contains(&l.trim())), "{view}");

    // Open the unit from the ranking (by hash when it has too few posts to be listed).
    browser.script(
        "const link = [...document.querySelectorAll('#rankings a')].find(a => a.textContent === arguments[0]);
         if (link) { link.click(); } else { location.hash = '#/unit/' + encodeURIComponent(arguments[0]); }
         return true;",
        &unit,
    );
    browser.until("the unit page", "return document.querySelector('#view h2')?.textContent === arguments[0]", &unit);
    let chart = browser.until(
        "the trend chart",
        "const img = document.querySelector('img.chart'); return img && img.complete && img.naturalWidth",
        "",
    );
    assert!(chart.as_u64().unwrap_or(0) > 100, "chart width {chart}");
    let mark =
        browser.until("a marked flagged reply", "return document.querySelector('#flagged mark')?.textContent", "");
    assert!(!mark.as_str().unwrap_or("").is_empty());
    std::fs::write(artifacts().join("dashboard.png"), browser.screenshot()).expect("screenshot written");

    // The unit's page of one year lists that year's flagged replies, as its tables show that year.
    let newest = items.iter().find(|item| item["unit"].as_str() == Some(unit.as_str())).expect("the unit's reply");
    let year = &newest["replied_at"].as_str().expect("replied_at")[..4];
    let unit_query = percent_encoded(&unit);
    let of_year = format!("{url}/api/replies/flagged?unit={unit_query}&from={year}-01-01&to={year}-12-31");
    let (_, in_year) = http("GET", &of_year, None, Some(SUPERVISOR));
    let (_, all_years) = http("GET", &format!("{url}/api/replies/flagged?unit={unit_query}"), None, Some(SUPERVISOR));
    browser.go(&format!("{url}/#/unit/{unit_query}?year={year}"));
    let heading = browser.until(
        "the year's flagged replies",
        "const h = [...document.querySelectorAll('#view h3')].find(h => h.textContent.includes('被标记'));
         return h && h.textContent.startsWith(arguments[0]) && document.querySelector('#view p.meta')?.textContent",
        &format!("{year} 年"),
    );
    let shown = heading.as_str().unwrap_or("");
    assert!(shown.starts_with(&format!("共 {} 条", in_year["total"])), "{shown}; all years {}", all_years["total"]);

    // Search in Chinese: hits with the word marked.
    browser.go(&format!("{url}/#/search?q=%E6%B2%B9%E7%83%9F"));
    let marked = browser.until("search hits", "return document.querySelector('#hits mark')?.textContent", "");
    assert!(marked.as_str().is_some_and(|m| m.contains('油') || m.contains('烟')), "{marked}");
    let total = browser.script("return document.getElementById('search-total').textContent", "");
    assert!(total.as_str().is_some_and(|t| t.starts_with("找到 ")), "{total}");
    std::fs::write(artifacts().join("dashboard_search.png"), browser.screenshot()).expect("screenshot written");

    // A typo of one character (油咽): nothing found, and a link to the word the texts write.
    browser.go(&format!("{url}/#/search?q=%E6%B2%B9%E5%92%BD"));
    let suggested =
        browser.until("the suggestion", "return document.querySelector('#search-suggestion a')?.textContent", "");
    assert_eq!(suggested.as_str(), Some("油烟"), "{suggested}");

    // A query it cannot read is named in Chinese, the API's message after it.
    browser.go(&format!("{url}/#/search?q=%22%E6%B2%B9%E7%83%9F"));
    let refused = browser.until("the refusal", "return document.querySelector('#view .error')?.textContent", "");
    assert!(refused.as_str().is_some_and(|t| t.starts_with("检索语句无法识别") && t.contains("详情")), "{refused}");
}
