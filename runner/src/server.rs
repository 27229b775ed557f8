//! The HTTP trigger: accepts connections, routes each request to a component with
//! Spin's `spin-*` headers, runs a fresh instance per request, and logs one line.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use wasmtime::{Store, UpdateDeadline};
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;

use crate::host::{ComponentRuntime, Host};
use crate::routes::{RouteMatch, Router};
use crate::timing::Timing;

type Body = UnsyncBoxBody<Bytes, anyhow::Error>;

pub struct App {
    pub host: Host,
    pub router: Router,
    pub components: HashMap<String, Arc<ComponentRuntime>>,
    pub limits: Limits,
    pub admission: Admission,
}

/// What the HTTP trigger enforces around every component call.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body passed to a component; more: 413 before the component sees it.
    pub max_request_body: u64,
    /// Time a component has to answer (its response head); then 500 and its instance is
    /// dropped. A response body that has started may stream for longer.
    pub request_timeout: Duration,
    /// The scheme of `spin-full-url` (the runner itself listens on plain HTTP).
    pub scheme: Scheme,
    /// Send each component response's [`crate::timing`] as `Server-Timing`.
    pub server_timing: bool,
}

/// Admission control: at most `running` component instances at once, at most `queued`
/// requests waiting (first come, first served) for one of them, each for at most
/// `max_wait`; a request beyond that, or one that waited that long, is answered 503
/// with `Retry-After`, without instantiating anything. Bounded concurrency keeps the
/// instances from contending for the cores (throughput that holds under overload); the
/// bounded queue keeps latency bounded and refusals fast.
pub struct Admission {
    permits: Arc<tokio::sync::Semaphore>,
    waiting: AtomicUsize,
    queued: usize,
    max_wait: Duration,
}

/// One request waiting in the queue; leaves it when dropped (also when the client goes).
struct InQueue<'a>(&'a AtomicUsize);

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Admission {
    pub fn new(running: usize, queued: usize, max_wait: Duration) -> Self {
        Self { permits: Arc::new(tokio::sync::Semaphore::new(running.max(1))), waiting: AtomicUsize::new(0), queued, max_wait }
    }

    /// A place to run a component, waiting for one (up to `max_wait`) if the queue has
    /// room; `None`: full, or no place came in time.
    async fn enter(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Some(p);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queued {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let _in_queue = InQueue(&self.waiting);
        tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned()).await.ok()?.ok()
    }
}

/// The 503 of a full queue, in the portal's JSON error shape, with `Retry-After`.
const OVERLOADED: &str = r#"{"error":{"code":"overloaded","message":"Il servizio è momentaneamente sovraccarico: riprova tra qualche secondo."}}"#;

fn overloaded() -> Response<Body> {
    let mut r = json_error(StatusCode::SERVICE_UNAVAILABLE, OVERLOADED);
    r.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
    r.headers_mut().insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The 413 the runner answers for a body over `--max-request-body`, in the portal's
/// JSON error shape.
const PAYLOAD_TOO_LARGE: &str =
    r#"{"error":{"code":"payload_too_large","message":"I dati inviati sono troppo grandi."}}"#;

fn payload_too_large() -> Response<Body> {
    let mut r = json_error(StatusCode::PAYLOAD_TOO_LARGE, PAYLOAD_TOO_LARGE);
    // the rest of the body is not read: the connection cannot be reused
    r.headers_mut().insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Set once a request body grows past the limit.
#[derive(Default)]
struct Overflow {
    happened: AtomicBool,
    notify: tokio::sync::Notify,
}

/// A request body that ends with an error, and raises `Overflow`, as soon as more than
/// `max` bytes have arrived: what a component can read, and so buffer, is bounded.
struct LimitedBody {
    inner: Incoming,
    seen: u64,
    max: u64,
    overflow: Arc<Overflow>,
}

impl hyper::body::Body for LimitedBody {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.seen > self.max {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.seen += data.len() as u64;
                    if self.seen > self.max {
                        self.overflow.happened.store(true, Ordering::SeqCst);
                        self.overflow.notify.notify_one();
                        return Poll::Ready(Some(Err(wasmtime_wasi_http::Error::HttpRequestBodySize(Some(self.seen)))));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            other => other.map(|o| o.map(|r| r.map_err(Into::into))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// One of the runner's own errors, already in the portal's JSON error shape.
fn json_error(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = text(status, body);
    r.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    r
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())).map_err(|e| match e {}).boxed_unsync());
    *r.status_mut() = status;
    r.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

impl App {
    async fn handle(self: Arc<Self>, req: Request<Incoming>, client: SocketAddr) -> Response<Body> {
        let start = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let host_ok = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_none_or(|h| format!("http://{h}/").parse::<http::Uri>().is_ok_and(|u| u.host().is_some()));
        // A declared length over the limit is refused before anything is read.
        let too_long = req
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|n| n > self.limits.max_request_body);
        let (response, component) = match path.as_str() {
            _ if !host_ok => (text(StatusCode::BAD_REQUEST, "Bad Request: invalid Host header"), "-".to_string()),
            _ if too_long => (payload_too_large(), "-".to_string()),
            "/.well-known/spin/health" => (text(StatusCode::OK, "OK"), "-".to_string()),
            p if p.starts_with(crate::routes::WELL_KNOWN_PREFIX) => (text(StatusCode::NOT_FOUND, "Not Found"), "-".to_string()),
            _ => match self.router.route(&path) {
                None => (text(StatusCode::NOT_FOUND, "Not Found"), "-".to_string()),
                Some(m) => {
                    let id = m.component.clone();
                    let r = match self.admission.enter().await {
                        None => overloaded(),
                        Some(permit) => match self.dispatch(req, m, client, permit, start).await {
                            Ok(r) => r,
                            Err(e) => {
                                eprintln!("error: component `{id}` failed on {method} {path}: {e:?}");
                                text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
                            }
                        },
                    };
                    (r, id)
                }
            },
        };
        // The path only: query strings may carry personal data. One write: stderr is
        // unbuffered, and `eprintln!` would make a system call for each piece.
        let line = format!(
            "{} {method} {path} {component} {} {:.2}ms\n",
            humantime::format_rfc3339_millis(SystemTime::now()),
            response.status().as_u16(),
            start.elapsed().as_secs_f64() * 1000.0
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        response
    }

    /// Runs the component; `permit` (its place in [`Admission`]) is held until its
    /// instance is gone, after any response body it streams.
    async fn dispatch(
        &self,
        req: Request<Incoming>,
        m: RouteMatch,
        client: SocketAddr,
        permit: tokio::sync::OwnedSemaphorePermit,
        arrived: Instant,
    ) -> Result<Response<Body>> {
        let timing = Timing::default();
        let queued = arrived.elapsed();
        timing.add(|s| s.queue = queued);
        let component = self
            .components
            .get(&m.component)
            .ok_or_else(|| anyhow::anyhow!("no runtime for component `{}`", m.component))?
            .clone();
        let overflow = Arc::new(Overflow::default());
        let max = self.limits.max_request_body;
        let req = req.map(|inner| LimitedBody { inner, seen: 0, max, overflow: overflow.clone() });
        let req = with_spin_headers(req, &m, client, &self.limits.scheme)?;
        let mut store = Store::new(&self.host.engine, component.new_state(timing.clone())?);
        store.limiter(|state| state as &mut dyn wasmtime::ResourceLimiter);
        // Epoch interruption: every few ticks the guest yields to the executor (so a
        // guest that loops does not hold a worker thread), and past the deadline it traps
        // unless it has answered: a response body may then stream for as long as the
        // client takes to read it (a large download on a slow line).
        let timeout = self.limits.request_timeout;
        let deadline = Instant::now() + timeout;
        let responded = Arc::new(AtomicBool::new(false));
        let answered = responded.clone();
        store.set_epoch_deadline(YIELD_TICKS);
        store.epoch_deadline_callback(move |_| {
            Ok(if !answered.load(Ordering::Relaxed) && Instant::now() >= deadline {
                UpdateDeadline::Interrupt
            } else {
                // tokio's own yield puts the task at the back of the queue
                UpdateDeadline::YieldCustom(YIELD_TICKS, Box::pin(tokio::task::yield_now()))
            })
        });
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let scheme = self.limits.scheme.clone();
        let req = store.data_mut().http().new_incoming_request(scheme, req)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = component.pre.clone();
        let id = component.id.clone();
        let spent = timing.clone();
        let mut task = tokio::task::spawn(async move {
            let start = Instant::now();
            let proxy = pre.instantiate_async(&mut store).await?;
            spent.add(|s| {
                s.instantiate = start.elapsed();
                s.instantiated_at = Some(Instant::now());
            });
            proxy.wasi_http_incoming_handler().call_handle(&mut store, req, out).await
        });
        // Stops the component and waits until its instance (and the body it had read)
        // is gone, so what the runner holds is bounded before it answers. A guest yields
        // at least every few ticks, so this is quick.
        async fn stop<T>(task: &mut tokio::task::JoinHandle<T>) {
            task.abort();
            let _ = task.await;
        }
        let too_large = || {
            eprintln!("component `{id}`: request body over {max} bytes, answered 413");
            Ok(payload_too_large())
        };
        let outcome = tokio::select! {
            biased;
            _ = overflow.notify.notified() => {
                stop(&mut task).await;
                return too_large();
            }
            r = receiver => r,
            _ = tokio::time::sleep_until(deadline.into()) => {
                stop(&mut task).await;
                anyhow::bail!("no response within the request timeout ({} s); instance dropped", timeout.as_secs_f64());
            }
        };
        if overflow.happened.load(Ordering::SeqCst) {
            stop(&mut task).await;
            return too_large();
        }
        match outcome {
            Ok(Ok(mut resp)) => {
                responded.store(true, Ordering::Relaxed);
                let spent = timing.spent();
                if self.limits.server_timing
                    && let Some(at) = spent.instantiated_at
                    && let Ok(v) = HeaderValue::from_str(&spent.header(at.elapsed(), arrived.elapsed()))
                {
                    resp.headers_mut().insert("server-timing", v);
                }
                // The body may still be streaming: report a late trap without failing the response.
                let id = id.clone();
                tokio::spawn(async move {
                    let _place = permit;
                    match task.await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => eprintln!("error: component `{id}` trapped after responding: {e:?}"),
                        Err(e) if e.is_cancelled() => {}
                        Err(e) => eprintln!("error: component `{id}` task failed: {e}"),
                    }
                });
                Ok(resp.map(|b| b.map_err(anyhow::Error::from).boxed_unsync()))
            }
            Ok(Err(code)) => anyhow::bail!("component returned an error code: {code:?}"),
            Err(_) => match (&mut task).await {
                Ok(Ok(())) => anyhow::bail!("component did not set a response"),
                Ok(Err(_)) if overflow.happened.load(Ordering::SeqCst) => too_large(),
                Ok(Err(e)) => Err(e.into()),
                Err(e) => Err(e.into()),
            },
        }
    }
}

/// Ticks (of `host::EPOCH_TICK`) between a running guest's yields to the executor.
const YIELD_TICKS: u64 = 5;

/// Adds Spin's request headers (and removes any a client sent under those names).
fn with_spin_headers<B>(req: Request<B>, m: &RouteMatch, client: SocketAddr, scheme: &Scheme) -> Result<Request<B>> {
    let (mut parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let scheme = match scheme {
        Scheme::Https => "https",
        _ => "http",
    };
    let full_url = format!("{scheme}://{host}{path_and_query}");
    parts.uri = full_url.parse()?;
    let spoofed: Vec<HeaderName> = parts.headers.keys().filter(|k| k.as_str().starts_with("spin-")).cloned().collect();
    for k in spoofed {
        parts.headers.remove(k);
    }
    parts.headers.remove(http::header::CONNECTION);
    let mut set = |name: &str, value: &str| -> Result<()> {
        parts.headers.insert(HeaderName::from_bytes(name.as_bytes())?, HeaderValue::from_str(value)?);
        Ok(())
    };
    set("spin-full-url", &full_url)?;
    set("spin-path-info", &m.path_info)?;
    set("spin-matched-route", &m.matched_route)?;
    set("spin-base-path", "/")?;
    set("spin-raw-component-route", &m.raw_route)?;
    set("spin-component-route", &m.component_route)?;
    set("spin-client-addr", &client.to_string())?;
    for (name, value) in &m.named {
        set(&format!("spin-path-match-{}", name.to_ascii_lowercase()), value)?;
    }
    Ok(Request::from_parts(parts, body))
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish (up to 10 s).
pub async fn serve(app: Arc<App>, listener: TcpListener) -> Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, client) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        eprintln!("warning: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = service_fn(move |req| {
                    let app = app.clone();
                    async move { Ok::<_, Infallible>(app.handle(req, client).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        if !e.is_incomplete_message() {
                            eprintln!("connection from {client}: {e}");
                        }
                    }
                });
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = sigterm.recv() => break,
        }
    }
    eprintln!("shutting down: waiting for in-flight requests");
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => eprintln!("stopped"),
        _ = tokio::time::sleep(Duration::from_secs(10)) => eprintln!("stopped (gave up waiting after 10 s)"),
    }
    Ok(())
}
