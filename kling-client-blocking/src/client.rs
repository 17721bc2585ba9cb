//! The blocking client: ureq underneath, kling-core's decisions on top. This file holds only
//! what is blocking about it: its default transport, sleep and slots (downloads write through
//! kling-core's `std::fs` sink).

use std::sync::Arc;

use kling_core::fleet::TaskSlots;
use kling_core::time::{Sleep, ThreadSleep};
use kling_core::{ClientKind, ClientParts, Config, KlingBackend, TaskSlot, Transport};

use crate::slots::MemorySlots;
use kling_errors::Error;

use crate::transport::UreqTransport;

/// Builds a [`Client`]: `Client::builder().credentials(..).build()?`.
pub type ClientBuilder = kling_core::ClientBuilder<Client>;

/// The blocking Kling client. `Clone + Send + Sync`; clones share the connection pool, the
/// token cache, the retry budget and the task slots. Its methods are those of [`Kling`]
/// (bring it into scope: `use kling_client_blocking::Kling;`).
///
/// [`Kling`]: kling_core::Kling
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    parts: ClientParts<dyn Transport, dyn Sleep>,
    /// The task slots (`max_in_flight_tasks`, or the builder's), shared by clones.
    slots: Option<Arc<dyn TaskSlots>>,
}

kling_core::client_constructors!(Client, kling_core::KlingBackend);

impl ClientKind for Client {
    type Transport = dyn Transport;
    type Sleep = dyn Sleep;
    type Slots = dyn TaskSlots;

    fn default_transport(config: &Config) -> Result<Arc<dyn Transport>, Error> {
        Ok(Arc::new(UreqTransport::new(config)))
    }

    fn default_sleep() -> Arc<dyn Sleep> {
        Arc::new(ThreadSleep)
    }

    fn memory_slots(limit: usize) -> Arc<dyn TaskSlots> {
        Arc::new(MemorySlots::new(limit))
    }

    fn assemble(
        parts: ClientParts<dyn Transport, dyn Sleep>,
        slots: Option<Arc<dyn TaskSlots>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner { parts, slots }),
        }
    }
}

impl KlingBackend for Client {
    fn parts(&self) -> &ClientParts<dyn Transport, dyn Sleep> {
        &self.inner.parts
    }

    fn acquire_slot(&self) -> Result<TaskSlot, Error> {
        match &self.inner.slots {
            Some(slots) => slots.acquire(),
            None => Ok(TaskSlot::unlimited()),
        }
    }
}
