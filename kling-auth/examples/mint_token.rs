//! Prints a fresh token for the credentials in the environment (`KLING_ACCESS_KEY` and
//! `KLING_SECRET_KEY`), for trying the API by hand:
//!
//! ```sh
//! curl -H "Authorization: Bearer $(cargo run -q -p kling-auth --example mint_token)" \
//!      https://api-singapore.klingai.com/v1/videos/text2video?pageNum=1
//! ```

// Printing the token is this example's whole purpose.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::SystemTime;

use kling_auth::{Credentials, mint};

fn main() -> ExitCode {
    let pair = match Credentials::from_env() {
        Ok(Credentials::AccessKey(pair)) => pair,
        Ok(_) => {
            eprintln!("KLING_API_KEY is a static key: use it as the bearer token directly");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match mint(&pair, SystemTime::now()) {
        Ok(token) => {
            println!("{}", token.expose());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
