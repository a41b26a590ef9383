//! Logging: one subscriber for the process (on standard error, so a command's standard output
//! carries only its result), and the telemetry of every request: its span (request id, W3C
//! trace id, route, tenant and subject), one log line when its response has been sent in full,
//! and its Prometheus counters.
//!
//! - **Request ids.** An incoming `X-Request-Id` of 1–128 characters from `A-Z a-z 0-9 - _ . :`
//!   is kept (a load balancer's or a caller's id then matches ours); anything else is replaced
//!   by a new UUID. The id is echoed in `X-Request-Id`, in problem bodies and in the span.
//! - **Trace context.** A valid W3C `traceparent` puts its trace id in the span's `trace_id`.
//! - **One line per request**, written when the body has been sent (or the client went away),
//!   so a streamed export logs its real duration: INFO for every status below 500 (a 4xx is the
//!   client's business, logged once), WARN for a 5xx (whose cause `problem.rs` logs as ERROR).

use std::{
    io::IsTerminal,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use actix_web::{
    Error,
    body::{BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{HeaderMap, HeaderName, HeaderValue},
    },
    middleware::Next,
    web::Bytes,
};
use tracing::{Instrument, Span};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::{config::LogFormat, problem::REQUEST_ID};

/// Installs the global subscriber, writing to standard error. Colours only when standard error
/// is a terminal and the format is `pretty`. Safe to call more than once (later calls do
/// nothing).
pub fn init(level: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                fmt::layer()
                    .compact()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const TRACEPARENT: &str = "traceparent";

/// The caller's `X-Request-Id` when it is well-formed: 1–128 characters, each an ASCII letter
/// or digit or one of `-_.:`.
pub fn incoming_request_id(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(X_REQUEST_ID)?.to_str().ok()?;
    let ok = (1..=128).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then(|| raw.to_owned())
}

/// The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), when valid: lower-case
/// hex, neither id all zeros, version `ff` refused, version `00` with exactly four fields (later
/// versions may add fields).
pub fn traceparent_trace_id(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(TRACEPARENT)?.to_str().ok()?.trim();
    let parts: Vec<&str> = raw.split('-').collect();
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let (version, trace_id, parent_id, flags) = match parts.as_slice() {
        [v, t, p, f, rest @ ..] => {
            if *v == "00" && !rest.is_empty() {
                return None;
            }
            (*v, *t, *p, *f)
        }
        _ => return None,
    };
    let valid = hex(version, 2)
        && version != "ff"
        && hex(trace_id, 32)
        && trace_id.bytes().any(|b| b != b'0')
        && hex(parent_id, 16)
        && parent_id.bytes().any(|b| b != b'0')
        && hex(flags, 2);
    valid.then(|| trace_id.to_owned())
}

/// A method as a metric label: the standard ones by name, anything else as `other` (so a
/// caller cannot invent label values).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The request's span, its id, and the log line and metrics written when its response is done.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let started = Instant::now();
    let id = incoming_request_id(req.headers()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let trace_id = traceparent_trace_id(req.headers());
    // The route's pattern (`/api/v1/initiatives/{id}`), never the raw path: bounded labels.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let span = tracing::info_span!(
        "HTTP request",
        http.method = %req.method(),
        http.route = %route,
        http.target = %req.uri().path_and_query().map(|p| p.as_str()).unwrap_or(""),
        request_id = %id,
        trace_id = tracing::field::Empty,
        tenant = tracing::field::Empty,
        subject = tracing::field::Empty,
    );
    if let Some(trace_id) = &trace_id {
        span.record("trace_id", tracing::field::display(trace_id));
    }
    // The request's database connections work for the tenant its caller is found to act in.
    let outcome = REQUEST_ID
        .scope(id.clone(), service::db::scope::request(next.call(req)))
        .instrument(span.clone())
        .await;
    let mut response = match outcome {
        Ok(response) => response,
        Err(err) => {
            let status = err.as_response_error().status_code().as_u16();
            Completion {
                span,
                started,
                method,
                route,
                status,
                bytes: 0,
            }
            .finish();
            return Err(err);
        }
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    let completion = Completion {
        span,
        started,
        method,
        route,
        status: response.status().as_u16(),
        bytes: 0,
    };
    Ok(response.map_body(|_, body| {
        let expected = match body.size() {
            BodySize::Sized(n) if n > 0 => Some(n),
            _ => None,
        };
        Observed {
            body: body.boxed(),
            expected,
            completion: Some(completion),
        }
    }))
}

/// What is logged and counted once a response is done.
struct Completion {
    span: Span,
    started: Instant,
    method: &'static str,
    route: String,
    status: u16,
    bytes: u64,
}

impl Completion {
    fn finish(self) {
        let elapsed = self.started.elapsed();
        let latency_ms = elapsed.as_secs_f64() * 1000.0;
        let status = self.status;
        let bytes = self.bytes;
        self.span.in_scope(|| {
            if status >= 500 {
                tracing::warn!(status, latency_ms, bytes, "request completed");
            } else {
                tracing::info!(status, latency_ms, bytes, "request completed");
            }
        });
        crate::metrics::record_request(self.method, self.route, status, elapsed);
    }
}

/// A response body that reports its request once it has been sent in full (or dropped, when
/// the client went away).
struct Observed {
    body: BoxBody,
    /// The length of a sized body: done once that much has been handed to the connection
    /// (the server may drop a sized body only later).
    expected: Option<u64>,
    completion: Option<Completion>,
}

impl Observed {
    fn done(&mut self) {
        if let Some(completion) = self.completion.take() {
            completion.finish();
        }
    }
}

impl MessageBody for Observed {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => {
                let len = chunk.len() as u64;
                let expected = self.expected;
                let complete = self.completion.as_mut().is_some_and(|c| {
                    c.bytes += len;
                    expected.is_some_and(|n| c.bytes >= n)
                });
                if complete {
                    self.done();
                }
            }
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => self.done(),
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for Observed {
    fn drop(&mut self) {
        self.done();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::{
        io::Write,
        sync::{Arc, Mutex},
        time::Duration,
    };

    use actix_web::{App, HttpResponse, http::header::HeaderValue, middleware, test as atest, web};
    use futures_util::stream;
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
        map
    }

    #[test]
    fn well_formed_request_ids_are_kept_others_replaced() {
        let id = |v: &str| incoming_request_id(&headers("x-request-id", v));
        assert_eq!(
            id("lb-7f2b.9d1e:42_a").as_deref(),
            Some("lb-7f2b.9d1e:42_a")
        );
        assert_eq!(id(&"a".repeat(128)).map(|s| s.len()), Some(128));
        assert_eq!(id(&"a".repeat(129)), None, "too long");
        assert_eq!(id("two words"), None, "space");
        assert_eq!(id("<script>"), None, "markup");
        assert_eq!(id(""), None, "empty");
    }

    #[test]
    fn traceparent_gives_its_trace_id_when_valid() {
        let t = |v: &str| traceparent_trace_id(&headers("traceparent", v));
        assert_eq!(
            t("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(
            t("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736"),
            "a later version may add fields"
        );
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "garbage",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    impl Captured {
        fn lines(&self) -> Vec<serde_json::Value> {
            String::from_utf8(self.0.lock().unwrap().clone())
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        }
    }

    async fn slow_stream() -> HttpResponse {
        let chunks = stream::unfold(0u8, |n| async move {
            if n == 3 {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            Some((
                Ok::<_, std::io::Error>(Bytes::from_static(b"chunk\n")),
                n + 1,
            ))
        });
        HttpResponse::Ok().streaming(chunks)
    }

    async fn not_found() -> HttpResponse {
        HttpResponse::NotFound().finish()
    }

    #[actix_web::test]
    async fn a_streamed_response_logs_its_real_duration_and_a_4xx_logs_once_at_info() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(
            fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(captured.clone()),
        );
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = atest::init_service(
            App::new()
                .route("/slow", web::get().to(slow_stream))
                .route("/missing/{id}", web::get().to(not_found))
                .wrap(middleware::from_fn(observe)),
        )
        .await;

        let res = atest::call_service(
            &app,
            atest::TestRequest::get()
                .uri("/slow")
                .insert_header(("x-request-id", "caller-id-1"))
                .insert_header((
                    "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                ))
                .to_request(),
        )
        .await;
        assert_eq!(res.headers().get("x-request-id").unwrap(), "caller-id-1");
        assert!(
            captured.lines().is_empty(),
            "nothing logged before the body is sent"
        );
        let body = atest::read_body(res).await;
        assert_eq!(body.len(), 18);

        let res = atest::call_service(
            &app,
            atest::TestRequest::get().uri("/missing/42").to_request(),
        )
        .await;
        assert_eq!(res.status(), 404);
        drop(atest::read_body(res).await);

        let lines = captured.lines();
        assert_eq!(lines.len(), 2, "one line per request: {lines:?}");
        let slow = &lines[0];
        assert_eq!(slow["message"], "request completed");
        assert!(
            slow["latency_ms"].as_f64().unwrap() >= 600.0,
            "three chunks 200 ms apart: {slow}"
        );
        assert_eq!(slow["bytes"], 18);
        assert_eq!(slow["span"]["request_id"], "caller-id-1");
        assert_eq!(slow["span"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(slow["span"]["http.route"], "/slow");
        let missing = &lines[1];
        assert_eq!(missing["level"], "INFO");
        assert_eq!(missing["status"], 404);
        assert_eq!(missing["span"]["http.route"], "/missing/{id}");
        assert_eq!(missing["span"]["request_id"].as_str().unwrap().len(), 36);
    }
}
