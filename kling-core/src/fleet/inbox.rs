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
