//! The blocking client: ureq underneath, kling-core's decisions on top. This file holds only
//! what is blocking about it: its default transport, sleep and slots (downloads write through
//! kling-core's `std::fs` sink).

use std::sync::Arc;

use kling_core::Transport;
use kling_core::fleet::TaskSlots;
use kling_core::time::{Sleep, ThreadSleep};

use crate::slots::MemorySlots;
use crate::transport::UreqTransport;

/// Builds a [`Client`]: `Client::builder().credentials(..).build()?`.
pub type ClientBuilder = kling_core::ClientBuilder<Client>;

kling_core::client_type! {
    /// The blocking Kling client. `Clone + Send + Sync`; clones share the connection pool, the
    /// token cache, the retry budget and the task slots. Its methods are those of [`Kling`]
    /// (bring it into scope: `use kling_client_blocking::prelude::*;`).
    ///
    /// [`Kling`]: kling_core::Kling
    pub struct Client {
        backend: kling_core::KlingBackend,
        transport: dyn Transport = |config| Ok(Arc::new(UreqTransport::new(config))),
        sleep: dyn Sleep = ThreadSleep,
        slots: dyn TaskSlots = MemorySlots::new,
        pacer: dyn kling_core::RequestPacer,
    }
}
