//! A stand-in for Qonto's `/v2/webhook_subscriptions`, on 127.0.0.1, behaving as documented:
//! bearer-token check (401 `unauthorized`), create (201, returns the secret once, generates one
//! when none is sent, 422 on a body breaking the documented limits), get (200, 404 `not_found`),
//! delete (204, 404 `not_found`), list with `page`/`per_page` and pagination `meta`. It keeps
//! each subscription's secret and signs business webhooks with it, one delivery per
//! subscription, as Qonto does. Tests can script the next answers (a 500,
//! a 429) and read back every request it saw.
//!
//! It also stands in for the onboarding API's `/register/webhooks` (and the older
//! `/data_api/webhooks` for registration): the bearer token, `Qonto-Partner-Id` and, when
//! required, `X-Qonto-Staging-Token` are checked (401), a registration needs `callback_url`
//! (https, or http on a loopback host so that tests can be delivered to), a boolean `enabled`
//! and a non-empty `secret` (else 400 `bad_request`), and answers 201 with the endpoint and its
//! secret; the list answers `webhook_subscriptions` and `meta` (400 on a bad page). It keeps
//! each endpoint's secret, signs onboarding webhooks with it and can deliver them.
//!
//! It signs with `ring` directly (HMAC-SHA256, as Qonto documents it), not with the core's
//! signer, and checks the documented limits written out here, not the client's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use base64::Engine as _;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};
use tiny_http::{Header, Response, Server};

/// Topics the subscription API accepts: written out again on purpose, so that the stand-in does
/// not take the client's list on trust.
const TOPICS: [&str; 12] = [
    "v1/transactions",
    "v1/accounts",
    "v1/organizations",
    "v1/memberships",
    "v1/consent-revocations",
    "v1/cards",
    "v1/payment-links",
    "v1/payment-links-connections",
    "v1/beneficiaries",
    "v1/client-invoices",
    "v1/terminal-payments",
    "v1/clients",
];

/// One request the stand-in received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The HTTP method.
    pub method: String,
    /// The path and query.
    pub url: String,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The `X-Qonto-Staging-Token` header.
    pub staging_token: Option<String>,
    /// The `Qonto-Partner-Id` header.
    pub partner_id: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body, as text.
    pub body: String,
}

struct State {
    token: String,
    staging_token: Option<String>,
    partner_id: Option<String>,
    subscriptions: Vec<Value>,
    /// Each subscription's secret, by id (the API returns it once, at creation).
    secrets: Vec<(String, String)>,
    /// Registered onboarding endpoints, each with its `secret`.
    webhooks: Vec<Value>,
    requests: Vec<Recorded>,
    scripted: VecDeque<Answer>,
    next_id: u64,
    log: bool,
}

/// The running stand-in; stops when dropped.
pub struct FakeQonto {
    /// `http://127.0.0.1:<port>`, the base URL to give the clients.
    pub base_url: String,
    state: Arc<Mutex<State>>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl FakeQonto {
    /// Starts on a free port of 127.0.0.1, accepting `Authorization: Bearer <token>`.
    pub fn start(token: &str) -> FakeQonto {
        FakeQonto::start_on("127.0.0.1:0", token, false)
    }

    /// Starts on `addr`; `log` prints one line per request to stderr.
    pub fn start_on(addr: &str, token: &str, log: bool) -> FakeQonto {
        let server = Arc::new(Server::http(addr).expect("bind the stand-in server"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let state = Arc::new(Mutex::new(State {
            token: token.to_owned(),
            staging_token: None,
            partner_id: None,
            subscriptions: Vec::new(),
            secrets: Vec::new(),
            webhooks: Vec::new(),
            requests: Vec::new(),
            scripted: VecDeque::new(),
            next_id: 1,
            log,
        }));
        let (s, st) = (Arc::clone(&server), Arc::clone(&state));
        let thread = std::thread::spawn(move || {
            while let Ok(mut req) = s.recv() {
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let header = |name: &str| {
                    req.headers()
                        .iter()
                        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                        .map(|h| h.value.as_str().to_owned())
                };
                let rec = Recorded {
                    method: req.method().as_str().to_owned(),
                    url: req.url().to_owned(),
                    authorization: header("Authorization"),
                    staging_token: header("X-Qonto-Staging-Token"),
                    partner_id: header("Qonto-Partner-Id"),
                    content_type: header("Content-Type"),
                    body,
                };
                let (status, body, headers) = handle(&mut st.lock().unwrap(), rec);
                let mut resp = Response::from_string(body).with_status_code(status);
                resp.add_header(
                    Header::from_bytes("Content-Type", "application/json; charset=utf-8").unwrap(),
                );
                for (k, v) in headers {
                    resp.add_header(Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
                }
                let _ = req.respond(resp);
            }
        });
        FakeQonto {
            base_url: format!("http://127.0.0.1:{port}"),
            state,
            server,
            thread: Some(thread),
        }
    }

    /// Also require `X-Qonto-Staging-Token: <token>` (as the sandbox does).
    pub fn require_staging_token(&self, token: &str) {
        self.state.lock().unwrap().staging_token = Some(token.to_owned());
    }

    /// The partner id the onboarding routes accept (`Qonto-Partner-Id`); until it is set, they
    /// answer 401 to every request.
    pub fn require_partner_id(&self, id: &str) {
        self.state.lock().unwrap().partner_id = Some(id.to_owned());
    }

    /// Registers `n` onboarding endpoints directly (ids in creation order); every third one is
    /// disabled.
    pub fn seed_onboarding(&self, n: usize) -> Vec<String> {
        let mut st = self.state.lock().unwrap();
        (0..n)
            .map(|i| {
                let id = new_id(&mut st);
                let secret = format!("seeded-onboarding-secret-{i}");
                st.webhooks.push(webhook(
                    &id,
                    &format!("https://example.com/onboarding/{i}"),
                    i % 3 != 2,
                    &secret,
                ));
                id
            })
            .collect()
    }

    /// Every registered onboarding endpoint, as stored (with its secret).
    pub fn onboarding_webhooks(&self) -> Vec<Value> {
        self.state.lock().unwrap().webhooks.clone()
    }

    /// The `Qonto-SHA256-Signature` the onboarding endpoint `id` gets for `body`: the hex
    /// HMAC-SHA256 of the body, keyed with the secret it was registered with.
    pub fn sign_onboarding(&self, id: &str, body: &[u8]) -> String {
        let st = self.state.lock().unwrap();
        let w = st
            .webhooks
            .iter()
            .find(|w| w["id"] == id)
            .expect("a registered onboarding endpoint");
        hex_hmac(w["secret"].as_str().unwrap(), &[body])
    }

    /// Delivers `body` as Qonto does to every enabled onboarding endpoint: a POST signed with
    /// its secret. Answers (callback URL, HTTP status) per endpoint; 0 when nothing answered.
    pub fn deliver_onboarding(&self, body: &[u8]) -> Vec<(String, u16)> {
        let targets: Vec<(String, String)> = {
            let st = self.state.lock().unwrap();
            st.webhooks
                .iter()
                .filter(|w| w["enabled"] == true)
                .map(|w| {
                    (
                        w["callback_url"].as_str().unwrap().to_owned(),
                        w["id"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .proxy(None)
                .timeout_global(Some(std::time::Duration::from_secs(30)))
                .build(),
        );
        targets
            .into_iter()
            .map(|(url, id)| {
                let signature = self.sign_onboarding(&id, body);
                let status = agent
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("Qonto-SHA256-Signature", &signature)
                    .send(body)
                    .map_or(0, |r| r.status().as_u16());
                (url, status)
            })
            .collect()
    }

    /// Adds `n` subscriptions (ids in creation order), each with a secret.
    pub fn seed(&self, n: usize) -> Vec<String> {
        let mut st = self.state.lock().unwrap();
        (0..n)
            .map(|i| {
                let id = new_id(&mut st);
                st.subscriptions.push(subscription(
                    &id,
                    &format!("https://example.com/hooks/{i}"),
                    &json!(["v1/transactions"]),
                    Some(&format!("seeded {i}")),
                ));
                st.secrets
                    .push((id.clone(), format!("seeded-subscription-secret-{i:032}")));
                id
            })
            .collect()
    }

    /// The next answer, whatever the request (after the token check).
    pub fn script(&self, status: u16, body: &str) {
        self.script_with_headers(status, body, &[]);
    }

    /// As [`FakeQonto::script`], with response headers (e.g. `Retry-After`).
    pub fn script_with_headers(&self, status: u16, body: &str, headers: &[(&str, &str)]) {
        self.state.lock().unwrap().scripted.push_back((
            status,
            body.to_owned(),
            headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ));
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// What Qonto sends when `body` is an event of `topic`, at `timestamp`: one delivery per
    /// subscription of that topic, each signed with its own secret. Answers (subscription id,
    /// callback URL, `X-Qonto-Signature`).
    pub fn sign_deliveries(
        &self,
        topic: &str,
        body: &[u8],
        timestamp: u64,
    ) -> Vec<(String, String, String)> {
        let st = self.state.lock().unwrap();
        st.subscriptions
            .iter()
            .filter(|s| s["types"].as_array().unwrap().iter().any(|t| t == topic))
            .map(|s| {
                let id = s["id"].as_str().unwrap();
                let secret = &st.secrets.iter().find(|(i, _)| i == id).unwrap().1;
                let t = timestamp.to_string();
                let v1 = hex_hmac(secret, &[t.as_bytes(), b".", body]);
                (
                    id.to_owned(),
                    s["callback_url"].as_str().unwrap().to_owned(),
                    format!("t={t},v1={v1}"),
                )
            })
            .collect()
    }

    /// Every stored subscription, as the API would return it.
    pub fn subscriptions(&self) -> Vec<Value> {
        self.state.lock().unwrap().subscriptions.clone()
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for FakeQonto {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The lowercase hex HMAC-SHA256 of the concatenated `parts`, keyed with `secret`'s bytes.
fn hex_hmac(secret: &str, parts: &[&[u8]]) -> String {
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()));
    for part in parts {
        ctx.update(part);
    }
    ctx.sign()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A secret as the API generates one when the create body has none: `whsec_` and 32 random
/// bytes in base64.
fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).unwrap();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn new_id(st: &mut State) -> String {
    let n = st.next_id;
    st.next_id += 1;
    format!("00000000-0000-4000-8000-{n:012x}")
}

fn subscription(id: &str, url: &str, types: &Value, description: Option<&str>) -> Value {
    json!({
        "id": id,
        "organization_id": "11111111-1111-4111-8111-111111111111",
        "membership_id": "22222222-2222-4222-8222-222222222222",
        "callback_url": url,
        "types": types,
        "description": description,
        "created_at": "2026-01-24T10:55:00Z",
        "updated_at": "2026-01-24T10:55:00Z",
    })
}

fn webhook(id: &str, url: &str, enabled: bool, secret: &str) -> Value {
    json!({
        "id": id,
        "created_at": "2026-01-24T10:55:00Z",
        "updated_at": "2026-01-24T10:55:00Z",
        "callback_url": url,
        "enabled": enabled,
        "secret": secret,
    })
}

fn errors(list: &[(&str, &str)]) -> String {
    let v: Vec<Value> = list
        .iter()
        .map(|(c, d)| json!({"code": c, "detail": d}))
        .collect();
    json!({ "errors": v }).to_string()
}

type Answer = (u16, String, Vec<(String, String)>);

fn handle(st: &mut State, rec: Recorded) -> Answer {
    let answer = answer(st, &rec);
    if st.log {
        let path = rec.url.split('?').next().unwrap_or("");
        eprintln!("fake-qonto: {} {} -> {}", rec.method, path, answer.0);
    }
    st.requests.push(rec);
    answer
}

fn answer(st: &mut State, rec: &Recorded) -> Answer {
    let plain = |status: u16, body: String| (status, body, Vec::new());
    if rec.authorization.as_deref() != Some(&format!("Bearer {}", st.token)) {
        return plain(401, errors(&[("unauthorized", "Invalid credentials")]));
    }
    if let Some(t) = &st.staging_token {
        if rec.staging_token.as_deref() != Some(t.as_str()) {
            return plain(401, errors(&[("unauthorized", "Invalid staging token")]));
        }
    }
    let (path, query) = rec.url.split_once('?').unwrap_or((&rec.url, ""));
    let onboarding = matches!(path, "/register/webhooks" | "/data_api/webhooks");
    if onboarding
        && (st.partner_id.is_none() || rec.partner_id.as_deref() != st.partner_id.as_deref())
    {
        return plain(
            401,
            errors(&[("unauthorized", "Missing or invalid Qonto-Partner-Id")]),
        );
    }
    if let Some(s) = st.scripted.pop_front() {
        return s;
    }
    match (rec.method.as_str(), path) {
        ("POST", "/register/webhooks" | "/data_api/webhooks") => {
            let Ok(body) = serde_json::from_str::<Value>(&rec.body) else {
                return plain(400, errors(&[("bad_request", "body is not JSON")]));
            };
            match check_register(&body) {
                Err(detail) => plain(400, errors(&[("bad_request", &detail)])),
                Ok(()) => {
                    let id = new_id(st);
                    let w = webhook(
                        &id,
                        body["callback_url"].as_str().unwrap(),
                        body["enabled"].as_bool().unwrap(),
                        body["secret"].as_str().unwrap(),
                    );
                    st.webhooks.push(w.clone());
                    plain(201, w.to_string())
                }
            }
        }
        ("GET", "/register/webhooks") => {
            let (page, per_page) = match page_params(query) {
                Ok(p) => p,
                Err(detail) => return plain(400, errors(&[("bad_request", &detail)])),
            };
            let body = json!({
                "webhook_subscriptions": paginate(&st.webhooks, page, per_page),
                "meta": meta(st.webhooks.len() as u64, page, per_page),
            });
            plain(200, body.to_string())
        }
        ("POST", "/v2/webhook_subscriptions") => {
            let Ok(body) = serde_json::from_str::<Value>(&rec.body) else {
                return plain(400, errors(&[("bad_request", "body is not JSON")]));
            };
            match check_create(&body) {
                Err(detail) => plain(422, errors(&[("unprocessable_entity", &detail)])),
                Ok(()) => {
                    let id = new_id(st);
                    let s = subscription(
                        &id,
                        body["callback_url"].as_str().unwrap(),
                        &body["types"],
                        body["description"].as_str(),
                    );
                    st.subscriptions.push(s.clone());
                    let secret = match body["secret"].as_str() {
                        Some(s) => s.to_owned(),
                        None => generate_secret(),
                    };
                    st.secrets.push((id, secret.clone()));
                    let mut created = s;
                    created["secret"] = json!(secret);
                    plain(201, created.to_string())
                }
            }
        }
        ("GET", "/v2/webhook_subscriptions") => {
            let (page, per_page) = match page_params(query) {
                Ok(p) => p,
                Err(detail) if detail.contains("number") => {
                    return plain(400, errors(&[("bad_request", &detail)]));
                }
                Err(detail) => return plain(422, errors(&[("unprocessable_entity", &detail)])),
            };
            let body = json!({
                "subscriptions": paginate(&st.subscriptions, page, per_page),
                "meta": meta(st.subscriptions.len() as u64, page, per_page),
            });
            plain(200, body.to_string())
        }
        ("GET", p) if p.starts_with("/v2/webhook_subscriptions/") => {
            let id = &p["/v2/webhook_subscriptions/".len()..];
            match st.subscriptions.iter().find(|s| s["id"] == id) {
                Some(s) => plain(200, s.to_string()),
                None => plain(
                    404,
                    errors(&[("not_found", "Webhook subscription not found")]),
                ),
            }
        }
        ("DELETE", p) if p.starts_with("/v2/webhook_subscriptions/") => {
            let id = &p["/v2/webhook_subscriptions/".len()..];
            match st.subscriptions.iter().position(|s| s["id"] == id) {
                Some(i) => {
                    st.subscriptions.remove(i);
                    st.secrets.retain(|(s, _)| s != id);
                    plain(204, String::new())
                }
                None => plain(
                    404,
                    errors(&[("not_found", "Webhook subscription not found")]),
                ),
            }
        }
        _ => plain(404, errors(&[("not_found", "Not found")])),
    }
}

/// `page` and `per_page` of a list query: numbers, page >= 1, per_page 1..=100.
fn page_params(query: &str) -> Result<(u64, u64), String> {
    let mut page = 1u64;
    let mut per_page = 100u64;
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        let n = v
            .parse::<u64>()
            .map_err(|_| format!("{k} is not a number"))?;
        match k {
            "page" => page = n,
            "per_page" => per_page = n,
            _ => {}
        }
    }
    if page == 0 || !(1..=100).contains(&per_page) {
        return Err("page >= 1, per_page 1..=100".into());
    }
    Ok((page, per_page))
}

fn paginate(items: &[Value], page: u64, per_page: u64) -> Vec<Value> {
    items
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .cloned()
        .collect()
}

fn meta(total: u64, page: u64, per_page: u64) -> Value {
    let total_pages = total.div_ceil(per_page).max(1);
    json!({
        "current_page": page,
        "next_page": if page < total_pages { Some(page + 1) } else { None },
        "prev_page": if page > 1 { Some(page - 1) } else { None },
        "total_pages": total_pages,
        "total_count": total,
        "per_page": per_page,
    })
}

/// The onboarding registration's documented body: `callback_url`, `enabled` and `secret`, all
/// required. An http callback is accepted on 127.0.0.1 only (the tests' receivers).
fn check_register(body: &Value) -> Result<(), String> {
    let url = body["callback_url"]
        .as_str()
        .ok_or("callback_url is required")?;
    if !url.starts_with("https://") && !url.starts_with("http://127.0.0.1:") {
        return Err("callback_url must be an https URL".into());
    }
    body["enabled"]
        .as_bool()
        .ok_or("enabled is required and must be a boolean")?;
    let secret = body["secret"].as_str().ok_or("secret is required")?;
    if secret.is_empty() {
        return Err("secret must not be empty".into());
    }
    Ok(())
}

/// The documented limits, written independently of the client's checks.
fn check_create(body: &Value) -> Result<(), String> {
    let url = body["callback_url"]
        .as_str()
        .ok_or("callback_url is required")?;
    if !url.starts_with("https://") || url.chars().count() > 512 {
        return Err("callback_url must be an https URL of at most 512 characters".into());
    }
    let types = body["types"].as_array().ok_or("types is required")?;
    if types.is_empty() {
        return Err("types must have at least 1 item".into());
    }
    for (i, t) in types.iter().enumerate() {
        let t = t.as_str().ok_or("types must be strings")?;
        if !TOPICS.contains(&t) {
            return Err(format!("types[{i}] is not one of the supported types"));
        }
        if types[..i].iter().any(|u| u == t) {
            return Err("types must not have duplicates".into());
        }
    }
    if let Some(s) = body.get("secret").filter(|s| !s.is_null()) {
        let n = s.as_str().ok_or("secret must be a string")?.chars().count();
        if !(32..=128).contains(&n) {
            return Err("secret must be 32 to 128 characters".into());
        }
    }
    if let Some(d) = body["description"].as_str() {
        if d.chars().count() > 256 {
            return Err("description must be at most 256 characters".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_qonto_documents() {
        // The business example of Qonto's documentation.
        let body = br#"{"test":"data"}"#;
        assert_eq!(
            hex_hmac("test-secret", &[b"1704110400", b".", body]),
            "56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
        );
        // The parts are concatenated.
        assert_eq!(
            hex_hmac("test-secret", &[b"17041", b"10400.", body]),
            hex_hmac("test-secret", &[br#"1704110400.{"test":"data"}"#])
        );
    }

    #[test]
    fn generated_secrets_are_fresh_and_in_the_documented_limits() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_"));
        assert!((32..=128).contains(&a.chars().count()), "{a}");
    }

    #[test]
    fn a_created_subscription_gets_signed_deliveries() {
        let qonto = FakeQonto::start("tk");
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .build(),
        );
        let url = format!("{}/v2/webhook_subscriptions", qonto.base_url);
        let body = r#"{"callback_url":"https://example.com/h","types":["v1/transactions"],"secret":"test-secret-of-at-least-32-characters"}"#;
        let denied = agent
            .post(&url)
            .header("Authorization", "Bearer other")
            .send(body)
            .unwrap();
        assert_eq!(denied.status().as_u16(), 401);
        let created = agent
            .post(&url)
            .header("Authorization", "Bearer tk")
            .send(body)
            .unwrap();
        assert_eq!(created.status().as_u16(), 201);
        let deliveries = qonto.sign_deliveries("v1/transactions", b"{}", 1_704_110_400);
        assert_eq!(deliveries.len(), 1);
        assert_eq!(
            deliveries[0].2,
            format!(
                "t=1704110400,v1={}",
                hex_hmac("test-secret-of-at-least-32-characters", &[b"1704110400.{}"])
            )
        );
        assert!(qonto.sign_deliveries("v1/cards", b"{}", 1).is_empty());
        assert_eq!(qonto.requests().len(), 2);
    }
}
