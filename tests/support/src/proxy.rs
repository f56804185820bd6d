//! A small HTTP/1.1 proxy in front of a real server that misbehaves on request: drops the
//! connection, truncates a reply, answers 429 or 500, or loses a reply the server already
//! acted on — the failures a real server will not produce on demand. It records every request path so tests can check what the client asked for.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How to spoil one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without answering, as after a network drop.
    Drop,
    /// Forward the request but send only the first half of the reply's body.
    Truncate,
    /// Answer 429 with a `ratelimit-reset` this many seconds ahead.
    RateLimit { reset_in: i64 },
    /// Answer 500 without passing the request on, as a failing server does.
    ServerError,
    /// Pass the request on, then close the connection without the reply: the server did the
    /// work, the client never hears of it.
    LoseReply,
}

type Rule = dyn Fn(&str, usize) -> Option<Fault> + Send + Sync;

/// The proxy; it stops when dropped.
pub struct FaultyProxy {
    url: String,
    paths: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FaultyProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultyProxy")
            .field("url", &self.url)
            .finish()
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyProxy {
    /// Proxies to `upstream`. `rule(path, n)` sees each request's path and query and how many
    /// earlier requests had the same path (without query), and says whether to spoil it.
    pub async fn start(
        upstream: &str,
        rule: impl Fn(&str, usize) -> Option<Fault> + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let rule: Arc<Rule> = Arc::new(rule);
        let (upstream, recorded) = (
            upstream.trim_end_matches('/').to_owned(),
            Arc::clone(&paths),
        );
        let task = tokio::spawn(async move {
            // A connection per request, and redirects passed back to the client as they are:
            // the proxy must not change how the client and the server talk.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client");
            while let Ok((socket, _)) = listener.accept().await {
                let (http, upstream) = (http.clone(), upstream.clone());
                let (rule, recorded) = (Arc::clone(&rule), Arc::clone(&recorded));
                tokio::spawn(async move {
                    let _ = serve(socket, &http, &upstream, &*rule, &recorded).await;
                });
            }
        });
        Self { url, paths, task }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request path (with query) seen so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.paths.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn read_request(socket: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let read = socket.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or_default().split(' ');
    let (method, path) = (
        start.next().unwrap_or_default().to_owned(),
        start.next().unwrap_or_default().to_owned(),
    );
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = socket.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Ok(Some(Request {
        method,
        path,
        headers,
        body,
    }))
}

async fn serve(
    mut socket: TcpStream,
    http: &reqwest::Client,
    upstream: &str,
    rule: &Rule,
    recorded: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut socket).await? else {
        return Ok(());
    };
    let earlier = {
        let mut paths = recorded
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        let bare = request
            .path
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let earlier = paths
            .iter()
            .filter(|p| p.split('?').next() == Some(bare.as_str()))
            .count();
        paths.push(request.path.clone());
        earlier
    };
    let fault = rule(&request.path, earlier);
    if fault == Some(Fault::Drop) {
        return socket.shutdown().await;
    }
    if let Some(Fault::RateLimit { reset_in }) = fault {
        let reset = jiff::Timestamp::now().as_second() + reset_in;
        let body = r#"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#;
        let reply = format!(
            "HTTP/1.1 429 Too Many Requests\r\nratelimit-remaining: 0\r\nratelimit-reset: \
             {reset}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(reply.as_bytes()).await?;
        return socket.shutdown().await;
    }
    if fault == Some(Fault::ServerError) {
        let body = r#"{"error":"InternalServerError","message":"Internal Server Error"}"#;
        let reply = format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(reply.as_bytes()).await?;
        return socket.shutdown().await;
    }
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut forward = http.request(method, format!("{upstream}{}", request.path));
    // Every header but those about this one connection: the proxy must not change what the
    // client and the server say to each other (Idempotency-Key, Link, rate limits…).
    for (name, value) in &request.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            forward = forward.header(name, value);
        }
    }
    let response = forward
        .body(request.body)
        .send()
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    if fault == Some(Fault::LoseReply) {
        return socket.shutdown().await;
    }
    let status = response.status();
    let passed_on: String = response
        .headers()
        .iter()
        .filter(|(name, _)| !HOP_BY_HOP.contains(&name.as_str()))
        .filter_map(|(name, value)| Some(format!("{name}: {}\r\n", value.to_str().ok()?)))
        .collect();
    let mut body = response
        .bytes()
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .to_vec();
    if fault == Some(Fault::Truncate) {
        body.truncate(body.len() / 2);
    }
    let head = format!(
        "HTTP/1.1 {} {}\r\n{passed_on}content-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(&body).await?;
    socket.shutdown().await
}

/// Headers about one hop, which the proxy sets itself.
const HOP_BY_HOP: &[&str] = &[
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
];

/// The value of query parameter `name` in a recorded request path.
pub fn query_param(path: &str, name: &str) -> Option<String> {
    let url = reqwest::Url::parse(&format!("http://proxy{path}")).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}
