//! The HTTP trigger: accepts connections, routes each request to a component with
//! Spin's `spin-*` headers, runs a fresh instance per request, and logs one line.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use wasmtime::Store;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;

use crate::host::{ComponentRuntime, Host};
use crate::routes::{RouteMatch, Router};

type Body = UnsyncBoxBody<Bytes, anyhow::Error>;

pub struct App {
    pub host: Host,
    pub router: Router,
    pub components: HashMap<String, Arc<ComponentRuntime>>,
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
        let (response, component) = match path.as_str() {
            _ if !host_ok => (text(StatusCode::BAD_REQUEST, "Bad Request: invalid Host header"), "-".to_string()),
            "/.well-known/spin/health" => (text(StatusCode::OK, "OK"), "-".to_string()),
            p if p.starts_with(crate::routes::WELL_KNOWN_PREFIX) => (text(StatusCode::NOT_FOUND, "Not Found"), "-".to_string()),
            _ => match self.router.route(&path) {
                None => (text(StatusCode::NOT_FOUND, "Not Found"), "-".to_string()),
                Some(m) => {
                    let id = m.component.clone();
                    let r = match self.dispatch(req, m, client).await {
                        Ok(r) => r,
                        Err(e) => {
                            eprintln!("error: component `{id}` failed on {method} {path}: {e:?}");
                            text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
                        }
                    };
                    (r, id)
                }
            },
        };
        // The path only: query strings may carry personal data.
        eprintln!(
            "{} {method} {path} {component} {} {:.2}ms",
            humantime::format_rfc3339_millis(SystemTime::now()),
            response.status().as_u16(),
            start.elapsed().as_secs_f64() * 1000.0
        );
        response
    }

    async fn dispatch(&self, req: Request<Incoming>, m: RouteMatch, client: SocketAddr) -> Result<Response<Body>> {
        let component = self
            .components
            .get(&m.component)
            .ok_or_else(|| anyhow::anyhow!("no runtime for component `{}`", m.component))?
            .clone();
        let req = with_spin_headers(req, &m, client)?;
        let mut store = Store::new(&self.host.engine, component.new_state()?);
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let req = store.data_mut().http().new_incoming_request(Scheme::Http, req)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = component.pre.clone();
        let id = component.id.clone();
        let task = tokio::task::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy.wasi_http_incoming_handler().call_handle(&mut store, req, out).await
        });
        match receiver.await {
            Ok(Ok(resp)) => {
                // The body may still be streaming: report a late trap without failing the response.
                tokio::spawn(async move {
                    match task.await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => eprintln!("error: component `{id}` trapped after responding: {e:?}"),
                        Err(e) => eprintln!("error: component `{id}` task failed: {e}"),
                    }
                });
                Ok(resp.map(|b| b.map_err(anyhow::Error::from).boxed_unsync()))
            }
            Ok(Err(code)) => anyhow::bail!("component returned an error code: {code:?}"),
            Err(_) => match task.await {
                Ok(Ok(())) => anyhow::bail!("component did not set a response"),
                Ok(Err(e)) => Err(e.into()),
                Err(e) => Err(e.into()),
            },
        }
    }
}

/// Adds Spin's request headers (and removes any a client sent under those names).
fn with_spin_headers(req: Request<Incoming>, m: &RouteMatch, client: SocketAddr) -> Result<Request<Incoming>> {
    let (mut parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
    let full_url = format!("http://{host}{path_and_query}");
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
