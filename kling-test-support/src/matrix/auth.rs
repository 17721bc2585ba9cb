//! 7.3 Auth and JWT (A1-A8).

use std::time::Duration;

use kling_auth::{AccessKeyPair, Credentials};
use kling_core::Config;
use kling_errors::ErrorKind;

use super::{ACCESS_KEY, API_KEY, MatrixClient, SECRET_KEY, create_request};
use crate::{Answer, Script, kling_error, serve, t0, task};

/// The token each request carried (`Authorization: Bearer <token>`).
fn tokens(script: &Script) -> Vec<String> {
    script
        .requests()
        .iter()
        .filter_map(|r| r.header_value("authorization"))
        .map(|v| v.trim_start_matches("Bearer ").to_owned())
        .collect()
}

fn pair() -> AccessKeyPair {
    AccessKeyPair::new(ACCESS_KEY, SECRET_KEY).unwrap()
}

pub fn a1_expired_token_is_reminted_once<C: MatrixClient>() {
    let script = Script::new([
        Answer::json(401, &kling_error(1004)),
        Answer::json(200, &task("1", "processing")),
    ]);
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    c.get("1").unwrap();
    assert_eq!(c.engine().auth().mints(), 2, "the cached token was dropped");
    assert!(c.slept().is_empty(), "no backoff for a re-mint");
    assert_eq!(
        c.engine().policy().budget().remaining(),
        i64::from(Config::default().retry.budget),
        "the retry budget is untouched"
    );
    assert_eq!(tokens(&script).len(), 2);
}

pub fn a2_expired_twice_is_an_auth_error<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json(401, &kling_error(1004)));
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    assert_eq!(c.get("1").unwrap_err().kind(), ErrorKind::Auth);
    assert_eq!(script.requests().len(), 2, "one re-mint, then the error");
}

pub fn a3_not_yet_valid_measures_skew_from_date<C: MatrixClient>() {
    // The server's clock is 90 s behind the client's (t0 is 08:40:00).
    let server_date = "Wed, 10 Jun 2026 08:38:30 GMT";
    let script = Script::new([
        Answer::json_with(401, &kling_error(1003), &[("Date", server_date)]),
        Answer::json(200, &task("1", "processing")),
    ]);
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    c.get("1").unwrap();
    assert_eq!(c.engine().auth().clock_skew_ms(), -90_000);
    let second = &tokens(&script)[1];
    let at_server = t0() - Duration::from_secs(90);
    kling_auth::verify(second, &[pair()], at_server)
        .expect("the re-minted token is valid in the server's time (nbf <= its date)");
}

pub fn a4_invalid_credentials_are_not_retried<C: MatrixClient>() {
    for code in [1000, 1001, 1002] {
        let script = Script::new([Answer::json(401, &kling_error(code))]);
        let server = serve(&script);
        let c = C::real(&server.url, &|_| {});
        assert_eq!(c.get("1").unwrap_err().kind(), ErrorKind::Auth, "{code}");
        assert_eq!(script.requests().len(), 1, "{code}");
    }
}

pub fn a5_one_mint_for_many_callers<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json(200, &task("1", "processing")));
    let c = C::over(&script, &|_| {});
    let results = c.gets_at_once("1", 6400);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(c.engine().auth().mints(), 1, "one token for every caller");
    let all = tokens(&script);
    assert_eq!(all.len(), 6400);
    assert!(all.iter().all(|t| *t == all[0]));
}

pub fn a6_token_near_expiry_is_reminted<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json(200, &task("1", "processing")));
    let c = C::over(&script, &|_| {});
    c.get("1").unwrap();
    c.get("1").unwrap();
    assert_eq!(c.engine().auth().mints(), 1, "reused while fresh");
    // exp - 4 min: inside the 5-minute margin.
    c.clock().advance(Duration::from_secs(26 * 60));
    c.get("1").unwrap();
    assert_eq!(c.engine().auth().mints(), 2);
    let all = tokens(&script);
    assert_eq!(all[0], all[1]);
    assert_ne!(all[1], all[2], "a new token before use");
}

/// The decoded parts of a JWT.
fn jwt_parts(token: &str) -> (serde_json::Value, serde_json::Value) {
    use base64::Engine as _;
    let decode = |part: &str| -> serde_json::Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let mut parts = token.split('.');
    (decode(parts.next().unwrap()), decode(parts.next().unwrap()))
}

pub fn a7_token_format<C: MatrixClient>() {
    let script = Script::new([Answer::json(200, &task("1", "processing"))]);
    let c = C::over(&script, &|_| {});
    c.get("1").unwrap();
    let token = &tokens(&script)[0];
    let raw_header = token.split('.').next().unwrap();
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw_header)
        .unwrap();
    assert_eq!(header, br#"{"alg":"HS256","typ":"JWT"}"#, "exactly");
    let (_, claims) = jwt_parts(token);
    assert_eq!(claims["iss"], ACCESS_KEY);
    let (exp, nbf) = (
        claims["exp"].as_u64().unwrap(),
        claims["nbf"].as_u64().unwrap(),
    );
    assert_eq!(exp - nbf, 1805);
    kling_auth::verify(token, &[pair()], t0()).expect("signed with the secret key");
}

pub fn a8_no_secret_in_any_output<C: MatrixClient>() {
    let script = Script::new([
        Answer::json(401, &kling_error(1004)),
        Answer::json(503, &kling_error(5001)),
        Answer::json(200, &task("1", "processing")),
        Answer::json(500, &kling_error(5000)),
        Answer::json(503, &kling_error(5001)),
    ])
    .then_always(Answer::json(503, &kling_error(5001)));
    let server = serve(&script);
    let mut outputs = Vec::new();
    let trace = crate::trace::record(|| {
        let c = C::real(&server.url, &|_| {});
        c.get("1").unwrap();
        let e = c.create(create_request()).unwrap_err();
        outputs.push(format!("{e} {e:?}"));
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            outputs.push(format!("{s} {s:?}"));
            source = s.source();
        }
        outputs.push(format!("{c:?}"));
        outputs.push(format!("{:?}", c.engine()));
    });
    let credentials = Credentials::both(ACCESS_KEY, SECRET_KEY, API_KEY).unwrap();
    outputs.push(format!("{credentials:?}"));
    outputs.push(format!("{:?}", super::matrix_config("https://h")));
    outputs.extend(trace);
    let tokens = tokens(&script);
    assert!(tokens.len() >= 3, "a retry cycle with a re-mint");
    for text in &outputs {
        assert!(!text.contains(SECRET_KEY), "secret key in: {text}");
        assert!(!text.contains(API_KEY), "API key in: {text}");
        assert!(
            !text.contains(ACCESS_KEY),
            "the whole access key in: {text}"
        );
        for token in &tokens {
            assert!(!text.contains(token.as_str()), "a token in: {text}");
        }
    }
}
