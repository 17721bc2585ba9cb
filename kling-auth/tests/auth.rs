//! Minting, caching, secrecy and webhook checks.

use std::sync::Barrier;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kling_auth::{
    AccessKeyPair, Authenticator, Credentials, WebhookVerifier, mint, verify_runblob_signature,
};
use kling_errors::AuthFailure;

const AK: &str = "AKtest0123456789";
const SK: &str = "SKtest-secret-do-not-log";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn pair() -> AccessKeyPair {
    AccessKeyPair::new(AK, SK).unwrap()
}

/// A part of a token, decoded, byte for byte.
fn raw_part(token: &str, i: usize) -> String {
    String::from_utf8(
        URL_SAFE_NO_PAD
            .decode(token.split('.').nth(i).unwrap())
            .unwrap(),
    )
    .unwrap()
}

fn part(token: &str, i: usize) -> serde_json::Value {
    let raw = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(i).unwrap())
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

#[test]
fn known_answer_token() {
    let token = mint(&pair(), at(1_781_080_000)).unwrap();
    let token = token.expose();
    assert_eq!(token.split('.').count(), 3);
    assert!(!token.contains('='), "base64url without padding");
    insta::assert_snapshot!(
        "jwt_header_and_claims",
        format!(
            "header: {}\nclaims: {}",
            raw_part(token, 0),
            raw_part(token, 1)
        )
    );
    // Another implementation accepts the signature ...
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    let decoded = jsonwebtoken::decode::<serde_json::Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(SK.as_bytes()),
        &validation,
    )
    .expect("jsonwebtoken verifies our token");
    assert_eq!(decoded.claims["iss"], AK);
    assert_eq!(
        decoded.claims["exp"].as_u64().unwrap() - decoded.claims["nbf"].as_u64().unwrap(),
        1805
    );
    // ... and a wrong secret does not verify.
    assert!(
        jsonwebtoken::decode::<serde_json::Value>(
            token,
            &jsonwebtoken::DecodingKey::from_secret(b"other"),
            &validation
        )
        .is_err()
    );
}

#[test]
fn refreshes_inside_the_margin_and_not_before() {
    let auth = Authenticator::new(Credentials::access_key(AK, SK).unwrap());
    let t0 = 1_781_080_000;
    let first = auth.header(at(t0)).unwrap();
    // 1800 s lifetime, 300 s margin: reused up to 1499 s later (301 s left) ...
    for dt in [1, 600, 1499] {
        assert_eq!(
            auth.header(at(t0 + dt)).unwrap().expose_value(),
            first.expose_value(),
            "+{dt}s"
        );
    }
    assert_eq!(auth.mints(), 1);
    // ... re-minted once 300 s or less remain.
    let second = auth.header(at(t0 + 1500)).unwrap();
    assert_ne!(second.expose_value(), first.expose_value());
    assert_eq!(auth.mints(), 2);
    let claims = part(second.expose_value().trim_start_matches("Bearer "), 1);
    assert_eq!(claims["exp"], t0 + 1500 + 1800);
}

#[test]
fn invalidate_forces_a_new_token() {
    let auth = Authenticator::new(Credentials::access_key(AK, SK).unwrap());
    let first = auth.header(at(1_000_000)).unwrap();
    auth.clone().invalidate(); // through a clone: the cache is shared
    let second = auth.header(at(1_000_010)).unwrap();
    assert_eq!(auth.mints(), 2);
    assert_ne!(first.expose_value(), second.expose_value());
}

#[test]
fn a_thousand_concurrent_callers_mint_once() {
    let auth = Authenticator::new(Credentials::access_key(AK, SK).unwrap());
    let barrier = Barrier::new(1000);
    let values: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..1000)
            .map(|_| {
                let auth = auth.clone();
                let barrier = &barrier;
                std::thread::Builder::new()
                    .stack_size(64 * 1024)
                    .spawn_scoped(scope, move || {
                        barrier.wait();
                        auth.header(at(1_781_080_000))
                            .unwrap()
                            .expose_value()
                            .to_owned()
                    })
                    .unwrap()
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(auth.mints(), 1);
    assert!(values.iter().all(|v| *v == values[0]));
}

#[test]
fn clock_skew_from_a_date_header() {
    let auth = Authenticator::new(Credentials::access_key(AK, SK).unwrap());
    let local = at(1_781_080_090);
    // The server is 90 s behind (Tue, 10 Jun 2026 08:38:10 GMT = 1781080690 - 600 ...).
    let server_date = "Wed, 10 Jun 2026 08:13:10 GMT";
    let server = kling_errors::parse_http_date(server_date).unwrap();
    let skew = auth.observe_server_date(server_date, local).unwrap();
    assert_eq!(
        skew,
        (server.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64 - 1_781_080_090) * 1000
    );
    let header = auth.header(local).unwrap();
    let claims = part(header.expose_value().trim_start_matches("Bearer "), 1);
    let server_secs = server.duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert!(
        claims["nbf"].as_u64().unwrap() <= server_secs,
        "nbf must not be in the server's future"
    );
    assert!(auth.observe_server_date("not a date", local).is_none());
}

#[test]
fn static_keys() {
    let bearer = Authenticator::new(Credentials::api_key("sk-runblob-123").unwrap());
    let h = bearer.header(at(0)).unwrap();
    assert_eq!(
        (h.name(), h.expose_value()),
        ("Authorization", "Bearer sk-runblob-123")
    );
    let x = Authenticator::new(Credentials::x_api_key("pkz_abc").unwrap());
    let h = x.header(at(0)).unwrap();
    assert_eq!((h.name(), h.expose_value()), ("X-Api-Key", "pkz_abc"));
    assert_eq!(x.mints(), 0);
}

#[test]
fn key_only_apis_get_the_key_or_a_clear_error() {
    // Only a pair: an API that takes only a key is refused before anything is sent.
    let pair = Authenticator::new(Credentials::access_key(AK, SK).unwrap());
    let e = pair.api_key_header().unwrap_err();
    assert_eq!(e.failure(), AuthFailure::Missing);
    assert!(e.message().contains("only an API key") && e.message().contains("KLING_API_KEY"));
    // Both: the JWT where a token is accepted, the key where only a key is.
    let both = Authenticator::new(Credentials::both(AK, SK, "sk-new-standard").unwrap());
    assert!(
        both.header(at(0))
            .unwrap()
            .expose_value()
            .starts_with("Bearer ey")
    );
    assert_eq!(
        both.api_key_header().unwrap().expose_value(),
        "Bearer sk-new-standard"
    );
    assert_eq!(both.mints(), 1);
    let debug = format!("{both:?}");
    assert!(
        !debug.contains("sk-new-standard") && !debug.contains(SK),
        "{debug}"
    );
    let key = Authenticator::new(Credentials::api_key("sk-only").unwrap());
    assert_eq!(
        key.api_key_header().unwrap().expose_value(),
        key.header(at(0)).unwrap().expose_value()
    );
}

#[test]
fn environment_loading_names_what_is_missing() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert!(matches!(
        Credentials::from_lookup(env(&[("KLING_ACCESS_KEY", AK), ("KLING_SECRET_KEY", SK)])),
        Ok(Credentials::AccessKey(_))
    ));
    assert!(matches!(
        Credentials::from_lookup(env(&[("KLING_API_KEY", "key")])),
        Ok(Credentials::Bearer(_))
    ));
    assert!(matches!(
        Credentials::from_lookup(env(&[
            ("KLING_ACCESS_KEY", AK),
            ("KLING_SECRET_KEY", SK),
            ("KLING_API_KEY", "key")
        ])),
        Ok(Credentials::Both(..))
    ));
    let e = Credentials::from_lookup(env(&[])).unwrap_err();
    assert_eq!(e.failure(), AuthFailure::Missing);
    assert!(e.message().contains("KLING_ACCESS_KEY") && e.message().contains("KLING_API_KEY"));
    let e = Credentials::from_lookup(env(&[("KLING_ACCESS_KEY", AK)])).unwrap_err();
    assert!(e.message().contains("KLING_SECRET_KEY is not"), "{e}");
    let e = Credentials::from_lookup(env(&[
        ("KLING_ACCESS_KEY", AK),
        ("KLING_SECRET_KEY", "SK with space"),
    ]))
    .unwrap_err();
    assert_eq!(e.failure(), AuthFailure::Invalid);
    assert!(!e.to_string().contains("SK with space"));
}

#[test]
fn nothing_secret_in_debug_or_display() {
    let keys = [
        ("AKabcdefghijklmnop", "SKsupersecretvalue1"),
        ("AK12345", "s3cr3t-XYZ"),
        ("ak", "sk-short"),
    ];
    for (ak, sk) in keys {
        let creds = Credentials::access_key(ak, sk).unwrap();
        let auth = Authenticator::new(creds.clone());
        let header = auth.header(at(1_781_080_000)).unwrap();
        let token = header
            .expose_value()
            .trim_start_matches("Bearer ")
            .to_owned();
        let minted = mint(&AccessKeyPair::new(ak, sk).unwrap(), at(1_781_080_000)).unwrap();
        let api = Credentials::api_key(sk).unwrap();
        let texts = [
            format!("{creds:?}"),
            format!("{auth:?}"),
            format!("{header:?}"),
            format!("{minted:?}"),
            format!("{api:?}"),
            format!("{:?}", Credentials::x_api_key(sk).unwrap()),
            format!(
                "{:?}",
                WebhookVerifier::new("whsec_dGVzdHNlY3JldA==").unwrap()
            ),
            format!(
                "{}",
                Credentials::access_key(ak, format!("{sk} x")).unwrap_err()
            ),
            format!(
                "{:?}",
                Credentials::access_key(ak, format!("{sk} x")).unwrap_err()
            ),
        ];
        for text in &texts {
            assert!(!text.contains(sk), "secret key in {text}");
            assert!(!text.contains(&token), "token in {text}");
            assert!(
                !text.contains(ak) || ak.len() <= 4,
                "whole access key in {text}"
            );
            assert!(!text.contains("dGVzdHNlY3JldA"), "webhook secret in {text}");
        }
    }
}

const VECTOR_SECRET: &str = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=";
const VECTOR_BODY: &str = r#"{"id":"1234567890","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151}"#;
const VECTOR_SIGNATURE: &str = "v1,UsKlJP00XoQyOn410NM9xv34sP+Gl0jnOO9Lcpr7NJ4=";

fn delivery(signature: &str) -> Vec<(&'static str, String)> {
    vec![
        ("webhook-id", "9876543210".to_owned()),
        ("webhook-timestamp", "1781080794".to_owned()),
        ("webhook-signature", signature.to_owned()),
    ]
}

#[test]
fn official_webhook_test_vector() {
    let verifier = WebhookVerifier::new(VECTOR_SECRET).unwrap();
    let now = at(1_781_080_800);
    verifier
        .verify(&delivery(VECTOR_SIGNATURE), VECTOR_BODY.as_bytes(), now)
        .expect("the official vector verifies");
    assert_eq!(
        verifier.sign("9876543210", 1_781_080_794, VECTOR_BODY.as_bytes()),
        VECTOR_SIGNATURE
    );

    let reject = |headers: Vec<(&'static str, String)>,
                  body: &str,
                  now: SystemTime,
                  verifier: &WebhookVerifier| {
        let e = verifier.verify(&headers, body.as_bytes(), now).unwrap_err();
        assert_eq!(e.failure(), AuthFailure::WebhookSignature);
        e.message().to_owned()
    };
    let tampered = VECTOR_BODY.replace("succeeded", "failed");
    assert!(
        reject(delivery(VECTOR_SIGNATURE), &tampered, now, &verifier)
            .contains("no webhook signature matches")
    );
    let wrong = WebhookVerifier::new("whsec_b3RoZXJzZWNyZXQ=").unwrap();
    reject(delivery(VECTOR_SIGNATURE), VECTOR_BODY, now, &wrong);
    let late = at(1_781_080_794 + 360);
    assert!(reject(delivery(VECTOR_SIGNATURE), VECTOR_BODY, late, &verifier).contains("360s away"));
    let early = at(1_781_080_794 - 360);
    reject(delivery(VECTOR_SIGNATURE), VECTOR_BODY, early, &verifier);
    let mut missing = delivery(VECTOR_SIGNATURE);
    missing.remove(0);
    assert!(reject(missing, VECTOR_BODY, now, &verifier).contains("webhook-id"));
    // Timestamps of any size are refused, never a panic (a receiver on the internet could be
    // crashed by anyone otherwise).
    for ts in [
        "18446744073709551615",
        "9223372036854775808",
        "99999999999999999999",
    ] {
        let mut hostile = delivery(VECTOR_SIGNATURE);
        hostile.retain(|(k, _)| *k != "webhook-timestamp");
        hostile.push(("webhook-timestamp", ts.to_owned()));
        let message = reject(hostile, VECTOR_BODY, now, &verifier);
        assert!(message.contains("timestamp"), "{ts}: {message}");
    }
    // A body over the limit is refused before any work (W6).
    let huge = "x".repeat(10 << 20);
    assert!(reject(delivery(VECTOR_SIGNATURE), &huge, now, &verifier).contains("limit"));
    let e = kling_auth::verify_runblob_signature(
        "s",
        &[("X-RunBlob-Signature", "00")],
        huge.as_bytes(),
    )
    .unwrap_err();
    assert!(e.message().contains("limit"), "{e}");
    // Rotation: one stale and one valid signature, in either order.
    let pair = format!("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= {VECTOR_SIGNATURE}");
    verifier
        .verify(&delivery(&pair), VECTOR_BODY.as_bytes(), now)
        .expect("a rotation pair with one valid signature");
    // Our own rotation: old and new secrets.
    let both = WebhookVerifier::with_secrets(["whsec_b3RoZXJzZWNyZXQ=", VECTOR_SECRET]).unwrap();
    both.verify(&delivery(VECTOR_SIGNATURE), VECTOR_BODY.as_bytes(), now)
        .unwrap();
    assert!(WebhookVerifier::new("whsec_not base64!").is_err());
}

#[test]
fn runblob_hex_signature() {
    use hmac::{Hmac, Mac};
    let body = br#"{"generation_id":"g","status":"completed"}"#;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"rb-secret").unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    verify_runblob_signature("rb-secret", &[("X-RunBlob-Signature", hex.as_str())], body).unwrap();
    assert!(
        verify_runblob_signature("other", &[("X-RunBlob-Signature", hex.as_str())], body).is_err()
    );
    assert!(verify_runblob_signature("rb-secret", &[("X-RunBlob-Signature", "zz")], body).is_err());
    assert!(verify_runblob_signature("rb-secret", &[] as &[(&str, &str)], body).is_err());
}

#[test]
fn verify_checks_signature_and_window() {
    use kling_auth::{TokenRejection, verify};
    let token = mint(&pair(), at(1_000_000)).unwrap();
    let pairs = [pair()];
    assert_eq!(
        verify(token.expose(), &pairs, at(1_000_000)),
        Ok(AK.to_owned())
    );
    assert_eq!(
        verify(token.expose(), &pairs, at(1_000_000 - 60)),
        Err(TokenRejection::NotYetValid)
    );
    assert_eq!(
        verify(token.expose(), &pairs, at(1_000_000 + 1800)),
        Err(TokenRejection::Expired)
    );
    let other = [AccessKeyPair::new(AK, "another-secret").unwrap()];
    assert_eq!(
        verify(token.expose(), &other, at(1_000_000)),
        Err(TokenRejection::BadSignature)
    );
    assert_eq!(
        verify("a.b", &pairs, at(1_000_000)),
        Err(TokenRejection::Malformed)
    );
}
