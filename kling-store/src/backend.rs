//! A [`Store`] as the worker loop and `kling batch` see any fleet's backend.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kling_core::fleet::{AsyncTaskSlots, FleetBackend, JobQueue, JobRecord, JobState, JobStore};
use kling_core::{AsyncRequestPacer, RateConfig};
use kling_errors::Error;

use crate::db::Store;

#[async_trait]
impl FleetBackend for Store {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn location(&self) -> String {
        self.path().display().to_string()
    }

    fn job_queue(&self, consumer: &str) -> Arc<dyn JobQueue> {
        Arc::new(self.queue(consumer))
    }

    fn job_store(&self) -> Arc<dyn JobStore> {
        Arc::new(self.jobs())
    }

    fn task_slots(&self, limit: usize, ttl: Duration) -> Arc<dyn AsyncTaskSlots> {
        Arc::new(self.slots(limit, ttl))
    }

    fn request_pacer(&self, config: RateConfig) -> Arc<dyn AsyncRequestPacer> {
        Arc::new(self.pacer(config))
    }

    async fn counts(&self) -> Result<Vec<(JobState, u64)>, Error> {
        self.jobs().counts().await
    }

    async fn records(&self) -> Result<Vec<JobRecord>, Error> {
        self.jobs().all().await
    }

    async fn slots_held(&self) -> Result<usize, Error> {
        // The limit and the time to live play no part in a count.
        self.slots(1, Duration::from_secs(1)).held().await
    }
}
