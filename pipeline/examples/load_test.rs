//! Load test of `wenzheng serve`: keep-alive connections hammering the rankings, the flagged
//! replies (pages deep into the list, per unit) and search, for a while; then requests per
//! second, p50 / p99 latency and errors per endpoint.
//!
//! ```text
//! WENZHENG_TOKENS=supervisor:load-test-token wenzheng serve --data DIR --addr 127.0.0.1:8080 &
//! cargo run --release --example load_test -- --url http://127.0.0.1:8080 --token load-test-token
//! ```
//!
//! A plain HTTP/1.1 client over tokio's `TcpStream` (the API answers with a Content-Length or
//! chunks), so that what is measured is the server, not a client library.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Parser)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// A supervisor's token (flagged replies need one).
    #[arg(long)]
    token: String,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Make every search a different request (word × unit × sort), so that none is answered
    /// from the server's memory of earlier answers: the cost of searches a dashboard has not
    /// seen before.
    #[arg(long)]
    distinct_searches: bool,
}

/// Words of the posts, for the search queries.
const WORDS: [&str; 12] =
    ["油烟", "噪音", "物业", "停车", "拆迁", "学校", "路灯", "供水", "垃圾", "违建", "公交", "小区 噪音"];
const ENDPOINTS: [&str; 4] = ["rankings", "flagged", "flagged by unit", "search"];

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

const SORTS: [&str; 4] = ["relevance", "newest", "likes", "score"];

/// The i-th request of a connection: its endpoint and path.
/// `search`: the number of a search to make distinct from every other (a word, a unit and a
/// sort that no other search has, until words × units × sorts are used up).
fn request(i: usize, units: &[String], search: Option<usize>) -> (usize, String) {
    if let Some(n) = search.filter(|_| i % 4 == 3 && !units.is_empty()) {
        let (word, rest) = (n % WORDS.len(), n / WORDS.len());
        let (unit, sort) = (rest % units.len(), (rest / units.len()) % SORTS.len());
        return (
            3,
            format!(
                "/api/search?q={}&unit={}&sort={}&limit=10",
                encode(WORDS[word]),
                encode(&units[unit]),
                SORTS[sort]
            ),
        );
    }
    match i % 4 {
        0 => (0, "/api/rankings".into()),
        1 => (1, format!("/api/replies/flagged?limit=20&offset={}", (i * 37) % 2000)),
        2 if !units.is_empty() => {
            (2, format!("/api/replies/flagged?limit=20&unit={}", encode(&units[(i / 4) % units.len()])))
        }
        _ => (3, format!("/api/search?q={}&limit=10", encode(WORDS[(i / 4) % WORDS.len()]))),
    }
}

struct Connection {
    reader: BufReader<TcpStream>,
    host: String,
    token: String,
}

impl Connection {
    async fn open(host: &str, token: &str) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(host).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { reader: BufReader::new(stream), host: host.into(), token: token.into() })
    }

    /// One GET; the status and the body.
    async fn get(&mut self, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n", self.host, self.token);
        self.reader.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let (mut length, mut chunked) = (0usize, false);
        loop {
            line.clear();
            if self.reader.read_line(&mut line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let header = line.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            chunked |= header == "transfer-encoding: chunked";
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body.resize(length, 0);
            self.reader.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let host = args.url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let mut first = Connection::open(&host, &args.token).await?;
    let (status, body) = first.get("/api/units").await?;
    if status != 200 {
        return Err(format!("GET /api/units: {status} {}", String::from_utf8_lossy(&body)).into());
    }
    let units: serde_json::Value = serde_json::from_slice(&body)?;
    let units: Arc<Vec<String>> = Arc::new(
        units["units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u["unit"].as_str().map(String::from))
            .take(50)
            .collect(),
    );
    println!("{} connections for {} s against {}; {} units", args.connections, args.seconds, args.url, units.len());

    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.connections {
        let (host, token, units) = (host.clone(), args.token.clone(), units.clone());
        let (distinct_searches, connections) = (args.distinct_searches, args.connections);
        tasks.push(tokio::spawn(async move {
            // (endpoint, microseconds, ok)
            let mut samples: Vec<(usize, u32, bool)> = Vec::new();
            let Ok(mut connection) = Connection::open(&host, &token).await else { return samples };
            let mut i = c;
            while Instant::now() < deadline {
                // Searches are numbered over all connections, so that none repeats another's.
                let search = distinct_searches.then_some((i / 4) * connections + c);
                let (endpoint, path) = request(i, &units, search);
                let sent = Instant::now();
                let result = connection.get(&path).await;
                let micros = sent.elapsed().as_micros() as u32;
                let ok = matches!(result, Ok((200, _)));
                samples.push((endpoint, micros, ok));
                if result.is_err() {
                    match Connection::open(&host, &token).await {
                        Ok(fresh) => connection = fresh,
                        Err(_) => break,
                    }
                }
                i += 1;
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("{:<16} {:>9} {:>9} {:>9} {:>9} {:>7}", "endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors");
    let report = |name: &str, mut micros: Vec<u32>, errors: usize| {
        micros.sort_unstable();
        let at =
            |q: f64| micros.get(((micros.len() as f64 - 1.0) * q).round() as usize).map_or(0.0, |&m| m as f64 / 1000.0);
        println!(
            "{name:<16} {:>9} {:>9.0} {:>9.2} {:>9.2} {errors:>7}",
            micros.len(),
            micros.len() as f64 / elapsed,
            at(0.5),
            at(0.99)
        );
    };
    for (e, name) in ENDPOINTS.iter().enumerate() {
        let of = samples.iter().filter(|s| s.0 == e);
        report(name, of.clone().map(|s| s.1).collect(), of.filter(|s| !s.2).count());
    }
    report("all", samples.iter().map(|s| s.1).collect(), samples.iter().filter(|s| !s.2).count());
    Ok(())
}
