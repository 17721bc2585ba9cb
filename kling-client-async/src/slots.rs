//! [`MemorySlots`]: the in-process task slots (tokio's semaphore), the default when
//! `max_in_flight_tasks` is set and no other slots were given.

use std::sync::Arc;

use async_trait::async_trait;
use kling_core::TaskSlot;
use kling_core::fleet::AsyncTaskSlots;
use kling_errors::{CancelledError, Error};
use tokio::sync::Semaphore;

/// Task slots of one process: `limit` permits, shared by clones.
#[derive(Debug, Clone)]
pub struct MemorySlots(Arc<Semaphore>);

impl MemorySlots {
    /// `limit` slots (at least one).
    pub fn new(limit: usize) -> Self {
        Self(Arc::new(Semaphore::new(limit.max(1))))
    }
}

#[async_trait]
impl AsyncTaskSlots for MemorySlots {
    async fn acquire(&self) -> Result<TaskSlot, Error> {
        let permit = self
            .0
            .clone()
            .acquire_owned()
            .await
            // Only a closed semaphore refuses, and nothing closes it.
            .map_err(|_| CancelledError::new(None))?;
        Ok(TaskSlot::holding(permit))
    }
}
