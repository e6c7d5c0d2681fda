//! The client against the local stand-in for Qonto (`qonto_webhooks_testkit::fake_qonto`, in
//! `testkit/`). No test reaches the internet.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::TcpListener;
use std::time::Duration;

use base64::Engine as _;
use common::fake_qonto::FakeQonto;
use qonto_webhooks_subscriptions::{
    Client, Error, ListParams, NewSubscription, Secret, TOPICS, Token, generate_secret,
};
use serde_json::Value;

const TOKEN: &str = "tok_live_5ecret-access-token";

fn client(server: &FakeQonto) -> Client {
    client_with(server, TOKEN)
}

fn client_with(server: &FakeQonto, token: &str) -> Client {
    common::client(server, token)
}

fn new_sub() -> NewSubscription {
    NewSubscription::new(
        "https://example.com/webhooks/qonto",
        ["v1/transactions", "v1/cards"],
    )
}

#[test]
fn create_without_secret_gets_the_one_qonto_generates() {
    let server = FakeQonto::start(TOKEN);
    let created = client(&server)
        .create(&new_sub().description("payments"))
        .unwrap();
    let secret = created
        .secret
        .expect("the create answer carries the secret");
    assert!(secret.expose().starts_with("whsec_"));
    assert_eq!(secret.expose().len(), 50);
    assert_eq!(
        created.subscription.callback_url,
        "https://example.com/webhooks/qonto"
    );
    assert_eq!(created.subscription.types, ["v1/transactions", "v1/cards"]);
    assert_eq!(
        created.subscription.description.as_deref(),
        Some("payments")
    );

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].url, "/v2/webhook_subscriptions");
    assert_eq!(
        reqs[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(
        reqs[0]
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert!(body.get("secret").is_none(), "no secret sent: {body}");
    assert_eq!(
        body["types"],
        serde_json::json!(["v1/transactions", "v1/cards"])
    );
    assert_eq!(body["description"], "payments");
    // get returns the same subscription, without a secret.
    let got = client(&server).get(&created.subscription.id).unwrap();
    assert_eq!(got, created.subscription);
}

#[test]
fn create_with_a_secret_sends_it() {
    let server = FakeQonto::start(TOKEN);
    let secret = generate_secret().unwrap();
    let created = client(&server)
        .create(&new_sub().secret(secret.clone()))
        .unwrap();
    assert_eq!(created.secret.as_ref(), Some(&secret));
    let body: Value = serde_json::from_str(&server.requests()[0].body).unwrap();
    assert_eq!(body["secret"], secret.expose());
    assert!(body.get("description").is_none());
}

#[test]
fn validation_failures_are_caught_before_any_request() {
    let server = FakeQonto::start(TOKEN);
    let c = client(&server);
    let long_url = format!("https://example.com/{}", "a".repeat(493)); // 513 chars
    assert_eq!(long_url.len(), 513);
    let ok_url_512 = format!("https://example.com/{}", "a".repeat(492));
    assert!(
        NewSubscription::new(ok_url_512, ["v1/cards"])
            .validate()
            .is_ok()
    );
    let cases: Vec<(&str, NewSubscription)> = vec![
        (
            "callback_url",
            NewSubscription::new("http://example.com/hook", ["v1/cards"]),
        ),
        (
            "callback_url",
            NewSubscription::new("https:///hook", ["v1/cards"]),
        ),
        (
            "callback_url",
            NewSubscription::new("example.com", ["v1/cards"]),
        ),
        ("callback_url", NewSubscription::new(long_url, ["v1/cards"])),
        (
            "types",
            NewSubscription::new("https://e.com", Vec::<String>::new()),
        ),
        (
            "types",
            NewSubscription::new("https://e.com", ["v1/cards", "v1/cards"]),
        ),
        (
            "types",
            NewSubscription::new("https://e.com", ["transactions"]),
        ),
        (
            "types",
            NewSubscription::new("https://e.com", ["v1/products"]),
        ),
        (
            "types",
            NewSubscription::new("https://e.com", [""]).allow_unknown_topics(true),
        ),
        ("description", new_sub().description("d".repeat(257))),
    ];
    for (field, new) in &cases {
        match c.create(new) {
            Err(Error::Invalid { field: f, reason }) => {
                assert_eq!(f, *field, "{reason}");
                assert!(!reason.is_empty());
            }
            other => panic!("{new:?}: expected invalid {field}, got {other:?}"),
        }
    }
    assert!(new_sub().description("d".repeat(256)).validate().is_ok());
    for bad in [
        "x".repeat(31),
        "x".repeat(129),
        format!("{} ", "x".repeat(40)),
    ] {
        let e = Secret::new(bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "secret",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.is_usage());
    }
    assert!(Secret::new("x".repeat(32)).is_ok());
    assert!(Secret::new("x".repeat(128)).is_ok());
    for bad in ["", "../x", "a/b", "1 2"] {
        assert!(
            matches!(c.get(bad), Err(Error::Invalid { field: "id", .. })),
            "{bad}"
        );
    }
    for (params, field) in [
        (
            ListParams {
                page: Some(0),
                per_page: None,
            },
            "page",
        ),
        (
            ListParams {
                page: None,
                per_page: Some(0),
            },
            "per_page",
        ),
        (
            ListParams {
                page: None,
                per_page: Some(101),
            },
            "per_page",
        ),
    ] {
        assert!(
            matches!(c.list(params), Err(Error::Invalid { field: f, .. }) if f == field),
            "{params:?}"
        );
    }
    assert!(
        server.requests().is_empty(),
        "the server saw {:?}",
        server.requests()
    );
}

#[test]
fn unknown_topics_only_with_the_explicit_flag_and_422_comes_back() {
    let server = FakeQonto::start(TOKEN);
    let new = NewSubscription::new("https://e.com/h", ["v1/products"]).allow_unknown_topics(true);
    match client(&server).create(&new) {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 422);
            assert_eq!(e.method, "POST");
            assert_eq!(e.errors.len(), 1);
            assert_eq!(e.errors[0].code, "unprocessable_entity");
            assert!(e.errors[0].detail.as_deref().unwrap().contains("types"));
            let shown = Error::Api(e).to_string();
            assert!(
                shown.contains("422") && shown.contains("unprocessable_entity"),
                "{shown}"
            );
        }
        other => panic!("expected a 422, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn all_documented_topics_are_accepted() {
    let server = FakeQonto::start(TOKEN);
    let created = client(&server)
        .create(&NewSubscription::new("https://e.com/h", TOPICS))
        .unwrap();
    assert_eq!(created.subscription.types.len(), 12);
}

#[test]
fn unauthorized_is_an_api_error_that_never_shows_the_token() {
    let server = FakeQonto::start(TOKEN);
    let wrong = "tok_wrong_but_still_secret";
    let c = client_with(&server, wrong);
    for result in [
        c.list(ListParams::default()).map(|_| ()),
        c.create(&new_sub()).map(|_| ()),
    ] {
        let e = result.unwrap_err();
        assert_eq!(e.status(), Some(401));
        assert_eq!(e.code(), "api_error");
        assert!(!e.is_usage());
        let Error::Api(api) = &e else { panic!("{e:?}") };
        assert_eq!(api.errors[0].code, "unauthorized");
        assert_eq!(api.errors[0].detail.as_deref(), Some("Invalid credentials"));
        let shown = format!("{e} {e:?}");
        assert!(
            shown.contains("401") && shown.contains("Invalid credentials"),
            "{shown}"
        );
        assert!(!shown.contains(wrong), "{shown}");
    }
    // 401 is not retried, even for GET.
    assert_eq!(server.requests().len(), 2);
    let debug = format!("{c:?}");
    assert!(
        !debug.contains(wrong) && debug.contains("redacted"),
        "{debug}"
    );
}

#[test]
fn not_found() {
    let server = FakeQonto::start(TOKEN);
    let e = client(&server)
        .get("123e4567-e89b-12d3-a456-426614174000")
        .unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status, 404);
    assert_eq!(api.errors[0].code, "not_found");
    assert_eq!(api.attempts, 1);
    assert!(
        api.url
            .ends_with("/v2/webhook_subscriptions/123e4567-e89b-12d3-a456-426614174000")
    );
}

#[test]
fn a_500_is_retried_for_get() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    server.script(503, "<html>unavailable</html>");
    let got = client(&server).get(&ids[0]).unwrap();
    assert_eq!(got.id, ids[0]);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn retries_are_bounded() {
    let server = FakeQonto::start(TOKEN);
    for _ in 0..5 {
        server.script(502, "<html>bad gateway</html>");
    }
    let c = Client::builder(Token::new(TOKEN).unwrap())
        .base_url(&server.base_url)
        .retry_backoff(Duration::ZERO)
        .max_retries(1)
        .build()
        .unwrap();
    let e = c.list(ListParams::default()).unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status, 502);
    assert_eq!(api.attempts, 2);
    assert!(api.errors.is_empty());
    assert_eq!(api.raw_body.as_deref(), Some("<html>bad gateway</html>"));
    assert!(e.to_string().contains("after 2 attempts"), "{e}");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_429_is_retried_for_get_obeying_retry_after() {
    let server = FakeQonto::start(TOKEN);
    server.seed(2);
    server.script_with_headers(
        429,
        r#"{"errors":[{"code":"too_many_requests","detail":"slow down"}]}"#,
        &[("Retry-After", "0")],
    );
    let page = client(&server).list(ListParams::default()).unwrap();
    assert_eq!(page.subscriptions.len(), 2);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_500_is_not_retried_for_post() {
    let server = FakeQonto::start(TOKEN);
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    let e = client(&server).create(&new_sub()).unwrap_err();
    assert_eq!(e.status(), Some(500));
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.attempts, 1);
    assert_eq!(api.errors[0].detail.as_deref(), Some("boom"));
    assert_eq!(server.requests().len(), 1);
    assert!(server.subscriptions().is_empty());
}

#[test]
fn list_one_page_and_all_pages() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(7);
    let c = client(&server);
    let page = c
        .list(ListParams {
            page: Some(2),
            per_page: Some(3),
        })
        .unwrap();
    assert_eq!(page.meta.current_page, 2);
    assert_eq!(page.meta.next_page, Some(3));
    assert_eq!(page.meta.prev_page, Some(1));
    assert_eq!(page.meta.total_pages, 3);
    assert_eq!(page.meta.total_count, 7);
    assert_eq!(page.meta.per_page, 3);
    let page_ids: Vec<_> = page.subscriptions.iter().map(|s| s.id.clone()).collect();
    assert_eq!(page_ids, ids[3..6]);
    assert_eq!(
        server.requests()[0].url,
        "/v2/webhook_subscriptions?page=2&per_page=3"
    );

    let before = server.requests().len();
    let all = c.list_all_with(3).unwrap();
    let all_ids: Vec<_> = all.iter().map(|s| s.id.clone()).collect();
    assert_eq!(all_ids, ids);
    let walked: Vec<_> = server.requests()[before..]
        .iter()
        .map(|r| r.url.clone())
        .collect();
    assert_eq!(
        walked,
        [
            "/v2/webhook_subscriptions?page=1&per_page=3",
            "/v2/webhook_subscriptions?page=2&per_page=3",
            "/v2/webhook_subscriptions?page=3&per_page=3"
        ]
    );
    assert_eq!(c.list_all().unwrap().len(), 7);
}

#[test]
fn empty_list() {
    let server = FakeQonto::start(TOKEN);
    let page = client(&server).list(ListParams::default()).unwrap();
    assert!(page.subscriptions.is_empty());
    assert_eq!(page.meta.next_page, None);
    assert!(client(&server).list_all().unwrap().is_empty());
}

#[test]
fn pagination_that_does_not_move_forward_is_an_error() {
    let server = FakeQonto::start(TOKEN);
    server.script(
        200,
        r#"{"subscriptions":[],"meta":{"current_page":1,"next_page":1,"prev_page":null,"total_pages":2,"total_count":0,"per_page":100}}"#,
    );
    let e = client(&server).list_all().unwrap_err();
    assert_eq!(e.code(), "decode_error", "{e}");
}

#[test]
fn an_unexpected_success_body_is_a_decode_error() {
    let server = FakeQonto::start(TOKEN);
    server.script(200, "{\"hello\":1}");
    let e = client(&server).get("abc").unwrap_err();
    assert!(matches!(e, Error::Decode { status: 200, .. }), "{e:?}");
}

#[test]
fn the_staging_token_is_sent() {
    let server = FakeQonto::start(TOKEN);
    server.require_staging_token("staging-xyz");
    let without = client(&server).list(ListParams::default()).unwrap_err();
    assert_eq!(without.status(), Some(401));
    let c = Client::builder(Token::new(TOKEN).unwrap())
        .base_url(&server.base_url)
        .staging_token(Some(Token::new("staging-xyz").unwrap()))
        .build()
        .unwrap();
    c.list(ListParams::default()).unwrap();
    assert_eq!(
        server.requests()[1].staging_token.as_deref(),
        Some("staging-xyz")
    );
    assert!(!format!("{c:?}").contains("staging-xyz"));
}

#[test]
fn connection_refused_says_what_was_tried() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = Client::builder(Token::new(TOKEN).unwrap())
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_backoff(Duration::ZERO)
        .build()
        .unwrap();
    let e = c.get("abc").unwrap_err();
    assert_eq!(e.code(), "network_error");
    let Error::Network {
        attempts,
        url,
        method,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*attempts, 3, "GET is retried");
    assert_eq!(*method, "GET");
    assert_eq!(
        url,
        &format!("http://127.0.0.1:{port}/v2/webhook_subscriptions/abc")
    );
    assert!(e.to_string().contains(url.as_str()), "{e}");
    let e = c.create(&new_sub()).unwrap_err();
    let Error::Network { attempts, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*attempts, 1, "POST is not retried");
    assert!(!e.to_string().contains(TOKEN));
}

#[test]
fn a_silent_server_times_out() {
    // Accepts connections (the kernel's backlog) but never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let c = Client::builder(Token::new(TOKEN).unwrap())
        .base_url(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap();
    let e = c.list(ListParams::default()).unwrap_err();
    assert_eq!(e.code(), "timeout", "{e:?}");
    assert!(e.to_string().contains("timed out"), "{e}");
    drop(listener);
}

#[test]
fn base_urls_are_checked() {
    for bad in [
        "http://api.example.com",
        "ftp://x",
        "https://user:pw@h.com",
        "",
    ] {
        let e = Client::builder(Token::new(TOKEN).unwrap())
            .base_url(bad)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "base_url",
                    ..
                }
            ),
            "{bad}: {e:?}"
        );
    }
    let c = Client::builder(Token::new(TOKEN).unwrap()).build().unwrap();
    assert_eq!(c.base_url(), "https://thirdparty.qonto.com");
    let c = Client::builder(Token::new(TOKEN).unwrap())
        .sandbox(Token::new("s").unwrap())
        .build()
        .unwrap();
    assert_eq!(c.base_url(), "https://thirdparty-sandbox.staging.qonto.co");
}

#[test]
fn tokens_and_secrets_are_redacted() {
    let t = Token::new("Bearer abc123").unwrap();
    assert_eq!(t.expose(), "abc123");
    assert!(!format!("{t:?}").contains("abc123"));
    assert!(matches!(Token::new("  "), Err(Error::MissingToken)));
    assert!(matches!(
        Token::new("a b"),
        Err(Error::Invalid { field: "token", .. })
    ));
    let s = generate_secret().unwrap();
    assert!(!format!("{s:?}").contains(s.expose()));
    let n = new_sub().secret(s.clone());
    assert!(!format!("{n:?}").contains(s.expose()));
}

#[test]
fn generated_secrets_have_the_documented_form() {
    let a = generate_secret().unwrap();
    let b = generate_secret().unwrap();
    assert_ne!(a, b);
    for s in [&a, &b] {
        let tail = s.expose().strip_prefix("whsec_").unwrap();
        assert_eq!(s.expose().len(), 50);
        let raw = base64::engine::general_purpose::STANDARD
            .decode(tail)
            .unwrap();
        assert_eq!(raw.len(), 32);
        assert!(Secret::new(s.expose()).is_ok());
    }
}

/// The whole setup: create a subscription, keep the secret it returns, and verify a webhook
/// signed with it the way Qonto signs deliveries.
#[test]
fn the_created_secret_verifies_a_webhook() {
    let server = FakeQonto::start(TOKEN);
    let created = client(&server)
        .create(&NewSubscription::new(
            "https://example.com/hook",
            ["v1/transactions"],
        ))
        .unwrap();
    let secret = created.secret.unwrap();
    let body = format!(
        r#"{{"id":"e1","subscription_id":"{}","type":"v1/transactions","data":{{"event":"created"}}}}"#,
        created.subscription.id
    );
    let now = qonto_webhooks::unix_now();
    let header = qonto_webhooks::sign(secret.expose(), body.as_bytes(), now).unwrap();
    let verifier = qonto_webhooks::Verifier::new(secret.expose()).unwrap();
    let ok = verifier.verify(body.as_bytes(), &*header, now).unwrap();
    assert_eq!(ok.secret_index, 0);
    let other = generate_secret().unwrap();
    let e = qonto_webhooks::Verifier::new(other.expose())
        .unwrap()
        .verify(body.as_bytes(), &*header, now)
        .unwrap_err();
    assert_eq!(e.code(), "signature_mismatch");
}

#[test]
fn a_redirect_is_not_followed_and_the_tokens_stay_home() {
    // A redirects every request to B, another host (a loopback port): B must never see the
    // access token or the staging token, and the client must say it was redirected.
    let b = FakeQonto::start(TOKEN);
    let a = FakeQonto::start(TOKEN);
    let target = format!("{}/v2/webhook_subscriptions", b.base_url);
    for _ in 0..3 {
        a.script_with_headers(302, "", &[("Location", &target)]);
    }
    let c = Client::builder(Token::new(TOKEN).unwrap())
        .base_url(&a.base_url)
        .staging_token(Some(Token::new("staging-xyz").unwrap()))
        .retry_backoff(Duration::ZERO)
        .build()
        .unwrap();
    let errors = [
        c.list(ListParams::default()).unwrap_err(),
        c.get("123e4567-e89b-12d3-a456-426614174000").unwrap_err(),
        c.create(&new_sub()).unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.code(), "redirect", "{e:?}");
        assert_eq!(e.status(), Some(302));
        let msg = e.to_string();
        assert!(
            msg.contains("redirect") && msg.contains(&target) && msg.contains("not followed"),
            "{msg}"
        );
        assert!(
            !msg.contains(TOKEN) && !msg.contains("staging-xyz"),
            "{msg}"
        );
    }
    // A saw the three requests (with its tokens: it is the configured base URL); B saw none.
    assert_eq!(a.requests().len(), 3);
    assert_eq!(
        a.requests()[0].staging_token.as_deref(),
        Some("staging-xyz")
    );
    for r in b.requests() {
        assert_eq!(r.authorization, None, "{r:?}");
        assert_eq!(r.staging_token, None, "{r:?}");
    }
    assert!(b.requests().is_empty(), "{:?}", b.requests());
}

#[test]
fn delete_removes_the_subscription() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(2);
    let c = client(&server);
    c.delete(&ids[0]).unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "DELETE");
    assert_eq!(reqs[0].url, format!("/v2/webhook_subscriptions/{}", ids[0]));
    assert_eq!(
        reqs[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let left: Vec<String> = c.list_all().unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(left, [ids[1].clone()]);
    match c.get(&ids[0]) {
        Err(Error::Api(e)) => assert_eq!(e.status, 404),
        other => panic!("{other:?}"),
    }
}

#[test]
fn delete_accepts_a_200_with_a_body() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    server.script(200, r#"{"deleted":true}"#);
    client(&server).delete(&ids[0]).unwrap();
    assert_eq!(server.requests()[0].method, "DELETE");
}

#[test]
fn delete_of_an_unknown_id_is_a_404_api_error() {
    let server = FakeQonto::start(TOKEN);
    let id = "123e4567-e89b-12d3-a456-426614174000";
    let e = client(&server).delete(id).unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!((api.method, api.status), ("DELETE", 404));
    assert_eq!(api.errors[0].code, "not_found");
    assert_eq!(e.code(), "api_error");
    assert!(!e.is_usage());
    let shown = e.to_string();
    assert!(
        shown.contains(id) && shown.contains("no subscription with this id"),
        "{shown}"
    );
}

#[test]
fn delete_is_never_retried() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    server.script(500, r#"{"errors":[{"code":"internal_error"}]}"#);
    let e = client(&server).delete(&ids[0]).unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(server.requests().len(), 1, "a DELETE is sent once");
    assert_eq!(server.subscriptions().len(), 1);
}

#[test]
fn delete_checks_the_id_before_sending() {
    let server = FakeQonto::start(TOKEN);
    for bad in ["", "../../v2/organization", "a b"] {
        assert!(
            matches!(
                client(&server).delete(bad),
                Err(Error::Invalid { field: "id", .. })
            ),
            "{bad:?}"
        );
    }
    assert!(server.requests().is_empty());
}
