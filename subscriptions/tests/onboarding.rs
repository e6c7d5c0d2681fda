//! The onboarding client (`/register/webhooks`) against the local stand-in for Qonto
//! (`qonto_webhooks_testkit::fake_qonto`, in `testkit/`): the three headers, register with a
//! given and a generated secret, pagination, 400 and 401, what is refused before sending, no
//! retry of a registration, no redirect followed. No test reaches the internet.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::fake_qonto::FakeQonto;
use qonto_webhooks_subscriptions::{
    Error, ListParams, NewOnboardingWebhook, OnboardingClient, OnboardingClientBuilder, PartnerId,
    Secret, Token, generate_secret,
};
use serde_json::Value;

const TOKEN: &str = "onb_tok_5ecret-partner-token";
const PARTNER: &str = "partner-7c4e-do-not-print";
const STAGING: &str = "staging-onboarding-xyz";

fn start() -> FakeQonto {
    let server = FakeQonto::start(TOKEN);
    server.require_partner_id(PARTNER);
    server.require_staging_token(STAGING);
    server
}

fn builder(server: &FakeQonto, token: &str, partner: &str) -> OnboardingClientBuilder {
    common::onboarding_builder(server, token, partner)
        .staging_token(Some(Token::new(STAGING).unwrap()))
}

fn client(server: &FakeQonto) -> OnboardingClient {
    builder(server, TOKEN, PARTNER).build().unwrap()
}

fn assert_three_headers(server: &FakeQonto) {
    let reqs = server.requests();
    assert!(!reqs.is_empty());
    for r in reqs {
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{r:?}"
        );
        assert_eq!(r.partner_id.as_deref(), Some(PARTNER), "{r:?}");
        assert_eq!(r.staging_token.as_deref(), Some(STAGING), "{r:?}");
    }
}

#[test]
fn register_with_a_given_secret_sends_it_enabled_by_default() {
    let server = start();
    let secret = Secret::new_onboarding("1qA+9OSwfnm0NuhF+b8CJA==").unwrap(); // Qonto's example
    let registered = client(&server)
        .register(
            &NewOnboardingWebhook::new("https://example.com/onboarding").secret(secret.clone()),
        )
        .unwrap();
    assert_eq!(registered.secret, secret);
    assert_eq!(
        registered.webhook.callback_url,
        "https://example.com/onboarding"
    );
    assert!(registered.webhook.enabled);
    assert_eq!(registered.webhook.id, server.onboarding_webhooks()[0]["id"]);
    assert!(!registered.webhook.created_at.is_empty());

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].url, "/register/webhooks");
    assert!(
        reqs[0]
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "callback_url": "https://example.com/onboarding",
            "enabled": true,
            "secret": "1qA+9OSwfnm0NuhF+b8CJA==",
        })
    );
    assert_three_headers(&server);
    // Debug of the answer never shows the secret.
    assert!(!format!("{registered:?}").contains(secret.expose()));
}

#[test]
fn register_without_a_secret_generates_one_and_registers_it() {
    let server = start();
    let registered = client(&server)
        .register(&NewOnboardingWebhook::new("https://example.com/o").enabled(false))
        .unwrap();
    let secret = registered.secret.expose();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 50,
        "{secret}"
    );
    let body: Value = serde_json::from_str(&server.requests()[0].body).unwrap();
    assert_eq!(body["secret"], secret, "the generated secret was sent");
    assert_eq!(body["enabled"], false);
    assert!(!registered.webhook.enabled);
    assert_eq!(server.onboarding_webhooks()[0]["secret"], secret);
    // Two registrations, two different secrets.
    let other = client(&server)
        .register(&NewOnboardingWebhook::new("https://example.com/o2"))
        .unwrap();
    assert_ne!(other.secret, registered.secret);
}

/// The secret the registration answers is the one the stand-in signs with: a webhook it
/// signs verifies with it, under the onboarding scheme only.
#[test]
fn the_registered_secret_verifies_an_onboarding_webhook() {
    let server = start();
    let registered = client(&server)
        .register(&NewOnboardingWebhook::new("https://example.com/o"))
        .unwrap();
    let body = br#"{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2022-08-29T13:17:32Z"}"#;
    let header = server.sign_onboarding(&registered.webhook.id, body);
    let verifier = qonto_webhooks::Verifier::new(registered.secret.expose()).unwrap();
    let ok = verifier.verify_onboarding(body, &header).unwrap();
    assert_eq!(ok.secret_index, 0);
    assert_eq!(ok.timestamp, None, "onboarding webhooks carry no timestamp");
    let e = qonto_webhooks::Verifier::new(generate_secret().unwrap().expose())
        .unwrap()
        .verify_onboarding(body, &header)
        .unwrap_err();
    assert_eq!(e.code(), "signature_mismatch");
}

#[test]
fn the_legacy_path_is_used_only_when_asked() {
    let server = start();
    let c = builder(&server, TOKEN, PARTNER)
        .legacy_register_path(true)
        .build()
        .unwrap();
    c.register(&NewOnboardingWebhook::new("https://example.com/o"))
        .unwrap();
    c.list(ListParams::default()).unwrap();
    let urls: Vec<_> = server.requests().iter().map(|r| r.url.clone()).collect();
    assert_eq!(urls, ["/data_api/webhooks", "/register/webhooks"]);
    assert_three_headers(&server);
}

#[test]
fn list_one_page_and_all_pages() {
    let server = start();
    let ids = server.seed_onboarding(7);
    let c = client(&server);
    let page = c
        .list(ListParams {
            page: Some(2),
            per_page: Some(3),
        })
        .unwrap();
    assert_eq!(page.meta.current_page, 2);
    assert_eq!(page.meta.next_page, Some(3));
    assert_eq!(page.meta.total_count, 7);
    let got: Vec<_> = page
        .webhook_subscriptions
        .iter()
        .map(|w| w.id.clone())
        .collect();
    assert_eq!(got, ids[3..6]);
    assert!(page.webhook_subscriptions[0].enabled);
    assert!(
        !page.webhook_subscriptions[2].enabled,
        "every third seeded one is disabled"
    );
    assert_eq!(
        server.requests()[0].url,
        "/register/webhooks?page=2&per_page=3"
    );
    // The stand-in puts each secret in its list answer: the client does not keep it.
    let shown = format!("{page:?} {}", serde_json::to_string(&page).unwrap());
    assert!(!shown.contains("seeded-onboarding-secret"), "{shown}");

    let before = server.requests().len();
    let all = c.list_all_with(3).unwrap();
    assert_eq!(all.iter().map(|w| w.id.clone()).collect::<Vec<_>>(), ids);
    let walked: Vec<_> = server.requests()[before..]
        .iter()
        .map(|r| r.url.clone())
        .collect();
    assert_eq!(
        walked,
        [
            "/register/webhooks?page=1&per_page=3",
            "/register/webhooks?page=2&per_page=3",
            "/register/webhooks?page=3&per_page=3"
        ]
    );
    assert_eq!(c.list_all().unwrap().len(), 7);
    assert_three_headers(&server);
}

#[test]
fn empty_list() {
    let server = start();
    let page = client(&server).list(ListParams::default()).unwrap();
    assert!(page.webhook_subscriptions.is_empty());
    assert_eq!(page.meta.next_page, None);
    assert!(client(&server).list_all().unwrap().is_empty());
}

#[test]
fn a_400_comes_back_with_its_detail() {
    let server = start();
    server.script(
        400,
        r#"{"errors":[{"code":"bad_request","detail":"callback_url is invalid"}]}"#,
    );
    let e = client(&server)
        .register(&NewOnboardingWebhook::new("https://example.com/o"))
        .unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status, 400);
    assert_eq!(api.method, "POST");
    assert_eq!(api.errors[0].code, "bad_request");
    assert!(!e.is_usage());
    let shown = e.to_string();
    assert!(
        shown.contains("400") && shown.contains("callback_url is invalid"),
        "{shown}"
    );
    assert!(server.onboarding_webhooks().is_empty());
    // A 400 on a list too.
    server.script(
        400,
        r#"{"errors":[{"code":"bad_request","detail":"page is not a number"}]}"#,
    );
    let e = client(&server).list(ListParams::default()).unwrap_err();
    assert_eq!(e.status(), Some(400));
}

#[test]
fn a_401_names_the_onboarding_credentials_and_never_shows_them() {
    let server = start();
    let wrong_token = "onb_wrong_but_still_secret";
    let wrong_partner = "partner-wrong-still-secret";
    for c in [
        builder(&server, wrong_token, PARTNER).build().unwrap(),
        builder(&server, TOKEN, wrong_partner).build().unwrap(),
    ] {
        for result in [
            c.list(ListParams::default()).map(|_| ()),
            c.register(&NewOnboardingWebhook::new("https://example.com/o"))
                .map(|_| ()),
        ] {
            let e = result.unwrap_err();
            assert_eq!(e.status(), Some(401), "{e:?}");
            assert_eq!(e.code(), "api_error");
            let shown = format!("{e} {e:?} {c:?}");
            assert!(
                shown.contains("QONTO_ONBOARDING_TOKEN") && shown.contains("QONTO_PARTNER_ID"),
                "{shown}"
            );
            for secret in [wrong_token, wrong_partner, TOKEN, PARTNER, STAGING] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
        }
    }
    // A 401 is not retried, even for a list.
    assert_eq!(server.requests().len(), 4);
    assert!(server.onboarding_webhooks().is_empty());
    // Without the staging token the stand-in (as the sandbox) answers 401 too.
    let c = OnboardingClient::builder(Token::new(TOKEN).unwrap(), PartnerId::new(PARTNER).unwrap())
        .base_url(&server.base_url)
        .build()
        .unwrap();
    assert_eq!(
        c.list(ListParams::default()).unwrap_err().status(),
        Some(401)
    );
}

#[test]
fn validation_errors_send_nothing() {
    let server = start();
    let c = client(&server);
    let cases: Vec<(&str, NewOnboardingWebhook)> = vec![
        (
            "callback_url",
            NewOnboardingWebhook::new("http://example.com/hook"),
        ),
        (
            "callback_url",
            NewOnboardingWebhook::new("http://127.0.0.1:80@example.com/x"),
        ),
        (
            "callback_url",
            NewOnboardingWebhook::new("example.com/hook"),
        ),
        ("callback_url", NewOnboardingWebhook::new("https:///hook")),
        (
            "callback_url",
            NewOnboardingWebhook::new("https://e.com/a b"),
        ),
        (
            "callback_url",
            NewOnboardingWebhook::new(format!("https://e.com/{}", "a".repeat(2048))),
        ),
    ];
    for (field, new) in &cases {
        match c.register(new) {
            Err(Error::Invalid { field: f, reason }) => assert_eq!(f, *field, "{reason}"),
            other => panic!("{new:?}: expected invalid {field}, got {other:?}"),
        }
    }
    for bad in ["", " padded ", "new\nline", &"x".repeat(257)] {
        let e = Secret::new_onboarding(bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "secret",
                    ..
                }
            ),
            "{bad:?}: {e:?}"
        );
        assert!(e.is_usage());
        assert!(!e.to_string().contains(bad) || bad.is_empty(), "{e}");
    }
    assert!(Secret::new_onboarding("x").is_ok());
    assert!(Secret::new_onboarding("x".repeat(256)).is_ok());
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
                per_page: Some(101),
            },
            "per_page",
        ),
    ] {
        assert!(
            matches!(c.list(params), Err(Error::Invalid { field: f, .. }) if f == field),
            "{params:?}"
        );
        assert!(
            matches!(
                c.list_all_with(0),
                Err(Error::Invalid {
                    field: "per_page",
                    ..
                })
            ),
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
fn an_http_callback_on_loopback_is_accepted_by_a_local_api_only() {
    let server = start();
    let registered = client(&server)
        .register(&NewOnboardingWebhook::new(
            "http://127.0.0.1:9/webhooks/onboarding",
        ))
        .unwrap();
    assert_eq!(
        registered.webhook.callback_url,
        "http://127.0.0.1:9/webhooks/onboarding"
    );
    let prod =
        OnboardingClient::builder(Token::new(TOKEN).unwrap(), PartnerId::new(PARTNER).unwrap())
            .build()
            .unwrap();
    let e = prod
        .register(&NewOnboardingWebhook::new(
            "http://127.0.0.1:9/webhooks/onboarding",
        ))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "callback_url",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_registration_is_never_retried_and_a_list_is() {
    let server = start();
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    let e = client(&server)
        .register(&NewOnboardingWebhook::new("https://example.com/o"))
        .unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!((api.status, api.attempts), (500, 1));
    assert_eq!(server.requests().len(), 1);
    // The second scripted 500 goes to the list, which retries and succeeds.
    server.seed_onboarding(1);
    let page = client(&server).list(ListParams::default()).unwrap();
    assert_eq!(page.webhook_subscriptions.len(), 1);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_redirect_is_not_followed_and_the_credentials_stay_home() {
    let b = start();
    let a = start();
    let target = format!("{}/register/webhooks", b.base_url);
    for _ in 0..2 {
        a.script_with_headers(307, "", &[("Location", &target)]);
    }
    let c = client(&a);
    let errors = [
        c.list(ListParams::default()).unwrap_err(),
        c.register(&NewOnboardingWebhook::new("https://example.com/o"))
            .unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.code(), "redirect", "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains(&target) && msg.contains("not followed"),
            "{msg}"
        );
    }
    assert_eq!(a.requests().len(), 2);
    assert!(b.requests().is_empty(), "{:?}", b.requests());
}

#[test]
fn the_client_debug_hides_every_credential() {
    let server = start();
    let debug = format!("{:?}", client(&server));
    for secret in [TOKEN, PARTNER, STAGING] {
        assert!(!debug.contains(secret), "{debug}");
    }
    assert!(
        debug.contains("redacted") && debug.contains(&server.base_url),
        "{debug}"
    );
    let new = NewOnboardingWebhook::new("https://e.com")
        .secret(Secret::new_onboarding("abc-secret-xyz").unwrap());
    assert!(!format!("{new:?}").contains("abc-secret-xyz"));
}
