//! A batch's callback receiver, sans-IO: a delivery's path, headers and body in, a verdict
//! and a note in the job store out. `kling batch receive` serves it over HTTP; a user's own
//! server can call it the same way.

use std::fmt;
use std::time::SystemTime;

use kling_auth::{CallbackToken, WebhookVerifier};
use kling_errors::Error;
use kling_types::callback::CallbackPayload;

use super::store::JobStore;
use crate::callback::CallbackDedupe;

/// What the inbox made of one delivery, and the HTTP status to answer it with
/// ([`http_status`](Self::http_status)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackReceipt {
    /// A task's end, noted in the job store: the worker waiting for it looks at it now.
    Noted {
        /// The task's id.
        task_id: String,
        /// Its status, as the callback wrote it.
        status: String,
    },
    /// A status short of the end, or one already noted: acknowledged, nothing kept.
    Ignored {
        /// The task's id.
        task_id: String,
        /// Its status, as the callback wrote it.
        status: String,
    },
    /// Not a delivery of ours: a path without the token (404), a signature that does not
    /// verify (401), a body that is no callback (400).
    Refused {
        /// The HTTP status to answer.
        status: u16,
        /// Why, for the receiver's log (never the token).
        reason: String,
    },
}

impl CallbackReceipt {
    /// The HTTP status to answer the sender with: 200 for a delivery taken (so it is not sent
    /// again), the refusal's otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Noted { .. } | Self::Ignored { .. } => 200,
            Self::Refused { status, .. } => *status,
        }
    }
}

/// Receives a batch's callbacks: checks the token in the path (constant time) and, when
/// given, the Standard Webhooks signature; notes each task's end in the job store, once. A
/// callback is a hint: the worker nudged by the note reads the task from the API before it
/// acts (a forged note costs one poll).
pub struct CallbackInbox {
    token: CallbackToken,
    verifier: Option<WebhookVerifier>,
    dedupe: CallbackDedupe,
}

impl fmt::Debug for CallbackInbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackInbox")
            .field("token", &self.token)
            .field("verifier", &self.verifier.is_some())
            .finish_non_exhaustive()
    }
}

impl CallbackInbox {
    /// An inbox taking deliveries to paths ending in `token` (the workers create tasks with
    /// [`CallbackToken::url`] as their callback).
    pub fn new(token: CallbackToken) -> Self {
        Self {
            token,
            verifier: None,
            dedupe: CallbackDedupe::new(),
        }
    }

    /// Also requires a valid Standard Webhooks signature (new-standard callbacks signed with
    /// the account's webhook secret).
    #[must_use]
    pub fn verifier(mut self, verifier: WebhookVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Takes one delivery to `path` at `now`, noting a task's end in `store`.
    ///
    /// # Errors
    ///
    /// The store's, when a task's end cannot be noted: answer 503, so the sender tries again.
    pub async fn receive(
        &self,
        store: &dyn JobStore,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
        now: SystemTime,
    ) -> Result<CallbackReceipt, Error> {
        let refused = |status: u16, reason: &str| CallbackReceipt::Refused {
            status,
            reason: reason.to_owned(),
        };
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if !self.token.matches(last) {
            return Ok(refused(404, "the path does not end in the callback token"));
        }
        if let Some(verifier) = &self.verifier
            && let Err(e) = verifier.verify(headers, body, now)
        {
            return Ok(refused(401, &format!("the signature does not verify: {e}")));
        }
        let payload = match CallbackPayload::parse(body) {
            Ok(p) => p,
            Err(e) => return Ok(refused(400, &format!("not a callback: {e}"))),
        };
        let (task_id, status) = (payload.task_id().to_owned(), payload.status().to_owned());
        if let Err(e) = super::store::check_note(&task_id, &status) {
            return Ok(refused(400, &e.to_string()));
        }
        let terminal = payload.is_terminal();
        if !terminal || !self.dedupe.is_new(&task_id, &status, terminal) {
            return Ok(CallbackReceipt::Ignored { task_id, status });
        }
        if let Err(e) = store.note_callback(&task_id, &status).await {
            // Not noted: the sender's retry must not be taken for a repeat.
            self.dedupe.forget(&task_id);
            return Err(e);
        }
        Ok(CallbackReceipt::Noted { task_id, status })
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;
    use crate::fleet::MemoryJobStore;

    /// Runs a future that never waits (the memory store's).
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut future = pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the memory store never waits"),
        }
    }

    fn token() -> CallbackToken {
        CallbackToken::new("t".repeat(40)).unwrap()
    }

    const DONE: &[u8] = br#"{"task_id":"7","task_status":"succeed","task_result":{}}"#;

    #[test]
    fn only_the_tokens_path_and_a_tasks_end_are_noted_once() {
        let store = MemoryJobStore::new();
        let inbox = CallbackInbox::new(token());
        let at = SystemTime::UNIX_EPOCH;
        let path = format!("/hooks/{}", "t".repeat(40));
        let take = |path: &str, body: &[u8]| now(inbox.receive(&store, path, &[], body, at));
        // Another path, a guess of the same length: not found, nothing noted.
        let wrong = take(&format!("/hooks/{}", "u".repeat(40)), DONE).unwrap();
        assert_eq!(wrong.http_status(), 404);
        assert!(matches!(
            take("/hooks/", DONE).unwrap(),
            CallbackReceipt::Refused { status: 404, .. }
        ));
        assert!(now(store.called_back(&["7".into()])).unwrap().is_empty());
        // Not a callback: 400. A status short of the end: taken, not noted.
        assert_eq!(take(&path, b"{}").unwrap().http_status(), 400);
        assert_eq!(take(&path, b"not json").unwrap().http_status(), 400);
        let running = br#"{"task_id":"7","task_status":"processing"}"#;
        assert!(matches!(
            take(&path, running).unwrap(),
            CallbackReceipt::Ignored { .. }
        ));
        assert!(now(store.called_back(&["7".into()])).unwrap().is_empty());
        // The end: noted, once; a repeat is taken and ignored.
        assert_eq!(
            take(&path, DONE).unwrap(),
            CallbackReceipt::Noted {
                task_id: "7".into(),
                status: "succeed".into()
            }
        );
        assert!(matches!(
            take(&path, DONE).unwrap(),
            CallbackReceipt::Ignored { .. }
        ));
        assert_eq!(
            now(store.called_back(&["7".into(), "8".into()])).unwrap(),
            ["7"]
        );
        // A made-up id too long to keep: refused, the store stays small.
        let long = format!(
            r#"{{"task_id":"{}","task_status":"succeed"}}"#,
            "9".repeat(300)
        );
        assert_eq!(take(&path, long.as_bytes()).unwrap().http_status(), 400);
    }

    /// A store that cannot note: the delivery is answered with an error (503), and the
    /// sender's retry is taken, not dropped as a repeat.
    #[derive(Debug, Default)]
    struct Broken(std::sync::atomic::AtomicBool);

    #[async_trait::async_trait]
    impl JobStore for Broken {
        async fn get(&self, _: &str) -> Result<Option<crate::fleet::JobRecord>, Error> {
            Ok(None)
        }
        async fn put(&self, _: &crate::fleet::JobRecord) -> Result<(), Error> {
            Ok(())
        }
        async fn insert(&self, _: &crate::fleet::JobRecord) -> Result<bool, Error> {
            Ok(true)
        }
        async fn note_callback(&self, _: &str, _: &str) -> Result<(), Error> {
            if self.0.swap(true, std::sync::atomic::Ordering::SeqCst) {
                Ok(())
            } else {
                Err(kling_errors::InternalError::new("down").into())
            }
        }
    }

    #[test]
    fn a_note_the_store_could_not_keep_is_taken_when_sent_again() {
        let store = Broken::default();
        let inbox = CallbackInbox::new(token());
        let path = format!("/{}", "t".repeat(40));
        let at = SystemTime::UNIX_EPOCH;
        assert!(now(inbox.receive(&store, &path, &[], DONE, at)).is_err());
        assert!(matches!(
            now(inbox.receive(&store, &path, &[], DONE, at)).unwrap(),
            CallbackReceipt::Noted { .. }
        ));
    }
}
