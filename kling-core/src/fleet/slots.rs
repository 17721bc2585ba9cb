//! The task-slot traits: the account's concurrency, held from a create to its task's end.

use std::fmt::Debug;

use async_trait::async_trait;
use kling_errors::Error;

use crate::client::TaskSlot;

/// Task slots for the blocking client: [`acquire`](Self::acquire) waits for a free slot and
/// returns it held; dropping the [`TaskSlot`] gives it back. The blocking engine drops its
/// slots, so they hold guards ([`TaskSlot::holding`]) that give back in their `Drop`; a
/// [`TaskSlot::leased`] one would be left to expire.
///
/// The client uses an in-process semaphore of
/// [`Config::max_in_flight_tasks`](crate::Config::max_in_flight_tasks) unless
/// [`ClientBuilder::task_slots`](crate::ClientBuilder::task_slots) sets another.
pub trait TaskSlots: Send + Sync + Debug {
    /// Waits for a free slot and holds it until the returned slot is dropped. An
    /// implementation shared by processes holds a lease, renewed while the slot is held and
    /// left to expire when its holder dies.
    ///
    /// # Errors
    ///
    /// When no slot can be had any more (the store is gone for good); a passing outage is
    /// waited out.
    fn acquire(&self) -> Result<TaskSlot, Error>;
}

/// Task slots for the async client (see [`TaskSlots`]). The async engine gives each slot back
/// with [`TaskSlot::give_back`] and waits for it, so a lease in a shared store
/// ([`TaskSlot::leased`]) is removed before the job returns.
#[async_trait]
pub trait AsyncTaskSlots: Send + Sync + Debug {
    /// As [`TaskSlots::acquire`].
    ///
    /// # Errors
    ///
    /// As [`TaskSlots::acquire`].
    async fn acquire(&self) -> Result<TaskSlot, Error>;
}

/// Slots shared by several clients (`Arc<RedisSlots>`, `Arc<dyn TaskSlots>`).
impl<T: TaskSlots + ?Sized> TaskSlots for std::sync::Arc<T> {
    fn acquire(&self) -> Result<TaskSlot, Error> {
        (**self).acquire()
    }
}

/// Slots shared by several clients.
#[async_trait]
impl<T: AsyncTaskSlots + ?Sized> AsyncTaskSlots for std::sync::Arc<T> {
    async fn acquire(&self) -> Result<TaskSlot, Error> {
        (**self).acquire().await
    }
}
