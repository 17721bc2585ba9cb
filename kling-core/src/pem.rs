//! PEM certificates (`-----BEGIN CERTIFICATE-----` blocks of base64) to DER, for
//! [`Config::tls_roots`](crate::Config::tls_roots): one reading for both transports.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kling_errors::{KlingCode, ValidationError};

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// The largest PEM text read (a bundle of every public root is about 250 KiB).
const MAX_PEM: usize = 4 << 20;

fn invalid(message: &str) -> ValidationError {
    ValidationError::new("tls_roots_pem", KlingCode::InvalidParameter, message)
}

/// Every certificate of `pem`, in DER, in order; other blocks (keys) and text around the
/// blocks are ignored.
pub(crate) fn certificates(pem: &str) -> Result<Vec<Vec<u8>>, ValidationError> {
    if pem.len() > MAX_PEM {
        return Err(invalid("is larger than 4 MiB"));
    }
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let end = after
            .find(END)
            .ok_or_else(|| invalid("a certificate has no END line"))?;
        let body: String = after[..end].split_whitespace().collect();
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|e| invalid(&format!("certificate {} is not base64: {e}", out.len() + 1)))?;
        if der.is_empty() {
            return Err(invalid(&format!("certificate {} is empty", out.len() + 1)));
        }
        out.push(der);
        rest = &after[end + END.len()..];
    }
    if out.is_empty() {
        return Err(invalid(
            "holds no certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_are_read_in_order_and_bad_text_is_named() {
        let pem = "junk\n-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n\
                   -----BEGIN PRIVATE KEY-----\nBAU=\n-----END PRIVATE KEY-----\n\
                   -----BEGIN CERTIFICATE-----\nBAU=\n-----END CERTIFICATE-----\n";
        assert_eq!(
            certificates(pem).unwrap(),
            vec![vec![0, 1, 2, 3], vec![4, 5]]
        );
        for bad in [
            "",
            "no pem here",
            "-----BEGIN CERTIFICATE-----\nAAEC",
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
        ] {
            let e = certificates(bad).unwrap_err();
            assert!(e.to_string().contains("tls_roots_pem"), "{bad}: {e}");
        }
    }
}
