//! The acceptance matrix of `reliability.md` section 7, written once against a
//! [`MatrixClient`] and run by both clients through their real transports on 127.0.0.1
//! (`reliability_matrix!`). One function per row (a few rows have more than one); the ids in
//! the names (`t1_...`, `s8_...`) are the rows'. `RELIABILITY.md` maps each row to the tests.
//!
//! Time is injected (a manual clock from [`t0`](crate::t0), a sleep that records instead of sleeping), so
//! retries and polls take no real time; only transport timeouts on loopback are real, and
//! short (`matrix_config`).

pub mod auth;
pub mod budget;
pub mod callback;
pub mod create;
pub mod decode;
pub mod download;
pub mod poll;
pub mod status;
pub mod transport;

use std::path::{Path, PathBuf};
use std::time::Duration;

use kling_core::time::ManualClock;
use kling_core::{Config, Created, Downloaded, Engine, WaitOptions};
use kling_errors::Error;
use kling_types::Task;
use kling_types::callback::CallbackPayload;
use kling_types::runblob::{GenerateO3Video, Generation, GetGeneration};
use kling_types::videos::CreateText2Video;

use crate::Script;

/// The access key every matrix client signs with.
pub const ACCESS_KEY: &str = "AKmatrix0123456789";
/// Its secret key.
pub const SECRET_KEY: &str = "SKmatrix-secret-value";
/// The API key (RunBlob rows).
pub const API_KEY: &str = "sk-matrix-api-key";

/// What the matrix needs of a client: built with both credentials (the pair signs the legacy
/// API, the key RunBlob), a manual clock from [`t0`](crate::t0) and a sleep that records.
pub trait MatrixClient: Sized + std::fmt::Debug {
    /// A client of `base_url` over its real transport, configured by [`matrix_config`] then
    /// `tweak`.
    fn real(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Self;
    /// As [`real`](Self::real), over `script` instead of a network.
    fn over(script: &Script, tweak: &dyn Fn(&mut Config)) -> Self;
    /// As [`real`](Self::real), with the real clock and the real sleep (cancel rows).
    fn real_time(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Self;

    /// `GET /v1/videos/text2video/{id}`.
    fn get(&self, id: &str) -> Result<Task, Error>;
    /// A text-to-video create.
    fn create(&self, request: CreateText2Video) -> Result<Created<CreateText2Video>, Error>;
    /// A RunBlob O3 video create.
    fn runblob_create(&self, request: GenerateO3Video) -> Result<Created<GenerateO3Video>, Error>;
    /// Reads a RunBlob generation once (with the read retries).
    fn runblob_get(&self, query: &GetGeneration) -> Result<Generation, Error>;
    /// Waits for a RunBlob generation.
    fn runblob_wait(&self, query: &GetGeneration) -> Result<Generation, Error>;
    /// Waits for task `id`.
    fn wait(&self, id: &str, options: WaitOptions<'static>) -> Result<Task, Error>;
    /// Downloads `url` to `dest`.
    fn download(&self, url: &str, dest: &Path) -> Result<Downloaded, Error>;
    /// Creates, waits and downloads into `dir`.
    fn job(&self, request: CreateText2Video, dir: &Path) -> Result<(Task, Vec<Downloaded>), Error>;
    /// Re-fetches the task a callback is about.
    fn reconcile(&self, payload: &CallbackPayload) -> Result<Task, Error>;
    /// `n` GETs of task `id` at once (threads or tasks), on clones of this client.
    fn gets_at_once(&self, id: &str, n: usize) -> Vec<Result<Task, Error>>;
    /// Every sleep, in order.
    fn slept(&self) -> Vec<Duration>;
    /// The manual clock.
    fn clock(&self) -> ManualClock;
    /// The engine (token cache, retry budget).
    fn engine(&self) -> &Engine;
}

/// The matrix's configuration: short transport timeouts so stalls end fast on loopback.
pub fn matrix_config(base_url: &str) -> Config {
    let mut config = Config::with_base_url(base_url);
    config.connect_timeout = Duration::from_millis(300);
    config.read_timeout = Duration::from_millis(200);
    config.request_timeout = Duration::from_millis(400);
    config
}

/// A fresh folder for one row's files (removed by the row).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kling-matrix-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The create every create row posts.
pub fn create_request() -> CreateText2Video {
    CreateText2Video::new("a fox").external_task_id("job-1")
}

/// One `#[test]` per row of the matrix, for client `$client`.
#[macro_export]
macro_rules! reliability_matrix {
    ($client:ty) => {
        $crate::reliability_matrix!(@rows $client;
            transport::t1_connection_refused,
            transport::t2_connect_never_completes,
            transport::t3_closed_before_headers,
            transport::t4_reset_before_headers,
            transport::t5_truncated_body,
            transport::t5_undecodable_reads_are_retried_twice_at_most,
            transport::t6_reset_mid_body,
            transport::t7_stall_after_headers,
            transport::t8_slow_loris,
            transport::t9_burst_of_503_then_success,
            transport::t10_sustained_503,
            transport::t11_concurrent_gets_in_an_outage,
            status::s1_rate_limit_is_throttled,
            status::s2_concurrency_full_on_create_reposts_the_same_bytes,
            status::s3_billing_and_allow_list_are_never_retried,
            status::s4_invalid_parameter_is_fatal_and_explained,
            status::s5_not_found_on_get,
            status::s6_content_policy,
            status::s7_server_errors_are_retried_for_reads,
            status::s8_server_errors_on_create_reconcile_then_repost,
            status::s9_error_inside_a_200,
            status::s10_unknown_codes_by_status,
            status::s11_retry_after_is_a_floor,
            status::s12_long_retry_after_is_returned,
            status::s13_hostile_retry_after_is_ignored_and_ms_honoured,
            status::s14_reseller_billing_with_a_header_request_id,
            status::s15_reseller_throttle_and_maintenance,
            status::s16_reseller_generation_timeout,
            auth::a1_expired_token_is_reminted_once,
            auth::a2_expired_twice_is_an_auth_error,
            auth::a3_not_yet_valid_measures_skew_from_date,
            auth::a4_invalid_credentials_are_not_retried,
            auth::a5_one_mint_for_many_callers,
            auth::a6_token_near_expiry_is_reminted,
            auth::a7_token_format,
            auth::a8_no_secret_in_any_output,
            create::c1_timeout_after_sending_finds_the_task,
            create::c2_not_found_twice_reposts_once,
            create::c2_a_repost_refused_as_a_duplicate_proves_the_task_exists,
            create::c3_failed_lookup_is_ambiguous_after_one_post,
            create::c3_bare_404_lookup_is_ambiguous_not_a_repost,
            create::c4_generated_external_id_everywhere,
            create::c5_caller_id_verbatim_and_checked_before_posting,
            create::c6_truncated_2xx_create_is_reconciled,
            decode::d1_html_502,
            decode::d2_empty_200,
            decode::d3_not_json_or_not_utf8,
            decode::d4_oversized_bodies,
            decode::d5_unknown_status_is_not_terminal,
            decode::d6_unknown_fields_are_ignored,
            decode::d7_numbers_and_strings,
            decode::d8_nulls_and_absences,
            decode::d9_deep_nesting,
            decode::d10_arbitrary_bodies_never_panic,
            decode::d11_api_redirects_are_not_followed,
            poll::p1_the_whole_schedule,
            poll::p1_a_task_of_unknown_age_is_looked_at_at_once,
            poll::p1_zero_first_delay_is_floored,
            poll::p2_failed_task_carries_message_and_request_id,
            poll::p3_never_terminal_times_out,
            poll::p4_failed_polls_in_between,
            poll::p5_ten_failed_polls_end_the_wait,
            poll::p6_succeed_without_results_is_invalid,
            poll::p8_cancel_during_a_sleep,
            poll::p9_retry_after_on_a_poll,
            poll::p10_an_unknown_task_fails_after_the_grace,
            download::g1_normal_file,
            download::g2_cut_stream_resumes,
            download::g2_ranges_that_do_not_fit_start_over,
            download::g2_a_stalled_file_host_is_given_up_after_the_read_timeout,
            download::g3_over_the_cap_removes_the_part_file,
            download::g4_html_instead_of_media,
            download::g5_gone_files,
            download::g6_redirect_to_another_host,
            download::g6_hostile_urls_are_refused_unless_allowed,
            download::g7_server_ids_never_choose_a_path,
            download::g8_disk_errors_are_local_and_final,
            callback::w1_legacy_callback,
            callback::w2_duplicates,
            callback::w3_terminal_is_sticky,
            callback::w4_spoofed_callback_is_reconciled,
            callback::w5_signatures,
            callback::w6_huge_and_malformed_bodies,
            callback::w7_capability_token,
            budget::b1_deadline_bounds_sleeps_and_timeouts,
            budget::b2_backoff_bounds,
            budget::b3_seeded_jitter,
            budget::b6_extreme_settings_never_panic,
        );
    };
    (@rows $client:ty; $($module:ident :: $row:ident),* $(,)?) => {
        $(
            #[test]
            fn $row() {
                $crate::matrix::$module::$row::<$client>()
            }
        )*
    };
}
